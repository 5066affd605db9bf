// JWT signing and verification (RS256/RS512 with the signing keys, HS256
// with a shared secret; RFC 7515/7519) and the signing keys.
//
// Open edX signs access tokens and the login cookies with an asymmetric key
// and publishes the public half at /auth/jwks.json; Larch does the same with
// OpenSSL 3 EVP APIs only. Keys live in <keys_dir> (mode 0700) as PEM files
// (mode 0600): jwt-signing.pem is the current private key, jwt-previous-1.pem
// and jwt-previous-2.pem are the keys it replaced, kept so that tokens signed
// before a Rotate() keep verifying until they expire. anonymous-id.key holds
// the secret behind AnonymousUserId().
//
// Thread safety: Sign, Verify, Jwks, Kid and AnonymousUserId may be called
// concurrently from any thread; Rotate takes an exclusive lock and may run
// concurrently with them.
#ifndef LARCH_OAUTH_JWT_H_
#define LARCH_OAUTH_JWT_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/random.h"
#include "larch/common/status.h"

namespace larch::oauth {

// base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);
// Rejects padding, characters outside the url alphabet and impossible
// lengths with kInvalidArgument.
StatusOr<std::string> Base64UrlDecode(std::string_view text);

struct VerifyOptions {
  // Current time in seconds since the epoch; exp/nbf/iat are checked
  // against it. The key store has no clock of its own.
  int64_t now_seconds = 0;
  // Allowed clock skew for exp, nbf and iat.
  int64_t leeway_seconds = 0;
  // When set, the "iss" claim must equal it.
  std::optional<std::string> issuer;
  // When set, "aud" (a string or an array of strings) must contain it.
  std::optional<std::string> audience;
  // Tokens without "exp" are rejected unless this is false.
  bool require_exp = true;
  // JWT_AUTH.JWT_SECRET_KEY: when set, HS256 tokens signed with it are
  // accepted too (Open edX's symmetric JWTs). Empty refuses every HS256.
  std::string hmac_secret;
};

class JwtKeyStore {
 public:
  // Loads the keys from `keys_dir`, creating the directory and a fresh
  // 2048-bit RSA key (and the anonymous-id secret, drawn from `random`) on
  // first use. kInternal / kUnavailable when the files cannot be written or
  // read, kDataLoss when a key file is not a valid RSA PEM key.
  // `random` must outlive the store.
  static StatusOr<std::unique_ptr<JwtKeyStore>> Open(const std::string& keys_dir, Random& random);
  ~JwtKeyStore();
  JwtKeyStore(const JwtKeyStore&) = delete;
  JwtKeyStore& operator=(const JwtKeyStore&) = delete;

  // Compact JWS of `claims` (must be a JSON object, else kInvalidArgument)
  // with header {"alg":<alg>,"kid":<current kid>,"typ":"JWT"}; `alg` is RS256
  // or RS512 (Open edX's JWT_SIGNING_ALGORITHM), else kInvalidArgument.
  StatusOr<std::string> Sign(const nlohmann::json& claims, std::string_view alg = "RS256") const;

  // Compact JWS of `claims` with header {"alg":"HS256","typ":"JWT"}, signed
  // with `secret` (JWT_SECRET_KEY). kInvalidArgument when `claims` is not an
  // object or `secret` is empty.
  static StatusOr<std::string> SignHs256(const nlohmann::json& claims, std::string_view secret);

  // Returns the claims of a valid token. kUnauthenticated with the reason as
  // message when the token is malformed (segments, base64url, JSON that is
  // not an object), its alg is not RS256, RS512 or (with
  // options.hmac_secret) HS256 ("none" and other HS* are refused), its
  // kid is unknown, the signature fails against the named key (or every key
  // when there is no kid), or exp/nbf/iat/iss/aud do not pass `options`.
  StatusOr<nlohmann::json> Verify(std::string_view token, const VerifyOptions& options) const;

  // {"keys": [{"kty":"RSA","kid","use":"sig","alg":<alg>,"n","e"}, ...]},
  // current key first, then the previous ones. Public parts only.
  nlohmann::json Jwks(std::string_view alg = "RS256") const;

  // Makes a new current key; the old current key becomes jwt-previous-1 (at
  // most two previous keys are kept, the oldest is deleted). Tokens signed
  // with the old key still verify. kInternal when the files cannot be
  // written (the in-memory keys are then unchanged).
  Status Rotate();

  // The kid of the current signing key (RFC 7638 thumbprint, base64url).
  std::string CurrentKid() const;

  // A stable opaque id for a user: the first 32 hex characters of
  // HMAC-SHA256(secret, decimal user id). Used as the JWT "sub" claim, like
  // Open edX's anonymous_id_for_user.
  std::string AnonymousUserId(int64_t user_id) const;

 private:
  struct Key;
  JwtKeyStore(std::string keys_dir, Random& random);
  Status LoadOrCreate();

  std::string keys_dir_;
  Random& random_;
  std::string anon_secret_;
  // exp/nbf/iat/iss/aud checks of already signature-checked claims.
  static StatusOr<nlohmann::json> CheckClaims(nlohmann::json claims, const VerifyOptions& options);

  // Tokens whose signature verified, whole (a hash would let a colliding
  // forgery through). Cleared when full and on Rotate.
  static constexpr size_t kVerifiedCacheCapacity = 4096;
  mutable std::mutex verified_mu_;
  mutable std::unordered_set<std::string> verified_;
  mutable std::shared_mutex mu_;
  // current_ first; guarded by mu_.
  std::vector<std::shared_ptr<const Key>> keys_;
};

}  // namespace larch::oauth

#endif  // LARCH_OAUTH_JWT_H_
