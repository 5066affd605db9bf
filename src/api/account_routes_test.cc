// The accounts endpoints in process: Router::Dispatch over the real
// services on a temporary SQLite database.
#include "larch/api/account_routes.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "larch/events/event_bus.h"
#include "larch/http/url.h"
#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"

namespace larch::api {
namespace {

namespace fs = std::filesystem;

struct Reply {
  http::Response response;
  nlohmann::json json;
  // Set-Cookie name -> the whole header value.
  std::map<std::string, std::string> set_cookies;
};

class AccountRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(config::DefaultSettings()); }

  void Build(config::Settings settings) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("larch_api_") + info->test_suite_name() + "_" +
                                        info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    settings_ = std::move(settings);
    storage::DatabaseOptions options;
    options.url = "sqlite://" + (dir_ / "larch.db").string();
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto migrated = storage::Migrate(*db_, storage::BuiltinMigrations(db_->backend()), clock_);
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    events_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions{});
    accounts_ = std::make_unique<accounts::AccountService>(
        *db_, clock_, random_, *events_, accounts::AccountsOptionsFromSettings(settings_));
    sessions_ = std::make_unique<accounts::SessionStore>(*db_, clock_, random_,
                                                         settings_.session_cookie_age);
    auto keys = oauth::JwtKeyStore::Open((dir_ / "keys").string(), random_);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(*keys);
    oauth_ = std::make_unique<oauth::OAuthService>(*db_, clock_, random_, *keys_, *accounts_,
                                                   oauth::OAuthOptionsFromSettings(settings_));
    context_ = std::make_unique<AccountRoutesContext>(
        AccountRoutesContext{settings_, clock_, random_, *accounts_, *sessions_, *oauth_, *keys_});
    router_ = std::make_unique<http::Router>();
    RegisterAccountRoutes(*router_, *context_);

    alice_ = MakeUser("alice", "alice@example.com", false);
    MakeUser("bob", "bob@example.com", false);
    MakeUser("root", "root@example.com", true);
    oauth::Application app;
    app.client_id = "cli";
    app.name = "cli";
    app.client_type = "confidential";
    app.authorization_grant_type = "password";
    ASSERT_TRUE(oauth_->CreateApplication(app, "cli-secret").ok());
  }

  void TearDown() override {
    router_.reset();
    context_.reset();
    oauth_.reset();
    keys_.reset();
    sessions_.reset();
    accounts_.reset();
    events_.reset();
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  accounts::User MakeUser(const std::string& username, const std::string& email, bool staff) {
    accounts::User user;
    user.username = username;
    user.email = email;
    user.is_active = true;
    user.is_staff = staff;
    accounts::Profile profile;
    profile.name = username + " Example";
    auto created = accounts_->CreateUser(user, "Secret-pass-1", profile);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : user;
  }

  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             std::vector<std::pair<std::string, std::string>> headers = {}, bool use_jar = true) {
    http::Request request(method, target);
    request.set_remote_address("10.0.0.1");
    request.set_from_trusted_proxy(behind_trusted_proxy_);
    request.set_request_id("test");
    for (auto& [k, v] : headers) request.AddHeader(k, v);
    if (use_jar && !jar_.empty()) {
      std::string cookie;
      for (const auto& [k, v] : jar_) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
      request.AddHeader("Cookie", cookie);
    }
    request.set_body(body);
    Reply reply;
    reply.response = router_->Dispatch(request);
    reply.json = nlohmann::json::parse(reply.response.body, nullptr, false);
    for (const auto& [name, value] : reply.response.headers) {
      if (!http::EqualsIgnoreCase(name, "Set-Cookie")) continue;
      size_t eq = value.find('=');
      size_t semi = value.find(';');
      std::string cname = value.substr(0, eq);
      std::string cvalue = value.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
      reply.set_cookies[cname] = value;
      if (use_jar) {
        if (value.find("Max-Age=0") != std::string::npos) {
          jar_.erase(cname);
        } else {
          jar_[cname] = cvalue;
        }
      }
    }
    return reply;
  }

  Reply PostForm(const std::string& target, const std::string& form,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return Call("POST", target, form, std::move(headers));
  }

  // The Open edX browser flow: login form for the CSRF cookie, then POST.
  Reply LoginAs(const std::string& email, const std::string& password) {
    Call("GET", "/api/user/v1/account/login_session/");
    return PostForm(
        "/api/user/v1/account/login_session/",
        "email=" + http::PercentEncode(email) + "&password=" + http::PercentEncode(password),
        {{"X-CSRFToken", jar_["csrftoken"]}});
  }

  std::string PasswordGrant(const std::string& token_type) {
    Reply r = PostForm("/oauth2/access_token",
                       "grant_type=password&client_id=cli&client_secret=cli-secret"
                       "&username=alice&password=Secret-pass-1&token_type=" +
                           token_type,
                       {});
    EXPECT_EQ(r.response.status, 200) << r.response.body;
    return r.json.value("access_token", "");
  }

  fs::path dir_;
  config::Settings settings_;
  FakeClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<events::LocalEventBus> events_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<accounts::SessionStore> sessions_;
  std::unique_ptr<oauth::JwtKeyStore> keys_;
  std::unique_ptr<oauth::OAuthService> oauth_;
  std::unique_ptr<AccountRoutesContext> context_;
  std::unique_ptr<http::Router> router_;
  accounts::User alice_;
  std::map<std::string, std::string> jar_;
  bool behind_trusted_proxy_ = false;
};

