#include "larch/api/outline_routes.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/completion/completion.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoCredentials[] = "Authentication credentials were not provided.";

// A block setting (the inherited value first when `inherited`); null reads
// as unset.
const json* Setting(const CatalogBlock& block, const char* name, bool inherited) {
  if (inherited) {
    auto it = block.inherited.find(name);
    if (it != block.inherited.end()) return it->is_null() ? nullptr : &*it;
  }
  auto it = block.fields.find(name);
  return it == block.fields.end() || it->is_null() ? nullptr : &*it;
}

// has_score and a weight that is not 0 (recurse_mark_scored).
bool Scored(const CatalogBlock& block) {
  if (block.type != "problem") return false;
  const json* weight = Setting(block, "weight", false);
  return weight == nullptr || !weight->is_number() || weight->get<double>() > 0;
}

// The inherited `graded` setting.
bool Graded(const CatalogBlock& block) {
  const json* graded = Setting(block, "graded", true);
  if (graded == nullptr) return false;
  return graded->is_boolean() ? graded->get<bool>()
                              : graded->is_string() && graded->get<std::string>() == "true";
}

std::optional<int64_t> TimeSetting(const CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name, true);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  StatusOr<int64_t> micros = ParseIso8601(value->get<std::string>());
  if (!micros.ok()) return std::nullopt;
  return *micros;
}

// The outline's course_blocks over the blocks the viewer sees.
class OutlineWriter {
 public:
  OutlineWriter(const CourseTree& tree, const std::vector<bool>& visible,
                const completion::CourseCompletion* done, std::string base, bool enable_links)
      : tree_(tree),
        visible_(visible),
        done_(done),
        base_(std::move(base)),
        enable_links_(enable_links) {
    scored_.assign(tree.blocks.size(), false);
    graded_problems_.assign(tree.blocks.size(), 0);
    Count(tree.root);
  }

  json CourseBlocks() {
    json blocks = json::object();
    Emit(tree_.root, blocks);
    return {{"root", tree_.blocks[static_cast<size_t>(tree_.root)].usage_key},
            {"blocks", std::move(blocks)}};
  }

  std::string JumpUrl(int index) const {
    return base_ + "/courses/" + tree_.course_key + "/jump_to/" +
           tree_.blocks[static_cast<size_t>(index)].usage_key;
  }

  // get_start_block: the first block down the first children.
  int StartBlock() const {
    int index = tree_.root;
    for (;;) {
      int next = -1;
      for (int child : tree_.blocks[static_cast<size_t>(index)].children) {
        if (visible_[static_cast<size_t>(child)]) {
          next = child;
          break;
        }
      }
      if (next < 0) return index;
      index = next;
    }
  }

 private:
  // scored and num_graded_problems over the visible subtree.
  void Count(int index) {
    const size_t i = static_cast<size_t>(index);
    const CatalogBlock& block = tree_.blocks[i];
    bool scored = Scored(block);
    int graded = scored && Graded(block) && block.type != "lti" && block.type != "lti_consumer";
    for (int child : block.children) {
      if (!visible_[static_cast<size_t>(child)]) continue;
      Count(child);
      scored = scored || scored_[static_cast<size_t>(child)];
      graded += graded_problems_[static_cast<size_t>(child)];
    }
    scored_[i] = scored;
    graded_problems_[i] = graded;
  }

  // CourseBlockSerializer.get_blocks: down to the sequentials.
  void Emit(int index, json& blocks) {
    const size_t i = static_cast<size_t>(index);
    const CatalogBlock& block = tree_.blocks[i];
    std::vector<int> children;
    if (block.type != "sequential") {
      for (int child : block.children) {
        if (visible_[static_cast<size_t>(child)]) children.push_back(child);
      }
    }
    std::string display_name = block.display_name;
    if (block.type == "sequential" && graded_problems_[i] > 0) {
      int n = graded_problems_[i];
      display_name += " (" + std::to_string(n) + (n == 1 ? " Question)" : " Questions)");
    }
    json child_ids = json::array();
    for (int child : children)
      child_ids.push_back(tree_.blocks[static_cast<size_t>(child)].usage_key);
    const json* format = Setting(block, "format", false);
    const json* due = Setting(block, "due", true);
    json has_scheduled = nullptr;
    if (index == tree_.root) has_scheduled = HasScheduledContent();
    blocks[block.usage_key] = {
        {"children", std::move(child_ids)},
        {"complete", done_ != nullptr && done_->complete[i]},
        {"description", format != nullptr ? *format : json(nullptr)},
        {"display_name", display_name},
        {"due", due != nullptr ? internal::ApiDateTime(*due) : json(nullptr)},
        {"effort_activities", nullptr},
        {"effort_time", nullptr},
        {"icon", Graded(block) && scored_[i] ? json("fa-pencil-square-o") : json(nullptr)},
        {"id", block.usage_key},
        {"lms_web_url", enable_links_ ? json(JumpUrl(index)) : json(nullptr)},
        {"resume_block", done_ != nullptr && done_->resume[i]},
        {"type", block.type},
        {"has_scheduled_content", has_scheduled},
        {"hide_from_toc", block.hide_from_toc}};
    for (int child : children) Emit(child, blocks);
  }

