// larch::api: the HTTP endpoints of accounts and authentication, as Open
// edX's user_authn, user_api and oauth_dispatch apps serve them
// (openedx_apis.md 5.3-5.5): registration, login/logout with the logged-in
// cookies, activation and password reset links, the OAuth2 token endpoints
// and JWKS, the accounts and preferences APIs.
//
// RegisterAccountRoutes also installs, for every route of the router:
//   - authentication: "Authorization: JWT <jwt>", then "Authorization:
//     Bearer <token>", then the JWT cookies (with "USE-JWT-COOKIE: true"),
//     then the session cookie. The result is an oauth::Principal attribute
//     (CurrentPrincipal). A bad header token is remembered and turns into a
//     401 on endpoints that need a user.
//   - CSRF (Django semantics) for unsafe methods authenticated by a cookie,
//     except csrf-exempt endpoints (/oauth2/*, registration POST,
//     /login_refresh).
// Login, registration and the token endpoint are rate limited per client
// IP in memory (LOGISTRATION_RATELIMIT_RATE, REGISTRATION_RATELIMIT).
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (the services and the rate limiters are thread-safe).
#ifndef LARCH_API_ACCOUNT_ROUTES_H_
#define LARCH_API_ACCOUNT_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/sessions.h"
#include "larch/api/rate_limiter.h"
#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/config/settings.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"
#include "larch/oauth/jwt.h"
#include "larch/oauth/oauth_service.h"
#include "larch/oauth/principal.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct AccountRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  Random& random;
  accounts::AccountService& accounts;
  accounts::SessionStore& sessions;
  oauth::OAuthService& oauth;
  oauth::JwtKeyStore& keys;
  // Where the rate limits count when several processes serve (Redis); null:
  // each process counts alone.
  SharedRateCounter* shared_rates = nullptr;
};

// The request attribute holding the oauth::Principal of an authenticated
// request (absent for anonymous ones).
inline constexpr char kPrincipalAttribute[] = "larch.principal";

// The authenticated caller, or null.
const oauth::Principal* CurrentPrincipal(const http::Request& request);

// For handlers that need a user: the principal, or the 401 response to send
// (DRF's {"detail": ...}, with the reason a bad token was rejected).
struct AuthResult {
  const oauth::Principal* principal = nullptr;
  http::Response error;
};
AuthResult RequireUser(const http::Request& request);

// Installs the authentication/CSRF filter and every route listed above.
// Aborts (via Router::Add) on a duplicate route; invalid rate settings fall
// back to the Open edX defaults with a logged warning.
void RegisterAccountRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_ACCOUNT_ROUTES_H_
