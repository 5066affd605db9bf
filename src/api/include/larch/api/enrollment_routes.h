// The Enrollment API (/api/enrollment/v1/, openedx_apis.md 3.1-3.3) and the
// instructor's bulk enrollment endpoint
// (POST /courses/{course_id}/instructor/api/students_update_enrollment).
//
// Callers are identified by api::CurrentPrincipal (installed by
// RegisterAccountRoutes' authentication filter) or, for server-to-server
// calls, by an "X-Edx-Api-Key" header equal to EDX_API_KEY
// (ApiKeyHeaderPermissionIsAuthenticated).
//
// EnrollmentUserThrottle applies to the views upstream gives it (enrollment,
// enrollment list, enrollments, course details, roles, enrollment_allowed):
// per user id (per client IP when anonymous), the "user" rate for learners
// and the "staff" rate for staff and superusers; requests with the API key
// are never throttled. Buckets are in memory, per process (rate_limiter.h).
//
// Course details (course_details of enrollments and GET course/{id}) are
// cached per process for course_details_cache_seconds, as upstream caches
// them for ENROLLMENT_COURSE_DETAILS_CACHE_TIMEOUT (60 s), and dropped at
// once in every process when the course changes (`invalidations`).
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (the services are thread-safe).
#ifndef LARCH_API_ENROLLMENT_ROUTES_H_
#define LARCH_API_ENROLLMENT_ROUTES_H_

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/api/rate_limiter.h"
#include "larch/common/clock.h"
#include "larch/common/invalidations.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct EnrollmentRoutesContext {
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
  const Clock& clock;
  // EDX_API_KEY; empty disables API-key access.
  std::string edx_api_key;
  // ENROLLMENT_THROTTLE_RATES: {"user": "40/minute", "staff": "120/minute"}
  // (DRF rate syntax: N/second|minute|hour|day, only the unit's first letter
  // counts). A missing key keeps its default; null disables that scope.
  nlohmann::json throttle_rates = nlohmann::json::object();
  // RETIREMENT_SERVICE_WORKER_USERNAME: the service user allowed to call
  // unenroll/ (besides superusers).
  std::string retirement_service_worker_username = "RETIREMENT_SERVICE_USER";
  // 0 disables the course details cache.
  int64_t course_details_cache_seconds = 60;
  // Where the throttle counts when several processes serve (Redis); null:
  // each process counts alone.
  SharedRateCounter* shared_rates = nullptr;
  // Course changes (kInvalidateCourse) drop the course's cached details;
  // null: they expire after course_details_cache_seconds.
  Invalidations* invalidations = nullptr;
};

// Registers:
//   GET  /api/enrollment/v1/enrollment/{username},{course_id}
//   GET  /api/enrollment/v1/enrollment/{course_id}
//   GET  /api/enrollment/v1/enrollment          (list, ?user=)
//   POST /api/enrollment/v1/enrollment
//   GET  /api/enrollment/v1/course/{course_id}  (no authentication, ?include_expired=1)
//   GET  /api/enrollment/v1/enrollments[/]      (staff; course_id, course_ids, username,
//                                                email filters; cursor pagination)
//   POST /api/enrollment/v1/unenroll/           (retirement service user)
//   GET|POST|DELETE /api/enrollment/v1/enrollment_allowed/  (staff)
//   GET  /api/enrollment/v1/roles/              (?course_id=)
//   POST /courses/{course_id}/instructor/api/students_update_enrollment
// Aborts (via Router::Add) on a duplicate route. An unparsable throttle rate
// is logged and replaced by its default.
void RegisterEnrollmentRoutes(http::Router& router, EnrollmentRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_ENROLLMENT_ROUTES_H_
