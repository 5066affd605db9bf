#include "larch/oauth/jwt.h"

#include <array>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "larch/common/json.h"
#include "larch/common/strings.h"

namespace larch::oauth {
namespace {

// Two previous keys cover a rotation shortly after another one while tokens
// signed two keys ago may still be alive.
constexpr int kMaxPreviousKeys = 2;
constexpr int kRsaBits = 2048;

constexpr char kB64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int B64UrlValue(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

// Fetched once: the implicit fetch behind EVP_sha256() in every
// DigestSign/VerifyInit costs a provider lookup on the hot path.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

const EVP_MD* Sha512Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return md != nullptr ? md : EVP_sha512();
}

// The digest behind an RSA JWS algorithm, or nullptr when `alg` is not one
// Larch signs or verifies with its RSA keys.
const EVP_MD* RsaDigest(std::string_view alg) {
  if (alg == "RS256") return Sha256Md();
  if (alg == "RS512") return Sha512Md();
  return nullptr;
}

std::string HmacSha256(std::string_view secret, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

std::string Sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest.data()), len);
}

std::string Hex(std::string_view bytes) { return HexEncode(bytes); }

// Big-endian magnitude without leading zero bytes (RFC 7518 section 6.3.1).
StatusOr<std::string> BigNumParam(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1 || raw == nullptr) {
    return InternalError(std::string("cannot read RSA parameter ") + name);
  }
  std::unique_ptr<BIGNUM, BnDeleter> bn(raw);
  std::string out(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

StatusOr<PkeyPtr> GenerateRsaKey() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kRsaBits) != 1) {
    return InternalError("cannot set up RSA key generation");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1 || raw == nullptr) {
    return InternalError("RSA key generation failed");
  }
  return PkeyPtr(raw);
}

StatusOr<std::string> PrivateKeyPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return InternalError("cannot encode the private key as PEM");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  return pem;
}

StatusOr<PkeyPtr> ParsePrivateKeyPem(const std::string& pem, const std::string& path) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return DataLossError(path + " is not a PEM private key");
  PkeyPtr key(raw);
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1) return DataLossError(path + " is not an RSA key");
  return key;
}

StatusOr<nlohmann::json> ParseJsonObject(std::string_view text, const char* what) {
  StatusOr<nlohmann::json> parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) {
    return UnauthenticatedError(std::string("JWT ") + what + " is not a JSON object");
  }
  return parsed;
}

