// GET /xblock/{usage_key}: the unit page (api/unit_page_routes.h).
#include "larch/api/unit_page_routes.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/common/clock.h"
#include "larch/common/strings.h"
#include "larch/courses/courses.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"
#include "unit_page_render.h"

namespace larch::api {
namespace {

using content_gate::ContentAccess;
using content_gate::ContentGate;
using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;
using nlohmann::json;

Response NotFoundPage() {
  Response response = Response::Html(404, internal::RenderNotFoundPage());
  response.SetHeader("Cache-Control", "no-cache, no-store, must-revalidate");
  return response;
}

// The learner's language for transcripts: the first Accept-Language tag.
std::string PreferredLanguage(const Request& request) {
  std::optional<std::string_view> header = request.Header("Accept-Language");
  if (!header.has_value()) return "en";
  std::string first(header->substr(0, header->find_first_of(",;")));
  std::string lang;
  for (char c : first) {
    if (c == ' ') continue;
    lang += c;
  }
  lang = AsciiLower(lang);
  if (lang.empty() || lang == "*") return "en";
  return lang;
}

class UnitPageRoutes {
 public:
  explicit UnitPageRoutes(UnitPageRoutesContext& ctx) : ctx_(ctx) {}

  Response Render(Request& request) {
    std::string view = request.Query("view").value_or("student_view");
    if (view != "student_view" && view != "public_view") {
      return Response::Text(400, "Rendering of the xblock view '" + internal::HtmlEscape(view) +
                                     "' is not supported.");
    }
    StatusOr<keys::UsageKey> usage =
        keys::UsageKey::Parse(std::string(request.PathParam("usage_id")));
    if (!usage.ok()) return NotFoundPage();
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return NotFoundPage();
    std::string course_key = usage->course_key().ToString();
    StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return NotFoundPage();
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    int index = (*tree)->Find(usage->ToString());
    if (index < 0) return NotFoundPage();
    bool global_staff = caller->is_staff || caller->is_superuser;
    content_gate::CourseAccess roles =
        ctx_.gate.RolesFor(caller->user_id, global_staff, course_key);
    if (!roles.staff) {
      StatusOr<std::optional<enrollment::Enrollment>> enrolled =
          ctx_.enrollments.Get(caller->user_id, course_key);
      if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), request.request_id());
      if (!enrolled->has_value() || !(*enrolled)->is_active) return NotFoundPage();
    }
    StatusOr<ContentAccess> access = ctx_.gate.AccessFor(caller->user_id, global_staff, course_key);
    if (!access.ok()) return http::ErrorResponse(access.status(), request.request_id());
    if (!ContentGate::VisibleWithAncestors(**tree, index, *access)) return NotFoundPage();
    for (int i = index; i >= 0; i = (*tree)->blocks[static_cast<size_t>(i)].parent) {
      if (ContentGate::HiddenAfterDue((*tree)->blocks[static_cast<size_t>(i)], *access)) {
        return NotFoundPage();
      }
    }
    const CatalogBlock& block = (*tree)->blocks[static_cast<size_t>(index)];
    std::optional<std::string> exam_notice;
    if (ctx_.exams != nullptr) {
      // SequenceBlock.descendants_are_gated: a unit of a timed exam that is
      // not running redirects to its sequence, which shows the exam's page.
      int sequence = EnclosingSequence(**tree, index);
      if (sequence >= 0) {
        StatusOr<special_exams::SequenceGate> gate =
            ctx_.exams->GateFor(**tree, sequence, caller->user_id, roles.staff);
        if (!gate.ok()) return http::ErrorResponse(gate.status(), request.request_id());
        if (!gate->content_open) {
          if (sequence != index) {
            return Response::Redirect("/xblock/" +
                                      (*tree)->blocks[static_cast<size_t>(sequence)].usage_key);
          }
          exam_notice = ExamNotice(gate->status);
        }
      }
    }
    Viewer viewer{caller->user_id, roles.staff, *tree, *access, PreferredLanguage(request)};
    internal::UnitPage page;
    page.title = block.display_name.empty() ? block.type : block.display_name;
    page.show_title = request.Query("show_title").value_or("1") == "1";
    page.usage_key = block.usage_key;
    if (exam_notice.has_value()) {
      page.sections.push_back(*exam_notice);
    } else if (block.type == "vertical") {
      AddChildren(viewer, index, page.sections);
    } else {
      page.sections.push_back(Section(viewer, index));
    }
    Response response;
    page.csrf_token = internal::EnsureCsrfCookie(request, response, ctx_.accounts);
    Response html = Response::Html(200, internal::RenderUnitPage(page));
    for (const auto& [name, value] : response.headers) html.AddHeader(name, value);
    html.SetHeader("Cache-Control", "no-cache, no-store, must-revalidate");
    return html;
  }

 private:
  struct Viewer {
    int64_t user_id = 0;
    bool staff = false;
    std::shared_ptr<const CourseTree> tree;
    ContentAccess access;
    std::string language;
  };

  // The timed exam's page in place of its content (edx-proctoring's
  // timed_exam templates, shortened): the learner starts, resumes or ends
  // the exam from the learning app.
  static std::string ExamNotice(const std::string& status) {
    std::string text =
        "This exam has a time limit. Start it from the course to see its content; once "
        "started, you must complete and submit it in the time allowed.";
    if (status == "ready_to_submit") {
      text =
          "Are you sure that you want to submit your timed exam? Return to the course to "
          "submit it or go back to the exam.";
    } else if (status == "submitted") {
      text =
          "You have submitted your timed exam. After you submit, you cannot change your "
          "answers.";
    } else if (!status.empty() && status != "created") {
      text = "This timed exam is closed.";
    }
    return "<div class=\"larch-exam-gate\" role=\"status\"><p>" + internal::HtmlEscape(text) +
           "</p></div>";
  }

