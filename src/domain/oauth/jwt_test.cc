#include "larch/oauth/jwt.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::oauth {
namespace {

using ::larch::testing::StatusIs;

constexpr int64_t kNow = 1'700'000'000;

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "larch-jwt-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    keys_dir_ = root_ + "/keys";
    auto store = JwtKeyStore::Open(keys_dir_, random_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(root_);
  }

  nlohmann::json Claims() const {
    return {
        {"iss", "http://lms/oauth2"},    {"aud", "lms-key"}, {"exp", kNow + 3600}, {"iat", kNow},
        {"preferred_username", "alice"}, {"user_id", 7}};
  }
  VerifyOptions Options() const {
    VerifyOptions o;
    o.now_seconds = kNow;
    o.leeway_seconds = 1;
    o.issuer = "http://lms/oauth2";
    o.audience = "lms-key";
    return o;
  }
  // Re-signs nothing: swaps one segment for another encoding of `json`.
  static std::string ReplaceSegment(const std::string& token, int index, const std::string& raw) {
    size_t a = token.find('.');
    size_t b = token.find('.', a + 1);
    std::string parts[3] = {token.substr(0, a), token.substr(a + 1, b - a - 1),
                            token.substr(b + 1)};
    parts[index] = raw;
    return parts[0] + "." + parts[1] + "." + parts[2];
  }

  SeededRandom random_{42};
  std::string root_;
  std::string keys_dir_;
  std::unique_ptr<JwtKeyStore> store_;
};

TEST(Base64UrlTest, RoundTripsAndRejectsBadInput) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\xfd"}) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_THAT(Base64UrlDecode("Zm9v="), StatusIs(StatusCode::kInvalidArgument));  // padding
  EXPECT_THAT(Base64UrlDecode("Zm+v"),
              StatusIs(StatusCode::kInvalidArgument));                        // standard alphabet
  EXPECT_THAT(Base64UrlDecode("Z"), StatusIs(StatusCode::kInvalidArgument));  // impossible length
  EXPECT_THAT(Base64UrlDecode("Zh"),
              StatusIs(StatusCode::kInvalidArgument));  // non-canonical trailing bits
}

TEST_F(JwtTest, SignVerifyRoundTrip) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto claims = store_->Verify(*token, Options());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(*claims, Claims());

  auto header = Base64UrlDecode(token->substr(0, token->find('.')));
  ASSERT_TRUE(header.ok());
  auto h = nlohmann::json::parse(*header);
  EXPECT_EQ(h["alg"], "RS256");
  EXPECT_EQ(h["typ"], "JWT");
  EXPECT_EQ(h["kid"], store_->CurrentKid());
}