std::string DumpCompact(const nlohmann::json& value) {
  // Invalid UTF-8 in a claim must not throw across the module boundary.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kB64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kB64UrlAlphabet[(v >> 12) & 63]);
    out.push_back(kB64UrlAlphabet[(v >> 6) & 63]);
    out.push_back(kB64UrlAlphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(kB64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kB64UrlAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(kB64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kB64UrlAlphabet[(v >> 12) & 63]);
    out.push_back(kB64UrlAlphabet[(v >> 6) & 63]);
  }
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return InvalidArgumentError("impossible base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : text) {
    int v = B64UrlValue(c);
    if (v < 0) return InvalidArgumentError("invalid base64url character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Non-zero leftover bits mean a non-canonical encoding; rejecting them
  // keeps one token string per signature.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return InvalidArgumentError("non-canonical base64url");
  }
  return out;
}

struct JwtKeyStore::Key {
  PkeyPtr pkey;
  std::string kid;
  std::string n;  // base64url
  std::string e;  // base64url

  static StatusOr<std::shared_ptr<const Key>> From(PkeyPtr pkey) {
    auto key = std::make_shared<Key>();
    LARCH_ASSIGN_OR_RETURN(std::string n, BigNumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
    LARCH_ASSIGN_OR_RETURN(std::string e, BigNumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
    key->n = Base64UrlEncode(n);
    key->e = Base64UrlEncode(e);
    // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
    std::string canonical = R"({"e":")" + key->e + R"(","kty":"RSA","n":")" + key->n + R"("})";
    key->kid = Base64UrlEncode(Sha256(canonical));
    key->pkey = std::move(pkey);
    return std::shared_ptr<const Key>(std::move(key));
  }
};

JwtKeyStore::JwtKeyStore(std::unique_ptr<KeySource> source, Random& random, const Clock* clock,
                         int64_t recheck_ms)
    : source_(std::move(source)),
      random_(random),
      clock_(clock),
      recheck_micros_(recheck_ms * 1'000) {}

JwtKeyStore::~JwtKeyStore() = default;

StatusOr<std::unique_ptr<JwtKeyStore>> JwtKeyStore::Open(const std::string& keys_dir,
                                                         Random& random) {
  if (keys_dir.empty()) return InvalidArgumentError("empty keys directory");
  return Open(std::make_unique<FileKeySource>(keys_dir), random, nullptr);
}

StatusOr<std::unique_ptr<JwtKeyStore>> JwtKeyStore::Open(std::unique_ptr<KeySource> source,
                                                         Random& random, const Clock* clock,
                                                         int64_t recheck_ms) {
  std::unique_ptr<JwtKeyStore> store(new JwtKeyStore(std::move(source), random, clock, recheck_ms));
  auto first_pem = []() -> StatusOr<std::string> {
    LARCH_ASSIGN_OR_RETURN(PkeyPtr fresh, GenerateRsaKey());
    return PrivateKeyPem(fresh.get());
  };
  LARCH_ASSIGN_OR_RETURN(StoredKeys stored,
                         store->source_->LoadOrCreate(first_pem, random.HexToken(32)));
  LARCH_RETURN_IF_ERROR(store->Install(std::move(stored)));
  if (clock != nullptr)
    store->next_check_micros_ = clock->MonotonicMicros() + store->recheck_micros_;
  return store;
}

Status JwtKeyStore::Install(StoredKeys stored) const {
  if (stored.private_pems.empty()) return DataLossError("the key source holds no signing key");
  if (stored.anonymous_secret.empty())
    return DataLossError("the key source holds no anonymous-id secret");
  std::vector<std::shared_ptr<const Key>> keys;
  for (size_t i = 0; i < stored.private_pems.size() && i <= kMaxPreviousKeys; ++i) {
    std::string& pem = stored.private_pems[i];
    StatusOr<PkeyPtr> pkey = ParsePrivateKeyPem(pem, "signing key " + std::to_string(i + 1));
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!pkey.ok()) return pkey.status();
    LARCH_ASSIGN_OR_RETURN(auto key, Key::From(std::move(*pkey)));
    keys.push_back(std::move(key));
  }
  {
    // A key may drop out of the kept set; its tokens must be checked again.
    std::lock_guard<std::mutex> verified_lock(verified_mu_);
    verified_.clear();
  }
  std::unique_lock lock(mu_);
  keys_ = std::move(keys);
  anon_secret_ = std::move(stored.anonymous_secret);
  loaded_version_ = stored.version;
  return OkStatus();
}

Status JwtKeyStore::Reload() const {
  std::lock_guard<std::mutex> reload(reload_mu_);
  LARCH_ASSIGN_OR_RETURN(int64_t version, source_->Version());
  if (version == loaded_version_.load()) return OkStatus();
  auto no_new_key = []() -> StatusOr<std::string> {
    return FailedPreconditionError("the key set disappeared while running");
  };
  LARCH_ASSIGN_OR_RETURN(StoredKeys stored,
                         source_->LoadOrCreate(no_new_key, random_.HexToken(32)));
  LARCH_RETURN_IF_ERROR(Install(std::move(stored)));
  spdlog::info("JWT signing keys reloaded (version {})", version);
  return OkStatus();
}

void JwtKeyStore::MaybeReload(bool unknown_kid) const {
  if (clock_ == nullptr) return;
  constexpr int64_t kUnknownKidGapMicros = 50'000;
  const int64_t now = clock_->MonotonicMicros();
  if (unknown_kid) {
    if (now < last_check_micros_.load() + kUnknownKidGapMicros) return;
  } else {
    // One thread wins the check; the others go on with the keys they have.
    int64_t due = next_check_micros_.load();
    if (now < due || !next_check_micros_.compare_exchange_strong(due, now + recheck_micros_)) {
      return;
    }
  }
  last_check_micros_ = now;
  next_check_micros_ = now + recheck_micros_;
  if (Status s = Reload(); !s.ok()) {
    spdlog::warn("JWT signing keys not reloaded, the loaded ones stay: {}", s.ToString());
  }
}

StatusOr<std::string> JwtKeyStore::SignHs256(const nlohmann::json& claims,
                                             std::string_view secret) {
  if (!claims.is_object()) return InvalidArgumentError("JWT claims must be a JSON object");
  if (secret.empty()) return InvalidArgumentError("HS256 needs a secret key");
  nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  std::string signing_input =
      Base64UrlEncode(DumpCompact(header)) + "." + Base64UrlEncode(DumpCompact(claims));
  return signing_input + "." + Base64UrlEncode(HmacSha256(secret, signing_input));
}

StatusOr<std::string> JwtKeyStore::Sign(const nlohmann::json& claims, std::string_view alg) const {
  if (!claims.is_object()) return InvalidArgumentError("JWT claims must be a JSON object");
  const EVP_MD* md = RsaDigest(alg);
  if (md == nullptr) return InvalidArgumentError("JWT signing algorithm must be RS256 or RS512");
  MaybeReload(false);
  std::shared_ptr<const Key> key;
  {
    std::shared_lock lock(mu_);
    key = keys_.front();
  }
  nlohmann::json header = {{"alg", std::string(alg)}, {"kid", key->kid}, {"typ", "JWT"}};
  std::string signing_input =
      Base64UrlEncode(DumpCompact(header)) + "." + Base64UrlEncode(DumpCompact(claims));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return InternalError("cannot set up RSA signing");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return InternalError("RSA signing failed");
  }
  sig.resize(sig_len);
  return signing_input + "." + Base64UrlEncode(sig);
}

std::vector<std::shared_ptr<const JwtKeyStore::Key>> JwtKeyStore::KeysFor(
    const std::string* kid) const {
  std::shared_lock lock(mu_);
  if (kid == nullptr) return keys_;
  std::vector<std::shared_ptr<const Key>> out;
  for (const auto& key : keys_) {
    if (key->kid == *kid) out.push_back(key);
  }
  return out;
}

StatusOr<nlohmann::json> JwtKeyStore::Verify(std::string_view token,
                                             const VerifyOptions& options) const {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return UnauthenticatedError("JWT must have three segments");
  }
  std::string_view header_b64 = token.substr(0, first);
  std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  std::string_view sig_b64 = token.substr(second + 1);
  if (header_b64.empty() || payload_b64.empty() || sig_b64.empty()) {
    return UnauthenticatedError("JWT has an empty segment");
  }
  // A client sends the same token on every request until it expires; the
  // RSA check is most of the cost of a JWT request, so byte-identical tokens
  // already verified skip it. The time-based and audience checks below run
  // every time.
  bool signature_known = false;
  {
    std::lock_guard<std::mutex> lock(verified_mu_);
    signature_known = verified_.count(std::string(token)) > 0;
  }
  if (signature_known) {
    StatusOr<std::string> known_payload = Base64UrlDecode(payload_b64);
    if (!known_payload.ok()) return UnauthenticatedError("JWT segment is not valid base64url");
    LARCH_ASSIGN_OR_RETURN(nlohmann::json claims, ParseJsonObject(*known_payload, "payload"));
    return CheckClaims(std::move(claims), options);
  }
  StatusOr<std::string> header_text = Base64UrlDecode(header_b64);
  StatusOr<std::string> payload_text = Base64UrlDecode(payload_b64);
  StatusOr<std::string> sig = Base64UrlDecode(sig_b64);
  if (!header_text.ok() || !payload_text.ok() || !sig.ok()) {
    return UnauthenticatedError("JWT segment is not valid base64url");
  }
  LARCH_ASSIGN_OR_RETURN(nlohmann::json header, ParseJsonObject(*header_text, "header"));
  auto alg = header.find("alg");
  const std::string alg_name =
      alg != header.end() && alg->is_string() ? alg->get<std::string>() : "";
  // Each algorithm checks against its own kind of key only, so a token
  // naming HS256 is never checked against an RSA public key.
  const bool hmac = alg_name == "HS256" && !options.hmac_secret.empty();
  const EVP_MD* md = RsaDigest(alg_name);
  if (!hmac && md == nullptr) {
    return UnauthenticatedError(options.hmac_secret.empty()
                                    ? "JWT algorithm must be RS256 or RS512"
                                    : "JWT algorithm must be RS256, RS512 or HS256");
  }
  if (header.contains("crit")) return UnauthenticatedError("JWT crit header is not supported");
  if (hmac) {
    std::string expected = HmacSha256(options.hmac_secret, token.substr(0, second));
    if (expected.size() != sig->size() ||
        CRYPTO_memcmp(expected.data(), sig->data(), expected.size()) != 0) {
      return UnauthenticatedError("JWT signature is invalid");
    }
    LARCH_ASSIGN_OR_RETURN(nlohmann::json claims, ParseJsonObject(*payload_text, "payload"));
    return CheckClaims(std::move(claims), options);
  }

  auto kid = header.find("kid");
  if (kid != header.end() && !kid->is_string()) {
    return UnauthenticatedError("JWT kid must be a string");
  }
  MaybeReload(false);
  const std::string* kid_name = kid == header.end() ? nullptr : &kid->get_ref<const std::string&>();
  std::vector<std::shared_ptr<const Key>> candidates = KeysFor(kid_name);
  if (candidates.empty()) {
    // Signed by a key another node made a moment ago: look again at once.
    MaybeReload(true);
    candidates = KeysFor(kid_name);
    if (candidates.empty()) return UnauthenticatedError("JWT kid is unknown");
  }
  std::string_view signing_input = token.substr(0, second);
  bool verified = false;
  for (const auto& key : candidates) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (ctx == nullptr ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key->pkey.get()) != 1) {
      return InternalError("cannot set up RSA verification");
    }
    if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                         sig->size(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size()) == 1) {
      verified = true;
      break;
    }
  }
  if (!verified) return UnauthenticatedError("JWT signature is invalid");

  LARCH_ASSIGN_OR_RETURN(nlohmann::json claims, ParseJsonObject(*payload_text, "payload"));
  {
    std::lock_guard<std::mutex> lock(verified_mu_);
    if (verified_.size() >= kVerifiedCacheCapacity) verified_.clear();
    verified_.insert(std::string(token));
  }
  return CheckClaims(std::move(claims), options);
}

