// Enqueueing background jobs: Larch's replacement for Celery's
// `task.delay()`. A job is a row in the `jobs` table (storage/job_store.h),
// so enqueueing inside the caller's transaction makes the job exist exactly
// when the caller's change commits (no lost or phantom tasks).
//
// Thread safety: stateless; safe from any thread with its own Executor.
#ifndef LARCH_JOBS_JOB_QUEUE_H_
#define LARCH_JOBS_JOB_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "larch/common/status.h"
#include "larch/storage/database.h"
#include "larch/storage/job_store.h"

namespace larch::jobs {

struct NewJob {
  // The handler name registered with JobRunner::Register, e.g. "mail.send".
  std::string kind;
  // Any JSON text; handlers receive it parsed.
  std::string payload = "{}";
  std::string queue = "default";
  // A second enqueue with the same key returns the first job instead.
  std::optional<std::string> idempotency_key;
  int64_t max_attempts = 5;
  // Earliest time to run (micros since epoch); nullopt means `now`.
  std::optional<int64_t> run_at;
};

class JobQueue {
 public:
  // Adds `job` in the caller's transaction. kInvalidArgument for an empty
  // kind or queue, max_attempts < 1 or a payload that is not JSON; with a
  // taken idempotency key returns the existing id and created = false.
  static StatusOr<storage::EnqueueResult> Enqueue(storage::Executor& ex, const NewJob& job,
                                                  int64_t now);
  // The same in a transaction of its own.
  static StatusOr<storage::EnqueueResult> Enqueue(storage::Database& db, const NewJob& job,
                                                  int64_t now);
};

}  // namespace larch::jobs

#endif  // LARCH_JOBS_JOB_QUEUE_H_
