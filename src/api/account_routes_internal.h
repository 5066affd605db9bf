// Private to the account endpoints, split by group over one shared state:
// account_routes.cc (the state, the shared helpers and
// RegisterAccountRoutes), login_routes.cc (registration, login, logout, the
// CSRF token), password_routes.cc (activation and password reset),
// oauth_routes.cc (the OAuth2 token endpoints and JWKS),
// account_api_routes.cc (user_api accounts and retirement) and
// preference_routes.cc (user_api preferences).
//
// Thread safety: AccountRouteState is built before serving and then only
// read (its rate limiters are thread-safe); the helpers are pure functions
// over the request and the context's thread-safe services.
#ifndef LARCH_API_ACCOUNT_ROUTES_INTERNAL_H_
#define LARCH_API_ACCOUNT_ROUTES_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/accounts/user.h"
#include "larch/api/account_routes.h"
#include "larch/api/rate_limiter.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"
#include "larch/oauth/principal.h"

namespace larch::api::internal {

// The per-process rate limiters, per client IP unless said otherwise.
struct Limiters {
  std::unique_ptr<RateLimiter> login;
  std::unique_ptr<RateLimiter> registration;
  std::unique_ptr<RateLimiter> token;
  // POST /password_reset/: PASSWORD_RESET_IP_RATE per client IP and
  // PASSWORD_RESET_EMAIL_RATE per (lowercased) requested address.
  std::unique_ptr<RateLimiter> password_reset_ip;
  std::unique_ptr<RateLimiter> password_reset_email;
};

// What every account endpoint group shares: the context, the per-IP rate
// limiters and the CSRF origin lists.
struct AccountRouteState {
  explicit AccountRouteState(AccountRoutesContext& context);

  AccountRoutesContext& ctx;
  Limiters limiters;
  const std::vector<std::string> allowed_hosts;
  const std::vector<std::string> trusted_origins;
};

// A route handler bound to a group object that the router keeps alive.
template <typename Group>
http::Handler BindRoute(const std::shared_ptr<Group>& group,
                        http::Response (Group::*method)(http::Request&)) {
  return [group, method](http::Request& request) { return ((*group).*method)(request); };
}

// The standard error response of http/error_mapping for `status`.
http::Response StatusError(const http::Request& request, const Status& status);

// Creates a fresh session (a login never reuses the presented session id:
// session fixation) and sets every login cookie, rotating the CSRF token as
// Django's login() does. Errors are the session store's.
Status StartSession(AccountRoutesContext& ctx, const http::Request& request,
                    http::Response& response, const accounts::User& user);

// The user named in the URL when the caller may change it: only the owner.
// Others get kPermissionDenied when staff (Open edX answers 403) and
// kNotFound otherwise (existence stays hidden).
StatusOr<accounts::User> OwnTarget(AccountRoutesContext& ctx, const http::Request& request,
                                   const oauth::Principal& principal);

// The user named in the URL when the caller may read its preferences: the
// owner or staff; others get kPermissionDenied.
StatusOr<accounts::User> ReadableTarget(AccountRoutesContext& ctx, const http::Request& request,
                                        const oauth::Principal& principal);

// OwnTarget's and ReadableTarget's errors as DRF {"detail"} responses (404,
// 403), other errors as StatusError.
http::Response TargetError(const http::Request& request, const Status& status);

// The common front of the merge-patch endpoints: a signed-in user,
// application/merge-patch+json, the user's own account, a JSON object.
// Either `error` is set or both `target` and `patch` are.
struct MergePatch {
  std::optional<http::Response> error;
  std::optional<accounts::User> target;
  std::optional<nlohmann::json> patch;
};
MergePatch ReadMergePatch(AccountRoutesContext& ctx, http::Request& request);

// The endpoint groups, in the order RegisterAccountRoutes adds them.
void RegisterLoginRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state);
void RegisterPasswordRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state);
void RegisterOAuthRoutes(http::Router& router, const std::shared_ptr<AccountRouteState>& state);
void RegisterAccountApiRoutes(http::Router& router,
                              const std::shared_ptr<AccountRouteState>& state);
void RegisterPreferenceRoutes(http::Router& router,
                              const std::shared_ptr<AccountRouteState>& state);

}  // namespace larch::api::internal

#endif  // LARCH_API_ACCOUNT_ROUTES_INTERNAL_H_