TEST_F(AccountRoutesTest, LoginFormSetsCsrfCookieAndLoginNeedsIt) {
  Reply form = Call("GET", "/api/user/v1/account/login_session/");
  EXPECT_EQ(form.response.status, 200);
  EXPECT_EQ(form.json["fields"][0]["name"], "email");
  ASSERT_EQ(jar_.count("csrftoken"), 1u);
  EXPECT_EQ(jar_["csrftoken"].size(), 32u);

  Reply no_token =
      PostForm("/api/user/v1/account/login_session/", "email=alice%40example.com&password=x");
  EXPECT_EQ(no_token.response.status, 403) << no_token.response.body;
  EXPECT_EQ(no_token.json["detail"], "CSRF Failed: CSRF token missing.");
}

TEST_F(AccountRoutesTest, LoginSetsOpenEdxCookiesAndSessionWorks) {
  Reply login = LoginAs("alice@example.com", "Secret-pass-1");
  ASSERT_EQ(login.response.status, 200) << login.response.body;
  EXPECT_EQ(login.json["success"], true);
  const std::string& session = login.set_cookies["sessionid"];
  EXPECT_NE(session.find("HttpOnly"), std::string::npos) << session;
  EXPECT_NE(session.find("SameSite=Lax"), std::string::npos) << session;
  EXPECT_EQ(session.find("Secure"), std::string::npos) << "plain HTTP: no Secure flag";
  EXPECT_NE(login.set_cookies["edxloggedin"].find("edxloggedin=true"), std::string::npos);
  EXPECT_EQ(login.set_cookies["edxloggedin"].find("HttpOnly"), std::string::npos);
  EXPECT_NE(login.set_cookies["edx-user-info"].find("\\054"), std::string::npos)
      << "JSON is quoted as Django's SimpleCookie does: " << login.set_cookies["edx-user-info"];
  EXPECT_EQ(login.set_cookies["edx-jwt-cookie-header-payload"].find("HttpOnly"), std::string::npos);
  EXPECT_NE(login.set_cookies["edx-jwt-cookie-signature"].find("HttpOnly"), std::string::npos);

  Reply me = Call("GET", "/api/user/v1/me");
  EXPECT_EQ(me.response.status, 200) << me.response.body;
  EXPECT_EQ(me.json["username"], "alice");
}

