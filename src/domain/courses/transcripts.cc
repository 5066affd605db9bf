// Transcript text for the search index (VideoBlock.index_dictionary's
// "transcript_<lang>" content).
#include <string>
#include <string_view>

#include "larch/courses/courses.h"
#include "nlohmann/json.hpp"

namespace larch::courses {
namespace {

bool IsCueNumber(std::string_view line) {
  if (line.empty()) return false;
  for (char c : line) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void AppendWords(std::string& out, std::string_view text) {
  if (text.empty()) return;
  if (!out.empty()) out += ' ';
  out.append(text);
}

}  // namespace

std::string TranscriptText(std::string_view content, TranscriptFormat format) {
  std::string out;
  if (format == TranscriptFormat::kSjson) {
    nlohmann::json parsed = nlohmann::json::parse(content, nullptr, false);
    if (!parsed.is_object()) return out;
    auto text = parsed.find("text");
    if (text == parsed.end() || !text->is_array()) return out;
    for (const nlohmann::json& line : *text) {
      if (line.is_string()) AppendWords(out, line.get_ref<const std::string&>());
    }
    return out;
  }
  // SubRip: cue number, "start --> end", text lines, blank line.
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF &&
        static_cast<unsigned char>(line[1]) == 0xBB &&
        static_cast<unsigned char>(line[2]) == 0xBF) {
      line.remove_prefix(3);  // UTF-8 byte order mark
    }
    if (line.empty() || IsCueNumber(line) || line.find("-->") != std::string_view::npos) continue;
    AppendWords(out, line);
  }
  return out;
}

}  // namespace larch::courses
