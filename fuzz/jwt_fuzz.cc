// Feeds arbitrary bytes to the JWT verifier as a token, and to the
// base64url decoder. Any input must be rejected with kUnauthenticated (or
// accepted, for a valid token, which random bytes never are), never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "larch/common/random.h"
#include "larch/oauth/jwt.h"

namespace {

larch::oauth::JwtKeyStore* Keys() {
  static larch::oauth::JwtKeyStore* const kKeys = [] {
    static larch::SeededRandom random(1);
    auto dir = std::filesystem::temp_directory_path() / "larch_jwt_fuzz_keys";
    auto store = larch::oauth::JwtKeyStore::Open(dir.string(), random);
    if (!store.ok()) std::abort();
    return std::move(store).value().release();
  }();
  return kKeys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  larch::oauth::VerifyOptions options;
  options.now_seconds = 1'700'000'000;
  options.issuer = "http://127.0.0.1:8000/oauth2";
  auto claims = Keys()->Verify(token, options);
  if (!claims.ok() && claims.status().code() != larch::StatusCode::kUnauthenticated) {
    std::abort();
  }
  auto decoded = larch::oauth::Base64UrlDecode(token);
  if (decoded.ok() && larch::oauth::Base64UrlEncode(*decoded).size() > size + 3) std::abort();
  return 0;
}
