// Persistence for the durable job queue (jobs/ is the runner on top).
//
// A job moves queued -> running -> succeeded, or back to queued with a later
// run_at after a failure, or to dead once max_attempts is spent (keeping the
// last error). Claiming is atomic: on PostgreSQL with
// `FOR UPDATE SKIP LOCKED`, so several `larch worker` processes never take
// the same job; on SQLite under the single writer. A claim is a lease: a
// running job whose locked_until has passed (its worker died) is claimable
// again.
//
// Thread safety: stateless; safe from any thread with its own Executor.
#ifndef LARCH_STORAGE_JOB_STORE_H_
#define LARCH_STORAGE_JOB_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

enum class JobState { kQueued, kRunning, kSucceeded, kDead };
std::string_view JobStateName(JobState state);
StatusOr<JobState> ParseJobState(std::string_view name);

struct JobRecord {
  int64_t id = 0;
  std::string queue = "default";
  std::string kind;            // handler name, e.g. "mail.send"
  std::string payload = "{}";  // JSON
  std::optional<std::string> idempotency_key;
  JobState state = JobState::kQueued;
  int64_t attempts = 0;
  int64_t max_attempts = 5;
  int64_t run_at = 0;
  std::optional<std::string> locked_by;
  std::optional<int64_t> locked_until;
  std::optional<std::string> last_error;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> finished_at;
  std::optional<std::string> coalesce_key;
  // Enqueues merged into this job while it was queued.
  int64_t coalesced = 0;
};

struct EnqueueResult {
  int64_t id = 0;
  // False when a job with the same idempotency key already existed, or a
  // queued one with the same coalesce key; `id` is then that job's id (and
  // only its merge count changed).
  bool created = true;
};

class JobStore {
 public:
  // Inserts a queued job. With an idempotency key that is already taken,
  // or a coalesce key a queued job has, returns the existing job
  // (created = false).
  static StatusOr<EnqueueResult> Enqueue(Executor& ex, const JobRecord& job, int64_t now);
  // Atomically leases up to `limit` due jobs (queued with run_at <= now, or
  // running with an expired lease) from `queues`, oldest run_at first:
  // state=running, attempts+1, locked_by=worker, locked_until=now+lease.
  static StatusOr<std::vector<JobRecord>> Claim(Executor& ex,
                                                const std::vector<std::string>& queues,
                                                const std::string& worker, int64_t now,
                                                int64_t lease_micros, int64_t limit);
  // Marks a job this worker holds as succeeded. kNotFound when the worker no
  // longer holds it (lease expired and another worker took it).
  static Status MarkSucceeded(Executor& ex, int64_t id, const std::string& worker, int64_t now);
  // Records a failure: requeued at `retry_at`, or dead when attempts have
  // reached max_attempts (or `permanent`).
  static Status MarkFailed(Executor& ex, int64_t id, const std::string& worker,
                           const std::string& error, int64_t now, int64_t retry_at, bool permanent);
  // Hands back a job this worker claimed but never started (graceful
  // shutdown): queued again, its claim's attempt undone. kNotFound when the
  // worker no longer holds it.
  static Status Release(Executor& ex, int64_t id, const std::string& worker, int64_t now);
  // Moves the lease of a job `worker` is running to `locked_until`, so a long
  // run is not taken over. kNotFound when the worker no longer holds it.
  static Status ExtendLease(Executor& ex, int64_t id, const std::string& worker,
                            int64_t locked_until, int64_t now);
  static StatusOr<std::optional<JobRecord>> Get(Executor& ex, int64_t id);
  // The job enqueued with idempotency key `key` (task ids handed to clients).
  static StatusOr<std::optional<JobRecord>> FindByIdempotencyKey(Executor& ex,
                                                                 std::string_view key);
  // Counts per state, for /heartbeat and `larch check`: every state, in enum
  // order, zero included.
  static StatusOr<std::vector<std::pair<JobState, int64_t>>> CountByState(Executor& ex);
  // Puts a dead job back in the queue with its attempts reset, due at `now`
  // (last_error is kept). kNotFound when there is no such job,
  // kFailedPrecondition when it is not dead or a queued job has its
  // coalesce key.
  static Status Retry(Executor& ex, int64_t id, int64_t now);
  // Whether job `id` recorded side effect `effect` (table job_effects).
  static StatusOr<bool> EffectDone(Executor& ex, int64_t id, std::string_view effect);
  // Records that job `id` finished `effect`; recording it again is a no-op.
  static Status RecordEffect(Executor& ex, int64_t id, std::string_view effect, int64_t now);
};

// A job as callers describe it: Larch's replacement for Celery's
// `task.delay()`. It lives here, below the domain, so domain services can
// enqueue inside their own transaction (the job exists exactly when their
// change commits: no lost or phantom tasks) without depending on jobs/, the
// runner above them.
struct NewJob {
  // The handler name registered with jobs::JobRunner::Register, e.g. "mail.send".
  std::string kind;
  // Any JSON text; handlers receive it parsed.
  std::string payload = "{}";
  std::string queue = "default";
  // A second enqueue with the same key returns the first job instead.
  std::optional<std::string> idempotency_key;
  // While a queued job with this key exists, an enqueue returns it instead
  // of adding one (work such as "recompute this learner's grade" that one
  // run covers however many changes came first). A claimed job no longer
  // merges: the next enqueue adds a job. A job whose run fails while another
  // with its key is queued is finished as succeeded (the queued one redoes
  // the work). Not together with idempotency_key.
  std::optional<std::string> coalesce_key;
  int64_t max_attempts = 5;
  // Earliest time to run (micros since epoch); nullopt means `now`.
  std::optional<int64_t> run_at;
};

// Adds `job` in the caller's transaction. kInvalidArgument for an empty kind
// or queue, max_attempts < 1 or a payload that is not JSON; with a taken
// idempotency key returns the existing id and created = false.
StatusOr<EnqueueResult> EnqueueJob(Executor& ex, const NewJob& job, int64_t now);
// The same in a transaction of its own.
StatusOr<EnqueueResult> EnqueueJob(Database& db, const NewJob& job, int64_t now);

}  // namespace larch::storage

#endif  // LARCH_STORAGE_JOB_STORE_H_
