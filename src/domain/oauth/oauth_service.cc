#include "larch/oauth/oauth_service.h"
#include "larch/common/strings.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "larch/accounts/account_service.h"
#include "larch/accounts/user.h"
#include "larch/accounts/user_store.h"
#include "larch/config/settings.h"

namespace larch::oauth {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
// DOT (oauthlib) generates 30-character tokens from [A-Za-z0-9].
constexpr size_t kTokenLength = 30;

// OAUTH2_DEFAULT_SCOPES in Open edX, granted when the request names none.
const std::vector<std::string>& DefaultScopes() {
  static const auto* scopes = new std::vector<std::string>{"read", "write", "email", "profile"};
  return *scopes;
}
// OAUTH2_PROVIDER['SCOPES'] in Open edX. There is no ApplicationAccess
// model yet, so every client may ask for any of them.
bool IsKnownScope(std::string_view scope) {
  static const auto* known = new std::set<std::string, std::less<>>{"read",
                                                                    "write",
                                                                    "email",
                                                                    "profile",
                                                                    "user_id",
                                                                    "grades:read",
                                                                    "certificates:read",
                                                                    "enrollments:read",
                                                                    "tpa:read"};
  return known->count(scope) > 0;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return HexEncode(digest.data(), len);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) {
      std::string scope(text.substr(start, i - start));
      if (std::find(out.begin(), out.end(), scope) == out.end()) out.push_back(std::move(scope));
    }
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

bool HasScope(const std::vector<std::string>& scopes, std::string_view scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 6749 section 2.3.1: Basic credentials are form-urlencoded first.
std::string FormUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<std::string> DecodeStdBase64(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out((in.size() / 4) * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

struct ClientCredentials {
  std::string client_id;
  std::optional<std::string> client_secret;
  bool from_basic = false;
};

// From "Authorization: Basic ..." when present, else the form.
ClientCredentials ExtractClientCredentials(const std::map<std::string, std::string>& form,
                                           std::string_view authorization) {
  ClientCredentials out;
  if (authorization.size() > 6 && AsciiLower(authorization.substr(0, 6)) == "basic ") {
    std::string_view b64 = authorization.substr(6);
    while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
    std::optional<std::string> decoded = DecodeStdBase64(b64);
    if (decoded.has_value()) {
      size_t colon = decoded->find(':');
      if (colon != std::string::npos) {
        out.client_id = FormUnescape(std::string_view(*decoded).substr(0, colon));
        out.client_secret = FormUnescape(std::string_view(*decoded).substr(colon + 1));
        out.from_basic = true;
        return out;
      }
    }
  }
  if (auto it = form.find("client_id"); it != form.end()) out.client_id = it->second;
  if (auto it = form.find("client_secret"); it != form.end() && !it->second.empty()) {
    out.client_secret = it->second;
  }
  return out;
}

const std::string* FormValue(const std::map<std::string, std::string>& form, const char* key) {
  auto it = form.find(key);
  if (it == form.end() || it->second.empty()) return nullptr;
  return &it->second;
}

using TokenResult = OAuthService::TokenResult;

TokenResult OAuthError(int status, std::string error, std::string description = {}) {
  nlohmann::json body = {{"error", std::move(error)}};
  if (!description.empty()) body["error_description"] = std::move(description);
  return {status, std::move(body)};
}

TokenResult ServerError(const Status& status) {
  if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kAborted) {
    return OAuthError(503, "temporarily_unavailable");
  }
  return OAuthError(500, "server_error");
}

// DOT's allows_grant_type mapping (GRANT_TYPE_MAPPING).
bool AllowsGrant(const Application& app, std::string_view grant_type) {
  const std::string& t = app.authorization_grant_type;
  if (grant_type == "password") return t == "password";
  if (grant_type == "client_credentials") return t == "client-credentials";
  if (grant_type == "refresh_token") {
    return t == "password" || t == "authorization-code" || t == "client-credentials";
  }
  return false;
}

constexpr storage::Query kInsertApplication{
    "oauth.insert_application",
    "INSERT INTO oauth_applications (client_id, client_secret_hash, name, client_type, "
    "authorization_grant_type, redirect_uris, user_id, skip_authorization, is_restricted, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};

constexpr storage::Query kSelectApplication{
    "oauth.select_application",
    "SELECT id, client_id, name, client_type, authorization_grant_type, redirect_uris, user_id, "
    "is_restricted, skip_authorization, client_secret_hash FROM oauth_applications "
    "WHERE client_id = ?"};

constexpr storage::Query kInsertAccessToken{
    "oauth.insert_access_token",
    "INSERT INTO oauth_access_tokens (token_hash, user_id, application_id, scope, expires_at, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};

constexpr storage::Query kInsertRefreshToken{
    "oauth.insert_refresh_token",
    "INSERT INTO oauth_refresh_tokens (token_hash, access_token_id, user_id, application_id, "
    "scope, created_at) VALUES (?, ?, ?, ?, ?, ?)"};

constexpr storage::Query kSelectRefreshToken{
    "oauth.select_refresh_token",
    "SELECT id, access_token_id, user_id, application_id, scope, revoked_at "
    "FROM oauth_refresh_tokens WHERE token_hash = ?"};

// Guarded by revoked_at IS NULL so two concurrent refreshes cannot both win.
constexpr storage::Query kRevokeRefreshToken{
    "oauth.revoke_refresh_token",
    "UPDATE oauth_refresh_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"};

constexpr storage::Query kDeleteAccessTokenById{"oauth.delete_access_token_by_id",
                                                "DELETE FROM oauth_access_tokens WHERE id = ?"};

constexpr storage::Query kDeleteAccessTokenByHash{
    "oauth.delete_access_token_by_hash",
    "DELETE FROM oauth_access_tokens WHERE token_hash = ? AND application_id = ?"};

constexpr storage::Query kSelectRefreshForRevoke{
    "oauth.select_refresh_for_revoke",
    "SELECT id, access_token_id FROM oauth_refresh_tokens "
    "WHERE token_hash = ? AND application_id = ? AND revoked_at IS NULL"};

// The token's owner is read with accounts::UserStore in the same
// transaction, once the token is known and unexpired.
constexpr storage::Query kLookupBearer{
    "oauth.lookup_bearer",
    "SELECT t.user_id, t.scope, t.expires_at, a.client_id, a.is_restricted "
    "FROM oauth_access_tokens t JOIN oauth_applications a ON a.id = t.application_id "
    "WHERE t.token_hash = ?"};

Application ApplicationFromRow(const storage::Row& row) {
  Application app;
  app.id = row.GetInt(0);
  app.client_id = row.GetText(1);
  app.name = row.GetText(2);
  app.client_type = row.GetText(3);
  app.authorization_grant_type = row.GetText(4);
  app.redirect_uris = row.GetText(5);
  app.user_id = row.GetOptionalInt(6);
  app.is_restricted = row.GetBool(7);
  app.skip_authorization = row.GetBool(8);
  return app;
}

}  // namespace

OAuthOptions OAuthOptionsFromSettings(const config::Settings& settings) {
  OAuthOptions o;
  std::string base = settings.lms_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  o.issuer = base + "/oauth2";
  const nlohmann::json& jwt = settings.jwt_auth;
  auto str = [&](const char* key, std::string* out) {
    if (jwt.is_object() && jwt.contains(key) && jwt[key].is_string()) {
      *out = jwt[key].get<std::string>();
    }
  };
  auto num = [&](const char* key, int64_t* out) {
    if (jwt.is_object() && jwt.contains(key) && jwt[key].is_number_integer() &&
        jwt[key].get<int64_t>() >= 0) {
      *out = jwt[key].get<int64_t>();
    }
  };
  str("JWT_ISSUER", &o.issuer);
  str("JWT_AUDIENCE", &o.audience);
  str("JWT_SUPPORTED_VERSION", &o.jwt_version);
  str("JWT_LOGIN_CLIENT_ID", &o.login_client_id);
  str("JWT_SECRET_KEY", &o.jwt_secret_key);
  std::string algorithm = o.jwt_signing_algorithm;
  str("JWT_SIGNING_ALGORITHM", &algorithm);
  if (algorithm == "RS256" || algorithm == "RS512") o.jwt_signing_algorithm = algorithm;
  num("JWT_LEEWAY", &o.jwt_leeway_seconds);
  // JWT_ACCESS_TOKEN_EXPIRE_SECONDS is what Open edX uses for JWT access
  // tokens; JWT_EXPIRATION is the contract's name for it.
  num("JWT_EXPIRATION", &o.jwt_expiration_seconds);
  num("JWT_ACCESS_TOKEN_EXPIRE_SECONDS", &o.jwt_expiration_seconds);
  if (o.jwt_expiration_seconds <= 0) o.jwt_expiration_seconds = 3600;
  o.confidential_token_days = settings.oauth_expire_confidential_client_days;
  o.public_token_days = settings.oauth_expire_public_client_days;
  return o;
}

OAuthService::OAuthService(storage::Database& db, const Clock& clock, Random& random,
                           JwtKeyStore& keys, accounts::AccountService& accounts,
                           OAuthOptions options)
    : db_(db),
      clock_(clock),
      random_(random),
      keys_(keys),
      accounts_(accounts),
      options_(std::move(options)) {}

StatusOr<Application> OAuthService::CreateApplication(const Application& app,
                                                      std::string_view secret) {
  if (app.client_id.empty()) return InvalidArgumentError("client_id must not be empty");
  if (app.client_type != "confidential" && app.client_type != "public") {
    return InvalidArgumentError("client_type must be confidential or public");
  }
  if (app.authorization_grant_type != "password" &&
      app.authorization_grant_type != "client-credentials" &&
      app.authorization_grant_type != "authorization-code") {
    return InvalidArgumentError(
        "authorization_grant_type must be password, client-credentials or authorization-code");
  }
  if (app.client_type == "confidential" && secret.empty()) {
    return InvalidArgumentError("a confidential client needs a secret");
  }
  std::string secret_hash = secret.empty() ? std::string() : Sha256Hex(secret);
  int64_t now = clock_.NowMicros();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Application> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(
                kInsertApplication,
                {storage::Text(app.client_id), storage::Text(secret_hash), storage::Text(app.name),
                 storage::Text(app.client_type), storage::Text(app.authorization_grant_type),
                 storage::Text(app.redirect_uris), storage::OptionalInt(app.user_id),
                 storage::Bool(app.skip_authorization), storage::Bool(app.is_restricted),
                 storage::Int(now), storage::Int(now)}));
        if (rs.empty()) return InternalError("INSERT RETURNING gave no id");
        Application created = app;
        created.id = rs.rows[0].GetInt(0);
        return created;
      });
}

StatusOr<Application> OAuthService::GetApplication(std::string_view client_id) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<Application> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kSelectApplication, {storage::Text(std::string(client_id))}));
        if (rs.empty()) return NotFoundError("no such OAuth client");
        return ApplicationFromRow(rs.rows[0]);
      });
}

