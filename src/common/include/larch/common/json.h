// One depth-checked JSON parse for every piece of outside input.
//
// nlohmann's parser is iterative, but much of what follows a parse is not:
// copying a value, dump(), comparisons and our own walkers recurse once per
// nesting level, so a body of a million '[' overflows the stack. ParseJson
// scans the text first and refuses nesting deeper than a limit before
// nlohmann builds anything. Django/DRF has no explicit limit (Python's
// recursion limit ends a deep parse with an error); kMaxJsonDepth is far
// above anything a real client sends.
//
// Thread safety: pure functions.
#ifndef LARCH_COMMON_JSON_H_
#define LARCH_COMMON_JSON_H_

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"

namespace larch {

// Deepest nesting of arrays and objects accepted from outside input.
inline constexpr size_t kMaxJsonDepth = 200;

// True when no array or object in `text` is nested deeper than `max_depth`
// (brackets inside strings do not count). Does not validate the rest of the
// syntax; runs in linear time and constant space.
bool JsonDepthWithin(std::string_view text, size_t max_depth = kMaxJsonDepth);

// Parses `text` as one JSON value. InvalidArgument (error code
// "json_too_deep") when it nests deeper than `max_depth`; InvalidArgument
// (error code "json_parse_error") when it is not JSON or not valid UTF-8.
// The message starts with "JSON parse error - " as DRF's does.
StatusOr<nlohmann::json> ParseJson(std::string_view text, size_t max_depth = kMaxJsonDepth);

}  // namespace larch

#endif  // LARCH_COMMON_JSON_H_
