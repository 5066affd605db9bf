// Accounts SQL on both backends: case-insensitive user uniqueness, the
// login-failure upsert and session lookups.
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/import_users.h"
#include "larch/accounts/roles.h"
#include "larch/accounts/sessions.h"
#include "larch/events/event_bus.h"

namespace larch::accounts {
namespace {

class AccountsConformance : public storage::testing::BackendTest {
 protected:
  AccountService& service() {
    if (!service_) {
      bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
      service_ = std::make_unique<AccountService>(db(), clock_, random_, *bus_, AccountsOptions());
    }
    return *service_;
  }
  FakeClock clock_;
  SeededRandom random_{3};
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<AccountService> service_;
};

TEST_P(AccountsConformance, UsernameAndEmailAreUniqueIgnoringCase) {
  User u;
  u.username = "Zed";
  u.email = "Zed@Example.com";
  u.is_active = true;
  auto created = service().CreateUser(u, "pw-zed-1", Profile());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  u.username = "zED";
  u.email = "other@example.com";
  EXPECT_EQ(service().CreateUser(u, "pw", Profile()).status().code(), StatusCode::kAlreadyExists);
  u.username = "other";
  u.email = "zed@example.COM";
  EXPECT_EQ(service().CreateUser(u, "pw", Profile()).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(service().GetUserByEmail("ZED@example.com")->id, created->id);
  EXPECT_EQ(service().GetUserByUsername("zed")->id, created->id);
  EXPECT_TRUE(service().Authenticate("zed", "pw-zed-1", true).ok());
}

TEST_P(AccountsConformance, LockoutCounterUpsert) {
  User u;
  u.username = "locky";
  u.email = "locky@example.com";
  u.is_active = true;
  ASSERT_TRUE(service().CreateUser(u, "right-pw", Profile()).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(service().Authenticate("locky@example.com", "wrong", false).status().code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(service().Authenticate("locky@example.com", "wrong", false).status().error_code(),
            "account-locked-out");
  clock_.AdvanceSeconds(1801);
  EXPECT_TRUE(service().Authenticate("locky@example.com", "right-pw", false).ok());
}

TEST_P(AccountsConformance, SessionsAndRoles) {
  User u;
  u.username = "sess";
  u.email = "sess@example.com";
  u.is_active = true;
  auto created = service().CreateUser(u, "", Profile());
  ASSERT_TRUE(created.ok());
  SessionStore store(db(), clock_, random_, 60);
  auto raw = store.Create(created->id);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(*store.Lookup(*raw), created->id);
  EXPECT_EQ((*store.LookupUser(*raw))->email, "sess@example.com");
  clock_.AdvanceSeconds(61);
  EXPECT_FALSE(store.Lookup(*raw)->has_value());
  EXPECT_EQ(*store.PurgeExpired(), 1);

  RoleStore roles(db());
  ASSERT_TRUE(roles.Grant(created->id, "course-v1:Org+C+R", CourseRole::kInstructor).ok());
  ASSERT_TRUE(roles.Grant(created->id, "course-v1:Org+C+R", CourseRole::kInstructor).ok());
  EXPECT_TRUE(*roles.HasRole(created->id, "course-v1:Org+C+R", CourseRole::kInstructor));
}

TEST_P(AccountsConformance, ImportIsIdempotent) {
  std::string text = "username,email,password\n";
  for (int i = 0; i < 1200; ++i) {
    text += "imp" + std::to_string(i) + ",imp" + std::to_string(i) + "@example.com,!x\n";
  }
  auto first = ImportUsersFromText(db(), clock_, text, false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->imported, 1200);
  auto second = ImportUsersFromText(db(), clock_, text, false);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->imported, 0);
  EXPECT_EQ(second->updated, 1200);
}

LARCH_INSTANTIATE_BACKEND_SUITE(AccountsConformance);

}  // namespace
}  // namespace larch::accounts
