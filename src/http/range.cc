// If-None-Match and Range parsing (range.h).
#include "range.h"

#include "larch/common/strings.h"

namespace larch::http::internal {
namespace {

bool ParseUint(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace

// Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  if (TrimBlanks(header) == "*") return true;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = TrimBlanks(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

RangeResult ParseRange(std::string_view header, uint64_t size, uint64_t& first, uint64_t& last) {
  header = TrimBlanks(header);
  if (!header.starts_with("bytes=")) return RangeResult::kNone;
  std::string_view spec = TrimBlanks(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeResult::kNone;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kNone;
  std::string_view a = TrimBlanks(spec.substr(0, dash));
  std::string_view b = TrimBlanks(spec.substr(dash + 1));
  if (a.empty()) {
    uint64_t suffix;
    if (!ParseUint(b, suffix)) return RangeResult::kNone;
    if (suffix == 0 || size == 0) return RangeResult::kUnsatisfiable;
    first = suffix >= size ? 0 : size - suffix;
    last = size - 1;
    return RangeResult::kRange;
  }
  if (!ParseUint(a, first)) return RangeResult::kNone;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!ParseUint(b, last) || last < first) {
    return RangeResult::kNone;
  }
  if (first >= size) return RangeResult::kUnsatisfiable;
  if (last >= size) last = size - 1;
  return RangeResult::kRange;
}

}  // namespace larch::http::internal