  // Whether content opens later: a block the viewer does not see yet only
  // because it has not started.
  bool HasScheduledContent() const {
    for (size_t i = 0; i < tree_.blocks.size(); ++i) {
      const CatalogBlock& block = tree_.blocks[i];
      if (!visible_[i] && !block.visible_to_staff_only && block.start.has_value() &&
          (block.parent < 0 || visible_[static_cast<size_t>(block.parent)])) {
        return true;
      }
    }
    return false;
  }

  const CourseTree& tree_;
  const std::vector<bool>& visible_;
  const completion::CourseCompletion* done_;
  std::string base_;
  bool enable_links_;
  std::vector<bool> scored_;
  std::vector<int> graded_problems_;
};

// The fields every caller gets, at their defaults.
json DefaultBody(const std::string& base, const std::string& course_key) {
  return {{"access_expiration", nullptr},
          {"cert_data", nullptr},
          {"course_blocks", nullptr},
          {"course_goals", {{"selected_goal", nullptr}, {"weekly_learning_goal_enabled", false}}},
          {"course_tools", json::array()},
          {"dates_banner_info",
           {{"content_type_gating_enabled", false},
            {"missed_deadlines", false},
            {"missed_gated_content", false},
            {"verified_upgrade_link", nullptr}}},
          {"dates_widget",
           {{"course_date_blocks", json::array()},
            {"dates_tab_link", base + "/course/" + course_key + "/dates"},
            {"user_timezone", nullptr}}},
          {"enable_proctored_exams", false},
          {"enroll_alert", {{"can_enroll", true}, {"extra_text", nullptr}}},
          {"enrollment_mode", nullptr},
          {"handouts_html", nullptr},
          {"has_ended", false},
          {"offer", nullptr},
          {"resume_course", {{"has_visited_course", false}, {"url", nullptr}}},
          {"user_has_passing_grade", false},
          {"verified_mode", nullptr},
          {"welcome_message_html", nullptr}};
}

// The latest row (get_latest_block_completed), nullptr when none.
const completion::BlockCompletion* LatestOf(const std::vector<completion::BlockCompletion>& rows) {
  const completion::BlockCompletion* latest = nullptr;
  for (const completion::BlockCompletion& row : rows) {
    if (latest == nullptr || row.modified > latest->modified ||
        (row.modified == latest->modified && row.id > latest->id)) {
      latest = &row;
    }
  }
  return latest;
}

class OutlineRoutes {
 public:
  explicit OutlineRoutes(OutlineRoutesContext& ctx) : ctx_(ctx) {}

  Response Outline(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    std::string course_key(request.PathParam("course_key"));
    StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok() && tree.status().code() != StatusCode::kNotFound) {
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    if (!tree.ok() || (*tree)->root < 0) return internal::Detail(404, "Not found.");
    const CourseTree& t = **tree;
    const CatalogBlock& course = t.blocks[static_cast<size_t>(t.root)];
    const json* visibility = Setting(course, "course_visibility", false);
    bool is_public = visibility != nullptr && *visibility == "public";
    bool public_outline = visibility != nullptr && *visibility == "public_outline";
    if (caller == nullptr && !is_public && !public_outline) {
      return internal::Detail(401, kNoCredentials);
    }
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    json body = DefaultBody(base, course_key);
    std::optional<int64_t> end = TimeSetting(course, "end");
    body["has_ended"] = end.has_value() && *end < ctx_.gate.SeeAll().now;
    // course_overview.enable_proctored_exams, which only means anything with
    // ENABLE_SPECIAL_EXAMS on (docs/api/special_exams.md).
    const json* proctored = Setting(course, "enable_proctored_exams", false);
    body["enable_proctored_exams"] =
        ctx_.settings.Feature("ENABLE_SPECIAL_EXAMS") && proctored != nullptr && *proctored == true;
    if (caller == nullptr) {
      Public(t, base, is_public, body);
      return Response::Json(200, body);
    }
    Status filled = ForCaller(*caller, t, base, is_public || public_outline, is_public, body);
    if (!filled.ok()) return http::ErrorResponse(filled, request.request_id());
    return Response::Json(200, body);
  }

