// The unit page's block fragments (unit_page_render.h), after upstream's
// student_view templates in what they show, not in their markup.
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/completion/completion.h"
#include "larch/http/url.h"
#include "unit_page_render.h"

namespace larch::api::internal {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using nlohmann::json;

// Upstream's COMPLETION_BY_VIEWING_DELAY_MS default.
constexpr int kCompletionByViewingDelayMs = 5000;

std::string Str(const json& object, const char* name, std::string fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string Num(const json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) {
    std::string text = value.dump();
    return text;
  }
  return "";
}

bool Truthy(const json& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "true" || it->get<std::string>() == "True";
  return false;
}

std::string HandlerUrl(const CourseTree& tree, const CatalogBlock& block) {
  return "/courses/" + tree.course_key + "/xblock/" + block.usage_key + "/handler/";
}

// Blocks complete by being seen (html and the like) carry the delay after
// which the page's script publishes their completion, as the LMS's vertical
// does (COMPLETION_BY_VIEWING_DELAY_MS).
std::string MarkOnView(std::string_view type) {
  if (!completion::CompletableByViewing(type)) return "";
  return " data-mark-completed-on-view-after-delay=\"" +
         std::to_string(kCompletionByViewingDelayMs) + "\"";
}

std::string Notification() {
  return "<div class=\"notification\" role=\"status\" aria-live=\"polite\" hidden></div>";
}

std::string Bar(const std::string& label, const json& percent, const json& count, bool mine) {
  std::string pct = Num(percent);
  return "<div class=\"bar" + std::string(mine ? " mine" : "") + "\"><span class=\"label\">" +
         HtmlEscape(label) + (mine ? " (your answer)" : "") +
         "</span><span class=\"track\" role=\"img\" aria-label=\"" + pct + "% (" + Num(count) +
         ")\"><span class=\"fill\" style=\"display:block;width:" + pct +
         "%\"></span></span><span class=\"pct\">" + pct + "%</span></div>";
}

std::string Responses(const json& total) {
  int64_t n = total.is_number_integer() ? total.get<int64_t>() : 0;
  return "<p class=\"meta\">" + std::to_string(n) + (n == 1 ? " response" : " responses") + "</p>";
}

}  // namespace

std::string BlockSection(const CourseTree& tree, const CatalogBlock& block,
                         std::string_view fallback_title, const std::string& body) {
  std::string title = block.display_name.empty() ? std::string(fallback_title) : block.display_name;
  std::string id = "title-" + HtmlEscape(block.block_id);
  return "<section class=\"xblock xblock-student_view xblock-" + HtmlEscape(block.type) +
         "\" data-block-type=\"" + HtmlEscape(block.type) + "\" data-usage-id=\"" +
         HtmlEscape(block.usage_key) + "\" data-handler=\"" + HtmlEscape(HandlerUrl(tree, block)) +
         "\"" + MarkOnView(block.type) + " aria-labelledby=\"" + id + "\">\n<h2 id=\"" + id +
         "\">" + HtmlEscape(title) + "</h2>\n" + body + "\n</section>";
}

std::string HtmlBody(const CatalogBlock& block) {
  return "<div class=\"html-content\">" + block.student_view_html + "</div>";
}

