// GET /api/courseware/sequence/{usage_key}: the sequence metadata the
// learning micro-frontend builds a subsection's unit bar from
// (courseware_api SequenceMetadata -> SequenceBlock.get_metadata).
//
// Refusals as upstream's get_block_by_usage_id: a key that does not parse
// 404 {"detail": "Invalid usage key: '<key>'."}; an unknown course or block,
// a caller neither enrolled (active) nor course staff, or a sequence the
// content gate hides (the block or an ancestor) 404 {"detail": "Not
// found."}; a block that is not a sequential 422 with an empty body.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"
#include "larch/keys/keys.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using learning::CourseViewer;
using nlohmann::json;

class SequenceRoutes {
 public:
  explicit SequenceRoutes(LearningRoutesContext& ctx) : ctx_(ctx) {}

  Response Sequence(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return learning::Unauthenticated();
    std::string key_text(request.PathParam("usage_key"));
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(key_text);
    if (!usage.ok())
      return Response::Json(404, {{"detail", "Invalid usage key: '" + key_text + "'."}});
    StatusOr<CourseViewer> viewer =
        learning::LoadViewer(ctx_, *caller, usage->course_key().ToString());
    if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    const courses::CourseTree& tree = *viewer->tree;
    int index = tree.Find(usage->ToString());
    if (index < 0) return learning::NotFoundDetail();
    if (!viewer->staff && !viewer->enrolled()) return learning::NotFoundDetail();
    // A sequence hidden after its due date answers with no units and
    // is_hidden_after_due (the MFE shows its banner); other rules hide it.
    if (!content_gate::ContentGate::VisibleWithAncestors(tree, index, viewer->access, false)) {
      return learning::NotFoundDetail();
    }
    const courses::CatalogBlock& sequence = tree.blocks[static_cast<size_t>(index)];
    if (sequence.type != "sequential") {
      Response response = Response::Text(422, "");
      response.SetHeader("Content-Type", "application/json");
      return response;
    }
    StatusOr<json> metadata = Metadata(*viewer, index);
    if (!metadata.ok()) return learning::ErrorFor(request, metadata.status());
    return Response::Json(200, *metadata);
  }

 private:
  // The caller's state the unit bar shows: which units are complete (over
  // what they can see) and bookmarked, and the saved position.
  struct LearnerMarks {
    completion::CourseCompletion completion;
    std::set<std::string> bookmarked;
    std::optional<int64_t> position;
  };

  StatusOr<LearnerMarks> MarksFor(const CourseViewer& viewer, int index) {
    const courses::CourseTree& tree = *viewer.tree;
    int64_t user_id = viewer.caller->user_id;
    LearnerMarks marks;
    LARCH_ASSIGN_OR_RETURN(std::vector<completion::BlockCompletion> rows,
                           ctx_.completion.ForCourse(user_id, tree.course_key));
    marks.completion =
        completion::AggregateCompletion(tree, internal::VisibleBlocks(tree, viewer.access), rows);
    LARCH_ASSIGN_OR_RETURN(
        bookmarks::BookmarkPage page,
        ctx_.bookmarks.List(user_id, tree.course_key, bookmarks::kMaxBookmarksPerCourse, 0));
    for (const bookmarks::Bookmark& bookmark : page.bookmarks) {
      marks.bookmarked.insert(bookmark.usage_key);
    }
    LARCH_ASSIGN_OR_RETURN(
        marks.position,
        ctx_.completion.Position(user_id, tree.blocks[static_cast<size_t>(index)].usage_key));
    return marks;
  }

  // SequenceBlock.get_metadata(STUDENT_VIEW) for a signed-in viewer.
  StatusOr<json> Metadata(const CourseViewer& viewer, int index) {
    const courses::CourseTree& tree = *viewer.tree;
    const courses::CatalogBlock& sequence = tree.blocks[static_cast<size_t>(index)];
    std::string name = learning::DisplayName(sequence);
    LARCH_ASSIGN_OR_RETURN(LearnerMarks marks, MarksFor(viewer, index));
    json items = json::array();
    // Units the gate hides are never listed (staff see them all).
    for (const course_view::SequenceUnit& unit :
         course_view::SequenceUnits(learning::ViewOf(viewer), index)) {
      const std::string& unit_key = tree.blocks[static_cast<size_t>(unit.index)].usage_key;
      items.push_back(
          {{"content", ""},
           {"page_title", unit.title},
           {"type", unit.icon_class},
           {"id", unit_key},
           {"bookmarked", marks.bookmarked.contains(unit_key)},
           {"complete",
            static_cast<bool>(marks.completion.complete[static_cast<size_t>(unit.index)])},
           {"path", unit.path},
           {"graded", unit.graded},
           {"contains_content_type_gated_content", false},
           {"href", ""}});
    }
    const json* format = learning::Setting(sequence, "format");
    return json{{"items", items},
                {"item_id", sequence.usage_key},
                {"is_time_limited", learning::SettingTrue(sequence, "is_time_limited")},
                {"is_proctored", learning::SettingTrue(sequence, "is_proctored_enabled")},
                {"is_hidden_after_due", content_gate::ContentGate::HiddenAfterDueWithAncestors(
                                            tree, index, viewer.access)},
                // goto_position's saved position; null until the learner moves.
                {"position", marks.position.has_value() ? json(*marks.position) : json(nullptr)},
                {"tag", sequence.type},
                {"next_url", nullptr},
                {"prev_url", nullptr},
                {"banner_text", nullptr},
                {"save_position", true},
                {"show_completion", true},
                {"gated_content",
                 {{"prereq_id", nullptr},
                  {"prereq_url", nullptr},
                  {"prereq_section_name", nullptr},
                  {"gated", false},
                  {"gated_section_name", name}}},
                {"sequence_name", name},
                {"exclude_units", true},
                {"display_name", name},
                {"format", format != nullptr && format->is_string() ? *format : json(nullptr)},
                {"navigation_disabled", false},
                {"allow_proctoring_opt_out", false}};
  }

  LearningRoutesContext& ctx_;
};

}  // namespace

void RegisterSequenceRoutes(http::Router& router, LearningRoutesContext& context) {
  auto routes = std::make_shared<SequenceRoutes>(context);
  router.Get("/api/courseware/sequence/{usage_key}/",
             [routes](Request& request) { return routes->Sequence(request); });
}

}  // namespace larch::api
