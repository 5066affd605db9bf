#include "larch/oauth/oauth_service.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "larch/accounts/account_service.h"
#include "larch/events/event_bus.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::oauth {
namespace {

using ::larch::testing::StatusIs;

constexpr char kIssuer[] = "http://lms.test/oauth2";
constexpr char kAudience[] = "lms-key";

class OAuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(root_, larch::testing::MakeTempDir("larch-oauth"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, larch::testing::OpenMigratedSqlite(root_, clock_));

    auto keys = JwtKeyStore::Open(root_ + "/keys", random_);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(*keys);
    events_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    accounts_ = std::make_unique<accounts::AccountService>(*db_, clock_, random_, *events_,
                                                           accounts::AccountsOptions());
    OAuthOptions options;
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.confidential_token_days = 365;
    options.public_token_days = 30;
    service_ = std::make_unique<OAuthService>(*db_, clock_, random_, *keys_, *accounts_, options);

    accounts::User user;
    user.username = "alice";
    user.email = "alice@example.com";
    user.first_name = "Alice";
    user.last_name = "Liddell";
    user.is_active = true;
    accounts::Profile profile;
    profile.name = "Alice Liddell";
    auto created = accounts_->CreateUser(user, "correct horse", profile);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    alice_ = *created;

    Application confidential;
    confidential.client_id = "conf-client";
    confidential.name = "Confidential";
    confidential.client_type = "confidential";
    confidential.authorization_grant_type = "password";
    ASSERT_TRUE(service_->CreateApplication(confidential, "s3cret").ok());

    Application pub;
    pub.client_id = "mobile";
    pub.client_type = "public";
    pub.authorization_grant_type = "password";
    ASSERT_TRUE(service_->CreateApplication(pub, "").ok());

    Application machine;
    machine.client_id = "machine";
    machine.client_type = "confidential";
    machine.authorization_grant_type = "client-credentials";
    machine.user_id = alice_.id;
    ASSERT_TRUE(service_->CreateApplication(machine, "m-secret").ok());
  }

  void TearDown() override {
    service_.reset();
    accounts_.reset();
    db_.reset();
    std::filesystem::remove_all(root_);
  }

  std::map<std::string, std::string> PasswordForm() const {
    return {{"grant_type", "password"},
            {"client_id", "conf-client"},
            {"client_secret", "s3cret"},
            {"username", "alice"},
            {"password", "correct horse"}};
  }

  static void ExpectTokenShape(const nlohmann::json& body, bool with_refresh) {
    EXPECT_TRUE(body["access_token"].is_string());
    EXPECT_TRUE(body["token_type"].is_string());
    EXPECT_TRUE(body["expires_in"].is_number_integer());
    EXPECT_TRUE(body["scope"].is_string());
    EXPECT_EQ(body.contains("refresh_token"), with_refresh);
    EXPECT_EQ(body.size(), with_refresh ? 5u : 4u) << body.dump();
  }

  FakeClock clock_;
  SeededRandom random_{7};
  std::string root_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<JwtKeyStore> keys_;
  std::unique_ptr<events::LocalEventBus> events_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<OAuthService> service_;
  accounts::User alice_;
};

TEST_F(OAuthServiceTest, PasswordGrantIssuesBearerToken) {
  auto result = service_->Token(PasswordForm(), "");
  ASSERT_EQ(result.http_status, 200) << result.body.dump();
  ExpectTokenShape(result.body, true);
  EXPECT_EQ(result.body["token_type"], "Bearer");
  EXPECT_EQ(result.body["expires_in"], 365 * 86400);
  EXPECT_EQ(result.body["scope"], "read write email profile user_id");
  EXPECT_EQ(result.body["access_token"].get<std::string>().size(), 30u);

  auto principal = service_->AuthenticateBearer(result.body["access_token"].get<std::string>());
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->user_id, alice_.id);
  EXPECT_EQ(principal->username, "alice");
  EXPECT_EQ(principal->auth_method, "bearer");
  EXPECT_EQ(principal->client_id, "conf-client");
  EXPECT_FALSE(principal->is_staff);
}