TEST_F(AccountRoutesTest, SecureCookiesBehindHttpsProxy) {
  behind_trusted_proxy_ = true;  // the server sets this for TRUSTED_PROXIES peers
  Call("GET", "/api/user/v1/account/login_session/");
  Reply login = PostForm("/api/user/v1/account/login_session/",
                         "email=alice%40example.com&password=Secret-pass-1",
                         {{"X-CSRFToken", jar_["csrftoken"]},
                          {"X-Forwarded-Proto", "https"},
                          {"Host", "127.0.0.1:8000"},
                          {"Origin", "https://127.0.0.1:8000"}});
  ASSERT_EQ(login.response.status, 200) << login.response.body;
  EXPECT_NE(login.set_cookies["sessionid"].find("Secure"), std::string::npos);
  // Django 4.2: over HTTPS, no Origin means the Referer must be this site.
  Reply no_referer = PostForm("/api/user/v1/account/login_session/",
                              "email=alice%40example.com&password=Secret-pass-1",
                              {{"X-CSRFToken", jar_["csrftoken"]},
                               {"X-Forwarded-Proto", "https"},
                               {"Host", "127.0.0.1:8000"}});
  EXPECT_EQ(no_referer.response.status, 403);
  EXPECT_EQ(no_referer.json["detail"], "CSRF Failed: Referer checking failed - no Referer.");
  Reply referer = PostForm("/api/user/v1/account/login_session/",
                           "email=alice%40example.com&password=Secret-pass-1",
                           {{"X-CSRFToken", jar_["csrftoken"]},
                            {"X-Forwarded-Proto", "https"},
                            {"Host", "127.0.0.1:8000"},
                            {"Referer", "https://127.0.0.1:8000/login"}});
  ASSERT_EQ(referer.response.status, 200) << referer.response.body;
  EXPECT_NE(login.set_cookies["sessionid"].find("Secure"), std::string::npos);
}

TEST_F(AccountRoutesTest, EveryLoginGetsANewSessionId) {
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  std::string first = jar_["sessionid"];
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  EXPECT_NE(jar_["sessionid"], first);
  Reply old = Call("GET", "/api/user/v1/me", "", {{"Cookie", "sessionid=" + first}}, false);
  EXPECT_EQ(old.response.status, 401) << "the replaced session must be gone";
}

TEST_F(AccountRoutesTest, LoginFailuresUseOpenEdxBodies) {
  Reply bad = LoginAs("alice@example.com", "wrong");
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_EQ(bad.json["success"], false);
  EXPECT_EQ(bad.json["value"], "Email or password is incorrect.");
  EXPECT_EQ(bad.json["email"], "alice@example.com");
  EXPECT_EQ(bad.response.Header("Set-Cookie").has_value() &&
                bad.response.Header("Set-Cookie")->starts_with("sessionid"),
            false);

  Call("GET", "/api/user/v2/account/login_session/");
  Reply v2 = PostForm("/api/user/v2/account/login_session/",
                      "email_or_username=alice&password=Secret-pass-1",
                      {{"X-CSRFToken", jar_["csrftoken"]}});
  EXPECT_EQ(v2.response.status, 200) << "v2 accepts a username: " << v2.response.body;

  Reply missing = PostForm("/api/user/v1/account/login_session/", "email=alice%40example.com",
                           {{"X-CSRFToken", jar_["csrftoken"]}});
  EXPECT_EQ(missing.response.status, 400);
}

TEST_F(AccountRoutesTest, CookieAuthenticatedWritesNeedCsrfButTokensDoNot) {
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  std::string csrf = jar_["csrftoken"];
  Reply no_csrf = Call("PUT", "/api/user/v1/preferences/alice/pref-lang", "\"fr\"",
                       {{"Content-Type", "application/json"}});
  EXPECT_EQ(no_csrf.response.status, 403) << no_csrf.response.body;
  Reply with_csrf = Call("PUT", "/api/user/v1/preferences/alice/pref-lang", "\"fr\"",
                         {{"Content-Type", "application/json"}, {"X-CSRFToken", csrf}});
  EXPECT_EQ(with_csrf.response.status, 201) << with_csrf.response.body;

  std::string bearer = PasswordGrant("bearer");
  Reply token_write =
      Call("PUT", "/api/user/v1/preferences/alice/pref-lang", "\"de\"",
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}}, false);
  EXPECT_EQ(token_write.response.status, 204) << token_write.response.body;
  Reply read = Call("GET", "/api/user/v1/preferences/alice/pref-lang", "",
                    {{"Authorization", "Bearer " + bearer}}, false);
  EXPECT_EQ(read.json, "de");
}

