#include "larch/accounts/passwords.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <charconv>
#include <string>
#include <vector>

#include "internal.h"
#include "larch/common/strings.h"

namespace larch::accounts {
namespace {

constexpr std::string_view kArgon2Prefix = "argon2$";

// Splits on '$' into exactly `n` parts; false otherwise.
bool SplitDollar(std::string_view s, size_t n, std::vector<std::string_view>* parts) {
  parts->clear();
  size_t start = 0;
  while (true) {
    size_t pos = s.find('$', start);
    if (pos == std::string_view::npos) {
      parts->push_back(s.substr(start));
      break;
    }
    parts->push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return parts->size() == n;
}

std::string Pbkdf2(const EVP_MD* md, std::string_view password, std::string_view salt,
                   int64_t iterations) {
  std::string key(static_cast<size_t>(EVP_MD_size(md)), '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), md,
                        static_cast<int>(key.size()),
                        reinterpret_cast<unsigned char*>(key.data())) != 1) {
    return "";
  }
  return internal::Base64Encode(key);
}

std::string CurrentArgon2Params() {
  return "m=" + std::to_string(kArgon2MemoryKiB) + ",t=" + std::to_string(kArgon2Iterations) +
         ",p=" + std::to_string(kArgon2Parallelism);
}

}  // namespace

std::string Pbkdf2Sha256Hash(std::string_view password, std::string_view salt, int64_t iterations) {
  return "pbkdf2_sha256$" + std::to_string(iterations) + "$" + std::string(salt) + "$" +
         Pbkdf2(EVP_sha256(), password, salt, iterations);
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return HexEncode(digest, SHA256_DIGEST_LENGTH);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

PasswordHasher::PasswordHasher(Random& random) : random_(random) {}

std::string PasswordHasher::Hash(std::string_view password) const {
  // Django's salts are 22 alphanumeric characters used as raw bytes.
  std::string salt = random_.AlphanumericToken(22);
  constexpr size_t kHashLen = 32;
  size_t encoded_len = argon2_encodedlen(kArgon2Iterations, kArgon2MemoryKiB, kArgon2Parallelism,
                                         static_cast<uint32_t>(salt.size()), kHashLen, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(kArgon2Iterations, kArgon2MemoryKiB, kArgon2Parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return UnusablePassword();
  encoded.resize(encoded.find('\0'));
  return "argon2" + encoded;
}

bool PasswordHasher::Verify(std::string_view password, std::string_view encoded) const {
  if (encoded.empty() || encoded.front() == '!') return false;
  if (encoded.substr(0, kArgon2Prefix.size()) == kArgon2Prefix) {
    std::string phc(encoded.substr(kArgon2Prefix.size() - 1));  // keeps the leading '$'
    argon2_type type;
    if (phc.rfind("$argon2id$", 0) == 0) {
      type = Argon2_id;
    } else if (phc.rfind("$argon2i$", 0) == 0) {
      type = Argon2_i;
    } else if (phc.rfind("$argon2d$", 0) == 0) {
      type = Argon2_d;
    } else {
      return false;
    }
    return argon2_verify(phc.c_str(), password.data(), password.size(), type) == ARGON2_OK;
  }
  std::vector<std::string_view> parts;
  if (!SplitDollar(encoded, 4, &parts)) return false;
  const EVP_MD* md = nullptr;
  if (parts[0] == "pbkdf2_sha256") {
    md = EVP_sha256();
  } else if (parts[0] == "pbkdf2_sha1") {
    md = EVP_sha1();
  } else {
    return false;
  }
  int64_t iterations = 0;
  auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  // The cap keeps a forged hash from pinning a CPU for minutes.
  if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || iterations < 1 ||
      iterations > 10'000'000) {
    return false;
  }
  std::string computed = Pbkdf2(md, password, parts[2], iterations);
  return !computed.empty() && ConstantTimeEquals(computed, parts[3]);
}

bool PasswordHasher::NeedsUpgrade(std::string_view encoded) const {
  static const std::string kCurrent = "argon2$argon2id$v=19$" + CurrentArgon2Params() + "$";
  return encoded.substr(0, kCurrent.size()) != kCurrent;
}

std::string PasswordHasher::UnusablePassword() const { return "!" + random_.AlphanumericToken(40); }

}  // namespace larch::accounts
