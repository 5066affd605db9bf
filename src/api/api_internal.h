// Private helpers shared by the api sources: form decoding, cookie helpers,
// the authentication filter and the Open edX response shapes.
#ifndef LARCH_API_API_INTERNAL_H_
#define LARCH_API_API_INTERNAL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/api/account_routes.h"
#include "larch/api/rate_limiter.h"
#include "larch/config/settings.h"
#include "larch/courses/course_catalog.h"
#include "larch/http/request.h"
#include "larch/http/response.h"

namespace larch::api::internal {

// The request attribute set (true) when the principal came from a cookie,
// which is what makes CSRF apply.
inline constexpr char kAuthFromCookieAttribute[] = "larch.auth_from_cookie";
// The reason a presented Authorization token was rejected (std::string).
inline constexpr char kAuthErrorAttribute[] = "larch.auth_error";

inline constexpr char kJwtHeaderPayloadCookie[] = "edx-jwt-cookie-header-payload";
inline constexpr char kJwtSignatureCookie[] = "edx-jwt-cookie-signature";

// The effective ALLOWED_HOSTS (http::EffectiveAllowedHosts) and
// CSRF_TRUSTED_ORIGINS of the settings, as string lists.
std::vector<std::string> AllowedHosts(const config::Settings& settings);
std::vector<std::string> TrustedOrigins(const config::Settings& settings);

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
                             AccountRoutesContext& context, bool rotate = false);

// Session cookie plus the logged-in cookies of cookies.py. Failing to make
// the JWT is logged and leaves the JWT cookies out.
void SetLoginCookies(const http::Request& request, http::Response& response,
                     AccountRoutesContext& context, const accounts::User& user,
                     const std::string& session_value);
// Re-sets the two JWT cookies; returns their Max-Age in seconds, or an error.
StatusOr<int64_t> SetJwtCookies(const http::Request& request, http::Response& response,
                                AccountRoutesContext& context, const accounts::User& user);
void DeleteLoginCookies(http::Response& response, AccountRoutesContext& context);

// The authentication + CSRF filter (see account_routes.h).
http::Filter MakeAuthFilter(AccountRoutesContext& context);

// DRF-style {"detail": text} responses.
http::Response Detail(int status, std::string_view text);

// ----- Open edX response shapes (response_shapes.cc) -----------------------
//
// Which body an error gets depends on the upstream view, not on Larch:
//   - DRF defaults ({"detail": text}, Detail above): views without the
//     mixin (user_api accounts, authentication failures in general). The
//     enrollment views write their own {"message": text} bodies.
//   - DeveloperErrorViewMixin (openedx/core/lib/api/view_utils.py): the
//     Courses API (course_api/views.py: courses, course detail, course_ids)
//     and the Blocks API (course_api/blocks/views.py). Every error there,
//     403 and 404 included, is {"developer_message": text}; a form error is
//     {"field_errors": {field: {"developer_message": text}}}.
// Route modules use these helpers rather than writing the bodies inline.

// {"developer_message": message} with `status`.
http::Response DeveloperError(int status, std::string_view message);
// 400 {"field_errors": {field: {"developer_message": message}}}.
http::Response FieldError(std::string_view field, std::string_view message);

// The base ("scheme://host[:port]") of absolute URLs in a response: the
// request's host when ALLOWED_HOSTS allows it (X-Forwarded-Host/-Proto only
// from TRUSTED_PROXIES), else LMS_BASE_URL (see http::RequestBaseUrl).
std::string AbsoluteBaseUrl(const http::Request& request, const config::Settings& settings);

// A datetime as Open edX's DateTimeField writes it ("2013-02-05T05:00:00Z"):
// a stored string in any ISO 8601 form ("+00:00", a space, no zone) is
// normalised to UTC with "Z"; anything else is returned unchanged.
nlohmann::json ApiDateTime(const nlohmann::json& stored);

// ----- Blocks API student_view_data (blocks_student_view_data.cc) ---------

// The block's student_view_data as its XBlock answers it (HtmlBlock,
// VideoBlock, DiscussionXBlock); null for types without one. Video
// transcript URLs are absolute under `base_url`.
nlohmann::json StudentViewData(const courses::CourseTree& tree, const courses::CatalogBlock& block,
                               std::string_view base_url);

// The languages whose transcript a video offers, with the static file of
// each ("sub" legacy transcripts as "subs_<sub>.srt.sjson" for "en").
std::map<std::string, std::string> VideoTranscriptFiles(const nlohmann::json& fields);

}  // namespace larch::api::internal

#endif  // LARCH_API_API_INTERNAL_H_
