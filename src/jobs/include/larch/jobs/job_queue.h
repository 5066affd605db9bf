// Enqueueing background jobs from the layers above the domain (app, api,
// jobs). The transactional enqueue itself is storage::EnqueueJob
// (storage/job_store.h), so the domain can enqueue without depending on the
// runner; this is the same call under the name the runner's callers use.
//
// Thread safety: stateless; safe from any thread with its own Executor.
#ifndef LARCH_JOBS_JOB_QUEUE_H_
#define LARCH_JOBS_JOB_QUEUE_H_

#include <cstdint>

#include "larch/common/status.h"
#include "larch/storage/database.h"
#include "larch/storage/job_store.h"

namespace larch::jobs {

using NewJob = storage::NewJob;

class JobQueue {
 public:
  // See storage::EnqueueJob: in the caller's transaction.
  static StatusOr<storage::EnqueueResult> Enqueue(storage::Executor& ex, const NewJob& job,
                                                  int64_t now) {
    return storage::EnqueueJob(ex, job, now);
  }
  // The same in a transaction of its own.
  static StatusOr<storage::EnqueueResult> Enqueue(storage::Database& db, const NewJob& job,
                                                  int64_t now) {
    return storage::EnqueueJob(db, job, now);
  }
};

}  // namespace larch::jobs

#endif  // LARCH_JOBS_JOB_QUEUE_H_
