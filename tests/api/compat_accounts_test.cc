// Open edX client compatibility of the accounts, login, OAuth2 and heartbeat
// endpoints (issue 17) against the real binary on SQLite and PostgreSQL:
// each test asserts the shape of the upstream code named beside it.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "browser.h"
#include "larch/http/url.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

using nlohmann::json;

constexpr char kPassword[] = "Long-enough-9";
constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kJwtSecret[] = "compat-hs256-secret";
constexpr int64_t kFourWeeks = int64_t{604'800} * 4;

std::string B64UrlDecode(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  std::string out(s.size(), '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  size_t pad = 0;
  while (pad < 2 && !in.empty() && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string B64UrlEncode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// Segment `index` (0 header, 1 payload) of a compact JWT, parsed.
json JwtPart(const std::string& jwt, int index) {
  size_t first = jwt.find('.');
  std::string part = index == 0 ? jwt.substr(0, first)
                                : jwt.substr(first + 1, jwt.find('.', first + 1) - first - 1);
  return json::parse(B64UrlDecode(part), nullptr, false);
}

// Undoes Django's cookie quoting (surrounding quotes, \" and \ooo escapes).
std::string CookieUnquote(const std::string& value) {
  if (value.size() < 2 || value.front() != '"') return value;
  std::string out;
  for (size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
    } else if (i + 3 < value.size() && std::isdigit(static_cast<unsigned char>(value[i + 1]))) {
      out += static_cast<char>(std::stoi(value.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += value[++i];
    }
  }
  return out;
}

class CompatAccountsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    env_["LARCH_FEATURES__SKIP_EMAIL_VALIDATION"] = "true";
    env_["LARCH_MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED"] = "4";
    env_["LARCH_JWT_AUTH"] = json{{"JWT_SECRET_KEY", kJwtSecret}}.dump();
    Larch({"migrate"});
    Larch({"create-oauth-client", "--name", "script", "--client-id", "script", "--client-secret",
           "script-secret", "--grant-type", "password"});
  }

  void Larch(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--data-dir", dir_.path()});
    CommandResult r = RunLarch(args, env_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  void Start() {
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  StatusOr<HttpClientResponse> PostForm(const std::string& path, const std::string& body) {
    return Send("POST", Url(path), body, {{"Content-Type", kForm}});
  }

  StatusOr<HttpClientResponse> Register(const std::string& name) {
    return PostForm("/api/user/v1/account/registration/",
                    "email=" + name + "%40example.com&name=" + name + "+Full&username=" + name +
                        "&password=" + kPassword + "&honor_code=true");
  }

  json Token(const std::string& username, const std::string& extra = "") {
    auto r =
        PasswordGrant(server_->base_url(), "script", "script-secret", username, kPassword, extra);
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r);
  }

  StatusOr<HttpClientResponse> GetAs(const std::string& path, const std::string& token,
                                     const std::string& scheme = "Bearer") {
    return Get(Url(path), {{"Authorization", scheme + " " + token}});
  }

  std::unique_ptr<LarchProcess> server_;
};

// user_authn/views/login.py _handle_failed_authentication: the context the
// authn MFE reads (failureCount, remainingAttempts).
TEST_P(CompatAccountsTest, LoginFailuresCarryContext) {
  Start();
  ASSERT_EQ(Register("alice")->status, 200);
  Browser browser(server_->base_url());
  auto unknown = browser.Login("nobody@example.com", "wrong-password");
  ASSERT_EQ(unknown->status, 400) << unknown->body;
  EXPECT_EQ(Json(unknown)["error_code"], "incorrect-email-or-password");
  EXPECT_EQ(Json(unknown)["context"], json({{"failure_count", 0}})) << unknown->body;

  auto first = browser.Login("alice@example.com", "wrong-password");
  EXPECT_EQ(Json(first)["error_code"], "incorrect-email-or-password") << first->body;
  EXPECT_EQ(Json(first)["context"], json({{"failure_count", 1}})) << first->body;

  // Half of MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED (4) reached: the warning.
  auto second = browser.Login("alice@example.com", "wrong-password");
  EXPECT_EQ(Json(second)["error_code"], "failed-login-attempt") << second->body;
  EXPECT_EQ(
      Json(second)["context"],
      json({{"remaining_attempts", 2}, {"allowed_failure_attempts", 4}, {"failure_count", 2}}))
      << second->body;
  EXPECT_EQ(Json(second)["success"], false);
}

// user_authn/views/register.py RegistrationView: who was registered.
TEST_P(CompatAccountsTest, RegistrationSuccessNamesTheUser) {
  Start();
  auto r = Register("bob");
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Json(r);
  EXPECT_EQ(body["success"], true);
  EXPECT_TRUE(body["redirect_url"].is_string()) << r->body;
  ASSERT_TRUE(body["authenticated_user"].is_object()) << r->body;
  EXPECT_EQ(body["authenticated_user"]["username"], "bob");
  EXPECT_EQ(body["authenticated_user"]["full_name"], "bob Full");
  EXPECT_TRUE(body["authenticated_user"]["user_id"].is_number_integer()) << r->body;
  auto me = GetAs("/api/user/v1/accounts/bob", Token("bob")["access_token"]);
  EXPECT_EQ(Json(me)["id"], body["authenticated_user"]["user_id"]);
}

// user_api/accounts/utils.py get_profile_visibility: private while
// requires_parental_consent() (no year of birth), whatever was chosen.
TEST_P(CompatAccountsTest, NoYearOfBirthMeansPrivate) {
  Start();
  ASSERT_EQ(Register("bob")->status, 200);
  ASSERT_EQ(Register("carol")->status, 200);
  const std::string bob = Token("bob")["access_token"];
  const std::string carol = Token("carol")["access_token"];

  auto own = GetAs("/api/user/v1/accounts/bob", bob);
  EXPECT_EQ(Json(own)["account_privacy"], "private") << own->body;
  EXPECT_EQ(Json(own)["requires_parental_consent"], true);
  auto seen = GetAs("/api/user/v1/accounts/bob", carol);
  ASSERT_EQ(seen->status, 200) << seen->body;
  json fields = json::array();
  const json seen_body = Json(seen);
  for (const auto& [key, value] : seen_body.items()) fields.push_back(key);
  EXPECT_EQ(fields, json({"account_privacy", "profile_image", "username"})) << seen->body;
  EXPECT_EQ(Json(seen)["account_privacy"], "private");

  auto patch =
      Send("PATCH", Url("/api/user/v1/accounts/bob"),
           json{{"year_of_birth", 1990}, {"account_privacy", "all_users"}}.dump(),
           {{"Content-Type", "application/merge-patch+json"}, {"Authorization", "Bearer " + bob}});
  ASSERT_EQ(patch->status, 200) << patch->body;
  auto shared = GetAs("/api/user/v1/accounts/bob", carol);
  EXPECT_EQ(Json(shared)["account_privacy"], "all_users") << shared->body;
  EXPECT_TRUE(Json(shared).contains("date_joined")) << shared->body;
}

// oauth_dispatch/jwt.py _create_jwt / _encode_and_sign and
// DOTAdapter.get_authorization_filters.
TEST_P(CompatAccountsTest, JwtSigningAndFilters) {
  Larch({"createsuperuser", "--username", "svc", "--email", "svc@example.com", "--password",
         kPassword});
  Larch({"create-oauth-client", "--name", "backend", "--client-id", "backend", "--client-secret",
         "backend-secret", "--grant-type", "client_credentials", "--user", "svc"});
  Start();
  ASSERT_EQ(Register("dave")->status, 200);

  // Symmetric by default: HS256 with JWT_SECRET_KEY.
  const std::string hs = Token("dave", "&token_type=jwt")["access_token"];
  EXPECT_EQ(JwtPart(hs, 0)["alg"], "HS256");
  std::string signing_input = hs.substr(0, hs.rfind('.'));
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), kJwtSecret, static_cast<int>(std::string_view(kJwtSecret).size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
       mac.data(), &len);
  EXPECT_EQ(hs.substr(hs.rfind('.') + 1),
            B64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), len)));
  EXPECT_EQ(JwtPart(hs, 1)["filters"], json({"user:me"}));
  EXPECT_EQ(Json(GetAs("/api/user/v1/me", hs, "JWT"))["username"], "dave");

  // asymmetric_jwt: the private key, RS512 (JWT_SIGNING_ALGORITHM's default).
  const std::string rs = Token("dave", "&token_type=jwt&asymmetric_jwt=true")["access_token"];
  EXPECT_EQ(JwtPart(rs, 0)["alg"], "RS512");
  EXPECT_FALSE(JwtPart(rs, 0)["kid"].get<std::string>().empty());
  EXPECT_EQ(JwtPart(rs, 1)["filters"], json({"user:me"}));
  EXPECT_EQ(Json(GetAs("/api/user/v1/me", rs, "JWT"))["username"], "dave");
  auto jwks = Get(Url("/auth/jwks.json"));
  EXPECT_EQ(Json(jwks)["keys"][0]["alg"], "RS512") << jwks->body;

  // A forged HS256 token with another secret is refused.
  std::string forged = signing_input + "." + B64UrlEncode("not-the-mac");
  EXPECT_EQ(GetAs("/api/user/v1/me", forged, "JWT")->status, 401);

  // client-credentials applications may act for every user: no filter.
  auto service = PostForm("/oauth2/access_token",
                          "grant_type=client_credentials&client_id=backend"
                          "&client_secret=backend-secret&token_type=jwt");
  ASSERT_EQ(service->status, 200) << service->body;
  EXPECT_EQ(JwtPart(Json(service)["access_token"], 1)["filters"], json::array());

  // The login cookie JWT is a password-grant one, signed with the private key.
  Browser browser(server_->base_url());
  ASSERT_EQ(browser.Login("dave@example.com", kPassword)->status, 200);
  std::string cookie_jwt = browser.cookie("edx-jwt-cookie-header-payload") + ".x";
  EXPECT_EQ(JwtPart(cookie_jwt, 1)["filters"], json({"user:me"}));
  EXPECT_EQ(JwtPart(cookie_jwt, 0)["alg"], "RS512");
}

// user_authn/views/login.py (set_expiry(604800 * 4)) and cookies.py
// (_get_user_info_cookie_data's user_image_urls).
TEST_P(CompatAccountsTest, LoginCookiesLastFourWeeksAndCarryImageUrls) {
  Start();
  ASSERT_EQ(Register("erin")->status, 200);
  Browser browser(server_->base_url());
  ASSERT_EQ(browser.Login("erin@example.com", kPassword)->status, 200);
  const std::string max_age = "Max-Age=" + std::to_string(kFourWeeks);
  for (const char* name : {"sessionid", "edxloggedin", "edx-user-info"}) {
    EXPECT_NE(browser.set_cookie_line(name).find(max_age), std::string::npos)
        << name << ": " << browser.set_cookie_line(name);
  }
  json info = json::parse(CookieUnquote(browser.cookie("edx-user-info")), nullptr, false);
  ASSERT_TRUE(info.is_object()) << browser.cookie("edx-user-info");
  json image =
      Json(GetAs("/api/user/v1/accounts/erin", Token("erin")["access_token"]))["profile_image"];
  json expected = {{"full", image["image_url_full"]},
                   {"large", image["image_url_large"]},
                   {"medium", image["image_url_medium"]},
                   {"small", image["image_url_small"]}};
  EXPECT_EQ(info["user_image_urls"], expected) << info.dump();
  EXPECT_NE(info["user_image_urls"]["full"].get<std::string>().find("default_500.png"),
            std::string::npos);
}

// heartbeat/runchecks.py with the default sql and modulestore checks.
TEST_P(CompatAccountsTest, HeartbeatReportsSqlAndModulestore) {
  Start();
  auto r = Get(Url("/heartbeat"));
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json(r), json::parse(R"({"sql": {"status": true, "message": "OK"},
                                     "modulestore": {"status": true, "message": "OK"}})"));
}

// user_api/accounts/views.py AccountViewSet.retrieve and
// api.py add_serializer_errors.
TEST_P(CompatAccountsTest, UnknownAccountAndSerializerErrors) {
  Start();
  ASSERT_EQ(Register("fred")->status, 200);
  const std::string fred = Token("fred")["access_token"];
  auto missing = GetAs("/api/user/v1/accounts/nobody", fred);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "");

  auto bad =
      Send("PATCH", Url("/api/user/v1/accounts/fred"), json{{"bio", std::string(301, 'b')}}.dump(),
           {{"Content-Type", "application/merge-patch+json"}, {"Authorization", "Bearer " + fred}});
  ASSERT_EQ(bad->status, 400) << bad->body;
  json error = Json(bad)["field_errors"]["bio"];
  EXPECT_EQ(error["user_message"], "This value is invalid.") << bad->body;
  EXPECT_NE(error["developer_message"].get<std::string>().find("at most 300 characters"),
            std::string::npos)
      << bad->body;
}

INSTANTIATE_TEST_SUITE_P(Backends, CompatAccountsTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
