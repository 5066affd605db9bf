// The background worker: claims due jobs from the durable queue and runs the
// handler registered for each job's kind (Larch's Celery worker).
//
// Outcomes of one run:
//   handler returns OK                       -> succeeded
//   kInvalidArgument or kUnimplemented, no handler for the kind, payload not
//   JSON                                     -> dead at once (retrying cannot help)
//   any other error, or the handler throws   -> queued again after
//       min(base_backoff * 2^(attempts-1), max_backoff) plus up to
//       jitter_ratio of that from the injected Random (the total capped at
//       max_backoff), or dead once max_attempts runs failed.
// The status text of the last failure is kept in the job's last_error.
//
// Delivery is at-least-once: a job whose worker dies is run again by another
// worker once its lease (lease_seconds) runs out, so handlers must be
// idempotent; the first worker's result is then dropped. While Start()ed
// threads run a job its lease is renewed every lease_renew_ms, so a long job
// (a course import) is not taken over while its worker is alive.
//
// Thread safety: JobRunner is thread-safe. Register handlers before Start;
// RunOnce may be called from any thread (tests drive it directly).
#ifndef LARCH_JOBS_JOB_RUNNER_H_
#define LARCH_JOBS_JOB_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "larch/common/clock.h"
#include "larch/common/mutex.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"
#include "larch/storage/job_store.h"

namespace larch::jobs {

struct JobContext {
  // The claimed job: attempts already counts this run (1 on the first).
  const storage::JobRecord& job;
  const nlohmann::json& payload;
  const std::string& worker_id;
};

using JobHandler = std::function<Status(const JobContext&)>;

// Runs `effect_fn` for the job unless an earlier run of the same job
// recorded `effect` as done, then records it (its own transaction, right
// after the effect). A crash between the effect and the record runs it once
// more, so effects that leave the database (mail) also carry the job id for
// the peer to deduplicate (a Message-ID made from it).
Status RunEffectOnce(storage::Database& db, const Clock& clock, const JobContext& job,
                     std::string_view effect, const std::function<Status()>& effect_fn);

struct RunnerOptions {
  // Identifies this worker's leases; a random one is made when empty.
  std::string worker_id;
  // Queues to serve; empty serves every queue.
  std::vector<std::string> queues = {"default"};
  int threads = 1;
  // How long an idle thread waits before looking for due jobs again.
  int64_t poll_interval_ms = 1'000;
  // Short and renewed while the job runs (lease_renew_ms): a process that
  // dies holds its running jobs for at most this long.
  int64_t lease_seconds = 30;
  // How often the leases of running jobs are extended; 0 = a third of the
  // lease.
  int64_t lease_renew_ms = 0;
  // Jobs claimed at a time by one thread. 1 (the default) leaves every job
  // the thread is not running to the other processes; more saves claim
  // round trips but a killed process then holds the rest of its batch for
  // a lease.
  int64_t batch_size = 1;
  int64_t base_backoff_seconds = 2;
  int64_t max_backoff_seconds = 3'600;
  // Jitter added to a retry delay, as a fraction of it (0 = none), so jobs
  // that failed together do not all retry at the same instant.
  double jitter_ratio = 0.1;
};

struct RunnerStats {
  int64_t succeeded = 0;
  int64_t retried = 0;
  int64_t dead = 0;
  // Results dropped because another worker had taken the job over.
  int64_t lost_leases = 0;
};

// The retry delay after the `attempts`-th failed run, in microseconds.
int64_t RetryDelayMicros(const RunnerOptions& options, int64_t attempts, Random& random);

class JobRunner {
 public:
  JobRunner(storage::Database& db, const Clock& clock, Random& random, RunnerOptions options);
  // Stops (gracefully) when still running.
  ~JobRunner();

  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // kAlreadyExists when `kind` already has a handler, kInvalidArgument for an
  // empty kind or handler, kFailedPrecondition once started.
  Status Register(const std::string& kind, JobHandler handler);

  // Starts options.threads worker threads. kFailedPrecondition when already
  // running, kInvalidArgument for non-positive threads/batch/lease.
  Status Start();
  // Asks the threads to stop without waiting: each finishes the job it is
  // running, hands the rest of its batch back to the queue and exits.
  void RequestStop();
  // RequestStop, then waits for the threads. Start may be called again.
  void Stop();

  // Claims one batch and runs it on the calling thread; returns how many
  // jobs were claimed. A database error is logged and counts as 0.
  int RunOnce();

  const std::string& worker_id() const { return options_.worker_id; }
  RunnerStats stats() const;

 private:
  int RunBatch(const std::atomic<bool>* stop);
  void RunJob(const storage::JobRecord& job);
  void RecordOutcome(const storage::JobRecord& job, const Status& result);
  void WorkerLoop();
  // Extends the leases of running_jobs_ until stop_ (one thread per runner).
  void LeaseLoop();
  void Forget(int64_t job_id);

  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  RunnerOptions options_;

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<const JobHandler>> handlers_ LARCH_GUARDED_BY(mu_);
  bool running_ LARCH_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ LARCH_GUARDED_BY(mu_);
  // Wakes the worker and lease threads early when stop_ is set.
  CondVar wake_;
  std::atomic<bool> stop_{false};
  std::thread lease_thread_ LARCH_GUARDED_BY(mu_);
  // Claimed jobs not finished yet, whose leases LeaseLoop renews (id ->
  // number of claims holding it).
  std::map<int64_t, int> running_jobs_ LARCH_GUARDED_BY(mu_);

  std::atomic<int64_t> succeeded_{0};
  std::atomic<int64_t> retried_{0};
  std::atomic<int64_t> dead_{0};
  std::atomic<int64_t> lost_leases_{0};
};

}  // namespace larch::jobs

#endif  // LARCH_JOBS_JOB_RUNNER_H_
