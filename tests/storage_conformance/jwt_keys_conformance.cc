// The JWT keys in the database (oauth::DatabaseKeySource) on both backends:
// two processes (two handles on one store) sign and verify with the same
// keys and give a user the same anonymous id, a rotation by one is seen by
// the other, the keys a data dir held before are imported, and processes
// opening an empty store together agree on one key.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "larch/oauth/jwt.h"
#include "larch/oauth/jwt_db_keys.h"

namespace larch::oauth {
namespace {

class JwtKeysConformance : public storage::testing::BackendTest {
 protected:
  // A key store on its own handle of the test's store, as another node has.
  std::unique_ptr<JwtKeyStore> Node(const std::string& legacy_dir = "") {
    auto db = Open(url());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    handles_.push_back(std::move(*db));
    auto store = JwtKeyStore::Open(
        std::make_unique<DatabaseKeySource>(*handles_.back(), clock(), legacy_dir), random_,
        &clock(), /*recheck_ms=*/1'000);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::string Token(const JwtKeyStore& store) {
    nlohmann::json claims = {{"sub", "alice"}, {"exp", Seconds() + 3600}};
    auto token = store.Sign(claims);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : "";
  }
  StatusCode VerifyCode(const JwtKeyStore& store, const std::string& token) {
    VerifyOptions options;
    options.now_seconds = Seconds();
    return store.Verify(token, options).status().code();
  }
  int64_t Seconds() { return clock().NowMicros() / 1'000'000; }

  SeededRandom random_{11};
  std::vector<std::unique_ptr<storage::Database>> handles_;
};

TEST_P(JwtKeysConformance, EveryNodeHasTheSameKeysAndAnonymousIds) {
  auto a = Node();
  auto b = Node();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->CurrentKid(), b->CurrentKid());
  EXPECT_EQ(a->Jwks(), b->Jwks());
  EXPECT_EQ(a->AnonymousUserId(42), b->AnonymousUserId(42));
  EXPECT_EQ(VerifyCode(*b, Token(*a)), StatusCode::kOk);
  EXPECT_EQ(a->Describe(), "database (shared by every node)");
}

TEST_P(JwtKeysConformance, ARotationOnOneNodeIsSeenByTheOthers) {
  auto a = Node();
  auto b = Node();
  ASSERT_TRUE(a && b);
  const std::string old_token = Token(*a);
  const std::string old_kid = a->CurrentKid();
  ASSERT_TRUE(a->Rotate().ok());
  ASSERT_NE(a->CurrentKid(), old_kid);
  // A token the new key signed verifies on b at once (the unknown kid makes
  // b look again), and b then signs with the new key too.
  clock().AdvanceMicros(100'000);
  const std::string new_token = Token(*a);
  EXPECT_EQ(VerifyCode(*b, new_token), StatusCode::kOk);
  EXPECT_EQ(b->CurrentKid(), a->CurrentKid());
  EXPECT_EQ(VerifyCode(*b, old_token), StatusCode::kOk) << "the previous key still verifies";
  EXPECT_EQ(b->AnonymousUserId(7), a->AnonymousUserId(7));

  // Without a token: the periodic check, once its second has passed.
  ASSERT_TRUE(b->Rotate().ok());
  EXPECT_NE(a->CurrentKid(), b->CurrentKid()) << "checked at most once a second";
  clock().AdvanceSeconds(2);
  EXPECT_EQ(a->CurrentKid(), b->CurrentKid());
  EXPECT_EQ(a->Jwks()["keys"].size(), 3u);

  // Two previous keys are kept: one more rotation drops the first key.
  ASSERT_TRUE(a->Rotate().ok());
  clock().AdvanceSeconds(2);
  EXPECT_EQ(b->Jwks()["keys"].size(), 3u);
  EXPECT_EQ(VerifyCode(*b, old_token), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyCode(*a, old_token), StatusCode::kUnauthenticated);
}

TEST_P(JwtKeysConformance, TheFirstOpenImportsADataDirsKeys) {
  std::string dir = (std::filesystem::temp_directory_path() / "larch-jwt-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string token;
  std::string kid;
  std::string anonymous;
  {
    auto files = JwtKeyStore::Open(dir + "/keys", random_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    ASSERT_TRUE((*files)->Rotate().ok());
    token = Token(**files);
    kid = (*files)->CurrentKid();
    anonymous = (*files)->AnonymousUserId(5);
  }
  auto a = Node(dir + "/keys");
  auto b = Node();  // the database holds them now: no dir needed
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->CurrentKid(), kid);
  EXPECT_EQ(b->CurrentKid(), kid);
  EXPECT_EQ(a->Jwks()["keys"].size(), 2u) << "the current key and the one it replaced";
  EXPECT_EQ(b->AnonymousUserId(5), anonymous);
  EXPECT_EQ(VerifyCode(*b, token), StatusCode::kOk);
}

TEST_P(JwtKeysConformance, NodesOpeningAnEmptyStoreTogetherAgreeOnOneKey) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<storage::Database>> dbs;
  for (int i = 0; i < kNodes; ++i) {
    auto db = Open(url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    dbs.push_back(std::move(*db));
  }
  std::vector<std::string> kids(kNodes);
  std::vector<std::string> anonymous(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      SeededRandom random(100 + i);
      auto store = JwtKeyStore::Open(std::make_unique<DatabaseKeySource>(*dbs[i], clock(), ""),
                                     random, &clock());
      if (!store.ok()) {
        kids[i] = store.status().ToString();
        return;
      }
      kids[i] = (*store)->CurrentKid();
      anonymous[i] = (*store)->AnonymousUserId(1);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 1; i < kNodes; ++i) {
    EXPECT_EQ(kids[i], kids[0]);
    EXPECT_EQ(anonymous[i], anonymous[0]);
  }
}

LARCH_INSTANTIATE_BACKEND_SUITE(JwtKeysConformance);

}  // namespace
}  // namespace larch::oauth
