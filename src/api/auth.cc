// Request authentication and CSRF enforcement (Open edX's DRF
// authentication classes: JwtAuthentication, BearerAuthentication,
// SessionAuthentication, plus JwtAuthCookieMiddleware).
#include <spdlog/spdlog.h>

#include <array>

#include "api_internal.h"
#include "larch/api/csrf.h"
#include "larch/http/hosts.h"

namespace larch::api {
namespace {

// Unsafe requests to these paths skip CSRF even when a cookie
// authenticates them (csrf_exempt views in Open edX).
bool IsCsrfExempt(std::string_view path) {
  if (path.starts_with("/oauth2/")) return true;
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  static constexpr std::array<std::string_view, 8> kExempt = {
      "/api/user/v1/account/registration",
      "/user_api/v1/account/registration",
      "/api/user/v2/account/registration",
      "/user_api/v2/account/registration",
      "/create_account",
      "/login_refresh",
      "/password_reset",
      "/api/user/v1/validation/registration",
  };
  for (std::string_view exempt : kExempt) {
    if (path == exempt) return true;
  }
  return false;
}

std::vector<std::string> StringList(const nlohmann::json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

bool StartsWithScheme(std::string_view header, std::string_view scheme, std::string_view* token) {
  if (header.size() <= scheme.size() + 1) return false;
  if (!http::EqualsIgnoreCase(header.substr(0, scheme.size()), scheme)) return false;
  if (header[scheme.size()] != ' ') return false;
  std::string_view rest = header.substr(scheme.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  *token = rest;
  return !rest.empty();
}

}  // namespace

const oauth::Principal* CurrentPrincipal(const http::Request& request) {
  return request.AttributeAs<oauth::Principal>(kPrincipalAttribute);
}

AuthResult RequireUser(const http::Request& request) {
  AuthResult result;
  result.principal = CurrentPrincipal(request);
  if (result.principal != nullptr) return result;
  const std::string* reason = request.AttributeAs<std::string>(internal::kAuthErrorAttribute);
  result.error = internal::Detail(
      401, reason != nullptr ? *reason : "Authentication credentials were not provided.");
  result.error.SetHeader("WWW-Authenticate", "JWT realm=\"api\"");
  return result;
}

namespace internal {

std::vector<std::string> AllowedHosts(const config::Settings& settings) {
  return http::EffectiveAllowedHosts(StringList(settings.allowed_hosts), settings.lms_base_url);
}

std::vector<std::string> TrustedOrigins(const config::Settings& settings) {
  return StringList(settings.csrf_trusted_origins);
}

http::Filter MakeAuthFilter(AccountRoutesContext& context) {
  return [&context, allowed_hosts = AllowedHosts(context.settings),
          trusted_origins = TrustedOrigins(context.settings)](
             http::Request& request) -> std::optional<http::Response> {
    bool from_cookie = false;
    std::optional<oauth::Principal> principal;
    std::string_view token;
    if (auto header = request.Header("Authorization"); header.has_value()) {
      StatusOr<oauth::Principal> result = UnauthenticatedError("unsupported authorization");
      bool handled = true;
      if (StartsWithScheme(*header, "JWT", &token)) {
        result = context.oauth.AuthenticateJwt(token);
      } else if (StartsWithScheme(*header, "Bearer", &token)) {
        result = context.oauth.AuthenticateBearer(token);
      } else {
        handled = false;  // Basic (client auth at /oauth2/) and others
      }
      if (handled) {
        if (result.ok()) {
          principal = std::move(result).value();
        } else if (result.status().code() == StatusCode::kUnauthenticated) {
          request.SetAttribute(internal::kAuthErrorAttribute,
                               std::string("Invalid token: ") + result.status().message());
        } else {
          spdlog::error("token authentication failed: {}", result.status().ToString());
          request.SetAttribute(internal::kAuthErrorAttribute,
                               std::string("Authentication is unavailable."));
        }
      }
    }
    if (!principal.has_value()) {
      auto use_jwt_cookie = request.Header("USE-JWT-COOKIE");
      if (use_jwt_cookie.has_value() && http::EqualsIgnoreCase(*use_jwt_cookie, "true")) {
        auto header_payload = request.Cookie(kJwtHeaderPayloadCookie);
        auto signature = request.Cookie(kJwtSignatureCookie);
        if (header_payload.has_value() && signature.has_value()) {
          // An expired JWT cookie is forgiven (edx-drf-extensions'
          // ENABLE_FORGIVING_JWT_COOKIES): the session below may still work.
          auto result = context.oauth.AuthenticateJwt(*header_payload + "." + *signature);
          if (result.ok()) {
            principal = std::move(result).value();
            from_cookie = true;
          }
        }
      }
    }
    if (!principal.has_value()) {
      if (auto raw = request.Cookie(context.settings.session_cookie_name); raw.has_value()) {
        auto user = context.sessions.LookupUser(*raw);
        if (!user.ok()) {
          spdlog::error("session lookup failed: {}", user.status().ToString());
        } else if (user->has_value()) {
          const accounts::User& u = **user;
          oauth::Principal p;
          p.user_id = u.id;
          p.username = u.username;
          p.is_staff = u.is_staff;
          p.is_superuser = u.is_superuser;
          p.is_active = u.is_active;
          p.auth_method = "session";
          principal = std::move(p);
          from_cookie = true;
        }
      }
    }
    if (principal.has_value()) {
      request.SetAttribute(kPrincipalAttribute, std::move(*principal));
      request.SetAttribute(kAuthFromCookieAttribute, from_cookie);
    }
    if (from_cookie && !IsSafeMethod(request.method()) && !IsCsrfExempt(request.path())) {
      if (auto reason = CheckCsrfOrigin(request, allowed_hosts, trusted_origins); reason) {
        return CsrfFailure(*reason);
      }
      if (auto reason = CheckCsrf(request, context.settings.csrf_cookie_name); reason) {
        return CsrfFailure(*reason);
      }
    }
    return std::nullopt;
  };
}

std::map<std::string, std::string> FormMap(const http::Request& request) {
  std::map<std::string, std::string> form;
  std::string media = request.MediaType();
  if (media == "application/json" || (media.size() > 5 && media.ends_with("+json"))) {
    auto body = request.JsonBody();
    if (!body.ok() || !body->is_object()) return form;
    for (const auto& [key, value] : body->items()) {
      if (value.is_string()) {
        form[key] = value.get<std::string>();
      } else if (value.is_boolean()) {
        form[key] = value.get<bool>() ? "true" : "false";
      } else if (value.is_number()) {
        form[key] = value.dump();
      }
    }
    return form;
  }
  for (const auto& [key, value] : request.FormValues()) form.emplace(key, value);
  return form;
}

}  // namespace internal
}  // namespace larch::api