StatusOr<nlohmann::json> JwtKeyStore::CheckClaims(nlohmann::json claims,
                                                  const VerifyOptions& options) {
  auto numeric = [&](const char* name, std::optional<int64_t>* out) -> Status {
    auto it = claims.find(name);
    if (it == claims.end()) return OkStatus();
    if (!it->is_number()) {
      return UnauthenticatedError(std::string("JWT ") + name + " is not a number");
    }
    *out = it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
    return OkStatus();
  };
  std::optional<int64_t> exp, nbf, iat;
  LARCH_RETURN_IF_ERROR(numeric("exp", &exp));
  LARCH_RETURN_IF_ERROR(numeric("nbf", &nbf));
  LARCH_RETURN_IF_ERROR(numeric("iat", &iat));
  if (!exp.has_value() && options.require_exp) return UnauthenticatedError("JWT has no exp");
  if (exp.has_value() && options.now_seconds > *exp + options.leeway_seconds) {
    return UnauthenticatedError("JWT has expired");
  }
  if (nbf.has_value() && options.now_seconds + options.leeway_seconds < *nbf) {
    return UnauthenticatedError("JWT is not yet valid");
  }
  if (iat.has_value() && options.now_seconds + options.leeway_seconds < *iat) {
    return UnauthenticatedError("JWT was issued in the future");
  }
  if (options.issuer.has_value()) {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() ||
        iss->get_ref<const std::string&>() != *options.issuer) {
      return UnauthenticatedError("JWT issuer is not accepted");
    }
  }
  if (options.audience.has_value()) {
    auto aud = claims.find("aud");
    bool match = false;
    if (aud != claims.end() && aud->is_string()) {
      match = aud->get_ref<const std::string&>() == *options.audience;
    } else if (aud != claims.end() && aud->is_array()) {
      for (const auto& a : *aud) {
        if (a.is_string() && a.get_ref<const std::string&>() == *options.audience) match = true;
      }
    }
    if (!match) return UnauthenticatedError("JWT audience is not accepted");
  }
  return claims;
}

