// Course import tasks: the queued `courses.import` jobs behind Studio's
// import API (api/import_routes.h). The route layer stores the upload and
// asks here to queue it or to read its state back; the job row (storage's
// durable queue) is the task, its idempotency key carries the task id.
//
// Thread safety: stateless; safe from any thread.
#ifndef LARCH_COURSES_IMPORT_TASKS_H_
#define LARCH_COURSES_IMPORT_TASKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larch/common/status.h"
#include "larch/storage/database.h"
#include "larch/storage/job_store.h"

namespace larch::courses {

// The job kind the app registers the import handler under. Its payload:
// {"course_key": ..., "archive": file store name, "filename": ..., "user_id": n}.
inline constexpr char kCourseImportJobKind[] = "courses.import";
// Uploads live in the file store under "imports/<task id>/<safe file name>".
inline constexpr char kImportsPrefix[] = "imports/";

struct ImportTaskRequest {
  // The task id handed to the client (a UUID).
  std::string task_id;
  std::string course_key;
  // The upload's name in the file store (under kImportsPrefix), and the name
  // it was uploaded under.
  std::string archive;
  std::string filename;
  int64_t user_id = 0;
};

struct ImportTaskState {
  storage::JobState state = storage::JobState::kQueued;
  // Why a failed (dead) import failed.
  std::optional<std::string> error;
};

// Queues the import, once per task id (a bad archive stays bad: no retries).
// kInvalidArgument for an empty task id; storage errors otherwise.
Status QueueCourseImport(storage::Database& db, const ImportTaskRequest& request, int64_t now);

// The task `task_id` of course `course_key`; nullopt when there is none (or
// it belongs to another course). Storage errors otherwise.
StatusOr<std::optional<ImportTaskState>> FindCourseImport(storage::Database& db,
                                                          std::string_view course_key,
                                                          std::string_view task_id);

}  // namespace larch::courses

#endif  // LARCH_COURSES_IMPORT_TASKS_H_
