// Django-compatible password hashing, so that hashes imported from an Open
// edX database verify unchanged and hashes written by Larch verify in Django.
//
// Verifies Django's "pbkdf2_sha256$<iterations>$<salt>$<b64 hash>",
// "pbkdf2_sha1$..." and "argon2$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>"
// (also argon2i/argon2d) formats. New hashes are argon2id in Django's
// format with kArgon2MemoryKiB / kArgon2Iterations / kArgon2Parallelism:
// OWASP's minimum recommendation (19 MiB, t=2, p=1), which keeps one login
// around 20-40 ms on one core instead of Django's default (m=102400, t=2,
// p=8). Hashes with any other algorithm or parameters report NeedsUpgrade,
// and a successful login re-hashes them.
//
// Thread safety: PasswordHasher is thread-safe when its Random is (all
// Larch Random implementations are).
#ifndef LARCH_ACCOUNTS_PASSWORDS_H_
#define LARCH_ACCOUNTS_PASSWORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "larch/common/random.h"

namespace larch::accounts {

inline constexpr uint32_t kArgon2MemoryKiB = 19'456;
inline constexpr uint32_t kArgon2Iterations = 2;
inline constexpr uint32_t kArgon2Parallelism = 1;

class PasswordHasher {
 public:
  explicit PasswordHasher(Random& random);

  // An argon2id hash in Django's format with a fresh 22-character salt.
  std::string Hash(std::string_view password) const;
  // True when `password` matches `encoded`. False for malformed or unknown
  // formats and for unusable passwords ("!..." or empty).
  bool Verify(std::string_view password, std::string_view encoded) const;
  // True for anything but argon2id with the current parameters.
  bool NeedsUpgrade(std::string_view encoded) const;
  // A Django "unusable password" ("!" + 40 random characters).
  std::string UnusablePassword() const;

 private:
  Random& random_;
};

// Django's make_password for pbkdf2_sha256 with an explicit salt and
// iteration count; for tests and tools that need Django-compatible fixtures.
std::string Pbkdf2Sha256Hash(std::string_view password, std::string_view salt, int64_t iterations);

// SHA-256 of `token` as lowercase hex: how every bearer secret is stored.
std::string TokenHash(std::string_view token);
// Constant-time equality for hashes of equal length (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_PASSWORDS_H_
