// larch::api the course home outline of the learning micro-frontend
// (lms/djangoapps/course_home_api/outline, OutlineTabView and
// OutlineTabSerializer):
//   GET /api/course_home/v1/outline/{course_key}
//   GET /api/course_home/outline/{course_key}        (alias)
//   GET /api/course_home/v1/navigation/{course_key}  (and its alias): the
//       sidebar's course-to-unit blocks with complete and completion_stat
// course_blocks.blocks holds the course, its chapters and sequentials as the
// caller may see them (content_gate: no staff-only or unstarted content,
// milestones, as the Blocks API prunes), each with the caller's `complete`
// and `resume_block` (completion.h); resume_course points at the latest
// completion (docs/api/course_home.md).
//
// Access as upstream: enrolled (active) learners and course staff get the
// whole shape; other signed-in callers get it without course_blocks unless
// the course is public (course_visibility public or public_outline), and an
// anonymous caller gets the public shape for a public course and 401
// otherwise. An unknown course is 404.
//
// Cost per request: the course tree from the catalog's cache, the caller's
// enrollment, roles and milestones, one indexed read of their completions
// and one of their stored grade; nothing per block.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_OUTLINE_ROUTES_H_
#define LARCH_API_OUTLINE_ROUTES_H_

#include "larch/completion/completion_service.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoint uses; all references must outlive the router.
struct OutlineRoutesContext {
  const config::Settings& settings;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  grades::GradeService& grades;
  completion::CompletionService& completion;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterOutlineRoutes(http::Router& router, OutlineRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_OUTLINE_ROUTES_H_
