// larch::api the endpoints the learner dashboard micro-frontend
// (openedx/frontend-app-learner-dashboard) and every MFE's start-up call,
// with Open edX's shapes (docs/api/learner_home.md):
//   GET  /api/learner_home/init[/]     LearnerDashboardSerializer (camelCase),
//                                      ?user=<username or email> for staff
//   POST /change_enrollment            student.views.change_enrollment
//                                      (form course_id, enrollment_action)
//   GET  /course_run/{course_id}/refund_status   CourseRunRefundStatusView
//   GET  /api/mfe_config/v1[/]         MFEConfigView (?mfe=<APP_ID>), public
//
// Refusals: init answers 401 {"detail"} to an anonymous caller and 403
// {"detail"} to a non-staff caller naming another user; change_enrollment
// answers an anonymous caller 403 with an empty body (upstream's only 403,
// which the MFEs read as "sign in"), and cookie-authenticated POSTs need the
// CSRF token (the authentication filter's 403).
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_LEARNER_HOME_ROUTES_H_
#define LARCH_API_LEARNER_HOME_ROUTES_H_

#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/learner_home/learner_home.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct LearnerHomeRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  learner_home::LearnerHomeService& learner_home;
  enrollment::EnrollmentService& enrollments;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterLearnerHomeRoutes(http::Router& router, LearnerHomeRoutesContext& context);
// GET /api/mfe_config/v1: needs only the settings.
void RegisterMfeConfigRoutes(http::Router& router, const config::Settings& settings,
                             const Clock& clock);

// The MFE configuration of `mfe` ("" for the common one): Larch's derived
// defaults, then MFE_CONFIG, then MFE_CONFIG_OVERRIDES[mfe] (non-object
// overrides are ignored).
nlohmann::json MfeConfig(const config::Settings& settings, std::string_view mfe);

}  // namespace larch::api

#endif  // LARCH_API_LEARNER_HOME_ROUTES_H_