  static bool Shown(const Viewer& v, int index) {
    const CatalogBlock& block = v.tree->blocks[static_cast<size_t>(index)];
    return ContentGate::Visible(block, v.access) &&
           !ContentGate::DeniedByMilestones(block, v.access) &&
           !ContentGate::HiddenAfterDue(block, v.access);
  }

  void AddChildren(const Viewer& v, int index, std::vector<std::string>& out) {
    for (int child : v.tree->blocks[static_cast<size_t>(index)].children) {
      if (!Shown(v, child)) continue;
      if (v.tree->blocks[static_cast<size_t>(child)].type == "vertical") {
        AddChildren(v, child, out);
      } else {
        out.push_back(Section(v, child));
      }
    }
  }

  std::string Section(const Viewer& v, int index) {
    const CourseTree& tree = *v.tree;
    const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
    return internal::BlockSection(tree, block, DefaultTitle(block.type), Body(v, index));
  }

  static std::string DefaultTitle(const std::string& type) {
    if (type == "html") return "Text";
    if (type == "video") return "Video";
    if (type == "problem") return "Problem";
    if (type == "poll") return "Poll";
    if (type == "survey") return "Survey";
    if (type == "word_cloud") return "Word cloud";
    if (type == "discussion") return "Discussion";
    if (type == "annotatable") return "Annotation";
    if (type == "google-document") return "Google Document";
    if (type == "google-calendar") return "Google Calendar";
    return type;
  }

  std::string Rewritten(const CourseTree& tree, const std::string& html) {
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(tree.course_key);
    return key.ok() ? courses::RewriteStaticUrls(html, *key) : html;
  }

  std::string Body(const Viewer& v, int index) {
    const CourseTree& tree = *v.tree;
    const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
    builtin_blocks::BlockCall call{v.user_id, v.staff, v.tree, index};
    const std::string& type = block.type;
    if (type == "html") return internal::HtmlBody(block);
    if (type == "video" || type == "videoalpha") {
      internal::TranscriptChoice choice;
      choice.preferred_language = v.language;
      choice.fallback_to_english =
          ctx_.accounts.settings.Feature("FALLBACK_TO_ENGLISH_TRANSCRIPTS");
      return internal::VideoBody(tree, block, choice);
    }
    if (type == "problem") return ProblemBody(v, index);
    if (type == "poll" || type == "survey") {
      StatusOr<json> view =
          type == "poll" ? ctx_.blocks.PollView(call) : ctx_.blocks.SurveyView(call);
      if (!view.ok()) return internal::ProblemErrorBody("This component cannot be shown now.");
      return Rewritten(tree,
                       type == "poll" ? internal::PollBody(*view) : internal::SurveyBody(*view));
    }
    if (type == "word_cloud") {
      StatusOr<json> state = ctx_.blocks.WordCloudState(call);
      if (!state.ok()) return internal::ProblemErrorBody("This component cannot be shown now.");
      return internal::WordCloudBody(builtin_blocks::BuiltinBlockService::WordCloudSettings(block),
                                     *state);
    }
    if (type == "annotatable") {
      return internal::AnnotatableBody(
          Rewritten(tree, builtin_blocks::AnnotatableHtml(block.data)));
    }
    if (type == "google-document") return internal::GoogleDocumentBody(block);
    if (type == "google-calendar") return internal::GoogleCalendarBody(block);
    if (type == "discussion") return internal::DiscussionBody(block);
    if (!block.children.empty() && type != "vertical") return ChildLinks(v, index);
    return internal::UnsupportedBody(block);
  }

  std::string ProblemBody(const Viewer& v, int index) {
    problems::ProblemRequest get{v.user_id, v.staff, v.tree, index, "problem_get", {}};
    StatusOr<json> reply = ctx_.problems.Handle(get);
    if (!reply.ok()) {
      return internal::ProblemErrorBody("This problem cannot be shown now; try again later.");
    }
    if (!reply->contains("html")) {
      return internal::ProblemErrorBody(reply->value("success", problems::kGenericErrorMessage));
    }
    std::shared_ptr<const problems::ProblemService::Loaded> loaded =
        ctx_.problems.Load(*v.tree, index);
    const problems::ProblemSettings& s = loaded->settings;
    json settings = {{"max_attempts", s.max_attempts ? json(*s.max_attempts) : json(nullptr)},
                     {"show_reset_button", s.show_reset_button},
                     {"show_answer_button", s.showanswer != "never"},
                     {"due", s.due ? json(FormatIso8601(*s.due)) : json(nullptr)}};
    return Rewritten(*v.tree, internal::ProblemBody(*reply, settings));
  }

  // Containers other than verticals (a sequence, a chapter): links to
  // their children's own pages.
  std::string ChildLinks(const Viewer& v, int index) {
    std::string out = "<nav class=\"panel\" aria-label=\"Contents\"><ul>";
    for (int child : v.tree->blocks[static_cast<size_t>(index)].children) {
      if (!Shown(v, child)) continue;
      const CatalogBlock& c = v.tree->blocks[static_cast<size_t>(child)];
      out += "<li><a href=\"/xblock/" + internal::HtmlEscape(c.usage_key) + "\">" +
             internal::HtmlEscape(c.display_name.empty() ? c.type : c.display_name) + "</a></li>";
    }
    return out + "</ul></nav>";
  }

  UnitPageRoutesContext& ctx_;
};

}  // namespace

void RegisterUnitPageRoutes(http::Router& router, UnitPageRoutesContext& context) {
  auto routes = std::make_shared<UnitPageRoutes>(context);
  router.Get("/xblock/{usage_id}", [routes](Request& request) { return routes->Render(request); });
}

}  // namespace larch::api