nlohmann::json JwtKeyStore::Jwks(std::string_view alg) const {
  MaybeReload(false);
  nlohmann::json keys = nlohmann::json::array();
  std::shared_lock lock(mu_);
  for (const auto& key : keys_) {
    keys.push_back({{"kty", "RSA"},
                    {"kid", key->kid},
                    {"use", "sig"},
                    {"alg", std::string(alg)},
                    {"n", key->n},
                    {"e", key->e}});
  }
  return {{"keys", std::move(keys)}};
}

Status JwtKeyStore::Rotate() {
  LARCH_ASSIGN_OR_RETURN(PkeyPtr fresh, GenerateRsaKey());
  LARCH_ASSIGN_OR_RETURN(std::string pem, PrivateKeyPem(fresh.get()));
  Status added = source_->AddCurrent(pem, kMaxPreviousKeys);
  OPENSSL_cleanse(pem.data(), pem.size());
  LARCH_RETURN_IF_ERROR(added);
  return Reload();
}

std::string JwtKeyStore::CurrentKid() const {
  MaybeReload(false);
  std::shared_lock lock(mu_);
  return keys_.front()->kid;
}

std::string JwtKeyStore::AnonymousUserId(int64_t user_id) const {
  std::string message = std::to_string(user_id);
  std::string secret;
  {
    std::shared_lock lock(mu_);
    secret = anon_secret_;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &len);
  return Hex(std::string_view(reinterpret_cast<const char*>(mac.data()), len)).substr(0, 32);
}

}  // namespace larch::oauth
