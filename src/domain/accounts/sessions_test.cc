#include "larch/accounts/sessions.h"

#include <gtest/gtest.h>

#include "larch/accounts/roles.h"
#include "test_fixture.h"

namespace larch::accounts {
namespace {

using testing::AccountsTest;

class SessionsTest : public AccountsTest {
 protected:
  int64_t NewUser(const std::string& name, bool active = true) {
    User u;
    u.username = name;
    u.email = name + "@example.com";
    u.is_active = active;
    auto created = service().CreateUser(u, "", Profile());
    EXPECT_TRUE(created.ok());
    return created->id;
  }
};

TEST_F(SessionsTest, CreateLookupExpireDelete) {
  int64_t id = NewUser("dave");
  SessionStore store(*db_, clock_, random_, 3600);
  auto raw = store.Create(id);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->size(), 64u);
  EXPECT_EQ(*store.Lookup(*raw), id);
  EXPECT_EQ((*store.LookupUser(*raw))->username, "dave");
  EXPECT_FALSE(store.Lookup("not-a-session")->has_value());
  EXPECT_FALSE(store.Lookup(std::string(64, 'a'))->has_value());

  clock_.AdvanceSeconds(3601);
  EXPECT_FALSE(store.Lookup(*raw)->has_value());
  EXPECT_EQ(*store.PurgeExpired(), 1);

  auto second = store.Create(id);
  auto third = store.Create(id);
  ASSERT_TRUE(store.Delete(*second).ok());
  EXPECT_FALSE(store.Lookup(*second)->has_value());
  EXPECT_TRUE(store.Lookup(*third)->has_value());
  ASSERT_TRUE(store.DeleteAllForUser(id).ok());
  EXPECT_FALSE(store.Lookup(*third)->has_value());
}

TEST_F(SessionsTest, StoresOnlyTheHash) {
  int64_t id = NewUser("erin");
  SessionStore store(*db_, clock_, random_, 3600);
  auto raw = store.Create(id);
  constexpr storage::Query kAll{"test.sessions", "SELECT session_hash FROM sessions"};
  auto txn = db_->Begin(storage::TxnMode::kReadOnly);
  auto rs = (*txn)->Execute(kAll);
  ASSERT_EQ(rs->rows.size(), 1u);
  EXPECT_NE(rs->rows[0].GetText(0), *raw);
  EXPECT_EQ(rs->rows[0].GetText(0), TokenHash(*raw));
}

TEST_F(SessionsTest, LookupUserKeepsInactiveUsersMarkedInactive) {
  int64_t id = NewUser("frank", /*active=*/false);
  SessionStore store(*db_, clock_, random_, 3600);
  auto raw = store.Create(id);
  EXPECT_EQ(*store.Lookup(*raw), id);
  auto user = store.LookupUser(*raw);
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_FALSE((*user)->is_active);
}

TEST_F(SessionsTest, CourseRoles) {
  int64_t id = NewUser("gina");
  RoleStore roles(*db_);
  ASSERT_TRUE(roles.Grant(id, "course-v1:MITx+6.002x+2024", CourseRole::kStaff).ok());
  ASSERT_TRUE(roles.Grant(id, "course-v1:MITx+6.002x+2024", CourseRole::kStaff).ok());
  ASSERT_TRUE(roles.Grant(id, "HarvardX", CourseRole::kInstructor).ok());
  EXPECT_TRUE(*roles.HasRole(id, "course-v1:MITx+6.002x+2024", CourseRole::kStaff));
  EXPECT_FALSE(*roles.HasRole(id, "course-v1:MITx+6.003x+2024", CourseRole::kStaff));
  EXPECT_TRUE(*roles.HasRole(id, "HarvardX", CourseRole::kInstructor));
  EXPECT_FALSE(*roles.HasRole(id, "course-v1:HarvardX+CS50+2024", CourseRole::kBetaTester));
  EXPECT_EQ(roles.RolesFor(id)->size(), 2u);
  ASSERT_TRUE(roles.Revoke(id, "HarvardX", CourseRole::kInstructor).ok());
  EXPECT_FALSE(*roles.HasRole(id, "HarvardX", CourseRole::kInstructor));
}

}  // namespace
}  // namespace larch::accounts
