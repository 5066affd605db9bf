// Problems for the capa and grading unit tests: parsed from XML text or from
// a problem file of shared/olx, with a test failure (and an empty Problem)
// when the XML does not parse. Header-only, so test_support does not depend
// on larch::capa; the including test links it.
//
// Thread safety: pure functions.
#ifndef LARCH_TESTING_CAPA_PROBLEMS_H_
#define LARCH_TESTING_CAPA_PROBLEMS_H_

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "larch/capa/problem.h"
#include "larch/testing/shared_olx.h"

namespace larch::testing {

// `xml` parsed as problem "p".
inline capa::Problem LoadProblem(const std::string& xml) {
  StatusOr<capa::Problem> problem = capa::ParseProblem(xml, "p");
  EXPECT_TRUE(problem.ok()) << problem.status().message();
  return problem.ok() ? *std::move(problem) : capa::Problem{};
}

// The problem file SharedOlxDir()/relative, parsed as problem "p".
inline capa::Problem LoadSharedProblem(const std::string& relative) {
  return LoadProblem(ReadSharedOlx(relative));
}

}  // namespace larch::testing

#endif  // LARCH_TESTING_CAPA_PROBLEMS_H_