std::string VideoBody(const CourseTree& tree, const CatalogBlock& block,
                      const TranscriptChoice& choice) {
  std::string out = "<div class=\"video\">";
  std::vector<std::string> sources;
  if (auto it = block.fields.find("html5_sources"); it != block.fields.end() && it->is_array()) {
    for (const json& s : *it) {
      if (s.is_string() && !s.get_ref<const std::string&>().empty()) sources.push_back(s);
    }
  }
  std::string youtube = Str(block.fields, "youtube_id_1_0");
  std::string label = HtmlEscape(block.display_name.empty() ? "Video" : block.display_name);
  if (!sources.empty()) {
    out += "<video controls preload=\"metadata\" aria-label=\"" + label + "\">";
    for (const std::string& src : sources) {
      std::string type = src.ends_with(".webm")  ? "video/webm"
                         : src.ends_with(".ogv") ? "video/ogg"
                                                 : "video/mp4";
      out += "<source src=\"" + HtmlEscape(src) + "\" type=\"" + type + "\">";
    }
    out += "Your browser cannot play this video.</video>";
  } else if (!youtube.empty()) {
    out += "<iframe class=\"embed\" title=\"" + label + "\" src=\"https://www.youtube.com/embed/" +
           http::PercentEncode(youtube) +
           "\" allow=\"fullscreen; picture-in-picture\" allowfullscreen></iframe>";
  } else {
    out += "<p class=\"panel\">This video has no source yet.</p>";
  }
  out += "<ul class=\"video-links\">";
  if (!youtube.empty()) {
    out += "<li><a href=\"https://www.youtube.com/watch?v=" + http::PercentEncode(youtube) +
           "\">Watch on YouTube</a></li>";
  }
  if (Truthy(block.fields, "download_video") && !sources.empty()) {
    out += "<li><a href=\"" + HtmlEscape(sources.front()) + "\" download>Download video</a></li>";
  }
  std::map<std::string, std::string> files = VideoTranscriptFiles(block.fields);
  std::string chosen;
  std::string primary = choice.preferred_language.substr(0, choice.preferred_language.find('-'));
  if (files.count(choice.preferred_language) != 0) {
    chosen = choice.preferred_language;
  } else if (files.count(primary) != 0) {
    chosen = primary;
  } else if (choice.fallback_to_english && files.count("en") != 0) {
    chosen = "en";
  } else if (choice.fallback_to_english && !files.empty()) {
    chosen = files.begin()->first;
  }
  std::string base = "/courses/" + tree.course_key + "/xblock/" + block.usage_key +
                     "/handler_noauth/transcript/download?lang=";
  if (!chosen.empty()) {
    out += "<li><a class=\"transcript-download\" hreflang=\"" + HtmlEscape(chosen) + "\" href=\"" +
           HtmlEscape(base + chosen) + "\">Download transcript (" + HtmlEscape(chosen) +
           ", .srt)</a></li>";
    if (choice.fallback_to_english) {
      for (const auto& [lang, file] : files) {
        if (lang == chosen) continue;
        out += "<li><a class=\"transcript-download\" hreflang=\"" + HtmlEscape(lang) +
               "\" href=\"" + HtmlEscape(base + lang) + "\">Transcript in " + HtmlEscape(lang) +
               "</a></li>";
      }
    }
  }
  out += "</ul></div>";
  return out;
}

std::string ProblemBody(const json& reply, const json& settings) {
  std::string out;
  json total = reply.value("total_possible", json(0));
  json score = reply.value("current_score", json(nullptr));
  int64_t attempts = reply.value("attempts_used", int64_t{0});
  std::string unit = total == 1 ? " point" : " points";
  out += "<p class=\"meta problem-progress\">";
  out += (score.is_null() || attempts == 0) ? "(" + Num(total) + unit + " possible)"
                                            : "(" + Num(score) + "/" + Num(total) + unit + ")";
  out += "</p>";
  if (std::string due = Str(settings, "due"); !due.empty()) {
    out += "<p class=\"meta\">Due " + HtmlEscape(due) + "</p>";
  }
  out += "<form class=\"problem-form\" novalidate><div class=\"problem-body\">";
  out += Str(reply, "html");
  out +=
      "</div><div class=\"actions\">"
      "<button type=\"submit\" class=\"primary\" data-action=\"problem_check\">Submit</button>"
      "<button type=\"button\" data-action=\"problem_save\">Save</button>";
  if (settings.value("show_answer_button", true)) {
    out += "<button type=\"button\" data-action=\"problem_show\">Show answer</button>";
  }
  if (settings.value("show_reset_button", false)) {
    out += "<button type=\"button\" data-action=\"problem_reset\">Reset</button>";
  }
  out += "</div>";
  json max = settings.value("max_attempts", json(nullptr));
  out += "<p class=\"meta attempts\"";
  if (max.is_number_integer()) {
    out += " data-max-attempts=\"" + Num(max) + "\">You have used " + std::to_string(attempts) +
           " of " + Num(max) + " attempts";
  } else {
    out += ">";
  }
  out += "</p>" + Notification() + "</form>";
  return out;
}

