// GET /api/learning_sequences/v1/course_outline/{course_key}[?user=name]:
// the learning_sequences CourseOutlineView for the caller (or, for course
// staff, the named user): sections in order with their sequence ids, and
// each sequence with whether the user may open it now.
//
// The outline processors as upstream: a user neither enrolled (active) nor
// course staff gets no sections (a private course); staff-only sections and
// sequences are removed; sequences not started yet, or closed by unmet
// prerequisites or a pending entrance exam, stay listed with accessible
// false. Refusals: anonymous 401; `user` other than oneself without course
// staff 403 {"detail": "You do not have permission to perform this
// action."}; an unknown course or user 404 {"detail": "Not found."}.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/learning_routes.h"
#include "larch/http/url.h"
#include "learning_common.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using learning::CourseViewer;
using nlohmann::json;

class LearningSequencesRoutes {
 public:
  explicit LearningSequencesRoutes(LearningRoutesContext& ctx) : ctx_(ctx) {}

  Response Outline(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return learning::Unauthenticated();
    std::string course_key(request.PathParam("course_key"));
    StatusOr<CourseViewer> viewer = learning::LoadViewer(ctx_, *caller, course_key);
    if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    std::optional<std::string> requested = request.Query("user");
    oauth::Principal other;
    if (requested && !requested->empty() && !http::EqualsIgnoreCase(*requested, caller->username)) {
      if (!viewer->staff) {
        return internal::Detail(403, "You do not have permission to perform this action.");
      }
      StatusOr<accounts::User> user = ctx_.accounts.GetUserByUsername(*requested);
      if (!user.ok()) return learning::ErrorFor(request, user.status());
      other.user_id = user->id;
      other.username = user->username;
      other.is_staff = user->is_staff;
      other.is_superuser = user->is_superuser;
      viewer = learning::LoadViewer(ctx_, other, course_key);
      if (!viewer.ok()) return learning::ErrorFor(request, viewer.status());
    }
    return Response::Json(200, Body(*viewer, ctx_.clock.NowMicros()));
  }

 private:
  static json Body(const CourseViewer& viewer, int64_t now) {
    const courses::CourseTree& tree = *viewer.tree;
    const courses::CatalogBlock& root = tree.blocks[static_cast<size_t>(tree.root)];
    json sections = json::array();
    json sequences = json::object();
    for (const course_view::OutlineSection& section :
         course_view::UserOutline(learning::ViewOf(viewer), now)) {
      json ids = json::array();
      for (const course_view::OutlineSequence& seq : section.sequences) {
        const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(seq.index)];
        ids.push_back(block.usage_key);
        sequences[block.usage_key] = {{"id", block.usage_key},
                                      {"title", block.display_name},
                                      {"accessible", seq.accessible},
                                      {"inaccessible_after_due", seq.inaccessible_after_due},
                                      {"exam", json::object()},
                                      {"start", learning::Time(seq.start)},
                                      {"effective_start", learning::Time(seq.effective_start)},
                                      {"due", learning::Time(seq.due)}};
      }
      const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(section.index)];
      sections.push_back({{"id", block.usage_key},
                          {"title", block.display_name},
                          {"start", learning::Time(section.start)},
                          {"effective_start", learning::Time(section.effective_start)},
                          {"sequence_ids", ids}});
    }
    const json* beta_days = learning::Setting(root, "days_early_for_beta");
    return {{"course_key", tree.course_key},
            {"course_start", learning::Time(viewer.course.start)},
            {"course_end", learning::Time(viewer.course.end)},
            {"title", viewer.course.display_name},
            {"user_id", viewer.caller->user_id},
            {"username", viewer.caller->username},
            {"days_early_for_beta",
             beta_days != nullptr && beta_days->is_number() ? *beta_days : json(nullptr)},
            {"self_paced", viewer.course.self_paced},
            {"course_visibility", root.fields.value("course_visibility", "private")},
            {"outline", {{"sections", sections}, {"sequences", sequences}}}};
  }

  LearningRoutesContext& ctx_;
};

}  // namespace

void RegisterLearningSequencesRoutes(http::Router& router, LearningRoutesContext& context) {
  auto routes = std::make_shared<LearningSequencesRoutes>(context);
  router.Get("/api/learning_sequences/v1/course_outline/{course_key:course_key}/",
             [routes](Request& request) { return routes->Outline(request); });
}

}  // namespace larch::api
