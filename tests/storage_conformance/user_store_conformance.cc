// accounts::UserStore on both backends: the lookups other modules make
// (by id, username or email ignoring case, exists, summaries with the profile
// name, the chunked batch reads) and the writes accounts makes through it.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend_fixture.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/user_store.h"
#include "larch/events/event_bus.h"
#include "larch/testing/status_matchers.h"

namespace larch::accounts {
namespace {

using ::larch::testing::StatusIs;

class UserStoreConformance : public storage::testing::BackendTest {
 protected:
  // A user through the store itself (no profile row).
  int64_t Insert(const std::string& username, const std::string& email, bool active = true) {
    User u;
    u.username = username;
    u.email = email;
    u.password = "!unusable";
    u.is_active = active;
    u.date_joined = 5;
    auto id = storage::RunWithResult(
        db(), storage::TxnMode::kReadWrite,
        [&](storage::Transaction& txn) -> StatusOr<int64_t> { return UserStore::Insert(txn, u); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(0);
  }
  // A user with a profile whose name is `name`, through AccountService.
  int64_t Register(const std::string& username, const std::string& name) {
    if (!service_) {
      bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
      service_ = std::make_unique<AccountService>(db(), clock_, random_, *bus_, AccountsOptions());
    }
    User u;
    u.username = username;
    u.email = username + "@example.com";
    u.is_active = true;
    Profile p;
    p.name = name;
    auto created = service_->CreateUser(u, "", p);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : 0;
  }
  template <typename Fn>
  auto Read(Fn fn) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, fn);
  }
  template <typename Fn>
  Status Write(Fn fn) {
    return db().RunInTransaction(storage::TxnMode::kReadWrite, fn);
  }

  FakeClock clock_;
  SeededRandom random_{9};
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<AccountService> service_;
};

TEST_P(UserStoreConformance, FindsByIdUsernameAndEmailIgnoringCase) {
  const int64_t id = Insert("Quinn", "Quinn@Example.com", /*active=*/false);
  using Found = StatusOr<std::optional<User>>;
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<User> by_id, Read([&](storage::Transaction& t) -> Found {
                               return UserStore::FindById(t, id);
                             }));
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->username, "Quinn");
  EXPECT_EQ(by_id->email, "Quinn@Example.com");
  EXPECT_EQ(by_id->password, "!unusable");
  EXPECT_FALSE(by_id->is_active);
  EXPECT_EQ(by_id->date_joined, 5);
  EXPECT_FALSE(by_id->last_login.has_value());

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<User> by_name,
                             Read([&](storage::Transaction& t) -> Found {
                               return UserStore::FindByUsername(t, "qUINN");
                             }));
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->id, id);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<User> by_email,
                             Read([&](storage::Transaction& t) -> Found {
                               return UserStore::FindByEmail(t, "quinn@EXAMPLE.com");
                             }));
  ASSERT_TRUE(by_email.has_value());
  EXPECT_EQ(by_email->id, id);

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<User> missing,
                             Read([&](storage::Transaction& t) -> Found {
                               return UserStore::FindByUsername(t, "nobody");
                             }));
  EXPECT_FALSE(missing.has_value());
  LARCH_ASSERT_OK_AND_ASSIGN(
      bool exists, Read([&](storage::Transaction& t) { return UserStore::Exists(t, id); }));
  EXPECT_TRUE(exists);
  LARCH_ASSERT_OK_AND_ASSIGN(
      bool ghost, Read([&](storage::Transaction& t) { return UserStore::Exists(t, id + 1000); }));
  EXPECT_FALSE(ghost);
}

TEST_P(UserStoreConformance, InsertRefusesAUsernameOrEmailThatDiffersOnlyInCase) {
  Insert("Rae", "rae@example.com");
  User u;
  u.username = "rAE";
  u.email = "other@example.com";
  EXPECT_THAT(Write([&](storage::Transaction& t) { return UserStore::Insert(t, u).status(); }),
              StatusIs(StatusCode::kAlreadyExists));
  u.username = "other";
  u.email = "RAE@example.com";
  EXPECT_THAT(Write([&](storage::Transaction& t) { return UserStore::Insert(t, u).status(); }),
              StatusIs(StatusCode::kAlreadyExists));
}

