#include "larch/courses/import_tasks.h"

#include <string>

#include <nlohmann/json.hpp>

namespace larch::courses {
namespace {

std::string TaskKey(std::string_view task_id) { return "course-import:" + std::string(task_id); }

}  // namespace

Status QueueCourseImport(storage::Database& db, const ImportTaskRequest& request, int64_t now) {
  if (request.task_id.empty()) return InvalidArgumentError("import task id is empty");
  storage::NewJob job;
  job.kind = kCourseImportJobKind;
  job.payload = nlohmann::json{{"course_key", request.course_key},
                               {"archive", request.archive},
                               {"filename", request.filename},
                               {"user_id", request.user_id}}
                    .dump();
  job.idempotency_key = TaskKey(request.task_id);
  job.max_attempts = 1;
  return storage::EnqueueJob(db, job, now).status();
}

StatusOr<std::optional<ImportTaskState>> FindCourseImport(storage::Database& db,
                                                          std::string_view course_key,
                                                          std::string_view task_id) {
  LARCH_ASSIGN_OR_RETURN(
      std::optional<storage::JobRecord> job,
      storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return storage::JobStore::FindByIdempotencyKey(txn, TaskKey(task_id));
      }));
  if (!job.has_value()) return std::optional<ImportTaskState>();
  nlohmann::json payload = nlohmann::json::parse(job->payload, nullptr, false);
  if (!payload.is_object() || payload.value("course_key", "") != course_key) {
    return std::optional<ImportTaskState>();
  }
  ImportTaskState out;
  out.state = job->state;
  if (job->state == storage::JobState::kDead) out.error = job->last_error;
  return std::optional<ImportTaskState>(std::move(out));
}

}  // namespace larch::courses
