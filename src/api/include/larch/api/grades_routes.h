// larch::api the grades REST API for staff and services
// (lms/djangoapps/grades/rest_api/v1, docs/api/grades.md):
//   GET /api/grades/v1/courses/{course_id}/[?username=]   (CourseGradesView)
//   GET /api/grades/v1/courses/?course_id=...[&username=]
//   GET /api/grades/v1/policy/courses/{course_id}/        (CourseGradingPolicy)
//   GET /api/grades/v1/gradebook/{course_id}/             (GradebookView)
//   POST /api/grades/v1/gradebook/{course_id}/bulk-update (GradebookBulkUpdateView)
//   GET /api/grades/v1/subsection/{subsection_id}/?user_id= (SubsectionGradeView)
//
// Access as upstream: anonymous 401; the course grades list needs global
// staff, or `username` naming the caller (IsStaff | IsUserInUrl); the
// policy needs course staff; the gradebook, its bulk update and the
// subsection grade view need course staff or instructor (course author
// access). Tokens of a restricted application
// are refused: Larch does not carry the JWT content_org filters that would
// scope them to a course.
//
// Grades are computed from the learners' current state, one page at a time
// (grades::GradeService::ComputeMany), the same numbers the progress page
// and the persistent grades hold.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_GRADES_ROUTES_H_
#define LARCH_API_GRADES_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; the references (not the struct, which is
// copied) must outlive the router.
struct GradesRoutesContext {
  const config::Settings& settings;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  grades::GradeService& grades;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterGradesRoutes(http::Router& router, const GradesRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_GRADES_ROUTES_H_