TEST_F(OAuthServiceTest, PasswordGrantAcceptsEmailAndBasicAuth) {
  auto form = PasswordForm();
  form.erase("client_id");
  form.erase("client_secret");
  form["username"] = "alice@example.com";
  // base64("conf-client:s3cret")
  auto result = service_->Token(form, "Basic Y29uZi1jbGllbnQ6czNjcmV0");
  EXPECT_EQ(result.http_status, 200) << result.body.dump();
}

TEST_F(OAuthServiceTest, TokensAreStoredHashed) {
  auto result = service_->Token(PasswordForm(), "");
  ASSERT_EQ(result.http_status, 200);
  std::string raw = result.body["access_token"];
  auto rs = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [](storage::Transaction& t) {
    static constexpr storage::Query kAll{"test.all", "SELECT token_hash FROM oauth_access_tokens"};
    return t.Execute(kAll);
  });
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_NE(rs->rows[0].GetText(0), raw);
  EXPECT_EQ(rs->rows[0].GetText(0).size(), 64u);
}

TEST_F(OAuthServiceTest, JwtTokenTypeFromFormOrHeader) {
  auto form = PasswordForm();
  form["token_type"] = "JWT";
  auto result = service_->Token(form, "");
  ASSERT_EQ(result.http_status, 200) << result.body.dump();
  ExpectTokenShape(result.body, true);
  EXPECT_EQ(result.body["token_type"], "JWT");
  EXPECT_EQ(result.body["expires_in"], 3600);

  VerifyOptions vo;
  vo.now_seconds = clock_.NowMicros() / 1'000'000;
  vo.issuer = kIssuer;
  vo.audience = kAudience;
  auto claims = keys_->Verify(result.body["access_token"].get<std::string>(), vo);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  const nlohmann::json& c = *claims;
  EXPECT_EQ(c["aud"], kAudience);
  EXPECT_EQ(c["iss"], kIssuer);
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 3600);
  EXPECT_EQ(c["grant_type"], "password");
  EXPECT_EQ(c["preferred_username"], "alice");
  EXPECT_EQ(c["scopes"], nlohmann::json({"read", "write", "email", "profile", "user_id"}));
  EXPECT_EQ(c["version"], "1.2.0");
  EXPECT_EQ(c["sub"], keys_->AnonymousUserId(alice_.id));
  EXPECT_EQ(c["filters"], nlohmann::json({"user:me"}));
  EXPECT_EQ(c["is_restricted"], false);
  EXPECT_EQ(c["email_verified"], true);
  EXPECT_EQ(c["user_id"], alice_.id);
  EXPECT_EQ(c["email"], "alice@example.com");
  EXPECT_EQ(c["name"], "Alice Liddell");
  EXPECT_EQ(c["family_name"], "Liddell");
  EXPECT_EQ(c["given_name"], "Alice");
  EXPECT_EQ(c["administrator"], false);
  EXPECT_EQ(c["superuser"], false);

  auto header_result = service_->Token(PasswordForm(), "", "jwt");
  ASSERT_EQ(header_result.http_status, 200);
  EXPECT_EQ(header_result.body["token_type"], "JWT");

  auto principal = service_->AuthenticateJwt(result.body["access_token"].get<std::string>());
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->user_id, alice_.id);
  EXPECT_EQ(principal->auth_method, "jwt");
  EXPECT_EQ(principal->scopes.size(), 5u);
}

