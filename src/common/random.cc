#include "larch/common/random.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>

#include "larch/common/strings.h"

namespace larch {

uint64_t Random::NextUint64() {
  uint64_t v;
  Fill(&v, sizeof(v));
  return v;
}

uint64_t Random::Uniform(uint64_t bound) {
  // Rejection sampling removes modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  uint64_t v;
  do {
    v = NextUint64();
  } while (v >= limit);
  return v % bound;
}

std::string Random::HexToken(size_t bytes) {
  std::string raw(bytes, '\0');
  Fill(raw.data(), bytes);
  return HexEncode(raw);
}

std::string Random::AlphanumericToken(size_t length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out.push_back(kChars[Uniform(sizeof(kChars) - 1)]);
  return out;
}

std::string Random::Uuid4() {
  unsigned char b[16];
  Fill(b, sizeof(b));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string out = HexEncode(b, sizeof(b));
  static constexpr size_t kDashes[] = {8, 13, 18, 23};
  for (size_t dash : kDashes) out.insert(dash, 1, '-');
  return out;
}

void SecureRandom::Fill(void* out, size_t size) {
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) {
    // Without entropy no token we hand out would be safe; there is no
    // meaningful way to continue.
    std::abort();
  }
}

SecureRandom* SecureRandom::Default() {
  static SecureRandom* const kRandom = new SecureRandom();
  return kRandom;
}

void SeededRandom::Fill(void* out, size_t size) {
  MutexLock lock(mu_);
  auto* p = static_cast<unsigned char*>(out);
  while (size > 0) {
    uint64_t v = engine_();
    size_t n = size < sizeof(v) ? size : sizeof(v);
    std::memcpy(p, &v, n);
    p += n;
    size -= n;
  }
}

}  // namespace larch
