// Small string helpers shared by every module.
//
// Thread safety: pure functions.
#ifndef LARCH_COMMON_STRINGS_H_
#define LARCH_COMMON_STRINGS_H_

#include <string>
#include <string_view>

namespace larch {

// ASCII letters lowercased, every other byte (UTF-8 included) unchanged, so
// the result does not depend on the C locale.
std::string AsciiLower(std::string_view text);

}  // namespace larch

#endif  // LARCH_COMMON_STRINGS_H_
