// Accounts and authentication scenarios against the real `larch serve`, on
// SQLite and (with LARCH_TEST_PG_DSN) PostgreSQL: the Open edX browser login
// with CSRF, OAuth2 password grants (JWT and Bearer), registration with its
// error bodies, activation and password reset through mail delivered to a
// real SMTP sink (python3-aiosmtpd), lockout and the password policy.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "browser.h"
#include "larch/http/url.h"
#include "larch/testing/net_support.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kAdminPassword[] = "Admin-Secret-1";

class AccountsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    CommandResult migrate = RunLarch({"migrate", "--data-dir", dir_.path()}, env_);
    ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
  }

  void TearDown() override {
    server_.reset();
    smtp_.reset();
  }

  void CreateSuperuser(const std::string& username, const std::string& email) {
    CommandResult r = RunLarch({"createsuperuser", "--data-dir", dir_.path(), "--username",
                                username, "--email", email, "--password", kAdminPassword},
                               env_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find(kAdminPassword), std::string::npos) << "the password must not echo";
  }

  void CreateClient(const std::string& id, const std::string& secret) {
    CommandResult r = CreatePasswordClient(dir_.path(), id, secret, env_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // Starts an aiosmtpd Maildir sink and points SMTP_URL at it.
  void StartSmtpSink() {
    if (!SmtpSink::Available()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)";
    }
    auto sink = SmtpSink::Start(fs::path(dir_.path()) / "smtp");
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    smtp_ = std::move(sink).value();
    env_["LARCH_SMTP_URL"] = smtp_->url();
  }

  void Start(std::map<std::string, std::string> extra_env = {}) {
    for (auto& [k, v] : extra_env) env_[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }
  Browser NewBrowser() const { return Browser(server_->base_url()); }

  // Waits for a mail to `to` whose body matches `pattern`; returns group 1.
  std::string WaitForLink(const std::string& to, const std::string& pattern) {
    std::regex re(pattern);
    for (int i = 0; i < 300 && smtp_ != nullptr; ++i) {
      for (const fs::path& file : smtp_->Delivered()) {
        if (seen_.count(file.string()) != 0) continue;
        nlohmann::json mail = smtp_->Parse(file);
        if (mail.is_discarded() || mail["To"].get<std::string>().find(to) == std::string::npos) {
          continue;
        }
        std::smatch m;
        std::string text = mail["body"];
        if (std::regex_search(text, m, re)) {
          seen_.insert(file.string());
          return m[1];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no mail to " << to << " matching " << pattern;
    return "";
  }

  std::unique_ptr<LarchProcess> server_;
  std::unique_ptr<SmtpSink> smtp_;
  std::set<std::string> seen_;
};

TEST_P(AccountsTest, BrowserLoginWithCsrfAndSession) {
  CreateSuperuser("admin", "admin@example.com");
  Start();
  Browser browser = NewBrowser();
  auto form = browser.Do("GET", "/api/user/v1/account/login_session/");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->status, 200);
  ASSERT_FALSE(browser.jar()["csrftoken"].empty()) << "the login form sets the CSRF cookie";

  auto no_csrf = browser.Form("/api/user/v1/account/login_session/",
                              "email=admin%40example.com&password=Admin-Secret-1");
  ASSERT_TRUE(no_csrf.ok());
  EXPECT_EQ(no_csrf->status, 403) << no_csrf->body;

  auto login = browser.Login("admin@example.com", kAdminPassword);
  ASSERT_TRUE(login.ok());
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_EQ(Json(login)["success"], true);
  EXPECT_NE(browser.set_cookie_line("sessionid").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(browser.jar()["edxloggedin"], "true");
  EXPECT_FALSE(browser.jar()["edx-jwt-cookie-header-payload"].empty());

  auto me = browser.Do("GET", "/api/user/v1/me");
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(Json(me)["username"], "admin");

  // A cookie-authenticated write without the token is refused, with it works.
  auto put = browser.Do("PUT", "/api/user/v1/preferences/admin/pref-lang", "\"en\"",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(put->status, 403) << put->body;
  put = browser.Do(
      "PUT", "/api/user/v1/preferences/admin/pref-lang", "\"en\"",
      {{"Content-Type", "application/json"}, {"X-CSRFToken", browser.jar()["csrftoken"]}});
  EXPECT_EQ(put->status, 201) << put->body;

  auto logout = browser.Do("GET", "/logout");
  ASSERT_TRUE(logout.ok());
  EXPECT_EQ(browser.Do("GET", "/api/user/v1/me")->status, 401);
  EXPECT_EQ(server_->output().find(kAdminPassword), std::string::npos)
      << "no password in any log line";
}

TEST_P(AccountsTest, PasswordGrantJwtAndBearer) {
  CreateSuperuser("admin", "admin@example.com");
  CreateClient("script", "script-secret");
  Start();
  auto jwt = Send("POST", Url("/oauth2/access_token"),
                  "grant_type=password&client_id=script&client_secret=script-secret"
                  "&username=admin&password=Admin-Secret-1&token_type=jwt",
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(jwt.ok());
  ASSERT_EQ(jwt->status, 200) << jwt->body;
  EXPECT_EQ(Json(jwt)["token_type"], "JWT");
  std::string token = Json(jwt)["access_token"];
  auto me = Get(Url("/api/user/v1/me"), {{"Authorization", "JWT " + token}});
  EXPECT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(Json(me)["username"], "admin");
  EXPECT_EQ(Get(Url("/api/user/v1/me"), {{"Authorization", "JWT " + token + "x"}})->status, 401);

  auto bearer = Send("POST", Url("/oauth2/access_token/"),
                     "grant_type=password&client_id=script&client_secret=script-secret"
                     "&username=admin&password=Admin-Secret-1",
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(bearer->status, 200) << bearer->body;
  EXPECT_EQ(Json(bearer)["token_type"], "Bearer");
  std::string opaque = Json(bearer)["access_token"];
  auto account = Get(Url("/api/user/v1/accounts/admin"), {{"Authorization", "Bearer " + opaque}});
  EXPECT_EQ(account->status, 200) << account->body;
  EXPECT_EQ(Json(account)["email"], "admin@example.com");
  EXPECT_EQ(Get(Url("/api/user/v1/me"))->status, 401);

  auto jwks = Get(Url("/auth/jwks.json"));
  ASSERT_EQ(jwks->status, 200);
  nlohmann::json keys = Json(jwks)["keys"];
  ASSERT_FALSE(keys.empty());
  for (const auto& key : keys) EXPECT_FALSE(key.contains("d"));
  EXPECT_EQ(server_->output().find(opaque), std::string::npos) << "no token in any log line";
}

TEST_P(AccountsTest, RegistrationActivationAndPasswordResetByMail) {
  StartSmtpSink();
  if (IsSkipped()) return;
  // Two reset requests below come from one IP (default limit 1/m).
  Start({{"LARCH_LMS_BASE_URL", "http://lms.test"}, {"LARCH_PASSWORD_RESET_IP_RATE", "10/m"}});
  Browser browser = NewBrowser();
  auto reg = browser.Form("/api/user/v1/account/registration/",
                          "email=dana%40example.com&name=Dana+Scully&username=dana"
                          "&password=Trust-no-1-ever&honor_code=true&country=US");
  ASSERT_TRUE(reg.ok());
  ASSERT_EQ(reg->status, 200) << reg->body;
  EXPECT_EQ(Json(reg)["success"], true);
  EXPECT_EQ(browser.jar()["edxloggedin"], "true") << "registration logs the user in";
  // Not yet activated, but the session still reads its own account, as Open
  // edX's SessionAuthenticationAllowInactiveUser allows.
  auto me = browser.Do("GET", "/api/user/v1/me", "", {});
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(Json(me)["username"], "dana") << me->body;

  Browser fresh = NewBrowser();
  auto inactive = fresh.Login("dana@example.com", "Trust-no-1-ever");
  EXPECT_EQ(inactive->status, 400) << inactive->body;
  EXPECT_EQ(Json(inactive)["error_code"], "inactive-user") << inactive->body;

  std::string key = WaitForLink("dana@example.com", R"(http://lms\.test/activate/([A-Za-z0-9]+))");
  ASSERT_FALSE(key.empty());
  auto activate = Get(Url("/activate/" + key));
  ASSERT_TRUE(activate.ok());
  EXPECT_TRUE(activate->status == 302 || activate->status == 200) << activate->status;
  EXPECT_NE(activate->Header("location").find("success"), std::string::npos);
  auto login = fresh.Login("dana@example.com", "Trust-no-1-ever");
  EXPECT_EQ(login->status, 200) << login->body;

  // Reset: 200 whether or not the address exists, then the link from the mail.
  auto unknown = Send("POST", Url("/password_reset/"), "email=nobody%40example.com",
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(unknown->status, 200);
  EXPECT_EQ(Json(unknown)["success"], true);
  auto reset = Send("POST", Url("/password_reset/"), "email=dana%40example.com",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(reset->status, 200) << reset->body;
  std::string link = WaitForLink("dana@example.com",
                                 R"(http://lms\.test(/password_reset_confirm/[0-9a-z]+-[^/\s]+/))");
  ASSERT_FALSE(link.empty());
  auto mismatch = Send("POST", Url(link), "new_password1=New-pass-2024x&new_password2=other",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(mismatch->status, 400);
  auto confirm =
      Send("POST", Url(link), "new_password1=New-pass-2024x&new_password2=New-pass-2024x",
           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(confirm->status, 200) << confirm->body;
  auto again = Send("POST", Url(link), "new_password1=New-pass-2025y&new_password2=New-pass-2025y",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(again->status, 400) << "reset links are single-use";
  EXPECT_EQ(NewBrowser().Login("dana@example.com", "Trust-no-1-ever")->status, 400);
  EXPECT_EQ(NewBrowser().Login("dana@example.com", "New-pass-2024x")->status, 200);
}

TEST_P(AccountsTest, RegistrationErrorsPatternsAndPolicy) {
  Start({{"LARCH_REGISTRATION_EMAIL_PATTERNS_ALLOWED", R"(["^.*@example\\.org$"])"},
         {"LARCH_FEATURES__SKIP_EMAIL_VALIDATION", "true"},
         {"LARCH_AUTH_PASSWORD_VALIDATORS",
          R"([{"NAME": "common.djangoapps.util.password_policy_validators.MinimumLengthValidator",
               "OPTIONS": {"min_length": 8}}])"}});
  auto post = [&](const std::string& form) {
    return Send("POST", Url("/user_api/v1/account/registration/"), form,
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  auto ok = post(
      "email=eve%40example.org&name=Eve&username=eve&password=Long-enough-9"
      "&honor_code=true&country=FR");
  ASSERT_EQ(ok->status, 200) << ok->body;

  auto dup = post(
      "email=eve%40example.org&name=Eve&username=eve&password=Long-enough-9"
      "&honor_code=true&country=FR");
  EXPECT_EQ(dup->status, 409) << dup->body;
  EXPECT_EQ(Json(dup)["error_code"], "duplicate-email-username");
  EXPECT_FALSE(Json(dup)["username_suggestions"].empty()) << dup->body;

  auto pattern = post(
      "email=mallory%40example.com&name=M&username=mallory"
      "&password=Long-enough-9&honor_code=true&country=FR");
  EXPECT_EQ(pattern->status, 400) << pattern->body;
  EXPECT_TRUE(Json(pattern).contains("email")) << pattern->body;

  auto weak = post(
      "email=weak%40example.org&name=W&username=weak&password=a1"
      "&honor_code=true&country=FR");
  EXPECT_EQ(weak->status, 400) << weak->body;
  ASSERT_TRUE(Json(weak).contains("password")) << weak->body;
  EXPECT_NE(Json(weak)["password"][0]["user_message"].get<std::string>().find("too short"),
            std::string::npos)
      << weak->body;

  auto country = post(
      "email=c%40example.org&name=C&username=cc&password=Long-enough-9"
      "&honor_code=true&country=ZZ");
  EXPECT_EQ(country->status, 400) << country->body;

  // SKIP_EMAIL_VALIDATION: the account works without activation.
  EXPECT_EQ(NewBrowser().Login("eve@example.org", "Long-enough-9")->status, 200);
}

TEST_P(AccountsTest, LockoutAfterRepeatedFailures) {
  CreateSuperuser("admin", "admin@example.com");
  Start({{"LARCH_MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED", "3"}});
  Browser browser = NewBrowser();
  nlohmann::json last;
  for (int i = 0; i < 3; ++i) {
    auto r = browser.Login("admin@example.com", "wrong-password");
    ASSERT_EQ(r->status, 400) << r->body;
    last = Json(r);
  }
  auto locked = browser.Login("admin@example.com", kAdminPassword);
  EXPECT_EQ(locked->status, 400) << locked->body;
  EXPECT_EQ(Json(locked)["error_code"], "account-locked-out") << locked->body;
}

TEST_P(AccountsTest, LoginIsRateLimitedPerIp) {
  Start({{"LARCH_LOGISTRATION_RATELIMIT_RATE", "3/h"}});
  Browser browser = NewBrowser();
  for (int i = 0; i < 3; ++i) {
    auto r = browser.Login("x@example.com", "nope");
    EXPECT_EQ(Json(r)["value"], "Email or password is incorrect.") << r->body;
  }
  auto limited = browser.Login("x@example.com", "nope");
  EXPECT_EQ(limited->status, 400);
  EXPECT_EQ(Json(limited)["value"], "Too many failed login attempts. Try again later.");
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