namespace {

// The outcome of client authentication: the application, or the error to
// answer with.
struct ClientAuth {
  std::optional<Application> app;
  std::optional<TokenResult> error;
};

// Shared by Token and Revoke. `require_secret` forces full authentication
// (client_credentials); otherwise a public client may identify itself by
// client_id alone, as DOT's client_authentication_required decides.
ClientAuth AuthenticateClient(storage::Database& db, const std::map<std::string, std::string>& form,
                              std::string_view authorization, bool require_secret) {
  ClientAuth out;
  ClientCredentials creds = ExtractClientCredentials(form, authorization);
  if (creds.client_id.empty()) {
    out.error = OAuthError(401, "invalid_client");
    return out;
  }
  StatusOr<std::pair<Application, std::string>> loaded = storage::RunWithResult(
      db, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::pair<Application, std::string>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kSelectApplication, {storage::Text(creds.client_id)}));
        if (rs.empty()) return NotFoundError("no such OAuth client");
        return std::make_pair(ApplicationFromRow(rs.rows[0]), rs.rows[0].GetText(9));
      });
  if (!loaded.ok()) {
    out.error = loaded.status().code() == StatusCode::kNotFound ? OAuthError(401, "invalid_client")
                                                                : ServerError(loaded.status());
    return out;
  }
  auto& [app, secret_hash] = *loaded;
  bool needs_secret = require_secret || creds.from_basic || creds.client_secret.has_value() ||
                      app.client_type == "confidential";
  if (needs_secret) {
    // An empty stored hash (public client) never matches a presented secret
    // of any length, so a public client cannot pass full authentication.
    if (!creds.client_secret.has_value() || secret_hash.empty() ||
        !ConstantTimeEqual(Sha256Hex(*creds.client_secret), secret_hash)) {
      out.error = OAuthError(401, "invalid_client");
      return out;
    }
  }
  out.app = std::move(app);
  return out;
}

