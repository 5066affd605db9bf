// The `courses.import` job's use case (api/import_routes.h enqueues it):
// checks the job payload, imports the uploaded archive into the target run
// with CourseImporter, drops the upload whatever the outcome, then runs the
// after-import hook (the app wires milestones::MilestoneService::SyncCourse
// there; milestones depends on courses, so courses cannot call it itself).
//
// Thread safety: RunImportJob may be called from several job threads at
// once when the hook may; the service keeps no state of its own.
#ifndef LARCH_COURSES_COURSE_IMPORT_SERVICE_H_
#define LARCH_COURSES_COURSE_IMPORT_SERVICE_H_

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/keys/keys.h"
#include "larch/storage/database.h"

namespace larch::courses {

class CourseImportService {
 public:
  // Called with the imported course's key after a successful import; its
  // error becomes the job's error.
  using AfterImport = std::function<Status(const keys::CourseKey&)>;

  // All references must outlive the service. `after_import` may be empty.
  CourseImportService(storage::Database& db, const Clock& clock, std::string data_dir,
                      AfterImport after_import);

  // Runs one `courses.import` job: payload {"course_key", "archive"}.
  // kInvalidArgument when the payload lacks either string, the archive lies
  // outside <data_dir>/imports, or the course key does not parse; otherwise
  // CourseImporter::Import's errors, then the hook's. The archive's folder is
  // removed once the import was attempted.
  Status RunImportJob(const nlohmann::json& payload);

 private:
  storage::Database& db_;
  const Clock& clock_;
  std::string data_dir_;
  AfterImport after_import_;
};

}  // namespace larch::courses

#endif  // LARCH_COURSES_COURSE_IMPORT_SERVICE_H_
