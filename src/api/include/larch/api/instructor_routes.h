// larch::api the instructor dashboard's course team endpoint
// (lms/djangoapps/instructor/views/api.py modify_access):
//   POST /courses/{course_id}/instructor/api/modify_access
//        unique_student_identifier, rolename (instructor|staff|beta), action (allow|revoke)
// with upstream's replies (docs/api/instructor.md). Only instructors of the
// course (or global staff) may change its team: anonymous 401, others 403.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_INSTRUCTOR_ROUTES_H_
#define LARCH_API_INSTRUCTOR_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/courses/course_catalog.h"
#include "larch/http/router.h"

namespace larch::api {

// The references must outlive the router; the struct is copied.
struct InstructorRoutesContext {
  courses::CourseCatalog& catalog;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
};

void RegisterInstructorRoutes(http::Router& router, const InstructorRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_INSTRUCTOR_ROUTES_H_
