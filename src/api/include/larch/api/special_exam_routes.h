// larch::api the edx-proctoring endpoints the learning micro-frontend's
// special-exams library calls for timed exams (edx_proctoring/urls.py,
// frontend-lib-special-exams src/data/api.js), registered only when the
// ENABLE_SPECIAL_EXAMS feature is on, as the LMS includes the app's URLs:
//   GET  /api/edx_proctoring/v1/proctored_exam/attempt/course_id/{course_id}
//        ?content_id=&is_learning_mfe=     {"exam": {..., "attempt"}, "active_attempt"}
//   GET  /api/edx_proctoring/v1/proctored_exam/attempt     the active attempt's data
//   POST /api/edx_proctoring/v1/proctored_exam/attempt     {exam_id, start_clock}
//   GET  /api/edx_proctoring/v1/proctored_exam/attempt/{attempt_id}
//   PUT  /api/edx_proctoring/v1/proctored_exam/attempt/{attempt_id}  {action}
//   GET  /api/edx_proctoring/v1/proctored_exam/active_attempt
//   GET  /api/edx_proctoring/v1/proctored_exam/active_exams_for_user
//   GET  /api/edx_proctoring/v1/proctored_exam/{course_id}/allowance   (staff)
//   PUT, DELETE /api/edx_proctoring/v1/proctored_exam/allowance         (staff)
// (docs/api/special_exams.md). Errors are DRF's {"detail": text}: 401 for
// an anonymous caller, 403 for another learner's attempt or a caller who
// is not course staff on the allowance endpoints, 400 with upstream's
// exception text for the proctoring exceptions.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_SPECIAL_EXAM_ROUTES_H_
#define LARCH_API_SPECIAL_EXAM_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/special_exams/special_exams.h"

namespace larch::api {

struct SpecialExamRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  special_exams::ExamService& exams;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
// Does nothing when ENABLE_SPECIAL_EXAMS is off.
void RegisterSpecialExamRoutes(http::Router& router, SpecialExamRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_SPECIAL_EXAM_ROUTES_H_
