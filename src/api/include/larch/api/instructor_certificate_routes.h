// The certificate actions of Open edX's instructor dashboard
// (lms/djangoapps/instructor/views/api.py) and the course team's
// certificate configuration (Studio's certificates page):
//   POST/DELETE /courses/{course_id}/instructor/api/certificate_exception_view/
//   POST /courses/{course_id}/instructor/api/generate_certificate_exceptions/{new|all}
//   POST/DELETE /courses/{course_id}/instructor/api/certificate_invalidation_view/
//   POST /courses/{course_id}/instructor/api/start_certificate_generation
//   POST /courses/{course_id}/instructor/api/enable_certificate_generation
//   GET/PUT /api/larch/v1/certificates/courses/{course_id}/configuration
//   GET/PUT /api/larch/v1/certificates/courses/{course_id}/settings
// (docs/api/certificates.md says who may call each.)
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_INSTRUCTOR_CERTIFICATE_ROUTES_H_
#define LARCH_API_INSTRUCTOR_CERTIFICATE_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/certificates/certificates.h"
#include "larch/certificates/web_certificate.h"
#include "larch/common/clock.h"
#include "larch/http/router.h"

namespace larch::api {

struct InstructorCertificateRoutesContext {
  certificates::CertificateService& certificates;
  certificates::CertificateViews& views;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
  const Clock& clock;
};

void RegisterInstructorCertificateRoutes(http::Router& router,
                                         InstructorCertificateRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_INSTRUCTOR_CERTIFICATE_ROUTES_H_
