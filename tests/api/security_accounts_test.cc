// The attacks of issue 8 (accounts, authentication and redirects) replayed
// against the real `larch serve`, on SQLite and (with LARCH_TEST_PG_DSN)
// PostgreSQL: each test fails if its hole comes back.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
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
using http::PercentEncode;
using nlohmann::json;

constexpr char kPassword[] = "Admin-Secret-1";
constexpr char kForm[] = "application/x-www-form-urlencoded";

class SecurityAccountsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    Larch({"migrate"});
  }

  void TearDown() override {
    server_.reset();
    smtp_.reset();
  }

  void Larch(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--data-dir", dir_.path()});
    CommandResult r = RunLarch(args, env_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  void Superuser(const std::string& name) {
    Larch({"createsuperuser", "--username", name, "--email", name + "@example.com", "--password",
           kPassword});
  }

  void Start(const std::map<std::string, std::string>& extra_env = {}) {
    for (const auto& [k, v] : extra_env) env_[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }
  Browser NewBrowser() const { return Browser(server_->base_url()); }

  StatusOr<HttpClientResponse> PostForm(const std::string& path, const std::string& body) {
    return Send("POST", Url(path), body, {{"Content-Type", kForm}});
  }
  StatusOr<HttpClientResponse> PostJson(const std::string& path, const json& body,
                                        const std::string& bearer) {
    return Send("POST", Url(path), body.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}});
  }

  // Password grant of the "script" client (created by the test).
  json PasswordToken(const std::string& username, const std::string& password) {
    auto r = PasswordGrant(server_->base_url(), "script", "script-secret", username, password);
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r);
  }

  void StartSmtpSink() {
    if (!SmtpSink::Available()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
    auto sink = SmtpSink::Start(fs::path(dir_.path()) / "smtp");
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    smtp_ = std::move(sink).value();
    env_["LARCH_SMTP_URL"] = smtp_->url();
  }

  // Waits for a mail to `to` whose body matches `pattern`; returns group 1.
  std::string WaitForLink(const std::string& to, const std::string& pattern) {
    std::regex re(pattern);
    for (int i = 0; i < 300 && smtp_ != nullptr; ++i) {
      for (const fs::path& file : smtp_->Delivered()) {
        json mail = smtp_->Parse(file);
        if (mail.is_discarded() || mail["To"].get<std::string>().find(to) == std::string::npos) {
          continue;
        }
        std::smatch m;
        std::string text = mail["body"];
        if (std::regex_search(text, m, re)) return m[1];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no mail to " << to << " matching " << pattern;
    return "";
  }

  std::unique_ptr<LarchProcess> server_;
  std::unique_ptr<SmtpSink> smtp_;
};

// Finding 2: registering RETIREMENT_SERVICE_USER gave the right to unenroll
// anyone; unenroll now needs the operator's service user and a learner who
// asked for retirement.
TEST_P(SecurityAccountsTest, OnlyTheOperatorsServiceUserUnenrollsRetiringLearners) {
  Larch({"create-service-user", "--username", "retirer", "--email", "retirer@example.com"});
  Larch({"create-oauth-client", "--name", "retirement", "--client-id", "retirement",
         "--client-secret", "retirement-secret", "--grant-type", "client_credentials", "--user",
         "retirer"});
  Larch({"create-oauth-client", "--name", "script", "--client-id", "script", "--client-secret",
         "script-secret", "--grant-type", "password"});
  Start({{"LARCH_RETIREMENT_SERVICE_WORKER_USERNAME", "retirer"},
         {"LARCH_FEATURES__SKIP_EMAIL_VALIDATION", "true"}});

  // The configured name (and its case variants) cannot be registered.
  for (const char* name : {"retirer", "RETIRER"}) {
    auto reg = PostForm("/api/user/v1/account/registration/",
                        std::string("email=") + name + "2%40example.com&name=M&username=" + name +
                            "&password=Long-enough-9&honor_code=true");
    ASSERT_TRUE(reg.ok());
    EXPECT_EQ(reg->status, 409) << reg->body;
    EXPECT_EQ(Json(reg)["error_code"], "duplicate-username") << reg->body;
    EXPECT_EQ(Json(reg)["username"][0]["user_message"],
              std::string("An account with the Public Username '") + name + "' already exists.");
  }
  auto check = PostForm("/api/user/v1/validation/registration/", "username=RETIRER");
  EXPECT_NE(Json(check)["validation_decisions"]["username"], "") << check->body;

  for (const char* name : {"carol", "mallory"}) {
    auto reg = PostForm("/api/user/v1/account/registration/",
                        std::string("email=") + name + "%40example.com&name=N&username=" + name +
                            "&password=Long-enough-9&honor_code=true");
    ASSERT_EQ(reg->status, 200) << reg->body;
  }
  auto service = PostForm("/oauth2/access_token",
                          "grant_type=client_credentials&client_id=retirement"
                          "&client_secret=retirement-secret");
  ASSERT_EQ(service->status, 200) << service->body;
  const std::string retirer = Json(service)["access_token"];
  const std::string mallory = PasswordToken("mallory", "Long-enough-9")["access_token"];
  const std::string carol = PasswordToken("carol", "Long-enough-9")["access_token"];

  auto attack = PostJson("/api/enrollment/v1/unenroll/", {{"username", "carol"}}, mallory);
  EXPECT_EQ(attack->status, 403) << attack->body;
  EXPECT_EQ(Json(attack)["detail"], "You do not have permission to perform this action.");
  auto not_retiring = PostJson("/api/enrollment/v1/unenroll/", {{"username", "carol"}}, retirer);
  EXPECT_EQ(not_retiring->status, 404) << not_retiring->body;
  EXPECT_EQ(Json(not_retiring), "No retirement request status for username.");

  // Carol asks for retirement: the password is checked, then she is logged out.
  const std::string path = "/api/user/v1/accounts/deactivate_logout/";
  auto no_password = PostJson(path, json::object(), carol);
  EXPECT_EQ(no_password->status, 400) << no_password->body;
  auto wrong = PostJson(path, {{"password", "not-hers-1"}}, carol);
  EXPECT_EQ(wrong->status, 403) << wrong->body;
  EXPECT_EQ(Json(wrong), "Email or password is incorrect.");
  auto retire = PostJson(path, {{"password", "Long-enough-9"}}, carol);
  EXPECT_EQ(retire->status, 204) << retire->body;
  EXPECT_EQ(Get(Url("/api/user/v1/me"), {{"Authorization", "Bearer " + carol}})->status, 401);
  auto relogin = PostForm("/oauth2/access_token",
                          "grant_type=password&client_id=script&client_secret=script-secret"
                          "&username=carol&password=Long-enough-9");
  EXPECT_EQ(relogin->status, 400) << "the password is unusable after retirement";

  EXPECT_EQ(PostJson("/api/enrollment/v1/unenroll/", {{"username", "carol"}}, mallory)->status,
            403);
  auto done = PostJson("/api/enrollment/v1/unenroll/", {{"username", "carol"}}, retirer);
  EXPECT_EQ(done->status, 204) << done->body;  // retiring, nothing active
}

// Finding 3: social links are rebuilt on the platform's own host.
TEST_P(SecurityAccountsTest, SocialLinksOnlyPointAtThePlatform) {
  Superuser("alice");
  Larch({"create-oauth-client", "--name", "script", "--client-id", "script", "--client-secret",
         "script-secret", "--grant-type", "password"});
  Start({{"LARCH_PLATFORM_NAME", "Larch Test"}});
  const std::string token = PasswordToken("alice", kPassword)["access_token"];
  auto patch = [&](const std::string& link) {
    json body = {{"social_links", {{{"platform", "facebook"}, {"social_link", link}}}}};
    return Send(
        "PATCH", Url("/api/user/v1/accounts/alice"), body.dump(),
        {{"Content-Type", "application/merge-patch+json"}, {"Authorization", "Bearer " + token}});
  };
  const std::string message =
      "Make sure that you are providing a valid username or a URL that contains "
      "\"facebook.com/\". To remove the link from your Larch Test profile, leave this field "
      "blank.";
  for (const char* bad : {"data:text/html,<script>alert(1)</script>", "https://evil.example/a",
                          "https://www.facebook.com/"}) {
    auto r = patch(bad);
    ASSERT_EQ(r->status, 400) << bad << ": " << r->body;
    EXPECT_EQ(Json(r)["field_errors"]["social_links"]["user_message"], message);
    EXPECT_EQ(Json(r)["field_errors"]["social_links"]["developer_message"],
              "Error when adding new social link: '" + message + "'");
  }
  const std::vector<std::pair<std::string, std::string>> stored = {
      {"javascript:alert(document.cookie)",
       "https://www.facebook.com/javascript:alert(document.cookie)"},
      {"https://m.facebook.com/alice/?ref=x", "https://www.facebook.com/alice"},
      {"alice.b", "https://www.facebook.com/alice.b"}};
  for (const auto& [input, expected] : stored) {
    auto r = patch(input);
    ASSERT_EQ(r->status, 200) << input << ": " << r->body;
    EXPECT_EQ(Json(r)["social_links"],
              json::array({json{{"platform", "facebook"}, {"social_link", expected}}}));
  }
  auto shown = Get(Url("/api/user/v1/accounts/alice"), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(Json(shown)["social_links"][0]["social_link"], "https://www.facebook.com/alice.b");
}

// Finding 4: password reset mails are limited per address and per IP, the
// same way for addresses with and without an account.
TEST_P(SecurityAccountsTest, PasswordResetIsRateLimitedPerAddressAndIp) {
  Superuser("dana");
  Start({{"LARCH_PASSWORD_RESET_IP_RATE", "100/m"}});
  for (const char* email : {"dana%40example.com", "nobody%40example.com"}) {
    for (int i = 0; i < 2; ++i) {
      auto r = PostForm("/password_reset/", std::string("email=") + email);
      ASSERT_EQ(r->status, 200) << email << " " << i << ": " << r->body;
      EXPECT_EQ(Json(r)["success"], true);
    }
    auto limited = PostForm("/password_reset/", std::string("email=") + email);
    EXPECT_EQ(limited->status, 403) << email << ": " << limited->body;
    EXPECT_EQ(Json(limited)["detail"],
              "Your previous request is in progress, please try again in a few moments.");
  }
  // The address is the key, whatever its case.
  EXPECT_EQ(PostForm("/password_reset/", "email=DANA%40example.com")->status, 403);
}

TEST_P(SecurityAccountsTest, PasswordResetIsRateLimitedPerIpByDefault) {
  Start();
  EXPECT_EQ(PostForm("/password_reset/", "email=a%40example.com")->status, 200);
  auto second = PostForm("/password_reset/", "email=b%40example.com");
  EXPECT_EQ(second->status, 403) << second->body;
}

// Finding 5: a password reset ends every opaque access and refresh token.
TEST_P(SecurityAccountsTest, PasswordResetRevokesAccessAndRefreshTokens) {
  StartSmtpSink();
  if (IsSkipped()) return;
  Superuser("erin");
  Larch({"create-oauth-client", "--name", "script", "--client-id", "script", "--client-secret",
         "script-secret", "--grant-type", "password"});
  Start({{"LARCH_LMS_BASE_URL", "http://lms.test"}});
  json old = PasswordToken("erin", kPassword);
  const std::string bearer = old["access_token"];
  const std::string refresh = old["refresh_token"];
  ASSERT_EQ(Get(Url("/api/user/v1/me"), {{"Authorization", "Bearer " + bearer}})->status, 200);

  ASSERT_EQ(PostForm("/password_reset/", "email=erin%40example.com")->status, 200);
  std::string link = WaitForLink("erin@example.com",
                                 R"(http://lms\.test(/password_reset_confirm/[0-9a-z]+-[^/\s]+/))");
  ASSERT_FALSE(link.empty());
  auto confirm = PostForm(link, "new_password1=Brand-new-42x&new_password2=Brand-new-42x");
  ASSERT_EQ(confirm->status, 200) << confirm->body;

  auto me = Get(Url("/api/user/v1/me"), {{"Authorization", "Bearer " + bearer}});
  EXPECT_EQ(me->status, 401) << me->body;
  auto refreshed = PostForm("/oauth2/access_token",
                            "grant_type=refresh_token&client_id=script&client_secret=script-secret"
                            "&refresh_token=" +
                                refresh);
  EXPECT_EQ(refreshed->status, 400) << refreshed->body;
  EXPECT_EQ(Json(refreshed)["error"], "invalid_grant");
  EXPECT_FALSE(PasswordToken("erin", "Brand-new-42x").value("access_token", "").empty());
}

// Finding 8: /logout follows only targets on this site.
TEST_P(SecurityAccountsTest, LogoutRedirectsOnlyToThisSite) {
  Start();
  for (const char* bad :
       {"/%09/evil.example/phish", "//evil.example/", "/%5Cevil.example", "http://evil.example/",
        "%20//evil.example", "javascript:alert(1)", "http://127.0.0.1@evil.example/"}) {
    auto r = Get(Url(std::string("/logout?next=") + bad));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << bad;
    EXPECT_EQ(r->Header("location"), "") << bad;
    auto other = Get(Url(std::string("/logout?redirect_url=") + bad));
    EXPECT_EQ(other->Header("location"), "") << bad;
  }
  auto local = Get(Url("/logout?next=/dashboard%3Fx%3D1"));
  EXPECT_EQ(local->status, 302);
  EXPECT_EQ(local->Header("location"), "/dashboard?x=1");
  const std::string own = "http://127.0.0.1:" + std::to_string(server_->port()) + "/courses";
  auto absolute = Get(Url("/logout?redirect_url=" + PercentEncode(own)));
  EXPECT_EQ(absolute->status, 302);
  EXPECT_EQ(absolute->Header("location"), own);
}

// Finding 9: a cookie-authenticated write from another origin is refused
// even with a valid CSRF token.
TEST_P(SecurityAccountsTest, CsrfChecksOrigin) {
  Superuser("frank");
  Start({{"LARCH_CSRF_TRUSTED_ORIGINS", R"(["https://*.apps.example.com"])"}});
  Browser browser = NewBrowser();
  auto evil_login =
      browser.Login("frank@example.com", kPassword, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(evil_login->status, 403) << evil_login->body;
  EXPECT_EQ(Json(evil_login)["detail"],
            "CSRF Failed: Origin checking failed - http://evil.example does not match any "
            "trusted origins.");
  auto login = browser.Login("frank@example.com", kPassword);
  ASSERT_EQ(login->status, 200) << login->body;

  auto patch = [&](const std::string& origin) {
    Headers headers = {{"Content-Type", "application/merge-patch+json"},
                       {"X-CSRFToken", browser.cookie("csrftoken")}};
    if (!origin.empty()) headers.emplace_back("Origin", origin);
    return browser.Do("PATCH", "/api/user/v1/accounts/frank", R"({"bio": "hi"})", headers);
  };
  auto evil = patch("http://evil.example");
  EXPECT_EQ(evil->status, 403) << evil->body;
  EXPECT_EQ(Json(evil)["detail"],
            "CSRF Failed: Origin checking failed - http://evil.example does not match any "
            "trusted origins.");
  EXPECT_EQ(patch("https://127.0.0.1:" + std::to_string(server_->port()))->status, 403)
      << "the scheme is part of the origin";
  EXPECT_EQ(patch("http://127.0.0.1:" + std::to_string(server_->port()))->status, 200);
  EXPECT_EQ(patch("https://learning.apps.example.com")->status, 200);
  EXPECT_EQ(patch("http://learning.apps.example.com")->status, 403);
  EXPECT_EQ(patch("")->status, 200) << "plain HTTP without Origin keeps working";
}

// The Set-Cookie header a response sets for `name`, or "".
std::string SetCookie(const HttpClientResponse& r, const std::string& name) {
  for (const auto& [header, value] : r.headers) {
    if (header == "set-cookie" && value.starts_with(name + "=")) return value;
  }
  return "";
}

// X-Forwarded-Proto makes a request secure (Secure cookies, the HTTPS CSRF
// rules) only when it comes from one of TRUSTED_PROXIES.
TEST_P(SecurityAccountsTest, ForwardedProtoCountsOnlyFromATrustedProxy) {
  Superuser("grace");
  Start();  // TRUSTED_PROXIES is empty by default
  const std::string port = std::to_string(server_->port());
  const std::string https_origin = "https://127.0.0.1:" + port;
  {
    Browser browser = NewBrowser();
    auto spoofed = browser.Login("grace@example.com", kPassword,
                                 {{"X-Forwarded-Proto", "https"}, {"Origin", https_origin}});
    EXPECT_EQ(spoofed->status, 403) << "an https Origin does not match a plain HTTP request";
    auto login = browser.Login("grace@example.com", kPassword, {{"X-Forwarded-Proto", "https"}});
    ASSERT_EQ(login->status, 200) << "no Referer needed: the request is not secure";
    std::string session = SetCookie(*login, "sessionid");
    ASSERT_NE(session, "");
    EXPECT_EQ(session.find("Secure"), std::string::npos) << session;
  }
  server_.reset();
  Start({{"LARCH_TRUSTED_PROXIES", R"(["127.0.0.1"])"}});
  const std::string origin = "https://127.0.0.1:" + std::to_string(server_->port());
  Browser browser = NewBrowser();
  auto no_referer = browser.Login("grace@example.com", kPassword, {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(no_referer->status, 403) << no_referer->body;
  EXPECT_EQ(Json(no_referer)["detail"], "CSRF Failed: Referer checking failed - no Referer.");
  auto login = browser.Login("grace@example.com", kPassword,
                             {{"X-Forwarded-Proto", "https"}, {"Origin", origin}});
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_NE(SetCookie(*login, "sessionid").find("; Secure"), std::string::npos)
      << SetCookie(*login, "sessionid");
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityAccountsTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
