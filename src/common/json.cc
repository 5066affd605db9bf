#include "larch/common/json.h"

#include <string>

namespace larch {

bool JsonDepthWithin(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        // Unbalanced closers are a syntax error the parser reports.
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

StatusOr<nlohmann::json> ParseJson(std::string_view text, size_t max_depth) {
  if (!JsonDepthWithin(text, max_depth)) {
    return InvalidArgumentError("JSON parse error - nesting deeper than " +
                                std::to_string(max_depth) + " levels")
        .WithErrorCode("json_too_deep")
        .WithUserMessage("The request body is nested too deeply.");
  }
  // The lexer rejects ill-formed UTF-8, so no separate validation is needed.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InvalidArgumentError("JSON parse error - not valid JSON (or not valid UTF-8)")
        .WithErrorCode("json_parse_error");
  }
  return parsed;
}

}  // namespace larch