TEST_P(UserStoreConformance, SummariesCarryTheProfileNameAndReadInChunks) {
  const int64_t named = Register("sam", "Sam Smith");
  const int64_t bare = Insert("tess", "Tess@example.com");
  using One = StatusOr<std::optional<UserSummary>>;
  LARCH_ASSERT_OK_AND_ASSIGN(
      std::optional<UserSummary> sam,
      Read([&](storage::Transaction& t) -> One { return UserStore::FindSummary(t, named); }));
  ASSERT_TRUE(sam.has_value());
  EXPECT_EQ(sam->username, "sam");
  EXPECT_EQ(sam->email, "sam@example.com");
  EXPECT_TRUE(sam->is_active);
  EXPECT_EQ(sam->name, "Sam Smith");
  LARCH_ASSERT_OK_AND_ASSIGN(
      std::optional<UserSummary> gone,
      Read([&](storage::Transaction& t) -> One { return UserStore::FindSummary(t, bare + 1000); }));
  EXPECT_FALSE(gone.has_value());

  // More ids than one statement takes, with duplicates and unknown ids.
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 1200; ++i) ids.push_back(bare + 1000 + i);
  ids.push_back(bare);
  ids.push_back(named);
  ids.push_back(bare);
  LARCH_ASSERT_OK_AND_ASSIGN(auto summaries, Read([&](storage::Transaction& t) {
                               return UserStore::FindSummaries(t, ids);
                             }));
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries.at(named).name, "Sam Smith");
  EXPECT_EQ(summaries.at(bare).username, "tess");
  EXPECT_EQ(summaries.at(bare).name, "");

  LARCH_ASSERT_OK_AND_ASSIGN(
      auto none, Read([&](storage::Transaction& t) { return UserStore::FindSummaries(t, {}); }));
  EXPECT_TRUE(none.empty());
}

TEST_P(UserStoreConformance, FindsSummariesByLoweredUsernameOrEmail) {
  const int64_t sam = Register("Sam", "Sam Smith");
  const int64_t tess = Insert("tess", "Tess@Example.com");
  Insert("uma", "uma@example.com");
  std::vector<std::string> lowered{"sam", "tess@example.com", "nobody"};
  for (int i = 0; i < 600; ++i) lowered.push_back("filler" + std::to_string(i));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<UserSummary> found, Read([&](storage::Transaction& t) {
                               return UserStore::FindSummariesByLogin(t, lowered);
                             }));
  std::vector<int64_t> ids;
  for (const UserSummary& u : found) ids.push_back(u.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{sam, tess}));
}

TEST_P(UserStoreConformance, WritesGoToTheRow) {
  const int64_t id = Insert("vic", "vic@example.com", /*active=*/false);
  LARCH_ASSERT_OK(Write([&](storage::Transaction& t) { return UserStore::Activate(t, id); }));
  LARCH_ASSERT_OK(Write(
      [&](storage::Transaction& t) { return UserStore::SetPassword(t, id, "pbkdf2_sha256$x"); }));
  LARCH_ASSERT_OK(Write(
      [&](storage::Transaction& t) { return UserStore::RecordLogin(t, id, 77, "argon2$new"); }));
  auto read = [&] {
    auto user = Read([&](storage::Transaction& t) -> StatusOr<std::optional<User>> {
      return UserStore::FindById(t, id);
    });
    EXPECT_TRUE(user.ok() && user->has_value());
    return user.ok() && user->has_value() ? **user : User();
  };
  User after_login = read();
  EXPECT_TRUE(after_login.is_active);
  EXPECT_EQ(after_login.password, "argon2$new");
  EXPECT_EQ(after_login.last_login, 77);

  ImportedUserFields fields{"Victor", "victor@example.com", "", "Vic", "Tor", true, true, false};
  LARCH_ASSERT_OK(
      Write([&](storage::Transaction& t) { return UserStore::UpdateImported(t, id, fields); }));
  User imported = read();
  EXPECT_EQ(imported.username, "Victor");
  EXPECT_EQ(imported.email, "victor@example.com");
  EXPECT_EQ(imported.password, "argon2$new");  // an empty password keeps the stored one
  EXPECT_EQ(imported.first_name, "Vic");
  EXPECT_EQ(imported.last_name, "Tor");
  EXPECT_TRUE(imported.is_staff);
  EXPECT_FALSE(imported.is_superuser);

  LARCH_ASSERT_OK(Write([&](storage::Transaction& t) {
    return UserStore::Retire(t, id, "retired__user_x@retired.invalid", "!gone");
  }));
  User retired = read();
  EXPECT_EQ(retired.username, "Victor");
  EXPECT_EQ(retired.email, "retired__user_x@retired.invalid");
  EXPECT_EQ(retired.password, "!gone");

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<UserLoginKeys> keys, Read([&](storage::Transaction& t) {
                               return UserStore::ListLoginKeys(t);
                             }));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].id, id);
  EXPECT_EQ(keys[0].username_lower, "victor");
  EXPECT_EQ(keys[0].email_lower, "retired__user_x@retired.invalid");
}

LARCH_INSTANTIATE_BACKEND_SUITE(UserStoreConformance);

}  // namespace
}  // namespace larch::accounts