// Validates `requested` (space separated) against the known scopes; empty
// means the defaults.
std::optional<std::vector<std::string>> ResolveScopes(const std::string* requested) {
  if (requested == nullptr) return DefaultScopes();
  std::vector<std::string> scopes = SplitScopes(*requested);
  if (scopes.empty()) return DefaultScopes();
  for (const auto& s : scopes) {
    if (!IsKnownScope(s)) return std::nullopt;
  }
  return scopes;
}

}  // namespace

StatusOr<std::string> OAuthService::CreateJwtForUser(const accounts::User& user,
                                                     const std::vector<std::string>& scopes_in,
                                                     std::string_view grant_type,
                                                     int64_t expires_in, bool is_restricted,
                                                     const std::vector<std::string>& filters,
                                                     bool asymmetric) {
  std::vector<std::string> scopes =
      scopes_in.empty() ? std::vector<std::string>{"email", "profile"} : scopes_in;
  int64_t iat = clock_.NowMicros() / kMicrosPerSecond;
  nlohmann::json claims = {
      {"aud", options_.audience},
      {"exp", iat + expires_in},
      {"grant_type", std::string(grant_type)},
      {"iat", iat},
      {"iss", options_.issuer},
      {"preferred_username", user.username},
      {"scopes", scopes},
      {"version", options_.jwt_version},
      {"sub", keys_.AnonymousUserId(user.id)},
      {"filters", filters},
      {"is_restricted", is_restricted},
      {"email_verified", user.is_active},
  };
  if (HasScope(scopes, "user_id")) claims["user_id"] = user.id;
  if (HasScope(scopes, "email")) claims["email"] = user.email;
  if (HasScope(scopes, "profile")) {
    StatusOr<accounts::Profile> profile = accounts_.GetProfile(user.id);
    if (!profile.ok() && profile.status().code() != StatusCode::kNotFound) {
      return profile.status();
    }
    claims["name"] = profile.ok() ? profile->name : std::string();
    claims["family_name"] = user.last_name;
    claims["given_name"] = user.first_name;
    claims["administrator"] = user.is_staff;
    claims["superuser"] = user.is_superuser;
  }
  // _get_use_asymmetric_key_value: restricted applications always get the
  // asymmetric key.
  if (asymmetric || is_restricted || options_.jwt_secret_key.empty()) {
    return keys_.Sign(claims, options_.jwt_signing_algorithm);
  }
  return JwtKeyStore::SignHs256(claims, options_.jwt_secret_key);
}