 private:
  // The anonymous view of a public course (get_course_outline_block_tree
  // without a user): no completion; links only when fully public.
  void Public(const CourseTree& tree, const std::string& base, bool links, json& body) {
    std::vector<bool> visible =
        internal::VisibleBlocks(tree, ctx_.gate.RoleAccess(std::nullopt, false, tree.course_key));
    body["course_blocks"] = OutlineWriter(tree, visible, nullptr, base, links).CourseBlocks();
  }

  Status ForCaller(const oauth::Principal& caller, const CourseTree& tree, const std::string& base,
                   bool any_public, bool is_public, json& body) {
    const std::string& course_key = tree.course_key;
    bool global_staff = caller.is_staff || caller.is_superuser;
    LARCH_ASSIGN_OR_RETURN(content_gate::ContentAccess access,
                           ctx_.gate.AccessFor(caller.user_id, global_staff, course_key));
    LARCH_ASSIGN_OR_RETURN(std::optional<enrollment::Enrollment> enrollment,
                           ctx_.enrollments.Get(caller.user_id, course_key));
    bool enrolled = enrollment.has_value() && enrollment->is_active;
    if (enrollment.has_value()) body["enrollment_mode"] = enrollment->mode;
    LARCH_ASSIGN_OR_RETURN(std::optional<grades::PersistentCourseGrade> grade,
                           ctx_.grades.GetCourseGrade(caller.user_id, course_key));
    body["user_has_passing_grade"] = grade.has_value() && grade->passed_timestamp.has_value();
    if (!enrolled) LARCH_RETURN_IF_ERROR(EnrollAlert(course_key, access.now, body));
    if (!enrolled && !access.see_all) {
      if (any_public) Public(tree, base, is_public, body);
      return OkStatus();
    }
    // Handouts are for the enrolled and staff (show_enrolled upstream).
    if (tree.handouts_html.has_value()) body["handouts_html"] = *tree.handouts_html;
    std::vector<bool> visible = internal::VisibleBlocks(tree, access);
    LARCH_ASSIGN_OR_RETURN(std::vector<completion::BlockCompletion> rows,
                           ctx_.completion.ForCourse(caller.user_id, course_key));
    completion::CourseCompletion done = completion::AggregateCompletion(tree, visible, rows);
    OutlineWriter writer(tree, visible, &done, base, true);
    body["course_blocks"] = writer.CourseBlocks();
    const completion::BlockCompletion* latest = LatestOf(rows);
    if (latest != nullptr) {
      body["resume_course"] = {
          {"has_visited_course", true},
          {"url", base + "/courses/" + course_key + "/jump_to/" + latest->block_key}};
    } else {
      body["resume_course"]["url"] = writer.JumpUrl(writer.StartBlock());
    }
    return OkStatus();
  }

  // enroll_alert for a caller who is not enrolled: closed outside the
  // enrollment window.
  Status EnrollAlert(const std::string& course_key, int64_t now, json& body) {
    StatusOr<courses::CourseSummary> summary = ctx_.catalog.GetCourse(course_key);
    if (!summary.ok()) return summary.status();
    bool closed = (summary->enrollment_start.has_value() && now < *summary->enrollment_start) ||
                  (summary->enrollment_end.has_value() && now > *summary->enrollment_end);
    body["enroll_alert"]["can_enroll"] = !closed;
    return OkStatus();
  }

  OutlineRoutesContext& ctx_;
};

}  // namespace

void RegisterOutlineRoutes(http::Router& router, OutlineRoutesContext& context) {
  auto routes = std::make_shared<OutlineRoutes>(context);
  for (const char* prefix : {"/api/course_home/v1/outline/", "/api/course_home/outline/"}) {
    router.Get(std::string(prefix) + "{course_key:course_key}",
               [routes](Request& request) { return routes->Outline(request); });
  }
  internal::RegisterNavigationRoute(router, context);
  internal::RegisterJumpToRoute(router, context);
}

}  // namespace larch::api
