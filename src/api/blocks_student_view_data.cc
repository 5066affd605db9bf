// student_view_data of the Blocks API: what HtmlBlock, VideoBlock
// (xmodule/video_block/video_block.py) and DiscussionXBlock return for the
// mobile apps.
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api_internal.h"

namespace larch::api::internal {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using nlohmann::json;

std::string StringOr(const json& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// VideoBlock.student_view_data without VAL (Larch keeps no encodings, so
// upstream's "no VAL data" branch applies): `fallback` is the first html5
// source, `youtube` the 1.0 speed id; transcripts map each language to the
// handler_noauth download URL (runtime.handler_url(..., thirdparty=True)).
json VideoData(const CourseTree& tree, const CatalogBlock& block, std::string_view base_url) {
  auto only = block.fields.find("only_on_web");
  if (only != block.fields.end() && only->is_boolean() && only->get<bool>()) {
    return json{{"only_on_web", true}};
  }
  json sources = json::array();
  if (auto it = block.fields.find("html5_sources"); it != block.fields.end() && it->is_array()) {
    for (const json& source : *it) {
      if (source.is_string() && !source.get_ref<const std::string&>().empty()) {
        sources.push_back(source);
      }
    }
  }
  json encoded = json::object();
  if (!sources.empty()) encoded["fallback"] = {{"url", sources[0]}, {"file_size", 0}};
  std::string youtube = StringOr(block.fields, "youtube_id_1_0");
  if (!youtube.empty()) {
    encoded["youtube"] = {{"url", "https://www.youtube.com/watch?v=" + youtube}, {"file_size", 0}};
  }
  json transcripts = json::object();
  for (const auto& [lang, file] : VideoTranscriptFiles(block.fields)) {
    transcripts[lang] = std::string(base_url) + "/courses/" + tree.course_key + "/xblock/" +
                        block.usage_key + "/handler_noauth/transcript/download?lang=" + lang;
  }
  return json{{"only_on_web", false},
              {"duration", nullptr},
              {"transcripts", std::move(transcripts)},
              {"encoded_videos", std::move(encoded)},
              {"all_sources", std::move(sources)}};
}

bool IsLanguageCode(std::string_view lang) {
  if (lang.empty() || lang.size() > 16) return false;
  for (char c : lang) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::map<std::string, std::string> VideoTranscriptFiles(const json& fields) {
  std::map<std::string, std::string> files;
  if (auto it = fields.find("transcripts"); it != fields.end() && it->is_object()) {
    for (const auto& [lang, file] : it->items()) {
      if (!IsLanguageCode(lang) || !file.is_string()) continue;
      if (file.get_ref<const std::string&>().empty()) continue;
      files[lang] = file.get<std::string>();
    }
  }
  std::string sub = StringOr(fields, "sub");
  if (!sub.empty() && files.count("en") == 0) files["en"] = "subs_" + sub + ".srt.sjson";
  return files;
}

json StudentViewData(const CourseTree& tree, const CatalogBlock& block, std::string_view base_url) {
  if (block.type == "html") return json{{"enabled", true}, {"html", block.student_view_html}};
  if (block.type == "video") return VideoData(tree, block, base_url);
  if (block.type == "discussion") {
    auto it = block.fields.find("discussion_id");
    return json{{"topic_id", it != block.fields.end() ? *it : json(block.block_id)}};
  }
  return nullptr;
}

}  // namespace larch::api::internal
