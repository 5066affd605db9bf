// Shared set-up for the accounts unit tests: a migrated SQLite database in a
// temporary file, a fake clock, a seeded random source and a local bus.
#ifndef LARCH_ACCOUNTS_TEST_FIXTURE_H_
#define LARCH_ACCOUNTS_TEST_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/accounts/account_service.h"
#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/events/event_bus.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::accounts::testing {

constexpr storage::Query kMailJobs{"test.mail_jobs",
                                   "SELECT payload FROM jobs WHERE kind = 'mail.send' ORDER BY id"};

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, larch::testing::MakeTempDir("larch-accounts"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, larch::testing::OpenMigratedSqlite(dir_, clock_));
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    options_.lms_base_url = "https://lms.example.com";
    options_.platform_name = "Larch Test";
  }
  void TearDown() override {
    service_.reset();
    bus_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  AccountService& service() {
    if (!service_) {
      service_ = std::make_unique<AccountService>(*db_, clock_, random_, *bus_, options_);
    }
    return *service_;
  }

  std::vector<nlohmann::json> MailJobs() {
    std::vector<nlohmann::json> out;
    auto txn = db_->Begin(storage::TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    auto rs = (*txn)->Execute(kMailJobs);
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    for (const auto& row : rs->rows) out.push_back(nlohmann::json::parse(row.GetText(0)));
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<events::LocalEventBus> bus_;
  AccountsOptions options_;
  std::unique_ptr<AccountService> service_;
};

}  // namespace larch::accounts::testing

#endif  // LARCH_ACCOUNTS_TEST_FIXTURE_H_
