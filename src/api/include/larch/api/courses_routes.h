// larch::api course endpoints: Open edX's Courses API and Blocks API
// (lms/djangoapps/course_api, openedx_apis.md 4.2-4.4):
//   GET|POST /api/courses/v1/courses/            course list (namespaced pagination)
//   GET      /api/courses/v1/courses/{course_key}/  course detail (+ overview)
//   GET      /api/courses/v1/course_ids/         keys the user has a role on
//   GET      /api/courses/v{1,2}/blocks/?course_id=...  and /blocks/{usage_key}
// and, when a MilestoneService is given, Larch's staff-only milestone admin
// endpoints (docs/milestones.md):
//   GET      /api/larch/v1/milestones/{course_key}/[?username=]
//   POST     /api/larch/v1/milestones/{course_key}/fulfill/
// Blocks of a course whose prerequisites or entrance exam the learner has
// not fulfilled are hidden (v1) or kept with authorization_denial_reason /
// authorization_denial_message and only the allowed fields (v2).
// The caller comes from api::CurrentPrincipal, so RegisterAccountRoutes (which
// installs the authentication filter) must run on the same router.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (CourseCatalog and RoleStore are thread-safe).
#ifndef LARCH_API_COURSES_ROUTES_H_
#define LARCH_API_COURSES_ROUTES_H_

#include "larch/accounts/roles.h"
#include "larch/api/course_catalog.h"
#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/http/router.h"
#include "larch/milestones/milestones.h"
#include "larch/storage/database.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct CourseApiContext {
  const config::Settings& settings;
  const Clock& clock;
  CourseCatalog& catalog;
  accounts::RoleStore& roles;
  // Prerequisite / entrance exam gate of the Blocks API and the staff-only
  // milestone endpoints; null means no gating and no such endpoints.
  milestones::MilestoneService* milestones = nullptr;
};

// Adds the routes listed above. Aborts (via Router::Add) on a duplicate route.
void RegisterCourseRoutes(http::Router& router, CourseApiContext& context);

// GET /courses/{course_id}/xblock/{usage_id}/handler_noauth/transcript/download
// [?lang=en]: a video's transcript as SubRip (an .srt.sjson legacy `sub` is
// converted), the URL the Blocks API's video student_view_data hands out.
// Blocks the caller may not see in the Blocks API, unknown languages and
// missing or locked files are 404. `db` must outlive the router.
void RegisterTranscriptRoutes(http::Router& router, CourseApiContext& context,
                              storage::Database& db);

}  // namespace larch::api

#endif  // LARCH_API_COURSES_ROUTES_H_
