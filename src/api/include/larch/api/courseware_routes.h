// larch::api courseware handlers: the XBlock handler URL the learning
// micro-frontend's unit iframe posts to (lms/djangoapps/courseware
// block_render.py handle_xblock_callback), for capa problems:
//   POST /courses/{course_id}/xblock/{usage_id}/handler/xmodule_handler/{dispatch}
// with dispatch problem_get, problem_check, problem_save, problem_reset or
// problem_show and the answers as form fields (input_<id>, input_<id>[]).
// The reply is the problem's JSON (problems::ProblemService); Open edX's
// ProcessingError cases are 200 {"success": message} as upstream sends them.
//
// Access as upstream: no authenticated caller is 403 "Unauthenticated"; an
// unknown course, block or handler, a caller who is neither enrolled nor
// course staff, and a block the caller may not see (content_gate: start
// dates, staff-only, milestones, for the block and its ancestors) are 404.
// Session callers need the CSRF token (the authentication filter checks it).
//
// Thread safety: register before serving; the handlers then run
// concurrently (the services are thread-safe).
#ifndef LARCH_API_COURSEWARE_ROUTES_H_
#define LARCH_API_COURSEWARE_ROUTES_H_

#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/problems/problem_service.h"

namespace larch::api {

// Everything the handlers use; all references must outlive the router.
struct CoursewareRoutesContext {
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  problems::ProblemService& problems;
};

// Adds the route above. The caller comes from api::CurrentPrincipal, so
// RegisterAccountRoutes must run on the same router.
void RegisterCoursewareRoutes(http::Router& router, CoursewareRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_COURSEWARE_ROUTES_H_
