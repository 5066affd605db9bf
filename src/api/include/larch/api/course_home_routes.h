// larch::api course home endpoints of the learning micro-frontend
// (lms/djangoapps/course_home_api), so far the progress tab:
//   GET /api/course_home/v1/progress/{course_key}[/{student_id}/]
//   GET /api/course_home/progress/{course_key}[/{student_id}/]   (alias)
// with ProgressTabSerializer's fields (docs/api/course_home.md).
//
// Access as upstream: anonymous 401; a learner who is neither enrolled nor
// course staff 401 "User not enrolled."; another learner's progress needs
// course staff (404 otherwise, as for an unknown student id); an unknown
// course 404.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_COURSE_HOME_ROUTES_H_
#define LARCH_API_COURSE_HOME_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/certificates/web_certificate.h"
#include "larch/completion/completion_service.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct CourseHomeRoutesContext {
  const config::Settings& settings;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  grades::GradeService& grades;
  // The learner's completion for completion_summary (zero counts when null).
  completion::CompletionService* completion = nullptr;
  // The progress page's certificate_data; null shows none.
  certificates::CertificateViews* certificates = nullptr;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterCourseHomeRoutes(http::Router& router, CourseHomeRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_COURSE_HOME_ROUTES_H_
