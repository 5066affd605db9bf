// Transcript files of course exports: their text for the search index
// (VideoBlock.index_dictionary's "transcript_<lang>" content) and legacy
// .srt.sjson transcripts as SubRip for the transcript download handler.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "larch/common/json.h"
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

std::string SrtTime(int64_t ms) {
  if (ms < 0) ms = 0;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%02lld:%02lld:%02lld,%03lld",
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buffer;
}

}  // namespace

std::string SjsonToSrt(std::string_view content) {
  nlohmann::json parsed = nlohmann::json::parse(content, nullptr, false);
  std::string out;
  if (!parsed.is_object()) return out;
  auto start = parsed.find("start");
  auto end = parsed.find("end");
  auto text = parsed.find("text");
  if (start == parsed.end() || end == parsed.end() || text == parsed.end() || !start->is_array() ||
      !end->is_array() || !text->is_array()) {
    return out;
  }
  size_t n = std::min({start->size(), end->size(), text->size()});
  for (size_t i = 0; i < n; ++i) {
    const nlohmann::json& from = (*start)[i];
    const nlohmann::json& to = (*end)[i];
    const nlohmann::json& line = (*text)[i];
    if (!from.is_number_integer() || !to.is_number_integer() || !line.is_string()) continue;
    out += std::to_string(i + 1) + "\n" + SrtTime(from.get<int64_t>()) + " --> " +
           SrtTime(to.get<int64_t>()) + "\n" + line.get<std::string>() + "\n\n";
  }
  return out;
}

std::string TranscriptText(std::string_view content, TranscriptFormat format) {
  std::string out;
  if (format == TranscriptFormat::kSjson) {
    StatusOr<nlohmann::json> checked = ParseJson(content);
    if (!checked.ok() || !checked->is_object()) return out;
    const nlohmann::json& parsed = *checked;
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