StatusOr<std::string> OAuthService::CreateLoginJwt(const accounts::User& user, int64_t expires_in) {
  // The login client is a password-grant application: "user:me" applies.
  return CreateJwtForUser(user, {"user_id", "email", "profile"}, "password", expires_in,
                          /*is_restricted=*/false, {"user:me"});
}

TokenResult OAuthService::Token(const std::map<std::string, std::string>& form,
                                std::string_view authorization_header,
                                std::string_view token_type_header) {
  const std::string* grant = FormValue(form, "grant_type");
  std::string grant_type = grant ? *grant : std::string();
  // oauthlib routes unknown grant types to the authorization-code handler,
  // which refuses them before authenticating the client.
  if (grant_type != "password" && grant_type != "client_credentials" &&
      grant_type != "refresh_token") {
    return OAuthError(400, "unsupported_grant_type");
  }
  ClientAuth client = AuthenticateClient(db_, form, authorization_header,
                                         /*require_secret=*/grant_type == "client_credentials");
  if (client.error.has_value()) return *client.error;
  const Application& app = *client.app;

  std::optional<accounts::User> user;
  std::vector<std::string> scopes;
  std::optional<int64_t> refresh_to_revoke;
  std::optional<int64_t> access_to_delete;

  if (grant_type == "password") {
    const std::string* username = FormValue(form, "username");
    const std::string* password = FormValue(form, "password");
    if (username == nullptr) {
      return OAuthError(400, "invalid_request", "Request is missing username parameter.");
    }
    if (password == nullptr) {
      return OAuthError(400, "invalid_request", "Request is missing password parameter.");
    }
    StatusOr<accounts::User> authed = accounts_.Authenticate(*username, *password, true);
    if (!authed.ok()) {
      // Open edX's validator lets inactive (not yet activated) users get
      // tokens; the password was right, only activation is missing.
      if (authed.status().code() == StatusCode::kFailedPrecondition) {
        authed = username->find('@') != std::string::npos ? accounts_.GetUserByEmail(*username)
                                                          : accounts_.GetUserByUsername(*username);
        if (!authed.ok() && username->find('@') != std::string::npos) {
          authed = accounts_.GetUserByUsername(*username);
        }
      }
      if (!authed.ok()) {
        StatusCode code = authed.status().code();
        if (code == StatusCode::kUnauthenticated || code == StatusCode::kPermissionDenied ||
            code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition) {
          return OAuthError(400, "invalid_grant", "Invalid credentials given.");
        }
        return ServerError(authed.status());
      }
    }
    user = std::move(*authed);
    if (!AllowsGrant(app, grant_type)) return OAuthError(400, "unauthorized_client");
    auto resolved = ResolveScopes(FormValue(form, "scope"));
    if (!resolved.has_value()) return OAuthError(400, "invalid_scope");
    scopes = std::move(*resolved);
    // Open edX always grants user_id to the password grant.
    if (!HasScope(scopes, "user_id")) scopes.push_back("user_id");
  } else if (grant_type == "client_credentials") {
    if (!AllowsGrant(app, grant_type)) return OAuthError(400, "unauthorized_client");
    auto resolved = ResolveScopes(FormValue(form, "scope"));
    if (!resolved.has_value()) return OAuthError(400, "invalid_scope");
    scopes = std::move(*resolved);
    if (app.user_id.has_value()) {
      StatusOr<accounts::User> owner = accounts_.GetUserById(*app.user_id);
      if (owner.ok()) {
        user = std::move(*owner);
      } else if (owner.status().code() != StatusCode::kNotFound) {
        return ServerError(owner.status());
      }
    }
  } else {  // refresh_token
    const std::string* refresh = FormValue(form, "refresh_token");
    if (refresh == nullptr) {
      return OAuthError(400, "invalid_request", "Missing refresh token parameter.");
    }
    if (!AllowsGrant(app, grant_type)) return OAuthError(400, "unauthorized_client");
    StatusOr<storage::ResultSet> rs =
        storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
          return txn.Execute(kSelectRefreshToken, {storage::Text(Sha256Hex(*refresh))});
        });
    if (!rs.ok()) return ServerError(rs.status());
    if (rs->empty() || rs->rows[0].GetInt(3) != app.id || !rs->rows[0].IsNull(5)) {
      return OAuthError(400, "invalid_grant");
    }
    const storage::Row& row = rs->rows[0];
    refresh_to_revoke = row.GetInt(0);
    access_to_delete = row.GetOptionalInt(1);
    std::vector<std::string> original = SplitScopes(row.GetText(4));
    if (const std::string* requested = FormValue(form, "scope")) {
      scopes = SplitScopes(*requested);
      for (const auto& s : scopes) {
        if (!HasScope(original, s)) return OAuthError(400, "invalid_scope");
      }
      if (scopes.empty()) scopes = original;
    } else {
      scopes = original;
    }
    StatusOr<accounts::User> owner = accounts_.GetUserById(row.GetInt(2));
    if (!owner.ok()) {
      if (owner.status().code() == StatusCode::kNotFound) return OAuthError(400, "invalid_grant");
      return ServerError(owner.status());
    }
    user = std::move(*owner);
  }

  std::string token_type =
      AsciiLower(FormValue(form, "token_type") ? *FormValue(form, "token_type")
                                               : std::string(token_type_header));
  bool want_jwt = token_type == "jwt";
  if (want_jwt && !user.has_value()) {
    return OAuthError(400, "invalid_request", "The client has no user to issue a JWT for.");
  }

  int64_t now = clock_.NowMicros();
  int64_t days =
      app.client_type == "public" ? options_.public_token_days : options_.confidential_token_days;
  int64_t expires_in = days * kSecondsPerDay;
  // RestrictedApplication: opaque tokens are born expired (1970-01-01) so
  // they cannot call APIs; expires_in is then negative, as in Open edX.
  int64_t expires_at = app.is_restricted ? 0 : now + expires_in * kMicrosPerSecond;
  if (app.is_restricted) expires_in = -(now / kMicrosPerSecond);

  std::string access_token = random_.AlphanumericToken(kTokenLength);
  bool with_refresh = grant_type != "client_credentials";
  std::string refresh_token = with_refresh ? random_.AlphanumericToken(kTokenLength) : "";
  std::string scope_text = JoinScopes(scopes);
  std::optional<int64_t> user_id;
  if (user.has_value()) user_id = user->id;

  Status stored =
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        if (refresh_to_revoke.has_value()) {
          LARCH_ASSIGN_OR_RETURN(
              storage::ResultSet revoked,
              txn.Execute(kRevokeRefreshToken,
                          {storage::Int(now), storage::Int(*refresh_to_revoke)}));
          if (revoked.rows_affected != 1) {
            return FailedPreconditionError("refresh token already used");
          }
          if (access_to_delete.has_value()) {
            LARCH_RETURN_IF_ERROR(
                txn.Execute(kDeleteAccessTokenById, {storage::Int(*access_to_delete)}).status());
          }
        }
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet inserted,
            txn.Execute(kInsertAccessToken,
                        {storage::Text(Sha256Hex(access_token)), storage::OptionalInt(user_id),
                         storage::Int(app.id), storage::Text(scope_text), storage::Int(expires_at),
                         storage::Int(now)}));
        if (inserted.empty()) return InternalError("INSERT RETURNING gave no id");
        if (with_refresh) {
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kInsertRefreshToken,
                          {storage::Text(Sha256Hex(refresh_token)),
                           storage::Int(inserted.rows[0].GetInt(0)), storage::OptionalInt(user_id),
                           storage::Int(app.id), storage::Text(scope_text), storage::Int(now)})
                  .status());
        }
        return OkStatus();
      });
  if (!stored.ok()) {
    if (stored.code() == StatusCode::kFailedPrecondition) return OAuthError(400, "invalid_grant");
    return ServerError(stored);
  }

  nlohmann::json body = {{"access_token", access_token},
                         {"token_type", "Bearer"},
                         {"expires_in", expires_in},
                         {"scope", scope_text}};
  if (with_refresh) body["refresh_token"] = refresh_token;
  if (want_jwt) {
    // DOTAdapter.get_authorization_filters: only client-credentials
    // applications may read other users' data; the rest get "user:me".
    std::vector<std::string> filters;
    if (app.authorization_grant_type != "client-credentials") filters.emplace_back("user:me");
    // AccessTokenView: the private key only when asymmetric_jwt is asked for.
    const std::string* asked = FormValue(form, "asymmetric_jwt");
    const bool asymmetric =
        asked != nullptr && !asked->empty() && AsciiLower(*asked) != "false" && *asked != "0";
    StatusOr<std::string> jwt =
        CreateJwtForUser(*user, scopes, grant_type, options_.jwt_expiration_seconds,
                         app.is_restricted, filters, asymmetric);
    if (!jwt.ok()) return ServerError(jwt.status());
    body["access_token"] = std::move(*jwt);
    body["token_type"] = "JWT";
    body["expires_in"] = options_.jwt_expiration_seconds;
  }
  return {200, std::move(body)};
}

