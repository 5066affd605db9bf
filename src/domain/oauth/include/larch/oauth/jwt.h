// JWT signing and verification (RS256/RS512 with the signing keys, HS256
// with a shared secret; RFC 7515/7519) and the signing keys.
//
// Open edX signs access tokens and the login cookies with an asymmetric key
// and publishes the public half at /auth/jwks.json; Larch does the same with
// OpenSSL 3 EVP APIs only. The keys are the current private key and at most
// two keys it replaced, kept so that tokens signed before a Rotate() keep
// verifying until they expire, plus the secret behind AnonymousUserId(). A
// KeySource keeps them: FileKeySource in one directory, DatabaseKeySource
// (larch/oauth/jwt_db_keys.h) in the database so every node of a cluster
// signs and verifies with the same keys.
//
// A store opened with a clock asks its source for the key set's version at
// most once per `recheck_ms`, and at once (at most every 50 ms) when a token
// names an unknown kid, so a rotation by another process (`larch
// rotate-keys`, another node) is picked up within that interval.
//
// Thread safety: Sign, Verify, Jwks, Kid and AnonymousUserId may be called
// concurrently from any thread; Rotate takes an exclusive lock and may run
// concurrently with them.
#ifndef LARCH_OAUTH_JWT_H_
#define LARCH_OAUTH_JWT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/clock.h"
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

// A key set as a KeySource keeps it.
struct StoredKeys {
  // Changes whenever the set does (a rotation anywhere).
  int64_t version = 0;
  // PEM private keys, current first.
  std::vector<std::string> private_pems;
  std::string anonymous_secret;
};

// Where a JwtKeyStore keeps its keys. Implementations are thread-safe.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // The key set. When there is none yet, stores one made of `first_pem()`
  // and `secret` first; processes starting together end up with one set.
  virtual StatusOr<StoredKeys> LoadOrCreate(const std::function<StatusOr<std::string>()>& first_pem,
                                            const std::string& secret) = 0;
  // The version of the stored set, cheaper than loading it.
  virtual StatusOr<int64_t> Version() = 0;
  // Makes `pem` the current key, keeping at most `max_previous` older ones.
  virtual Status AddCurrent(const std::string& pem, int max_previous) = 0;
  // For `larch check`: where the keys are and whether other nodes see them.
  virtual std::string Describe() const = 0;
};

// Keys in `keys_dir` (mode 0700) as PEM files (mode 0600): jwt-signing.pem
// is the current key, jwt-previous-1.pem and jwt-previous-2.pem the keys it
// replaced, anonymous-id.key the secret. The version is the current key
// file's modification time, so another process's rotation is seen.
class FileKeySource final : public KeySource {
 public:
  explicit FileKeySource(std::string keys_dir) : keys_dir_(std::move(keys_dir)) {}
  // The keys already in the directory, without creating anything: nullopt
  // when it holds no current key.
  StatusOr<std::optional<StoredKeys>> ReadExisting() const;
  StatusOr<StoredKeys> LoadOrCreate(const std::function<StatusOr<std::string>()>& first_pem,
                                    const std::string& secret) override;
  StatusOr<int64_t> Version() override;
  Status AddCurrent(const std::string& pem, int max_previous) override;
  std::string Describe() const override { return "directory " + keys_dir_ + " (this node only)"; }

 private:
  std::string keys_dir_;
};

class JwtKeyStore {
 public:
  // Loads the keys from `keys_dir` (a FileKeySource), creating the directory
  // and a fresh 2048-bit RSA key (and the anonymous-id secret, drawn from
  // `random`) on first use. kInternal / kUnavailable when the files cannot
  // be written or read, kDataLoss when a key file is not a valid RSA PEM key.
  // `random` must outlive the store.
  static StatusOr<std::unique_ptr<JwtKeyStore>> Open(const std::string& keys_dir, Random& random);
  // Loads (or first creates) the keys of `source`. With a `clock`, rotations
  // made elsewhere are picked up (see the top of this file); `clock` and
  // `random` must outlive the store.
  static StatusOr<std::unique_ptr<JwtKeyStore>> Open(std::unique_ptr<KeySource> source,
                                                     Random& random, const Clock* clock,
                                                     int64_t recheck_ms = 1'000);
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

  // Makes a new current key; the old current key becomes the first previous
  // one (at most two previous keys are kept, the oldest is deleted). Tokens
  // signed with the old key still verify. The source's error when it cannot
  // store the key (the in-memory keys are then unchanged).
  Status Rotate();

  // Asks the source for its version now and loads the keys when they
  // changed (the periodic check does this by itself).
  Status Reload() const;

  // Where the keys are (KeySource::Describe).
  std::string Describe() const { return source_->Describe(); }

  // The kid of the current signing key (RFC 7638 thumbprint, base64url).
  std::string CurrentKid() const;

  // A stable opaque id for a user: the first 32 hex characters of
  // HMAC-SHA256(secret, decimal user id). Used as the JWT "sub" claim, like
  // Open edX's anonymous_id_for_user.
  std::string AnonymousUserId(int64_t user_id) const;

 private:
  struct Key;
  JwtKeyStore(std::unique_ptr<KeySource> source, Random& random, const Clock* clock,
              int64_t recheck_ms);
  // Parses `stored` and makes it the key set.
  Status Install(StoredKeys stored) const;
  // The keys named `kid`, or all of them when it is null.
  std::vector<std::shared_ptr<const Key>> KeysFor(const std::string* kid) const;
  // The periodic (or, for an unknown kid, immediate) version check.
  void MaybeReload(bool unknown_kid) const;

  std::unique_ptr<KeySource> source_;
  Random& random_;
  const Clock* clock_;
  const int64_t recheck_micros_;
  // Serialises reloads; the checks below are only read or written under it
  // or atomically.
  mutable std::mutex reload_mu_;
  mutable std::atomic<int64_t> next_check_micros_{0};
  mutable std::atomic<int64_t> last_check_micros_{0};
  mutable std::atomic<int64_t> loaded_version_{0};
  // exp/nbf/iat/iss/aud checks of already signature-checked claims.
  static StatusOr<nlohmann::json> CheckClaims(nlohmann::json claims, const VerifyOptions& options);

  // Tokens whose signature verified, whole (a hash would let a colliding
  // forgery through). Cleared when full and on Rotate.
  static constexpr size_t kVerifiedCacheCapacity = 4096;
  mutable std::mutex verified_mu_;
  mutable std::unordered_set<std::string> verified_;
  mutable std::shared_mutex mu_;
  // Current first; guarded by mu_, as is anon_secret_.
  mutable std::vector<std::shared_ptr<const Key>> keys_;
  mutable std::string anon_secret_;
};

}  // namespace larch::oauth

#endif  // LARCH_OAUTH_JWT_H_
