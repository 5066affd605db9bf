// Random: the only source of randomness in Larch, injected so tests are
// deterministic. Security tokens must come from SecureRandom in production.
//
// Thread safety: all implementations are thread-safe.
#ifndef LARCH_COMMON_RANDOM_H_
#define LARCH_COMMON_RANDOM_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "larch/common/mutex.h"

namespace larch {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `size` bytes.
  virtual void Fill(void* out, size_t size) = 0;

  uint64_t NextUint64();
  // Uniform in [0, bound). REQUIRES: bound > 0.
  uint64_t Uniform(uint64_t bound);
  // `bytes` random bytes as lowercase hex (2 * bytes characters).
  std::string HexToken(size_t bytes);
  // `length` characters from [A-Za-z0-9], as Django's get_random_string.
  std::string AlphanumericToken(size_t length);
  // A random (version 4) UUID in canonical lowercase form.
  std::string Uuid4();
};

// OpenSSL's CSPRNG.
class SecureRandom final : public Random {
 public:
  void Fill(void* out, size_t size) override;
  static SecureRandom* Default();
};

// A seeded PRNG for tests: the same seed gives the same sequence.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  void Fill(void* out, size_t size) override;

 private:
  Mutex mu_;
  std::mt19937_64 engine_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch

#endif  // LARCH_COMMON_RANDOM_H_