Status OAuthService::Revoke(const std::map<std::string, std::string>& form,
                            std::string_view authorization_header) {
  ClientAuth client = AuthenticateClient(db_, form, authorization_header, false);
  if (client.error.has_value()) {
    if (client.error->http_status == 401) {
      return UnauthenticatedError("client authentication failed").WithErrorCode("invalid_client");
    }
    return UnavailableError("cannot authenticate the client");
  }
  const std::string* token = FormValue(form, "token");
  if (token == nullptr) {
    return InvalidArgumentError("missing token parameter").WithErrorCode("invalid_request");
  }
  std::string hash = Sha256Hex(*token);
  int64_t app_id = client.app->id;
  int64_t now = clock_.NowMicros();
  // Tokens of other clients are left alone and the answer is the same, so a
  // client learns nothing about them (RFC 7009 section 2.2).
  return db_.RunInTransaction(
      storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_RETURN_IF_ERROR(
            txn.Execute(kDeleteAccessTokenByHash, {storage::Text(hash), storage::Int(app_id)})
                .status());
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kSelectRefreshForRevoke, {storage::Text(hash), storage::Int(app_id)}));
        if (rs.empty()) return OkStatus();
        LARCH_RETURN_IF_ERROR(txn.Execute(kRevokeRefreshToken,
                                          {storage::Int(now), storage::Int(rs.rows[0].GetInt(0))})
                                  .status());
        if (!rs.rows[0].IsNull(1)) {
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kDeleteAccessTokenById, {storage::Int(rs.rows[0].GetInt(1))}).status());
        }
        return OkStatus();
      });
}

