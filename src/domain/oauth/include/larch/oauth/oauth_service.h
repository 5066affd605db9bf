// OAuth2 provider: clients, the token endpoint, revocation and the lookups
// that turn an Authorization header into a Principal.
//
// Mirrors Open edX's oauth_dispatch over django-oauth-toolkit (DOT): grants
// password, client_credentials and refresh_token (refresh tokens rotate: the
// used one is revoked); opaque Bearer tokens or, with token_type=jwt (form)
// or "X-Token-Type: jwt" (header), JWT access tokens with Open edX's claims
// (HS256 with JWT_SECRET_KEY, or the private key with asymmetric_jwt).
// Secrets, access and refresh tokens are stored only as SHA-256 hex hashes.
// authorization_code is answered with unsupported_grant_type (no authorize
// endpoint yet).
//
// Thread safety: OAuthService is thread-safe (its state is the database and
// the thread-safe JwtKeyStore); AuthenticateJwt never touches the database
// when the token carries user_id and administrator claims.
#ifndef LARCH_OAUTH_OAUTH_SERVICE_H_
#define LARCH_OAUTH_OAUTH_SERVICE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/oauth/jwt.h"
#include "larch/oauth/principal.h"
#include "larch/storage/database.h"

namespace larch::config {
struct Settings;
}  // namespace larch::config

namespace larch::accounts {
struct User;
class AccountService;
}  // namespace larch::accounts

namespace larch::oauth {

struct OAuthOptions {
  // JWT_AUTH.JWT_ISSUER; default LMS_BASE_URL + "/oauth2".
  std::string issuer = "http://127.0.0.1:8000/oauth2";
  // JWT_AUTH.JWT_AUDIENCE; Open edX's default is "change-me" (devstack
  // configures "lms-key").
  std::string audience = "change-me";
  // JWT_AUTH.JWT_EXPIRATION / JWT_ACCESS_TOKEN_EXPIRE_SECONDS.
  int64_t jwt_expiration_seconds = 3600;
  // JWT_AUTH.JWT_LEEWAY (clock skew allowed on verification).
  int64_t jwt_leeway_seconds = 1;
  // JWT_AUTH.JWT_SUPPORTED_VERSION, the "version" claim.
  std::string jwt_version = "1.2.0";
  // OAUTH_EXPIRE_CONFIDENTIAL_CLIENT_DAYS / OAUTH_EXPIRE_PUBLIC_CLIENT_DAYS.
  int64_t confidential_token_days = 365;
  int64_t public_token_days = 30;
  // JWT_AUTH.JWT_LOGIN_CLIENT_ID: the client the login cookie JWT names.
  std::string login_client_id = "login-service-client-id";
  // JWT_AUTH.JWT_SIGNING_ALGORITHM: how JWTs signed with the private key are
  // signed (RS256 or RS512; anything else keeps this default).
  std::string jwt_signing_algorithm = "RS512";
  // JWT_AUTH.JWT_SECRET_KEY: the HS256 key of the symmetric JWTs that
  // /oauth2/access_token issues unless asymmetric_jwt is asked for; also
  // accepted on incoming JWTs. Empty: every JWT is signed with the private key.
  std::string jwt_secret_key;
};

// Reads JWT_AUTH (JWT_ISSUER, JWT_AUDIENCE, JWT_EXPIRATION, JWT_LEEWAY,
// JWT_SUPPORTED_VERSION, JWT_LOGIN_CLIENT_ID, JWT_SIGNING_ALGORITHM,
// JWT_SECRET_KEY), LMS_BASE_URL and the
// OAUTH_EXPIRE_* settings; missing keys keep the defaults above.
OAuthOptions OAuthOptionsFromSettings(const config::Settings& settings);

struct Application {
  int64_t id = 0;
  std::string client_id;
  std::string name;
  // "confidential" or "public".
  std::string client_type = "confidential";
  // "password", "client-credentials" or "authorization-code" (DOT names).
  std::string authorization_grant_type = "password";
  std::string redirect_uris;
  // The owner; client_credentials tokens act for this user.
  std::optional<int64_t> user_id;
  // Open edX RestrictedApplication: opaque tokens are issued already
  // expired, JWTs carry is_restricted=true.
  bool is_restricted = false;
  bool skip_authorization = false;
};

// Exactly DOT's / Open edX's JSON body.
struct TokenResponse {
  nlohmann::json body;
};

class OAuthService {
 public:
  // All references must outlive the service.
  OAuthService(storage::Database& db, const Clock& clock, Random& random, JwtKeyStore& keys,
               accounts::AccountService& accounts, OAuthOptions options);