TEST_F(OAuthServiceTest, JwtExpiresAndChecksIssuerAudience) {
  auto form = PasswordForm();
  form["token_type"] = "jwt";
  auto result = service_->Token(form, "");
  ASSERT_EQ(result.http_status, 200);
  std::string jwt = result.body["access_token"];
  EXPECT_TRUE(service_->AuthenticateJwt(jwt).ok());

  OAuthOptions other = service_->options();
  other.audience = "someone-else";
  OAuthService other_aud(*db_, clock_, random_, *keys_, *accounts_, other);
  EXPECT_EQ(other_aud.AuthenticateJwt(jwt).status().code(), StatusCode::kUnauthenticated);
  other = service_->options();
  other.issuer = "http://evil/oauth2";
  OAuthService other_iss(*db_, clock_, random_, *keys_, *accounts_, other);
  EXPECT_EQ(other_iss.AuthenticateJwt(jwt).status().code(), StatusCode::kUnauthenticated);

  clock_.AdvanceSeconds(3600 + 5);
  EXPECT_EQ(service_->AuthenticateJwt(jwt).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(OAuthServiceTest, JwtWithoutUserIdScopeFallsBackToDatabase) {
  auto jwt = service_->CreateJwtForUser(alice_, {"email"}, "password", 60, false);
  ASSERT_TRUE(jwt.ok());
  auto principal = service_->AuthenticateJwt(*jwt);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->user_id, alice_.id);

  accounts::User ghost = alice_;
  ghost.id = 999;
  ghost.username = "ghost";
  auto ghost_jwt = service_->CreateJwtForUser(ghost, {"email"}, "password", 60, false);
  ASSERT_TRUE(ghost_jwt.ok());
  EXPECT_EQ(service_->AuthenticateJwt(*ghost_jwt).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(OAuthServiceTest, LoginJwtHasCookieScopes) {
  auto jwt = service_->CreateLoginJwt(alice_, 600);
  ASSERT_TRUE(jwt.ok());
  auto principal = service_->AuthenticateJwt(*jwt);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->scopes, (std::vector<std::string>{"user_id", "email", "profile"}));
}

TEST_F(OAuthServiceTest, WrongSecretIsInvalidClient) {
  auto form = PasswordForm();
  form["client_secret"] = "nope";
  auto result = service_->Token(form, "");
  EXPECT_EQ(result.http_status, 401);
  EXPECT_EQ(result.body["error"], "invalid_client");

  form = PasswordForm();
  form.erase("client_secret");  // confidential clients must authenticate
  EXPECT_EQ(service_->Token(form, "").http_status, 401);

  form = PasswordForm();
  form["client_id"] = "unknown";
  EXPECT_EQ(service_->Token(form, "").body["error"], "invalid_client");

  form = PasswordForm();
  form.erase("client_id");
  form.erase("client_secret");
  EXPECT_EQ(service_->Token(form, "Basic Y29uZi1jbGllbnQ6d3Jvbmc=").http_status, 401);
}

TEST_F(OAuthServiceTest, UnknownGrantIsUnsupported) {
  for (const char* grant : {"magic", "authorization_code", ""}) {
    auto form = PasswordForm();
    form["grant_type"] = grant;
    auto result = service_->Token(form, "");
    EXPECT_EQ(result.http_status, 400) << grant;
    EXPECT_EQ(result.body["error"], "unsupported_grant_type") << grant;
  }
}

TEST_F(OAuthServiceTest, BadPasswordIsInvalidGrant) {
  auto form = PasswordForm();
  form["password"] = "wrong";
  auto result = service_->Token(form, "");
  EXPECT_EQ(result.http_status, 400);
  EXPECT_EQ(result.body["error"], "invalid_grant");
  EXPECT_EQ(result.body["error_description"], "Invalid credentials given.");

  form = PasswordForm();
  form["username"] = "nobody";
  EXPECT_EQ(service_->Token(form, "").body["error"], "invalid_grant");

  form = PasswordForm();
  form.erase("password");
  auto missing = service_->Token(form, "");
  EXPECT_EQ(missing.http_status, 400);
  EXPECT_EQ(missing.body["error"], "invalid_request");
}

TEST_F(OAuthServiceTest, UnknownScopeIsInvalidScope) {
  auto form = PasswordForm();
  form["scope"] = "read launch_missiles";
  auto result = service_->Token(form, "");
  EXPECT_EQ(result.http_status, 400);
  EXPECT_EQ(result.body["error"], "invalid_scope");

  form["scope"] = "email";
  auto ok = service_->Token(form, "");
  ASSERT_EQ(ok.http_status, 200);
  EXPECT_EQ(ok.body["scope"], "email user_id");
}

TEST_F(OAuthServiceTest, ClientCredentialsGrant) {
  std::map<std::string, std::string> form = {{"grant_type", "client_credentials"},
                                             {"client_id", "machine"},
                                             {"client_secret", "m-secret"}};
  auto result = service_->Token(form, "");
  ASSERT_EQ(result.http_status, 200) << result.body.dump();
  ExpectTokenShape(result.body, false);
  auto principal = service_->AuthenticateBearer(result.body["access_token"].get<std::string>());
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->user_id, alice_.id);

  // A password client may not use client_credentials, and a public client
  // can never authenticate for it.
  form = {{"grant_type", "client_credentials"},
          {"client_id", "conf-client"},
          {"client_secret", "s3cret"}};
  EXPECT_EQ(service_->Token(form, "").body["error"], "unauthorized_client");
  form = {{"grant_type", "client_credentials"}, {"client_id", "mobile"}};
  EXPECT_EQ(service_->Token(form, "").http_status, 401);
}

TEST_F(OAuthServiceTest, RefreshTokenRotates) {
  auto first = service_->Token(PasswordForm(), "");
  ASSERT_EQ(first.http_status, 200);
  std::string old_access = first.body["access_token"];
  std::string old_refresh = first.body["refresh_token"];

  std::map<std::string, std::string> form = {{"grant_type", "refresh_token"},
                                             {"client_id", "conf-client"},
                                             {"client_secret", "s3cret"},
                                             {"refresh_token", old_refresh}};
  auto second = service_->Token(form, "");
  ASSERT_EQ(second.http_status, 200) << second.body.dump();
  ExpectTokenShape(second.body, true);
  EXPECT_NE(second.body["refresh_token"], old_refresh);
  EXPECT_EQ(second.body["scope"], first.body["scope"]);
  EXPECT_TRUE(service_->AuthenticateBearer(second.body["access_token"].get<std::string>()).ok());
  // The old access token goes with the old refresh token.
  EXPECT_THAT(service_->AuthenticateBearer(old_access), StatusIs(StatusCode::kUnauthenticated));

  auto reuse = service_->Token(form, "");
  EXPECT_EQ(reuse.http_status, 400);
  EXPECT_EQ(reuse.body["error"], "invalid_grant");

  // A refresh token is bound to its client.
  std::map<std::string, std::string> other = {
      {"grant_type", "refresh_token"},
      {"client_id", "mobile"},
      {"refresh_token", second.body["refresh_token"].get<std::string>()}};
  EXPECT_EQ(service_->Token(other, "").body["error"], "invalid_grant");

  // Narrowing scopes is fine, widening is not.
  form["refresh_token"] = second.body["refresh_token"];
  form["scope"] = "email tpa:read";
  EXPECT_EQ(service_->Token(form, "").body["error"], "invalid_scope");
  form["scope"] = "email";
  auto narrowed = service_->Token(form, "");
  ASSERT_EQ(narrowed.http_status, 200);
  EXPECT_EQ(narrowed.body["scope"], "email");
}

TEST_F(OAuthServiceTest, RevokeAccessAndRefreshTokens) {
  auto issued = service_->Token(PasswordForm(), "");
  ASSERT_EQ(issued.http_status, 200);
  std::string access = issued.body["access_token"];
  std::string refresh = issued.body["refresh_token"];

  std::map<std::string, std::string> form = {
      {"client_id", "conf-client"}, {"client_secret", "s3cret"}, {"token", access}};
  ASSERT_TRUE(service_->Revoke(form).ok());
  EXPECT_THAT(service_->AuthenticateBearer(access), StatusIs(StatusCode::kUnauthenticated));
  // Unknown and already revoked tokens are fine too (RFC 7009).
  EXPECT_TRUE(service_->Revoke(form).ok());
  form["token"] = "never-issued";
  EXPECT_TRUE(service_->Revoke(form).ok());

  form["token"] = refresh;
  ASSERT_TRUE(service_->Revoke(form).ok());
  std::map<std::string, std::string> refresh_form = {{"grant_type", "refresh_token"},
                                                     {"client_id", "conf-client"},
                                                     {"client_secret", "s3cret"},
                                                     {"refresh_token", refresh}};
  EXPECT_EQ(service_->Token(refresh_form, "").body["error"], "invalid_grant");

  form["client_secret"] = "bad";
  EXPECT_EQ(service_->Revoke(form).code(), StatusCode::kUnauthenticated);
  form["client_secret"] = "s3cret";
  form.erase("token");
  EXPECT_EQ(service_->Revoke(form).code(), StatusCode::kInvalidArgument);
}

TEST_F(OAuthServiceTest, RevokeIgnoresOtherClientsTokens) {
  auto issued = service_->Token(PasswordForm(), "");
  ASSERT_EQ(issued.http_status, 200);
  std::string access = issued.body["access_token"];
  std::map<std::string, std::string> form = {{"client_id", "mobile"}, {"token", access}};
  EXPECT_TRUE(service_->Revoke(form).ok());
  EXPECT_TRUE(service_->AuthenticateBearer(access).ok());
}

TEST_F(OAuthServiceTest, PublicAndConfidentialExpiry) {
  auto conf = service_->Token(PasswordForm(), "");
  std::map<std::string, std::string> pub_form = {{"grant_type", "password"},
                                                 {"client_id", "mobile"},
                                                 {"username", "alice"},
                                                 {"password", "correct horse"}};
  auto pub = service_->Token(pub_form, "");
  ASSERT_EQ(conf.http_status, 200);
  ASSERT_EQ(pub.http_status, 200) << pub.body.dump();
  EXPECT_EQ(pub.body["expires_in"], 30 * 86400);
  std::string conf_token = conf.body["access_token"];
  std::string pub_token = pub.body["access_token"];

  clock_.AdvanceSeconds(30 * 86400 - 1);
  EXPECT_TRUE(service_->AuthenticateBearer(pub_token).ok());
  clock_.AdvanceSeconds(2);
  EXPECT_EQ(service_->AuthenticateBearer(pub_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(service_->AuthenticateBearer(conf_token).ok());
  clock_.AdvanceSeconds(int64_t{335} * 86400);
  EXPECT_THAT(service_->AuthenticateBearer(conf_token), StatusIs(StatusCode::kUnauthenticated));
}

// _encode_and_sign: HS256 with JWT_SECRET_KEY unless asymmetric_jwt is asked
// or the client is restricted; the private key signs with
// JWT_SIGNING_ALGORITHM. Both kinds authenticate.
TEST_F(OAuthServiceTest, JwtSymmetricUnlessAsymmetricAsked) {
  OAuthOptions options = service_->options();
  options.jwt_secret_key = "hs-secret";
  OAuthService symmetric(*db_, clock_, random_, *keys_, *accounts_, options);
  auto alg_of = [](const OAuthService::TokenResult& result) {
    std::string jwt = result.body["access_token"];
    auto header = Base64UrlDecode(jwt.substr(0, jwt.find('.')));
    return header.ok() ? nlohmann::json::parse(*header)["alg"].get<std::string>() : "";
  };
  auto form = PasswordForm();
  form["token_type"] = "jwt";
  OAuthService::TokenResult hs = symmetric.Token(form, "");
  ASSERT_EQ(hs.http_status, 200) << hs.body.dump();
  EXPECT_EQ(alg_of(hs), "HS256");
  EXPECT_TRUE(symmetric.AuthenticateJwt(hs.body["access_token"].get<std::string>()).ok());
  // Without the secret the HS256 token is refused.
  EXPECT_THAT(service_->AuthenticateJwt(hs.body["access_token"].get<std::string>()),
              StatusIs(StatusCode::kUnauthenticated));

  form["asymmetric_jwt"] = "true";
  OAuthService::TokenResult rs = symmetric.Token(form, "");
  ASSERT_EQ(rs.http_status, 200) << rs.body.dump();
  EXPECT_EQ(alg_of(rs), "RS512");
  EXPECT_TRUE(symmetric.AuthenticateJwt(rs.body["access_token"].get<std::string>()).ok());
  form["asymmetric_jwt"] = "false";
  EXPECT_EQ(alg_of(symmetric.Token(form, "")), "HS256");

  // No secret configured: the private key signs everything.
  form.erase("asymmetric_jwt");
  EXPECT_EQ(alg_of(service_->Token(form, "")), "RS512");
  // The login cookie JWT always uses the private key.
  auto login = symmetric.CreateLoginJwt(alice_, 60);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(nlohmann::json::parse(*Base64UrlDecode(login->substr(0, login->find('.'))))["alg"],
            "RS512");
}

TEST_F(OAuthServiceTest, RestrictedApplicationGetsExpiredBearerAndRestrictedJwt) {
  Application restricted;
  restricted.client_id = "restricted";
  restricted.client_type = "confidential";
  restricted.authorization_grant_type = "password";
  restricted.is_restricted = true;
  ASSERT_TRUE(service_->CreateApplication(restricted, "r").ok());
  std::map<std::string, std::string> form = {{"grant_type", "password"},
                                             {"client_id", "restricted"},
                                             {"client_secret", "r"},
                                             {"username", "alice"},
                                             {"password", "correct horse"}};
  auto bearer = service_->Token(form, "");
  ASSERT_EQ(bearer.http_status, 200);
  EXPECT_LT(bearer.body["expires_in"].get<int64_t>(), 0);
  EXPECT_THAT(service_->AuthenticateBearer(bearer.body["access_token"].get<std::string>()),
              StatusIs(StatusCode::kUnauthenticated));

  form["token_type"] = "jwt";
  auto jwt = service_->Token(form, "");
  ASSERT_EQ(jwt.http_status, 200);
  auto principal = service_->AuthenticateJwt(jwt.body["access_token"].get<std::string>());
  ASSERT_TRUE(principal.ok());
  EXPECT_TRUE(principal->is_restricted);
}

TEST_F(OAuthServiceTest, CreateApplicationValidates) {
  Application dup;
  dup.client_id = "conf-client";
  EXPECT_EQ(service_->CreateApplication(dup, "x").status().code(), StatusCode::kAlreadyExists);
  Application bad;
  bad.client_id = "x";
  bad.client_type = "weird";
  EXPECT_EQ(service_->CreateApplication(bad, "x").status().code(), StatusCode::kInvalidArgument);
  auto loaded = service_->GetApplication("mobile");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->client_type, "public");
  EXPECT_EQ(service_->GetApplication("none").status().code(), StatusCode::kNotFound);
}

TEST_F(OAuthServiceTest, InactiveUserGetsTokenAsInOpenEdx) {
  accounts::User bob;
  bob.username = "bob";
  bob.email = "bob@example.com";
  bob.is_active = false;
  ASSERT_TRUE(accounts_->CreateUser(bob, "bob password", accounts::Profile()).ok());
  auto form = PasswordForm();
  form["username"] = "bob";
  form["password"] = "bob password";
  form["token_type"] = "jwt";
  auto result = service_->Token(form, "");
  ASSERT_EQ(result.http_status, 200) << result.body.dump();
  // The claim records the missing activation and API calls are refused.
  auto principal = service_->AuthenticateJwt(result.body["access_token"].get<std::string>());
  EXPECT_EQ(principal.status().code(), StatusCode::kUnauthenticated);
  form["password"] = "wrong";
  EXPECT_EQ(service_->Token(form, "").body["error"], "invalid_grant");
}

TEST_F(OAuthServiceTest, BearerForUnknownTokenFails) {
  EXPECT_EQ(service_->AuthenticateBearer("nope").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->AuthenticateBearer("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->AuthenticateJwt("a.b.c").status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace larch::oauth