StatusOr<Principal> OAuthService::AuthenticateBearer(std::string_view token) {
  if (token.empty()) return UnauthenticatedError("empty bearer token");
  std::string hash = Sha256Hex(token);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<Principal> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kLookupBearer, {storage::Text(hash)}));
        if (rs.empty()) return UnauthenticatedError("unknown bearer token");
        const storage::Row& row = rs.rows[0];
        if (row.GetInt(2) <= clock_.NowMicros()) {
          return UnauthenticatedError("bearer token expired");
        }
        if (row.IsNull(0)) return UnauthenticatedError("bearer token has no user");
        LARCH_ASSIGN_OR_RETURN(std::optional<accounts::User> owner,
                               accounts::UserStore::FindById(txn, row.GetInt(0)));
        if (!owner.has_value()) return UnauthenticatedError("bearer token has no user");
        if (!owner->is_active) return UnauthenticatedError("user account is not active");
        Principal p;
        p.user_id = owner->id;
        p.username = std::move(owner->username);
        p.is_staff = owner->is_staff;
        p.is_superuser = owner->is_superuser;
        p.scopes = SplitScopes(row.GetText(1));
        p.auth_method = "bearer";
        p.client_id = row.GetText(3);
        p.is_restricted = row.GetBool(4);
        return p;
      });
}

