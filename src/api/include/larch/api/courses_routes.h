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
// Which blocks a viewer sees (roles, start dates, staff-only, prerequisites
// and entrance exams) is content_gate::ContentGate's rule; both versions
// drop what the milestones close.
// The caller comes from api::CurrentPrincipal, so RegisterAccountRoutes (which
// installs the authentication filter) must run on the same router.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (CourseCatalog, ContentGate and the services are thread-safe).
#ifndef LARCH_API_COURSES_ROUTES_H_
#define LARCH_API_COURSES_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/milestones/milestones.h"
#include "larch/storage/database.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct CourseRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  courses::CourseCatalog& catalog;
  // What of a course each viewer may see; its MilestoneService should be
  // `milestones` below.
  content_gate::ContentGate& gate;
  accounts::RoleStore& roles;
  // Users named in `username` parameters.
  accounts::AccountService& accounts;
  // is_enrolled of the course detail.
  enrollment::EnrollmentService& enrollments;
  // The staff-only milestone endpoints; null means no such endpoints.
  milestones::MilestoneService* milestones = nullptr;
};

// Adds the routes listed above. Aborts (via Router::Add) on a duplicate route.
void RegisterCourseRoutes(http::Router& router, CourseRoutesContext& context);

// GET /courses/{course_id}/xblock/{usage_id}/handler_noauth/transcript/download
// [?lang=en]: a video's transcript as SubRip (an .srt.sjson legacy `sub` is
// converted), the URL the Blocks API's video student_view_data hands out.
// Blocks the caller may not see in the Blocks API, unknown languages and
// missing or locked files are 404. `db` must outlive the router.
void RegisterTranscriptRoutes(http::Router& router, CourseRoutesContext& context,
                              storage::Database& db);

}  // namespace larch::api

#endif  // LARCH_API_COURSES_ROUTES_H_
