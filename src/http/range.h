// Conditional and range request headers, shared by StaticFiles and
// ServeContent: If-None-Match (weak comparison) and one "bytes=" range.
#ifndef LARCH_HTTP_RANGE_H_
#define LARCH_HTTP_RANGE_H_

#include <cstdint>
#include <string_view>

namespace larch::http::internal {

// Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored; "*" matches.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

enum class RangeResult { kNone, kRange, kUnsatisfiable };

// One "bytes=a-b" / "a-" / "-n" range of a body of `size` bytes; on kRange
// [first, last] is inside it. Malformed or multi-range headers are ignored
// (kNone), which RFC 9110 allows: the full body is sent.
RangeResult ParseRange(std::string_view header, uint64_t size, uint64_t& first, uint64_t& last);

}  // namespace larch::http::internal

#endif  // LARCH_HTTP_RANGE_H_
