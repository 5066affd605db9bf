// GET /api/course_home/v1/dates/{course_key} (and the unversioned alias):
// the dates tab of the learning micro-frontend (course_home_api DatesTabView
// / DatesTabSerializer over courseware.date_summary's blocks).
//
// Refusals as upstream: anonymous 401 {"detail": ...}; an unknown course
// 404 {"detail": "Not found."}; a course the caller may not load (not
// started, unmet prerequisites; get_course_or_403) 403 {"detail": "You do
// not have permission to perform this action."}; neither enrolled (active)
// nor course staff 401 "User not enrolled.".
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using learning::CourseViewer;
using nlohmann::json;

struct DateBlock {
  int64_t date = 0;
  json body;
};

json DateJson(const std::string& type, const std::string& title, const std::string& description) {
  return {{"assignment_type", nullptr},
          {"complete", nullptr},
          {"date_type", type},
          {"description", description},
          {"learner_has_access", true},
          {"link", ""},
          {"link_text", ""},
          {"title", title},
          {"extra_info", nullptr},
          {"first_component_block_id", ""}};
}

// What get_course_blocks(allow_start_dates_in_future=True) keeps: the gate
// without the start dates (staff-only content and milestones still apply).
bool Listed(const courses::CourseTree& tree, int index, const content_gate::ContentAccess& access) {
  if (access.see_all) return true;
  for (int at = index; at >= 0; at = tree.blocks[static_cast<size_t>(at)].parent) {
    const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(at)];
    if (block.visible_to_staff_only) return false;
    if (content_gate::ContentGate::DeniedByMilestones(block, access)) return false;
  }
  return true;
}

// get_first_component_of_block: the first listed leaf under the block.
std::string FirstComponent(const CourseViewer& viewer, int index) {
  const courses::CourseTree& tree = *viewer.tree;
  for (int child : tree.blocks[static_cast<size_t>(index)].children) {
    if (Listed(tree, child, viewer.access)) return FirstComponent(viewer, child);
  }
  return tree.blocks[static_cast<size_t>(index)].usage_key;
}

// get_course_assignments: graded subsections with a due date.
void AddAssignments(const CourseViewer& viewer, int64_t now, const std::string& base,
                    std::vector<DateBlock>& out) {
  const courses::CourseTree& tree = *viewer.tree;
  for (int chapter : tree.blocks[static_cast<size_t>(tree.root)].children) {
    if (!Listed(tree, chapter, viewer.access)) continue;
    for (int index : tree.blocks[static_cast<size_t>(chapter)].children) {
      const courses::CatalogBlock& sub = tree.blocks[static_cast<size_t>(index)];
      if (!Listed(tree, index, viewer.access)) continue;
      std::optional<int64_t> due = learning::SettingTime(sub, "due");
      if (!due || !learning::SettingTrue(sub, "graded")) continue;
      bool released = !sub.start || *sub.start < now;
      const json* format = learning::Setting(sub, "format");
      json body = DateJson("assignment-due-date",
                           sub.display_name.empty() ? "Assignment" : sub.display_name, "");
      body["assignment_type"] = format != nullptr && format->is_string() ? *format : json(nullptr);
      // Completion is engineer A's (src/domain/completion); wired at merge.
      body["complete"] = false;
      body["date"] = FormatIso8601(*due);
      body["link"] =
          released ? base + "/courses/" + tree.course_key + "/jump_to/" + sub.usage_key : "";
      body["first_component_block_id"] = FirstComponent(viewer, index);
      out.push_back({*due, std::move(body)});
    }
  }
}

class DatesRoutes {
 public:
  explicit DatesRoutes(LearningRoutesContext& ctx) : ctx_(ctx) {}

  Response Dates(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return learning::Unauthenticated();
    StatusOr<CourseViewer> viewer =
        learning::LoadViewer(ctx_, *caller, request.PathParam("course_key"));
    if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    int64_t now = ctx_.clock.NowMicros();
    json access = learning::CourseAccessJson(*viewer, now);
    if (access["has_access"] == false && access["error_code"] != "enrollment_required") {
      return internal::Detail(403, "You do not have permission to perform this action.");
    }
    if (!viewer->enrolled() && !viewer->staff) {
      return Response::Json(401, json("User not enrolled."));
    }
    const courses::CourseSummary& course = viewer->course;
    std::vector<DateBlock> blocks;
    AddAssignments(*viewer, now, internal::AbsoluteBaseUrl(request, ctx_.settings), blocks);
    if (course.end) {
      blocks.push_back({*course.end, DateJson("course-end-date", "Course ends",
                                              EndDescription(*viewer, *course.end, now))});
      blocks.back().body["date"] = FormatIso8601(*course.end);
    }
    if (course.start) {
      blocks.push_back({*course.start, DateJson("course-start-date", "Course starts", "")});
      blocks.back().body["date"] = FormatIso8601(*course.start);
    }
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const DateBlock& a, const DateBlock& b) { return a.date < b.date; });
    json list = json::array();
    for (DateBlock& block : blocks) list.push_back(std::move(block.body));
    json body = {{"course_date_blocks", list},
                 {"dates_banner_info",
                  {{"content_type_gating_enabled", false},
                   {"missed_deadlines", false},
                   {"missed_gated_content", false},
                   {"verified_upgrade_link", nullptr}}},
                 {"has_ended", course.end.has_value() && *course.end < now},
                 {"learner_is_full_access", true},
                 {"user_timezone", learning::UserTimezone(ctx_, caller->user_id)}};
    return Response::Json(200, body);
  }

 private:
  // CourseEndDate.description.
  static std::string EndDescription(const CourseViewer& viewer, int64_t end, int64_t now) {
    if (now > end) {
      return "This course is archived, which means you can review course content but it is no "
             "longer active.";
    }
    // CourseMode.is_eligible_for_certificate: every mode but audit.
    if (viewer.enrolled() && viewer.enrollment->mode != "audit") {
      return "After this date, the course will be archived, which means you can review the "
             "course content but can no longer participate in graded assignments or work "
             "towards earning a certificate.";
    }
    return "After the course ends, the course content will be archived and no longer active.";
  }

  LearningRoutesContext& ctx_;
};

}  // namespace

void RegisterDatesRoutes(http::Router& router, LearningRoutesContext& context) {
  auto routes = std::make_shared<DatesRoutes>(context);
  for (const char* prefix : {"/api/course_home/v1/dates/", "/api/course_home/dates/"}) {
    router.Get(std::string(prefix) + "{course_key:course_key}/",
               [routes](Request& request) { return routes->Dates(request); });
  }
}

}  // namespace larch::api
