// Private to the certificate course-team endpoints
// (instructor_certificate_routes.cc: the instructor dashboard's actions;
// certificate_config_routes.cc: Larch's configuration and settings
// endpoints): who may act on a course's certificates.
//
// Thread safety: pure functions over thread-safe services.
#ifndef LARCH_API_INSTRUCTOR_CERTIFICATE_INTERNAL_H_
#define LARCH_API_INSTRUCTOR_CERTIFICATE_INTERNAL_H_

#include <string>

#include "larch/accounts/roles.h"
#include "larch/api/instructor_certificate_routes.h"
#include "larch/certificates/web_certificate.h"
#include "larch/common/status.h"
#include "larch/http/router.h"
#include "larch/oauth/principal.h"

namespace larch::api::internal {

// Whether the course exists (a key that does not parse names none); an
// error only when the database fails.
StatusOr<bool> CertificateCourseExists(certificates::CertificateViews& views,
                                       const std::string& course_key);

// Global staff, superusers and the course's instructors (upstream's
// `is_staff | HasAccessRule('instructor')`).
StatusOr<bool> IsCourseInstructor(accounts::RoleStore& roles, const oauth::Principal& caller,
                                  const std::string& course_key);
// The same and the course's staff (HasAccessRule('staff')).
StatusOr<bool> IsCourseTeam(accounts::RoleStore& roles, const oauth::Principal& caller,
                            const std::string& course_key);

// GET/PUT /api/larch/v1/certificates/courses/{course_id}/configuration and
// .../settings.
void RegisterCertificateConfigRoutes(http::Router& router,
                                     InstructorCertificateRoutesContext& context);

}  // namespace larch::api::internal

#endif  // LARCH_API_INSTRUCTOR_CERTIFICATE_INTERNAL_H_
