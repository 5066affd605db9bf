// The fixture of the scenario suites that run once per backend (the test
// parameter, "sqlite" or "postgres"): a data directory, the backend and the
// environment of the larch process.
//
// Thread safety: one per test.
#ifndef LARCH_TESTS_API_BACKEND_TEST_H_
#define LARCH_TESTS_API_BACKEND_TEST_H_

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "backends.h"
#include "larch_process.h"

namespace larch::testing {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Skips the test when the backend is not available (a derived SetUp
  // returns when IsSkipped()); else env_ is the backend's environment with
  // the access log off.
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
};

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_BACKEND_TEST_H_
