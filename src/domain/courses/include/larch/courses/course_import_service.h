// The `courses.import` job's use case (api/import_routes.h enqueues it):
// checks the job payload, copies the uploaded archive out of the file store
// (storage/file_store.h; any process sharing the store may run the job, not
// only the one that received the upload) into a temporary folder, imports it
// into the target run with CourseImporter, drops the upload and the copy
// whatever the outcome, then runs the after-import hook (the app wires
// milestones::MilestoneService::SyncCourse there; milestones depends on
// courses, so courses cannot call it itself).
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
#include "larch/storage/file_store.h"

namespace larch::courses {

class CourseImportService {
 public:
  // Called with the imported course's key after a successful import; its
  // error becomes the job's error.
  using AfterImport = std::function<Status(const keys::CourseKey&)>;

  // All references must outlive the service. `after_import` may be empty.
  CourseImportService(storage::Database& db, const Clock& clock, storage::FileStore& files,
                      AfterImport after_import);

  // Runs one `courses.import` job: payload {"course_key", "archive"}, the
  // archive being the name of the upload in the file store
  // ("imports/<task id>/<file>", kImportsPrefix). kInvalidArgument when the
  // payload lacks either string, the archive is not a valid name under
  // imports/, or the course key does not parse; kNotFound when the upload is
  // not (any more) in the store; otherwise CourseImporter::Import's errors,
  // then the hook's. The upload is deleted from the store once the import
  // was attempted.
  Status RunImportJob(const nlohmann::json& payload);

 private:
  storage::Database& db_;
  const Clock& clock_;
  storage::FileStore& files_;
  AfterImport after_import_;
};

}  // namespace larch::courses

#endif  // LARCH_COURSES_COURSE_IMPORT_SERVICE_H_