TEST_F(JwtTest, Rs512RoundTripAndAlgorithmSwapRejected) {
  auto token = store_->Sign(Claims(), "RS512");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto header = nlohmann::json::parse(*Base64UrlDecode(token->substr(0, token->find('.'))));
  EXPECT_EQ(header["alg"], "RS512");
  LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json claims, store_->Verify(*token, Options()));
  EXPECT_EQ(claims, Claims());
  // An RS512 signature presented as RS256 does not verify.
  header["alg"] = "RS256";
  EXPECT_THAT(store_->Verify(ReplaceSegment(*token, 0, Base64UrlEncode(header.dump())), Options()),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(store_->Sign(Claims(), "HS256"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(JwtTest, Hs256WithTheSecretOnly) {
  LARCH_ASSERT_OK_AND_ASSIGN(std::string token, JwtKeyStore::SignHs256(Claims(), "s3cret"));
  auto header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header["alg"], "HS256");
  // Refused while no secret is configured.
  EXPECT_THAT(store_->Verify(token, Options()), StatusIs(StatusCode::kUnauthenticated));
  VerifyOptions with_secret = Options();
  with_secret.hmac_secret = "s3cret";
  LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json claims, store_->Verify(token, with_secret));
  EXPECT_EQ(claims, Claims());
  with_secret.hmac_secret = "other";
  EXPECT_THAT(store_->Verify(token, with_secret), StatusIs(StatusCode::kUnauthenticated));
  // Claims still checked.
  with_secret.hmac_secret = "s3cret";
  with_secret.now_seconds = kNow + 7200;
  EXPECT_THAT(store_->Verify(token, with_secret), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(JwtKeyStore::SignHs256(Claims(), ""), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(JwtTest, SignRejectsNonObject) {
  EXPECT_EQ(store_->Sign(nlohmann::json::array()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, TamperedPayloadAndSignatureRejected) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  nlohmann::json evil = Claims();
  evil["user_id"] = 1;
  std::string tampered = ReplaceSegment(*token, 1, Base64UrlEncode(evil.dump()));
  EXPECT_EQ(store_->Verify(tampered, Options()).status().code(), StatusCode::kUnauthenticated);

  std::string sig = token->substr(token->rfind('.') + 1);
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(store_->Verify(ReplaceSegment(*token, 2, sig), Options()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, RejectsNoneAndHmacAlgorithms) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  for (const char* alg : {"none", "HS256", "HS512", "PS256"}) {
    std::string header = Base64UrlEncode(nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump());
    auto result = store_->Verify(ReplaceSegment(*token, 0, header), Options());
    EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated) << alg;
    EXPECT_NE(result.status().message().find("RS256"), std::string::npos) << alg;
  }
  // alg=none with an empty signature, the classic bypass.
  std::string none =
      Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Claims().dump()) + ".";
  EXPECT_THAT(store_->Verify(none, Options()), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(JwtTest, RejectsMalformedTokens) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  for (const std::string& bad :
       {std::string(""), std::string("abc"), std::string("a.b"), std::string("a.b.c.d"),
        *token + ".x", std::string("..."), ReplaceSegment(*token, 1, "!!!"),
        ReplaceSegment(*token, 0, Base64UrlEncode("[1,2]")),
        ReplaceSegment(*token, 0, Base64UrlEncode("not json"))}) {
    EXPECT_EQ(store_->Verify(bad, Options()).status().code(), StatusCode::kUnauthenticated) << bad;
  }
}

TEST_F(JwtTest, NonObjectPayloadRejectedEvenWhenSigned) {
  // A signature over a non-object payload must still fail on the JSON check;
  // sign an object, then check the payload check on a forged array payload.
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  auto result = store_->Verify(ReplaceSegment(*token, 1, Base64UrlEncode("[]")), Options());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, UnknownKidRejected) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  std::string header =
      Base64UrlEncode(nlohmann::json{{"alg", "RS256"}, {"kid", "nope"}, {"typ", "JWT"}}.dump());
  auto result = store_->Verify(ReplaceSegment(*token, 0, header), Options());
  EXPECT_EQ(result.status().message(), "JWT kid is unknown");
}

TEST_F(JwtTest, TimeChecksWithLeeway) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  VerifyOptions o = Options();
  o.now_seconds = kNow + 3600 + 1;  // within the 1 s leeway
  EXPECT_TRUE(store_->Verify(*token, o).ok());
  o.now_seconds = kNow + 3600 + 2;
  EXPECT_EQ(store_->Verify(*token, o).status().message(), "JWT has expired");

  nlohmann::json future = Claims();
  future["nbf"] = kNow + 100;
  auto nbf_token = store_->Sign(future);
  ASSERT_TRUE(nbf_token.ok());
  EXPECT_EQ(store_->Verify(*nbf_token, Options()).status().message(), "JWT is not yet valid");

  nlohmann::json iat = Claims();
  iat["iat"] = kNow + 100;
  auto iat_token = store_->Sign(iat);
  ASSERT_TRUE(iat_token.ok());
  EXPECT_THAT(store_->Verify(*iat_token, Options()), StatusIs(StatusCode::kUnauthenticated));

  nlohmann::json no_exp = Claims();
  no_exp.erase("exp");
  auto no_exp_token = store_->Sign(no_exp);
  ASSERT_TRUE(no_exp_token.ok());
  EXPECT_THAT(store_->Verify(*no_exp_token, Options()), StatusIs(StatusCode::kUnauthenticated));

  nlohmann::json string_exp = Claims();
  string_exp["exp"] = "tomorrow";
  auto string_exp_token = store_->Sign(string_exp);
  ASSERT_TRUE(string_exp_token.ok());
  EXPECT_THAT(store_->Verify(*string_exp_token, Options()), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(JwtTest, IssuerAndAudienceChecked) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  VerifyOptions o = Options();
  o.issuer = "http://other/oauth2";
  EXPECT_EQ(store_->Verify(*token, o).status().message(), "JWT issuer is not accepted");
  o = Options();
  o.audience = "other";
  EXPECT_EQ(store_->Verify(*token, o).status().message(), "JWT audience is not accepted");

  nlohmann::json multi = Claims();
  multi["aud"] = {"x", "lms-key"};
  auto multi_token = store_->Sign(multi);
  ASSERT_TRUE(multi_token.ok());
  EXPECT_TRUE(store_->Verify(*multi_token, Options()).ok());
}

TEST_F(JwtTest, RotationKeepsOldTokensValid) {
  std::string old_kid = store_->CurrentKid();
  auto old_token = store_->Sign(Claims());
  ASSERT_TRUE(old_token.ok());
  ASSERT_TRUE(store_->Rotate().ok());
  EXPECT_NE(store_->CurrentKid(), old_kid);
  EXPECT_TRUE(store_->Verify(*old_token, Options()).ok());
  auto new_token = store_->Sign(Claims());
  ASSERT_TRUE(new_token.ok());
  auto header = nlohmann::json::parse(*Base64UrlDecode(new_token->substr(0, new_token->find('.'))));
  EXPECT_EQ(header["kid"], store_->CurrentKid());

  auto jwks = store_->Jwks();
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0]["kid"], store_->CurrentKid());
  EXPECT_EQ(jwks["keys"][1]["kid"], old_kid);

  // Reopening from disk keeps both keys and the same current key.
  auto reopened = JwtKeyStore::Open(keys_dir_, random_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->CurrentKid(), store_->CurrentKid());
  EXPECT_TRUE((*reopened)->Verify(*old_token, Options()).ok());

  // At most two previous keys: after two more rotations the first is gone.
  ASSERT_TRUE(store_->Rotate().ok());
  EXPECT_TRUE(store_->Verify(*old_token, Options()).ok());
  ASSERT_TRUE(store_->Rotate().ok());
  EXPECT_EQ(store_->Jwks()["keys"].size(), 3u);
  EXPECT_EQ(store_->Verify(*old_token, Options()).status().message(), "JWT kid is unknown");
  EXPECT_FALSE(std::filesystem::exists(keys_dir_ + "/jwt-previous-3.pem"));
}

TEST_F(JwtTest, JwksHasPublicPartsOnly) {
  auto jwks = store_->Jwks();
  ASSERT_EQ(jwks["keys"].size(), 1u);
  const auto& key = jwks["keys"][0];
  EXPECT_EQ(key["kty"], "RSA");
  EXPECT_EQ(key["use"], "sig");
  EXPECT_EQ(key["alg"], "RS256");
  EXPECT_EQ(key["e"], "AQAB");
  auto n = Base64UrlDecode(key["n"].get<std::string>());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_NE(static_cast<unsigned char>((*n)[0]), 0);  // no leading zero byte
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    EXPECT_FALSE(key.contains(secret)) << secret;
  }
  std::string dumped = jwks.dump();
  EXPECT_EQ(dumped.find("PRIVATE"), std::string::npos);
  EXPECT_EQ(key.size(), 6u);
}

TEST_F(JwtTest, KeyFilesArePrivate) {
  struct stat st {};
  ASSERT_EQ(::stat(keys_dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((keys_dir_ + "/jwt-signing.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((keys_dir_ + "/anonymous-id.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(JwtTest, CorruptKeyFileIsDataLoss) {
  std::string other = root_ + "/bad";
  std::filesystem::create_directories(other);
  {
    FILE* f = std::fopen((other + "/jwt-signing.pem").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not a key", f);
    std::fclose(f);
  }
  EXPECT_EQ(JwtKeyStore::Open(other, random_).status().code(), StatusCode::kDataLoss);
}

TEST_F(JwtTest, AnonymousUserIdIsStablePerStore) {
  std::string a = store_->AnonymousUserId(1);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, store_->AnonymousUserId(1));
  EXPECT_NE(a, store_->AnonymousUserId(2));
  auto reopened = JwtKeyStore::Open(keys_dir_, random_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->AnonymousUserId(1), a);
}

}  // namespace
}  // namespace larch::oauth

namespace larch::oauth {
namespace {

// The verified-signature cache must not weaken any check: a token verified
// once is still refused once expired or for another audience, and a tampered
// copy of a cached token is checked (and refused) in full.
TEST_F(JwtTest, RepeatedVerificationStillChecksEverything) {
  auto token = store_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(store_->Verify(*token, Options()).ok());
  ASSERT_TRUE(store_->Verify(*token, Options()).ok());

  VerifyOptions later = Options();
  later.now_seconds = Claims()["exp"].get<int64_t>() + 100;
  EXPECT_EQ(store_->Verify(*token, later).status().code(), StatusCode::kUnauthenticated);
  VerifyOptions other_audience = Options();
  other_audience.audience = "someone-else";
  EXPECT_EQ(store_->Verify(*token, other_audience).status().code(), StatusCode::kUnauthenticated);

  nlohmann::json evil = Claims();
  evil["administrator"] = true;
  std::string tampered = ReplaceSegment(*token, 1, Base64UrlEncode(evil.dump()));
  EXPECT_EQ(store_->Verify(tampered, Options()).status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace larch::oauth
