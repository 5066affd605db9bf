// The cookies Open edX sets around login (user_authn/cookies.py) and the
// CSRF cookie.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "api_internal.h"
#include "larch/api/csrf.h"

namespace larch::api::internal {
namespace {

constexpr int64_t kCsrfCookieAge = 31'449'600;  // Django's CSRF_COOKIE_AGE, a year
constexpr int64_t kDefaultJwtCookieExpiration = 3600;

bool LegalCookieChar(char c) {
  static constexpr std::string_view kLegal = "!#$%&'*+-.^_`|~:";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kLegal.find(c) != std::string_view::npos;
}

void AppendPythonJson(const nlohmann::ordered_json& value, std::string& out) {
  if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ", ";
      first = false;
      out += nlohmann::json(key).dump(-1, ' ', true);
      out += ": ";
      AppendPythonJson(item, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& item : value) {
      if (!first) out += ", ";
      first = false;
      AppendPythonJson(item, out);
    }
    out += ']';
  } else {
    out += value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
}

int64_t JwtCookieExpiration(const config::Settings& settings) {
  const nlohmann::json& jwt = settings.jwt_auth;
  if (jwt.is_object()) {
    auto it = jwt.find("JWT_IN_COOKIE_EXPIRATION");
    if (it != jwt.end() && it->is_number_integer() && it->get<int64_t>() > 0) {
      return it->get<int64_t>();
    }
  }
  return kDefaultJwtCookieExpiration;
}

http::CookieOptions SharedCookieOptions(const http::Request& request, AccountRoutesContext& context,
                                        int64_t max_age) {
  http::CookieOptions options;
  options.max_age = max_age;
  options.now_seconds = context.clock.NowMicros() / 1'000'000;
  options.domain = context.settings.shared_cookie_domain;
  options.http_only = false;
  options.secure = request.is_secure();
  return options;
}

}  // namespace

std::string DjangoCookieQuote(std::string_view value) {
  bool legal = true;
  for (char c : value) legal = legal && LegalCookieChar(c);
  if (legal) return std::string(value);
  static constexpr std::string_view kUnescaped = " ()/<=>?@[]{}";
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (LegalCookieChar(c) || kUnescaped.find(c) != std::string_view::npos) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  out += '"';
  return out;
}

std::string PythonJsonDumps(const nlohmann::json& value) {
  std::string out;
  AppendPythonJson(nlohmann::ordered_json(value), out);
  return out;
}

std::string EnsureCsrfCookie(const http::Request& request, http::Response& response,
                             AccountRoutesContext& context, bool rotate) {
  std::string secret;
  if (!rotate) {
    if (auto cookie = request.Cookie(context.settings.csrf_cookie_name); cookie.has_value()) {
      secret = CsrfSecretFromToken(*cookie).value_or("");
    }
  }
  if (secret.empty()) secret = NewCsrfSecret(context.random);
  http::CookieOptions options;
  options.max_age = kCsrfCookieAge;
  options.now_seconds = context.clock.NowMicros() / 1'000'000;
  options.http_only = false;
  options.secure = request.is_secure();
  response.SetCookie(context.settings.csrf_cookie_name, secret, options);
  return secret;
}

StatusOr<int64_t> SetJwtCookies(const http::Request& request, http::Response& response,
                                AccountRoutesContext& context, const accounts::User& user) {
  const int64_t expires_in = JwtCookieExpiration(context.settings);
  LARCH_ASSIGN_OR_RETURN(std::string jwt, context.oauth.CreateLoginJwt(user, expires_in));
  size_t last_dot = jwt.rfind('.');
  if (last_dot == std::string::npos) return InternalError("login JWT has no signature part");
  http::CookieOptions options = SharedCookieOptions(request, context, expires_in);
  response.SetCookie(kJwtHeaderPayloadCookie, jwt.substr(0, last_dot), options);
  options.http_only = true;
  response.SetCookie(kJwtSignatureCookie, jwt.substr(last_dot + 1), options);
  return expires_in;
}

void SetLoginCookies(const http::Request& request, http::Response& response,
                     AccountRoutesContext& context, const accounts::User& user,
                     const std::string& session_value) {
  const config::Settings& settings = context.settings;
  const int64_t session_age = context.sessions.max_age_secs();
  http::CookieOptions session_options;
  session_options.max_age = session_age;
  session_options.now_seconds = context.clock.NowMicros() / 1'000'000;
  session_options.domain = settings.session_cookie_domain;
  session_options.http_only = true;
  session_options.secure = request.is_secure();
  response.SetCookie(settings.session_cookie_name, session_value, session_options);

  http::CookieOptions shared = SharedCookieOptions(request, context, session_age);
  response.SetCookie(settings.edxmktg_logged_in_cookie_name, "true", shared);

  const std::string base = AbsoluteBaseUrl(request, settings);
  nlohmann::ordered_json info;
  info["version"] = 1;
  info["username"] = user.username;
  info["email"] = user.email;
  info["header_urls"] = {{"logout", base + "/logout"},
                         {"account_settings", base + "/account/settings"},
                         {"learner_profile", base + "/u/" + user.username}};
  // get_profile_image_urls_for_user: {"full", "large", "medium", "small"},
  // the URLs the accounts API reports (defaults when there is no upload).
  nlohmann::ordered_json image_urls = nlohmann::ordered_json::object();
  if (auto account = context.accounts.AccountJson(user, &user, false, base); account.ok()) {
    constexpr std::string_view kPrefix = "image_url_";
    for (const auto& [key, url] : (*account)["profile_image"].items()) {
      if (key.starts_with(kPrefix)) image_urls[key.substr(kPrefix.size())] = url;
    }
  } else {
    spdlog::warn("no profile image URLs for user id {}: {}", user.id, account.status().ToString());
  }
  info["user_image_urls"] = std::move(image_urls);
  std::string text;
  AppendPythonJson(info, text);
  response.SetCookie(settings.edxmktg_user_info_cookie_name, DjangoCookieQuote(text), shared);

  auto jwt = SetJwtCookies(request, response, context, user);
  if (!jwt.ok()) {
    spdlog::warn("login JWT cookies not set for user id {}: {}", user.id, jwt.status().ToString());
  }
}

void DeleteLoginCookies(http::Response& response, AccountRoutesContext& context) {
  const config::Settings& settings = context.settings;
  response.DeleteCookie(settings.session_cookie_name, "/", settings.session_cookie_domain);
  for (const std::string& name :
       {std::string(kJwtHeaderPayloadCookie), std::string(kJwtSignatureCookie),
        settings.edxmktg_logged_in_cookie_name, settings.edxmktg_user_info_cookie_name}) {
    response.DeleteCookie(name, "/", settings.shared_cookie_domain);
  }
}

http::Response Detail(int status, std::string_view text) {
  return http::Response::Json(status, {{"detail", text}});
}

}  // namespace larch::api::internal