std::string ProblemErrorBody(std::string_view message) {
  return "<div class=\"panel unsupported\" role=\"note\"><p>" + HtmlEscape(message) + "</p></div>";
}

std::string PollBody(const json& view) {
  std::string out =
      "<div class=\"poll\"><div class=\"question\">" + Str(view, "question") + "</div>";
  std::string choice = Str(view, "choice");
  bool can_vote = view.value("can_vote", true);
  std::string block_id = HtmlEscape(Str(view, "block_id"));
  out += "<form class=\"poll-form\"><fieldset><legend class=\"sr-only\">" +
         HtmlEscape(Str(view, "display_name")) + "</legend>";
  int n = 0;
  for (const json& answer : view.value("answers", json::array())) {
    std::string id = "poll-" + block_id + "-" + std::to_string(n++);
    std::string key = Str(answer, "key");
    out += "<div class=\"field\"><input type=\"radio\" name=\"choice\" id=\"" + id + "\" value=\"";
    out += HtmlEscape(key) + "\"";
    out += key == choice ? " checked" : "";
    out += can_vote ? "" : " disabled";
    out += " required><label for=\"" + id + "\">";
    out += HtmlEscape(Str(answer, "label")) + "</label>";
    if (std::string img = Str(answer, "img"); !img.empty()) {
      out += "<img src=\"" + HtmlEscape(img) + "\" alt=\"" + HtmlEscape(Str(answer, "img_alt")) +
             "\">";
    }
    out += "</div>";
  }
  out += "</fieldset><div class=\"actions\"><button type=\"submit\" class=\"primary\"" +
         std::string(can_vote ? "" : " disabled") + ">Submit</button></div></form>";
  out += Notification() + "<div class=\"results\" aria-live=\"polite\">";
  if (view.contains("tally") && view["tally"].is_array()) {
    out += "<h3>Results</h3>";
    for (const json& t : view["tally"]) {
      out += Bar(Str(t, "answer"), t.value("percent", json(0)), t.value("count", json(0)),
                 t.value("choice", false));
    }
    out += Responses(view.value("total", json(0)));
  } else if (!choice.empty()) {
    out += "<p>Thank you. The results are private.</p>";
  }
  out += "</div>";
  if (!choice.empty() && view.value("feedback", json(false)).is_string()) {
    out += "<div class=\"feedback\">" + Str(view, "feedback") + "</div>";
  }
  out += "</div>";
  return out;
}

