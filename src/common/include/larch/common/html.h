// HTML escaping for text and attribute values the server writes into pages
// (the unit page, problem views, the small XBlocks' fragments).
//
// Thread safety: pure functions.
#ifndef LARCH_COMMON_HTML_H_
#define LARCH_COMMON_HTML_H_

#include <string>
#include <string_view>

namespace larch {

// Appends `text` to `out` with & < > " ' replaced by their entities, safe in
// element content and in quoted attribute values.
void AppendHtmlEscaped(std::string& out, std::string_view text);

// AppendHtmlEscaped into a new string.
std::string HtmlEscaped(std::string_view text);

}  // namespace larch

#endif  // LARCH_COMMON_HTML_H_
