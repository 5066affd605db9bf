#include "larch/jobs/job_queue.h"

#include <nlohmann/json.hpp>

namespace larch::jobs {

StatusOr<storage::EnqueueResult> JobQueue::Enqueue(storage::Executor& ex, const NewJob& job,
                                                   int64_t now) {
  if (!nlohmann::json::accept(job.payload)) {
    return InvalidArgumentError("payload of job " + job.kind + " is not JSON");
  }
  storage::JobRecord record;
  record.queue = job.queue;
  record.kind = job.kind;
  record.payload = job.payload;
  record.idempotency_key = job.idempotency_key;
  record.max_attempts = job.max_attempts;
  record.run_at = job.run_at.value_or(now);
  return storage::JobStore::Enqueue(ex, record, now);
}

StatusOr<storage::EnqueueResult> JobQueue::Enqueue(storage::Database& db, const NewJob& job,
                                                   int64_t now) {
  storage::EnqueueResult result;
  LARCH_RETURN_IF_ERROR(
      db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(result, Enqueue(txn, job, now));
        return OkStatus();
      }));
  return result;
}

}  // namespace larch::jobs
