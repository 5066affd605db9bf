// The unit page's HTML (api/unit_page_routes.h): the page shell with its
// stylesheet and script, and one fragment per block type. Pure functions:
// every value that comes from a course or a learner is escaped here, except
// html blocks' bodies (course authors' HTML, as upstream renders it).
#ifndef LARCH_API_UNIT_PAGE_RENDER_H_
#define LARCH_API_UNIT_PAGE_RENDER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/courses/course_catalog.h"

namespace larch::api::internal {

// `text` with & < > " ' escaped for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

struct UnitPage {
  std::string title;
  // show_title=0 keeps the heading for screen readers only.
  bool show_title = true;
  std::string csrf_token;
  std::string usage_key;
  // The blocks' fragments in order (BlockSection each).
  std::vector<std::string> sections;
};
std::string RenderUnitPage(const UnitPage& page);

// The 404 page of a unit that does not exist for the caller.
std::string RenderNotFoundPage();

// A block's <section>, titled with its display name (or `fallback_title`),
// whose data-handler attribute is the block's handler URL prefix.
std::string BlockSection(const courses::CourseTree& tree, const courses::CatalogBlock& block,
                         std::string_view fallback_title, const std::string& body);

std::string HtmlBody(const courses::CatalogBlock& block);

// Which transcript to offer: the learner's language when the video has it,
// else English when FALLBACK_TO_ENGLISH_TRANSCRIPTS is on and there is one,
// else (fallback on) the first language there is; nothing when the flag is
// off and the learner's language is missing.
struct TranscriptChoice {
  std::string preferred_language = "en";
  bool fallback_to_english = true;
};
std::string VideoBody(const courses::CourseTree& tree, const courses::CatalogBlock& block,
                      const TranscriptChoice& choice);

// `reply` is ProblemService's problem_get reply; `settings` what the
// header and buttons need: max_attempts (int or null), show_reset_button,
// due (ISO text or null).
std::string ProblemBody(const nlohmann::json& reply, const nlohmann::json& settings);
// A problem that does not build (parse error) or whose state cannot be read.
std::string ProblemErrorBody(std::string_view message);

std::string PollBody(const nlohmann::json& view);
std::string SurveyBody(const nlohmann::json& view);
std::string WordCloudBody(const nlohmann::json& settings, const nlohmann::json& state);
std::string AnnotatableBody(const std::string& content_html);
std::string GoogleDocumentBody(const courses::CatalogBlock& block);
std::string GoogleCalendarBody(const courses::CatalogBlock& block);
std::string DiscussionBody(const courses::CatalogBlock& block);
std::string UnsupportedBody(const courses::CatalogBlock& block);

}  // namespace larch::api::internal

#endif  // LARCH_API_UNIT_PAGE_RENDER_H_