TEST_F(AccountRoutesTest, CsrfTokenEndpointMatchesTheCookie) {
  Reply r = Call("GET", "/csrf/api/v1/token");
  ASSERT_EQ(r.response.status, 200);
  std::string token = r.json["csrfToken"];
  EXPECT_EQ(token.size(), 64u);
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  Reply t = Call("GET", "/csrf/api/v1/token");
  Reply ok = Call("DELETE", "/api/user/v1/preferences/alice/nothing", "",
                  {{"X-CSRFToken", t.json["csrfToken"].get<std::string>()}});
  EXPECT_EQ(ok.response.status, 404) << "passes CSRF, then no such preference";
}

TEST_F(AccountRoutesTest, JwtAndBearerAuthentication) {
  std::string jwt = PasswordGrant("jwt");
  ASSERT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2);
  Reply me = Call("GET", "/api/user/v1/me", "", {{"Authorization", "JWT " + jwt}}, false);
  EXPECT_EQ(me.response.status, 200) << me.response.body;
  EXPECT_EQ(me.json["username"], "alice");

  std::string opaque = PasswordGrant("bearer");
  Reply me2 = Call("GET", "/api/user/v1/me", "", {{"Authorization", "Bearer " + opaque}}, false);
  EXPECT_EQ(me2.json["username"], "alice");

  Reply bad = Call("GET", "/api/user/v1/me", "", {{"Authorization", "JWT " + jwt + "x"}}, false);
  EXPECT_EQ(bad.response.status, 401);
  Reply anon = Call("GET", "/api/user/v1/me", "", {}, false);
  EXPECT_EQ(anon.response.status, 401);
  EXPECT_TRUE(anon.response.Header("WWW-Authenticate").has_value());

  clock_.AdvanceSeconds(7200);
  Reply expired = Call("GET", "/api/user/v1/me", "", {{"Authorization", "JWT " + jwt}}, false);
  EXPECT_EQ(expired.response.status, 401) << "JWTs expire after JWT_EXPIRATION";
}

TEST_F(AccountRoutesTest, JwtCookiesAuthenticateWithUseJwtCookie) {
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  std::string cookie = "edx-jwt-cookie-header-payload=" + jar_["edx-jwt-cookie-header-payload"] +
                       "; edx-jwt-cookie-signature=" + jar_["edx-jwt-cookie-signature"];
  Reply with =
      Call("GET", "/api/user/v1/me", "", {{"Cookie", cookie}, {"USE-JWT-COOKIE", "true"}}, false);
  EXPECT_EQ(with.json["username"], "alice") << with.response.body;
  Reply without = Call("GET", "/api/user/v1/me", "", {{"Cookie", cookie}}, false);
  EXPECT_EQ(without.response.status, 401);
}

TEST_F(AccountRoutesTest, LoginRefreshAndLogout) {
  EXPECT_EQ(Call("POST", "/login_refresh").response.status, 401);
  ASSERT_EQ(LoginAs("alice@example.com", "Secret-pass-1").response.status, 200);
  Reply refresh = Call("POST", "/login_refresh");
  EXPECT_EQ(refresh.response.status, 200) << refresh.response.body;
  EXPECT_EQ(refresh.json["user_id"], alice_.id);
  EXPECT_EQ(refresh.set_cookies.count("edx-jwt-cookie-signature"), 1u);

  std::string session = jar_["sessionid"];
  Reply out = Call("GET", "/logout");
  EXPECT_EQ(out.response.status, 200);
  EXPECT_NE(out.set_cookies["sessionid"].find("Max-Age=0"), std::string::npos);
  EXPECT_NE(out.set_cookies["edxloggedin"].find("Max-Age=0"), std::string::npos);
  Reply after = Call("GET", "/api/user/v1/me", "", {{"Cookie", "sessionid=" + session}}, false);
  EXPECT_EQ(after.response.status, 401) << "logout must end the session server-side";
}