StatusOr<Principal> OAuthService::AuthenticateJwt(std::string_view token) {
  VerifyOptions vo;
  vo.now_seconds = clock_.NowMicros() / kMicrosPerSecond;
  vo.leeway_seconds = options_.jwt_leeway_seconds;
  vo.issuer = options_.issuer;
  vo.audience = options_.audience;
  vo.hmac_secret = options_.jwt_secret_key;
  LARCH_ASSIGN_OR_RETURN(nlohmann::json claims, keys_.Verify(token, vo));
  auto username = claims.find("preferred_username");
  if (username == claims.end() || !username->is_string() ||
      username->get_ref<const std::string&>().empty()) {
    return UnauthenticatedError("JWT has no preferred_username");
  }
  // drf-jwt refuses users that are not active; the claim records it.
  if (auto verified = claims.find("email_verified");
      verified != claims.end() && verified->is_boolean() && !verified->get<bool>()) {
    return UnauthenticatedError("user account is not active");
  }
  Principal p;
  p.auth_method = "jwt";
  p.username = username->get<std::string>();
  if (auto scopes = claims.find("scopes"); scopes != claims.end() && scopes->is_array()) {
    for (const auto& s : *scopes) {
      if (s.is_string()) p.scopes.push_back(s.get<std::string>());
    }
  }
  if (auto r = claims.find("is_restricted"); r != claims.end() && r->is_boolean()) {
    p.is_restricted = r->get<bool>();
  }
  auto user_id = claims.find("user_id");
  auto admin = claims.find("administrator");
  auto superuser = claims.find("superuser");
  bool complete = user_id != claims.end() && user_id->is_number_integer() &&
                  admin != claims.end() && admin->is_boolean() && superuser != claims.end() &&
                  superuser->is_boolean();
  if (complete) {
    p.user_id = user_id->get<int64_t>();
    p.is_staff = admin->get<bool>();
    p.is_superuser = superuser->get<bool>();
    return p;
  }
  // Tokens without the user_id/profile scopes name the user only by
  // username; the database then supplies the rest.
  StatusOr<accounts::User> user = accounts_.GetUserByUsername(p.username);
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kNotFound) {
      return UnauthenticatedError("JWT user does not exist");
    }
    return user.status();
  }
  if (!user->is_active) return UnauthenticatedError("user account is not active");
  p.user_id = user->id;
  p.is_staff = user->is_staff;
  p.is_superuser = user->is_superuser;
  return p;
}

}  // namespace larch::oauth
