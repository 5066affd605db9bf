// Small string helpers shared by every module.
//
// Thread safety: pure functions.
#ifndef LARCH_COMMON_STRINGS_H_
#define LARCH_COMMON_STRINGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larch {

// ASCII letters lowercased, every other byte (UTF-8 included) unchanged, so
// the result does not depend on the C locale.
std::string AsciiLower(std::string_view text);

// A SQL LIKE pattern matching `text` (lowercased) anywhere, with `%`, `_`
// and `\` escaped for `LIKE ? ESCAPE '\'` against a lowercased column:
// Django's `__icontains`.
std::string LikeContainsPattern(std::string_view text);

// `text` without leading and trailing spaces and tabs (HTTP's optional
// white space, header and address parsing).
std::string_view TrimBlanks(std::string_view text);

// `text` without leading and trailing ASCII white space (" \t\n\v\f\r", what
// isspace() accepts in the "C" locale).
std::string_view TrimAsciiWhitespace(std::string_view text);

// `text` cut at every `separator`, empty parts kept: n separators give n + 1
// parts ("a,,b" -> "a", "", "b"; "" -> one empty part). The views point into
// `text`.
std::vector<std::string_view> Split(std::string_view text, char separator);
// Split, each part copied.
std::vector<std::string> SplitToStrings(std::string_view text, char separator);

// Two lowercase hex digits per byte ("\x01\xab" -> "01ab"): digests, tokens.
std::string HexEncode(std::string_view bytes);
inline std::string HexEncode(const unsigned char* bytes, size_t size) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

// Appends `value` in lowercase hex without leading zeros ("0" for zero):
// ETags, chunk sizes, trace ids.
void AppendHexNumber(std::string& out, uint64_t value);

// Appends `text` as a quoted JSON string: '"' and '\\' escaped, control
// bytes (and DEL) as \u00XX; other bytes, UTF-8 included, pass through
// unchanged (a log reader copes with bad UTF-8 better than lost characters).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace larch

#endif  // LARCH_COMMON_STRINGS_H_