TEST_F(AccountRoutesTest, RegistrationSuccessDuplicateAndErrors) {
  Reply form = Call("GET", "/api/user/v1/account/registration/");
  EXPECT_EQ(form.response.status, 200);
  EXPECT_TRUE(form.json.contains("fields"));

  Reply ok = PostForm("/api/user/v1/account/registration/",
                      "email=carol%40example.com&name=Carol&username=carol"
                      "&password=Another-pass-9&honor_code=true&country=FR");
  ASSERT_EQ(ok.response.status, 200) << ok.response.body;
  EXPECT_EQ(ok.json["success"], true);
  EXPECT_EQ(ok.set_cookies.count("sessionid"), 1u);
  EXPECT_EQ(ok.set_cookies.count("edxloggedin"), 1u);

  jar_.clear();
  Reply dup = PostForm("/user_api/v1/account/registration/",
                       "email=carol%40example.com&name=Carol&username=carol"
                       "&password=Another-pass-9&honor_code=true&country=FR");
  EXPECT_EQ(dup.response.status, 409) << dup.response.body;
  EXPECT_EQ(dup.json["error_code"], "duplicate-email-username");
  EXPECT_TRUE(dup.json["email"].is_array());
  EXPECT_FALSE(dup.json["username_suggestions"].empty());

  Reply bad = PostForm("/api/user/v2/account/registration/",
                       "email=not-an-email&name=&username=x&password=1&honor_code=true");
  EXPECT_EQ(bad.response.status, 400) << bad.response.body;
  EXPECT_TRUE(bad.json.contains("email")) << bad.response.body;
  EXPECT_TRUE(bad.json["email"][0].contains("user_message"));

  Reply validation = Call("POST", "/api/user/v1/validation/registration",
                          R"({"username": "carol", "email": "new@example.com"})",
                          {{"Content-Type", "application/json"}});
  EXPECT_EQ(validation.response.status, 200);
  EXPECT_NE(validation.json["validation_decisions"]["username"], "") << validation.response.body;
  EXPECT_EQ(validation.json["validation_decisions"]["email"], "");
}

TEST_F(AccountRoutesTest, RegistrationIsRateLimitedPerIp) {
  config::Settings settings = config::DefaultSettings();
  settings.registration_ratelimit = "2/h";
  TearDown();
  Build(settings);
  for (int i = 0; i < 2; ++i) {
    Reply r = PostForm("/create_account", "email=bad");
    EXPECT_EQ(r.response.status, 400) << r.response.body;
  }
  Reply limited = PostForm("/create_account", "email=bad");
  EXPECT_EQ(limited.response.status, 403);
  EXPECT_EQ(limited.json["error_code"], "forbidden-request");
}

