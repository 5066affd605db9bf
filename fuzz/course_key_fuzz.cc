// Feeds arbitrary bytes to every opaque-key parser. A key that parses must
// print to a string that parses back to an equal key; nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "larch/keys/keys.h"

namespace {

template <typename Key>
void CheckRoundTrip(std::string_view text) {
  auto key = Key::Parse(text);
  if (!key.ok()) {
    if (key.status().code() != larch::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  auto again = Key::Parse(key->ToString());
  if (!again.ok() || !(*again == *key) || again->ToString() != key->ToString()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip<larch::keys::CourseKey>(text);
  CheckRoundTrip<larch::keys::LibraryLocator>(text);
  CheckRoundTrip<larch::keys::UsageKey>(text);
  CheckRoundTrip<larch::keys::AssetKey>(text);
  return 0;
}
