// The course modes REST API of Open edX (common/djangoapps/course_modes/
// rest_api/v1), with which an operator or the e-commerce service creates
// the tracks of a course (audit, honor, verified, ...):
//   GET/POST /api/course_modes/v1/courses/{course_id}/
//   GET/PATCH/DELETE /api/course_modes/v1/courses/{course_id}/{mode_slug}
// (docs/api/enrollment.md says who may call and where Larch deviates.)
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_COURSE_MODE_ROUTES_H_
#define LARCH_API_COURSE_MODE_ROUTES_H_

#include "larch/common/clock.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/storage/database.h"

namespace larch::api {

struct CourseModeRoutesContext {
  storage::Database& db;
  enrollment::EnrollmentService& enrollments;
  const Clock& clock;
};

void RegisterCourseModeRoutes(http::Router& router, CourseModeRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_COURSE_MODE_ROUTES_H_
