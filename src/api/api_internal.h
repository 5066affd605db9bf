// Private helpers shared by the api sources: form decoding, cookie helpers
// and the per-process rate limiters.
#ifndef LARCH_API_API_INTERNAL_H_
#define LARCH_API_API_INTERNAL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/api/account_routes.h"
#include "larch/api/rate_limiter.h"

namespace larch::api::internal {

// The request attribute set (true) when the principal came from a cookie,
// which is what makes CSRF apply.
inline constexpr char kAuthFromCookieAttribute[] = "larch.auth_from_cookie";
// The reason a presented Authorization token was rejected (std::string).
inline constexpr char kAuthErrorAttribute[] = "larch.auth_error";

inline constexpr char kJwtHeaderPayloadCookie[] = "edx-jwt-cookie-header-payload";
inline constexpr char kJwtSignatureCookie[] = "edx-jwt-cookie-signature";

struct Limiters {
  std::unique_ptr<RateLimiter> login;
  std::unique_ptr<RateLimiter> registration;
  std::unique_ptr<RateLimiter> token;
};

// Form fields of a urlencoded body, or the top-level scalars of a JSON
// object body (first value wins for repeated form fields, as request.POST.get).
std::map<std::string, std::string> FormMap(const http::Request& request);

// Django's SimpleCookie quoting: values with characters outside the cookie
// legal set are wrapped in double quotes with \" \\ and \ooo octal escapes,
// so JSON can travel in a cookie exactly as Open edX sends it.
std::string DjangoCookieQuote(std::string_view value);

// Python's json.dumps default formatting (", " and ": " separators, ASCII
// escapes), which the edx-user-info cookie consumers may compare against.
std::string PythonJsonDumps(const nlohmann::json& value);

// Returns the CSRF secret of the request cookie, or a new one; the cookie is
// (re)set on `response` (not HttpOnly, as Django's CSRF_COOKIE_HTTPONLY).
std::string EnsureCsrfCookie(const http::Request& request, http::Response& response,
                             ApiContext& context, bool rotate = false);

// Session cookie plus the logged-in cookies of cookies.py. Failing to make
// the JWT is logged and leaves the JWT cookies out.
void SetLoginCookies(const http::Request& request, http::Response& response, ApiContext& context,
                     const accounts::User& user, const std::string& session_value);
// Re-sets the two JWT cookies; returns their Max-Age in seconds, or an error.
StatusOr<int64_t> SetJwtCookies(const http::Request& request, http::Response& response,
                                ApiContext& context, const accounts::User& user);
void DeleteLoginCookies(http::Response& response, ApiContext& context);

// The authentication + CSRF filter (see account_routes.h).
http::Filter MakeAuthFilter(ApiContext& context);

// DRF-style {"detail": text} responses.
http::Response Detail(int status, std::string_view text);

}  // namespace larch::api::internal

#endif  // LARCH_API_API_INTERNAL_H_