TEST_F(AccountRoutesTest, AccountsApiPermissions) {
  std::string alice = PasswordGrant("jwt");
  auto as_alice =
      std::vector<std::pair<std::string, std::string>>{{"Authorization", "JWT " + alice}};
  Reply own = Call("GET", "/api/user/v1/accounts/alice", "", as_alice, false);
  ASSERT_EQ(own.response.status, 200) << own.response.body;
  EXPECT_EQ(own.json["email"], "alice@example.com");
  EXPECT_EQ(Call("GET", "/api/user/v1/accounts/nobody", "", as_alice, false).response.status, 404);
  EXPECT_EQ(Call("GET", "/api/user/v1/accounts/alice").response.status, 401);

  auto patch_headers = as_alice;
  patch_headers.emplace_back("Content-Type", "application/json");
  EXPECT_EQ(Call("PATCH", "/api/user/v1/accounts/alice", R"({"bio": "x"})", patch_headers, false)
                .response.status,
            415);
  patch_headers.back().second = "application/merge-patch+json";
  Reply patched =
      Call("PATCH", "/api/user/v1/accounts/alice", R"({"bio": "Hello"})", patch_headers, false);
  EXPECT_EQ(patched.response.status, 200) << patched.response.body;
  EXPECT_EQ(patched.json["bio"], "Hello");
  EXPECT_EQ(Call("PATCH", "/api/user/v1/accounts/alice", "{not json", patch_headers, false)
                .response.status,
            400);
  Reply ro =
      Call("PATCH", "/api/user/v1/accounts/alice", R"({"username": "eve"})", patch_headers, false);
  EXPECT_EQ(ro.response.status, 400);
  EXPECT_TRUE(ro.json["field_errors"].contains("username")) << ro.response.body;
  EXPECT_EQ(Call("PATCH", "/api/user/v1/accounts/bob", R"({"bio": "x"})", patch_headers, false)
                .response.status,
            404)
      << "non-staff must not learn that bob exists";

  ASSERT_EQ(LoginAs("root@example.com", "Secret-pass-1").response.status, 200);
  Reply staff =
      Call("PATCH", "/api/user/v1/accounts/bob", R"({"bio": "x"})",
           {{"Content-Type", "application/merge-patch+json"}, {"X-CSRFToken", jar_["csrftoken"]}});
  EXPECT_EQ(staff.response.status, 403) << staff.response.body;

  Reply list = Call("GET", "/api/user/v1/accounts?username=alice,bob");
  EXPECT_EQ(list.response.status, 200);
  EXPECT_EQ(list.json.size(), 2u);
  EXPECT_EQ(Call("GET", "/api/user/v1/accounts?email=bob%40example.com").json.size(), 1u);
  EXPECT_EQ(Call("GET", "/api/user/v1/accounts?email=bob%40example.com", "", as_alice, false)
                .response.status,
            404)
      << "only staff may look accounts up by email";
}

TEST_F(AccountRoutesTest, Preferences) {
  std::string jwt = PasswordGrant("jwt");
  auto h = std::vector<std::pair<std::string, std::string>>{
      {"Authorization", "JWT " + jwt}, {"Content-Type", "application/merge-patch+json"}};
  EXPECT_EQ(Call("PATCH", "/api/user/v1/preferences/alice", R"({"a": "1", "b": "2"})", h, false)
                .response.status,
            204);
  EXPECT_EQ(
      Call("PATCH", "/api/user/v1/preferences/alice", R"({"a": 5})", h, false).response.status,
      400);
  EXPECT_EQ(
      Call("PATCH", "/api/user/v1/preferences/alice", R"({"a": null})", h, false).response.status,
      204);
  Reply all = Call("GET", "/api/user/v1/preferences/alice", "", h, false);
  EXPECT_EQ(all.json, nlohmann::json({{"b", "2"}}));
  EXPECT_EQ(Call("GET", "/api/user/v1/preferences/bob", "", h, false).response.status, 403);
  EXPECT_EQ(Call("DELETE", "/api/user/v1/preferences/alice/b", "", h, false).response.status, 204);
  EXPECT_EQ(Call("GET", "/api/user/v1/preferences/alice/b", "", h, false).response.status, 404);
}

TEST_F(AccountRoutesTest, OAuthEndpoints) {
  Reply jwks = Call("GET", "/auth/jwks.json");
  ASSERT_EQ(jwks.response.status, 200);
  ASSERT_FALSE(jwks.json["keys"].empty());
  for (const auto& key : jwks.json["keys"]) {
    EXPECT_FALSE(key.contains("d")) << "private key material must never be published";
    EXPECT_EQ(key["kty"], "RSA");
  }
  Reply bad = PostForm("/oauth2/access_token/",
                       "grant_type=password&client_id=cli&client_secret=nope&username=alice"
                       "&password=Secret-pass-1");
  EXPECT_EQ(bad.response.status, 401) << bad.response.body;
  EXPECT_EQ(bad.json["error"], "invalid_client");

  std::string opaque = PasswordGrant("bearer");
  Reply revoke = PostForm("/oauth2/revoke_token",
                          "token=" + opaque + "&client_id=cli&client_secret=cli-secret");
  EXPECT_EQ(revoke.response.status, 200) << revoke.response.body;
  EXPECT_EQ(Call("GET", "/api/user/v1/me", "", {{"Authorization", "Bearer " + opaque}}, false)
                .response.status,
            401);
}

}  // namespace
}  // namespace larch::api
