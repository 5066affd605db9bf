// larch::api the instructor dashboard's course team and learner problem
// endpoints (lms/djangoapps/instructor/views/api.py modify_access,
// reset_student_attempts, rescore_problem):
//   POST /courses/{course_id}/instructor/api/modify_access
//        unique_student_identifier, rolename (instructor|staff|beta), action (allow|revoke)
//   POST /courses/{course_id}/instructor/api/reset_student_attempts
//        problem_to_reset, unique_student_identifier, delete_module
//   POST /courses/{course_id}/instructor/api/rescore_problem
//        problem_to_reset, unique_student_identifier | all_students, only_if_higher
//   POST /courses/{course_id}/instructor/api/list_instructor_tasks
//        [problem_location_str [unique_student_identifier]]
//   GET|POST /instructor_task_status/?task_id=
//   POST /courses/{course_id}/instructor/api/calculate_grades_csv
//   POST /courses/{course_id}/instructor/api/get_students_features/csv
//   POST /courses/{course_id}/instructor/api/list_report_downloads [report_name]
//   GET  /courses/{course_id}/instructor/reports/{id}/{name} (the CSV itself)
//   POST /courses/{course_id}/instructor/api/get_student_progress_url
//        unique_student_identifier
// with upstream's replies (docs/api/instructor.md). Only instructors of the
// course (or global staff) may change its team: anonymous 401, others 403.
// Course staff and instructors (or global staff) may reset or rescore a
// learner's problem, list tasks, ask for reports and download them; the
// all-learner forms need instructors. Anyone else gets upstream's empty 403
// (the report download: anonymous 401, others 403).
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_INSTRUCTOR_ROUTES_H_
#define LARCH_API_INSTRUCTOR_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/courses/course_catalog.h"
#include "larch/http/router.h"
#include "larch/instructor_tasks/instructor_task_service.h"
#include "larch/problems/problem_service.h"

namespace larch::api {

// The references must outlive the router; the struct is copied.
struct InstructorRoutesContext {
  courses::CourseCatalog& catalog;
  accounts::AccountService& accounts;
  accounts::RoleStore& roles;
  problems::ProblemService& problems;
  instructor_tasks::InstructorTaskService& tasks;
};

void RegisterInstructorRoutes(http::Router& router, const InstructorRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_INSTRUCTOR_ROUTES_H_
