// The course import API of Open edX Studio (cms contentstore
// api/views/course_import.py, CourseImportView):
//   POST /api/courses/v0/import/{course_id}/   multipart `course_data`
//        (.tar.gz or .zip) -> {"task_id": uuid}; the import runs as a job
//   GET  /api/courses/v0/import/{course_id}/?task_id=...  -> {"state": ...}
// The archive is imported into `course_id` whatever run it was exported
// from, replacing the course atomically. The task is a `courses.import` job
// (courses/import_tasks.h). Callers need course author access:
// global staff, or the instructor or staff role on the course or its org.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_IMPORT_ROUTES_H_
#define LARCH_API_IMPORT_ROUTES_H_

#include <cstdint>
#include <string>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/http/router.h"
#include "larch/storage/database.h"
#include "larch/storage/file_store.h"

namespace larch::accounts {
class RoleStore;
}

namespace larch::api {

// The path prefix of the upload endpoint, for the server's body limit.
inline constexpr char kCourseImportPathPrefix[] = "/api/courses/v0/import/";

struct CourseImportRoutesContext {
  storage::Database& db;
  accounts::RoleStore& roles;
  const Clock& clock;
  Random& random;
  // Uploads are kept in the file store as imports/<task id>/<file name>
  // until the job ran, on whichever process claims it.
  storage::FileStore& files;
};

void RegisterCourseImportRoutes(http::Router& router, CourseImportRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_IMPORT_ROUTES_H_
