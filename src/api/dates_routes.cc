// GET /api/course_home/v1/dates/{course_key} (and the unversioned alias):
// the dates tab of the learning micro-frontend (course_home_api DatesTabView
// / DatesTabSerializer over courseware.date_summary's blocks).
//
// Refusals as upstream: anonymous 401 {"detail": ...}; an unknown course
// 404 {"detail": "Not found."}; a course the caller may not load (not
// started, unmet prerequisites; get_course_or_403) 403 {"detail": "You do
// not have permission to perform this action."}; neither enrolled (active)
// nor course staff 401 "User not enrolled.".
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using learning::CourseViewer;
using nlohmann::json;

// DateSummarySerializer's fields of one block.
// `complete` is the caller's completion by block index (AggregateCompletion).
json DateJson(const course_view::DateBlock& block, const courses::CourseTree& tree,
              const std::string& base, const std::vector<bool>& complete) {
  bool assignment = block.subsection >= 0;
  std::string link;
  if (assignment && block.released) {
    link = base + "/courses/" + tree.course_key + "/jump_to/" +
           tree.blocks[static_cast<size_t>(block.subsection)].usage_key;
  }
  return {{"assignment_type", block.assignment_type ? json(*block.assignment_type) : json(nullptr)},
          {"complete",
           assignment ? json(static_cast<bool>(complete[static_cast<size_t>(block.subsection)]))
                      : json(nullptr)},
          {"date", FormatIso8601(block.date)},
          {"date_type", block.date_type},
          {"description", block.description},
          {"learner_has_access", true},
          {"link", link},
          {"link_text", ""},
          {"title", block.title},
          {"extra_info", nullptr},
          {"first_component_block_id", block.first_component_block_id}};
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
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    const courses::CourseTree& tree = *viewer->tree;
    StatusOr<std::vector<completion::BlockCompletion>> rows =
        ctx_.completion.ForCourse(caller->user_id, tree.course_key);
    if (!rows.ok()) return learning::ErrorFor(request, rows.status());
    completion::CourseCompletion done =
        completion::AggregateCompletion(tree, internal::VisibleBlocks(tree, viewer->access), *rows);
    json list = json::array();
    for (const course_view::DateBlock& block :
         course_view::CourseDates(learning::ViewOf(*viewer), now)) {
      list.push_back(DateJson(block, tree, base, done.complete));
    }
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
