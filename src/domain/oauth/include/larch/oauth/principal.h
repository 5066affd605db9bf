// Principal: who an authenticated API request acts for.
//
// Built by OAuthService from a JWT (claims only, no database access), from an
// opaque Bearer token (one indexed lookup), or by the HTTP layer from a
// session cookie. Handlers read it to decide what the caller may do.
//
// Thread safety: a plain value type.
#ifndef LARCH_OAUTH_PRINCIPAL_H_
#define LARCH_OAUTH_PRINCIPAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace larch::oauth {

struct Principal {
  int64_t user_id = 0;
  std::string username;
  bool is_staff = false;
  bool is_superuser = false;
  // False for a registered but not yet activated account: Open edX lets
  // such a user keep a session and read their own account; endpoints that
  // need an activated account (enrollment, ...) check this.
  bool is_active = true;
  // OAuth scopes granted to the token (empty for session authentication).
  std::vector<std::string> scopes;
  // "jwt", "bearer" or "session".
  std::string auth_method;
  // The OAuth client the token was issued to (none for sessions).
  std::optional<std::string> client_id;
  // True for tokens of a RestrictedApplication (the JWT is_restricted claim).
  bool is_restricted = false;
};

}  // namespace larch::oauth

#endif  // LARCH_OAUTH_PRINCIPAL_H_
