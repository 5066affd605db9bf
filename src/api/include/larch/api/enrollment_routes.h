// The Enrollment API (/api/enrollment/v1/, openedx_apis.md 3.1-3.3) and the
// instructor's bulk enrollment endpoint
// (POST /courses/{course_id}/instructor/api/students_update_enrollment).
//
// Callers are identified by api::CurrentPrincipal (installed by
// RegisterAccountRoutes' authentication filter) or, for server-to-server
// calls, by an "X-Edx-Api-Key" header equal to EDX_API_KEY
// (ApiKeyHeaderPermissionIsAuthenticated). TODO(enrollment): the
// EnrollmentUserThrottle rates are not enforced yet.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (the services are thread-safe).
#ifndef LARCH_API_ENROLLMENT_ROUTES_H_
#define LARCH_API_ENROLLMENT_ROUTES_H_

#include <string>

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/common/clock.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct EnrollmentApiContext {
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
  const Clock& clock;
  // EDX_API_KEY; empty disables API-key access.
  std::string edx_api_key;
};

// Registers:
//   GET  /api/enrollment/v1/enrollment/{username},{course_id}
//   GET  /api/enrollment/v1/enrollment/{course_id}
//   GET  /api/enrollment/v1/enrollment          (list, ?user=)
//   POST /api/enrollment/v1/enrollment
//   GET  /api/enrollment/v1/course/{course_id}  (no authentication, ?include_expired=1)
//   GET  /api/enrollment/v1/roles/              (?course_id=)
//   POST /courses/{course_id}/instructor/api/students_update_enrollment
// Aborts (via Router::Add) on a duplicate route.
void RegisterEnrollmentRoutes(http::Router& router, EnrollmentApiContext& context);

}  // namespace larch::api

#endif  // LARCH_API_ENROLLMENT_ROUTES_H_