std::string SurveyBody(const json& view) {
  std::string out =
      "<div class=\"survey\"><form class=\"survey-form\"><table><caption "
      "class=\"sr-only\">" +
      HtmlEscape(Str(view, "block_name", "Survey")) +
      "</caption><thead><tr><th scope=\"col\">Question</th>";
  const json answers = view.value("answers", json::array());
  for (const json& a : answers) {
    out += "<th scope=\"col\">" +
           HtmlEscape(a.is_array() && a.size() == 2 && a[1].is_string() ? a[1].get<std::string>()
                                                                        : std::string()) +
           "</th>";
  }
  out += "</tr></thead><tbody>";
  bool can_vote = view.value("can_vote", true);
  int q_index = 0;
  for (const json& q : view.value("questions", json::array())) {
    std::string key = Str(q, "key");
    std::string chosen = Str(q, "choice");
    std::string qid =
        "survey-" + HtmlEscape(Str(view, "block_id")) + "-" + std::to_string(q_index++);
    out += "<tr><th scope=\"row\" id=\"" + qid + "\">" + HtmlEscape(Str(q, "label")) + "</th>";
    for (const json& a : answers) {
      std::string akey =
          a.is_array() && !a.empty() && a[0].is_string() ? a[0].get<std::string>() : std::string();
      std::string alabel =
          a.is_array() && a.size() == 2 && a[1].is_string() ? a[1].get<std::string>() : akey;
      out += "<td class=\"choice\"><input type=\"radio\" name=\"" + HtmlEscape(key) +
             "\" value=\"" + HtmlEscape(akey) + "\" aria-label=\"" + HtmlEscape(alabel) +
             "\" aria-describedby=\"" + qid + "\"" + (akey == chosen ? " checked" : "") +
             (can_vote ? "" : " disabled") + " required></td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table><div class=\"actions\"><button type=\"submit\" class=\"primary\"" +
         std::string(can_vote ? "" : " disabled") + ">Submit</button></div></form>";
  out += Notification() + "<div class=\"results\" aria-live=\"polite\">";
  if (view.contains("tally") && view["tally"].is_array()) {
    out += "<h3>Results</h3><table><tr><th>Question</th>";
    for (const json& a : answers) {
      out += "<th>" +
             HtmlEscape(a.is_array() && a.size() == 2 && a[1].is_string() ? a[1].get<std::string>()
                                                                          : std::string()) +
             "</th>";
    }
    out += "</tr>";
    for (const json& q : view["tally"]) {
      out += "<tr><th>" + HtmlEscape(Str(q, "label")) + "</th>";
      for (const json& a : q.value("answers", json::array())) {
        out += "<td class=\"choice\">" + Num(a.value("percent", json(0))) + "%" +
               (a.value("choice", false) ? " (yours)" : "") + "</td>";
      }
      out += "</tr>";
    }
    out += "</table>" + Responses(view.value("total", json(0)));
  }
  out += "</div></div>";
  return out;
}

std::string WordCloudBody(const json& settings, const json& state) {
  std::string out = "<div class=\"word-cloud\">";
  if (std::string instructions = Str(settings, "instructions"); !instructions.empty()) {
    out += "<p class=\"instructions\">" + HtmlEscape(instructions) + "</p>";
  }
  bool submitted = state.value("submitted", false);
  if (!submitted) {
    out += "<form class=\"word-cloud-form\">";
    int64_t inputs = settings.value("num_inputs", int64_t{5});
    for (int64_t i = 1; i <= inputs; ++i) {
      std::string id = "word-" + std::to_string(i);
      out += "<div class=\"field\"><label for=\"" + id + "\">Word ";
      out += std::to_string(i) + "</label> <input type=\"text\" id=\"" + id;
      out += "\" name=\"student_words[]\" maxlength=\"100\"></div>";
    }
    out +=
        "<div class=\"actions\"><button type=\"submit\" class=\"primary\">Save</button></div>"
        "</form>";
  }
  out += Notification() + "<div class=\"results\" aria-live=\"polite\">";
  if (submitted) {
    out += "<h3>Word cloud</h3><p>Your words: ";
    std::string mine;
    const json words = state.value("student_words", json::object());
    for (const auto& [word, count] : words.items()) {
      mine += (mine.empty() ? "" : ", ") + HtmlEscape(word);
    }
    out += (mine.empty() ? "(none)" : mine) + "</p><ul class=\"cloud\">";
    int64_t biggest = 1;
    for (const json& w : state.value("top_words", json::array())) {
      biggest = std::max(biggest, w.value("size", int64_t{1}));
    }
    for (const json& w : state.value("top_words", json::array())) {
      double size = 1.0 + 1.5 * static_cast<double>(w.value("size", int64_t{1})) /
                              static_cast<double>(biggest);
      char em[16];
      std::snprintf(em, sizeof(em), "%.2f", size);
      out += "<li style=\"font-size:" + std::string(em) + "rem\" title=\"" +
             Num(w.value("percent", json(0))) + "%\">" + HtmlEscape(Str(w, "text")) + "</li>";
    }
    out += "</ul><p class=\"meta\">Total number of words: " +
           Num(state.value("total_count", json(0))) + "</p>";
  }
  out += "</div></div>";
  return out;
}

std::string AnnotatableBody(const std::string& content_html) {
  return "<div class=\"annotatable\"><p class=\"meta\">Select or hover over the highlighted text "
         "to read its note.</p>" +
         content_html + "</div>";
}

std::string GoogleDocumentBody(const CatalogBlock& block) {
  // GoogleDocumentBlock's default embed (google-drive xblock).
  std::string src =
      "https://docs.google.com/presentation/d/1x2ZuzqHsMoh1epK8VsGAlanSo7r9z55ualwQlj-ofBQ/"
      "embed?start=true&loop=true&delayms=10000";
  std::string embed = Str(block.fields, "embed_code");
  size_t at = embed.find("src=\"");
  if (at != std::string::npos) {
    size_t end = embed.find('"', at + 5);
    std::string candidate = embed.substr(at + 5, end == std::string::npos ? 0 : end - at - 5);
    if (candidate.rfind("https://docs.google.com/", 0) == 0) src = candidate;
  }
  std::string title = Str(block.fields, "alt_text");
  if (title.empty()) title = block.display_name.empty() ? "Google Document" : block.display_name;
  return "<div class=\"google-document\"><iframe class=\"embed\" title=\"" + HtmlEscape(title) +
         "\" src=\"" + HtmlEscape(src) +
         "\" allowfullscreen></iframe><p class=\"meta\"><a href=\"" + HtmlEscape(src) +
         "\">Open the document in a new window</a></p></div>";
}

std::string GoogleCalendarBody(const CatalogBlock& block) {
  std::string id = Str(block.fields, "calendar_id",
                       "edx.org_lom804qe3ttspplj1bgeu1l3ak@group.calendar.google.com");
  int64_t view = 1;
  if (auto it = block.fields.find("default_view"); it != block.fields.end()) {
    if (it->is_number_integer()) view = it->get<int64_t>();
    if (it->is_string() && it->get<std::string>().size() == 1)
      view = it->get<std::string>()[0] - '0';
  }
  const char* modes[] = {"Week", "Month", "Agenda"};
  std::string mode = modes[(view >= 0 && view <= 2) ? view : 1];
  std::string src = "https://www.google.com/calendar/embed?mode=" + mode +
                    "&src=" + http::PercentEncode(id) + "&showCalendars=0";
  std::string title = block.display_name.empty() ? "Google Calendar" : block.display_name;
  return "<div class=\"google-calendar\"><iframe class=\"embed\" title=\"" + HtmlEscape(title) +
         "\" src=\"" + HtmlEscape(src) + "\"></iframe><p class=\"meta\"><a href=\"" +
         HtmlEscape(src) + "\">Open the calendar in a new window</a></p></div>";
}

std::string DiscussionBody(const CatalogBlock& block) {
  std::string category = Str(block.fields, "discussion_category");
  std::string target = Str(block.fields, "discussion_target");
  std::string topic = category.empty() ? target : category + (target.empty() ? "" : " / " + target);
  return "<div class=\"panel discussion\" role=\"note\"><p><strong>Discussion" +
         (topic.empty() ? std::string() : ": " + HtmlEscape(topic)) +
         "</strong></p><p>Discussions are not available on this site yet.</p></div>";
}

std::string UnsupportedBody(const CatalogBlock& block) {
  return "<div class=\"panel unsupported\" role=\"note\"><p>This component (type <code>" +
         HtmlEscape(block.type) + "</code>) is not supported yet.</p></div>";
}

}  // namespace larch::api::internal
