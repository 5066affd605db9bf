// The certificates REST API of Open edX (lms/djangoapps/certificates/apis/v0):
//   GET /api/certificates/v0/certificates/{username}/courses/{course_id}/
//   GET /api/certificates/v0/certificates/{username}/
// (docs/api/certificates.md). The instructor's certificate actions are in
// instructor_certificate_routes.h.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_CERTIFICATE_ROUTES_H_
#define LARCH_API_CERTIFICATE_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/certificates/certificates.h"
#include "larch/courses/course_catalog.h"
#include "larch/http/router.h"

namespace larch::api {

struct CertificateRoutesContext {
  certificates::CertificateService& certificates;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
  courses::CourseCatalog& catalog;
};

void RegisterCertificateRoutes(http::Router& router, CertificateRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_CERTIFICATE_ROUTES_H_
