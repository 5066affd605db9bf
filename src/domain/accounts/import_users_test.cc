#include "larch/accounts/import_users.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "larch/accounts/passwords.h"
#include "larch/common/json.h"
#include "test_fixture.h"

namespace larch::accounts {
namespace {

using ::larch::testing::StatusIs;
using testing::AccountsTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(AccountsTest, ImportsCsvWithBadRowsAndIsIdempotent) {
  std::string hash = Pbkdf2Sha256Hash("imported-pw", "salt", 1000);
  std::string csv = "username,email,password,name,is_active,is_staff,date_joined\n";
  for (int i = 0; i < 2500; ++i) {
    csv += "user" + std::to_string(i) + ",user" + std::to_string(i) + "@example.com," + hash +
           ",\"User, Number " + std::to_string(i) + "\",1,0,2020-01-02T03:04:05Z\n";
  }
  csv += "bad user,bad@example.com,,x,1,0,\n";              // line 2502
  csv += "okname,not-an-email,,x,1,0,\n";                   // line 2503
  csv += "hashless,h@example.com,plaintext,x,1,0,\n";       // line 2504
  csv += "boolish,b@example.com,,x,maybe,0,\n";             // line 2505
  csv += "USER7,someone-else@example.com,,Renamed,1,1,\n";  // updates user7
  std::string path = dir_ + "/users.csv";
  std::ofstream(path) << csv;

  auto report = ImportUsers(*db_, clock_, path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->imported, 2500);
  EXPECT_EQ(report->updated, 1);
  EXPECT_EQ(report->skipped, 4);
  EXPECT_THAT(report->errors, ElementsAre("line 2502: invalid username 'bad user'",
                                          "line 2503: invalid email 'not-an-email'",
                                          "line 2504: password is not a Django password hash",
                                          "line 2505: not a boolean: maybe"));

  auto user = service().GetUserByUsername("user42");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->date_joined, *ParseIso8601("2020-01-02T03:04:05Z"));
  EXPECT_EQ(service().GetProfile(user->id)->name, "User, Number 42");
  EXPECT_TRUE(service().Authenticate("user42@example.com", "imported-pw", false).ok());
  auto user7 = service().GetUserByUsername("user7");
  EXPECT_TRUE(user7->is_staff);
  EXPECT_EQ(user7->email, "someone-else@example.com");
  EXPECT_EQ(user7->password, hash);  // empty password keeps the existing hash

  auto again = ImportUsers(*db_, clock_, path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->updated, 2501);
  EXPECT_EQ(again->skipped, 4);
}

TEST_F(AccountsTest, ImportsJsonAndRejectsConflicts) {
  ASSERT_TRUE(ImportUsersFromText(*db_, clock_,
                                  R"([{"username": "a1", "email": "a1@example.com"},
                                      {"username": "b1", "email": "b1@example.com"}])",
                                  true)
                  .ok());
  auto report = ImportUsersFromText(
      *db_, clock_,
      R"([{"username": "a1", "email": "b1@example.com"}, 5, {"username": "c1", "email": "c1@example.com", "is_staff": true}])",
      true);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->imported, 1);
  EXPECT_THAT(report->errors,
              ElementsAre("line 1: username and email belong to different existing users",
                          "line 2: wrong number of columns"));
  EXPECT_TRUE(service().GetUserByUsername("c1")->is_staff);
  EXPECT_EQ(ImportUsersFromText(*db_, clock_, "{}", true).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportUsersFromText(*db_, clock_, "name\nx\n", false).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportUsers(*db_, clock_, dir_ + "/missing.csv").status().code(),
            StatusCode::kNotFound);
}

TEST_F(AccountsTest, RefusesDeeplyNestedJsonFile) {
  // A user whose field nests 100,000 levels: dump() on it would overflow the
  // stack; the depth check refuses the file before anything is imported.
  std::string deep = R"([{"username": "deep", "email": "deep@example.com", "name": )";
  deep += std::string(100'000, '[') + std::string(100'000, ']') + "}]";
  std::string path = dir_ + "/deep.json";
  std::ofstream(path) << deep;
  auto report = ImportUsers(*db_, clock_, path);
  EXPECT_THAT(report, StatusIs(StatusCode::kInvalidArgument, HasSubstr("nested deeper than 200")));
  EXPECT_EQ(report.status().error_code(), "json_too_deep");
  EXPECT_THAT(service().GetUserByUsername("deep"), StatusIs(StatusCode::kNotFound));
  // Nesting within the limit is still just a value.
  std::string fine = R"([{"username": "fine", "email": "fine@example.com", "name": )";
  fine += std::string(kMaxJsonDepth - 2, '[') + std::string(kMaxJsonDepth - 2, ']') + "}]";
  LARCH_ASSERT_OK_AND_ASSIGN(ImportReport ok, ImportUsersFromText(*db_, clock_, fine, true));
  EXPECT_EQ(ok.imported, 1);
}

}  // namespace
}  // namespace larch::accounts