  // create-oauth-client. `secret` is stored hashed (empty is fine for public
  // clients). kAlreadyExists for a taken client_id, kInvalidArgument for an
  // unknown client_type / authorization_grant_type or an empty client_id.
  StatusOr<Application> CreateApplication(const Application& app, std::string_view secret);
  // kNotFound when there is no such client.
  StatusOr<Application> GetApplication(std::string_view client_id);

  // POST /oauth2/access_token. `form` is the decoded form body;
  // `token_type_header` is the X-Token-Type header (used when the form has
  // no token_type). On success http_status 200 and body {access_token,
  // token_type, expires_in, scope, refresh_token}; on failure the RFC 6749
  // section 5.2 body {"error", "error_description"} with DOT's status:
  // 401 for invalid_client, 400 for invalid_request, invalid_grant,
  // unsupported_grant_type, invalid_scope, unauthorized_client; 500 with
  // {"error": "server_error"} when the database fails.
  struct TokenResult {
    int http_status = 200;
    nlohmann::json body;
  };
  TokenResult Token(const std::map<std::string, std::string>& form,
                    std::string_view authorization_header /* Basic client auth */,
                    std::string_view token_type_header = {});

  // POST /oauth2/revoke_token (RFC 7009): form {token, token_type_hint?,
  // client_id?, client_secret?} (or Basic auth). OK also for unknown or
  // already revoked tokens; kUnauthenticated (answer 401 invalid_client)
  // when the client does not authenticate; kInvalidArgument (400
  // invalid_request) without `token`. Revoking a refresh token also revokes
  // its access token; revoking an access token leaves the refresh token.
  Status Revoke(const std::map<std::string, std::string>& form,
                std::string_view authorization_header = {});

  // "Authorization: Bearer <opaque>" -> the token's user (one indexed
  // SELECT). kUnauthenticated when unknown, expired or revoked, or when the
  // token has no user (client_credentials without an owner).
  StatusOr<Principal> AuthenticateBearer(std::string_view token);

  // "Authorization: JWT <jwt>" -> principal from the claims (signature, exp,
  // iss and aud checked). kUnauthenticated otherwise. Reads the database
  // only when the claims lack user_id or administrator/superuser.
  StatusOr<Principal> AuthenticateJwt(std::string_view token);

  // The JWT for the login cookies of a session user (client
  // login_client_id, grant_type "password", scopes user_id/email/profile,
  // filters ["user:me"], signed with the private key), valid for
  // `expires_in` seconds.
  StatusOr<std::string> CreateLoginJwt(const accounts::User& user, int64_t expires_in);

  // A JWT for `user` as Open edX's _create_jwt; exposed for tools and
  // tests. `scopes` empty means ["email", "profile"]. Signed with the private
  // key (jwt_signing_algorithm) when `asymmetric` or `is_restricted`, or when
  // no jwt_secret_key is set; HS256 with jwt_secret_key otherwise.
  StatusOr<std::string> CreateJwtForUser(const accounts::User& user,
                                         const std::vector<std::string>& scopes,
                                         std::string_view grant_type, int64_t expires_in,
                                         bool is_restricted,
                                         const std::vector<std::string>& filters = {},
                                         bool asymmetric = true);

  const OAuthOptions& options() const { return options_; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  JwtKeyStore& keys_;
  accounts::AccountService& accounts_;
  OAuthOptions options_;
};

}  // namespace larch::oauth

#endif  // LARCH_OAUTH_OAUTH_SERVICE_H_
