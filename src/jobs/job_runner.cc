#include "larch/jobs/job_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace larch::jobs {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

bool IsPermanent(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ||
         status.code() == StatusCode::kUnimplemented;
}

}  // namespace

int64_t RetryDelayMicros(const RunnerOptions& options, int64_t attempts, Random& random) {
  const int64_t cap = std::max<int64_t>(options.max_backoff_seconds, 0) * kMicrosPerSecond;
  const int64_t base = std::max<int64_t>(options.base_backoff_seconds, 0) * kMicrosPerSecond;
  int64_t delay = base;
  // Doubling stops at the cap, so the shift can never overflow.
  for (int64_t i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  if (options.jitter_ratio > 0 && delay > 0) {
    const auto spread = static_cast<uint64_t>(static_cast<double>(delay) * options.jitter_ratio);
    if (spread > 0) delay += static_cast<int64_t>(random.Uniform(spread + 1));
  }
  return std::min(delay, cap);
}

Status RunEffectOnce(storage::Database& db, const Clock& clock, const JobContext& job,
                     std::string_view effect, const std::function<Status()>& effect_fn) {
  LARCH_ASSIGN_OR_RETURN(
      bool done,
      storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return storage::JobStore::EffectDone(txn, job.job.id, effect);
      }));
  if (done) {
    spdlog::info("job {} ({}): {} already done by an earlier run", job.job.id, job.job.kind,
                 effect);
    return OkStatus();
  }
  LARCH_RETURN_IF_ERROR(effect_fn());
  return db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return storage::JobStore::RecordEffect(txn, job.job.id, effect, clock.NowMicros());
  });
}

JobRunner::JobRunner(storage::Database& db, const Clock& clock, Random& random,
                     RunnerOptions options)
    : db_(db), clock_(clock), random_(random), options_(std::move(options)) {
  if (options_.worker_id.empty()) options_.worker_id = "worker-" + random_.HexToken(6);
}

JobRunner::~JobRunner() { Stop(); }

Status JobRunner::Register(const std::string& kind, JobHandler handler) {
  if (kind.empty()) return InvalidArgumentError("job kind is empty");
  if (!handler) return InvalidArgumentError("handler for job kind " + kind + " is empty");
  MutexLock lock(mu_);
  if (running_) return FailedPreconditionError("register job handlers before Start");
  auto [it, inserted] =
      handlers_.emplace(kind, std::make_shared<const JobHandler>(std::move(handler)));
  if (!inserted) return AlreadyExistsError("job kind " + kind + " already has a handler");
  return OkStatus();
}

Status JobRunner::Start() {
  if (options_.threads < 1 || options_.batch_size < 1 || options_.lease_seconds < 1) {
    return InvalidArgumentError("job runner needs threads, batch_size and lease_seconds >= 1");
  }
  MutexLock lock(mu_);
  if (running_) return FailedPreconditionError("job runner already started");
  running_ = true;
  stop_ = false;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  lease_thread_ = std::thread([this] { LeaseLoop(); });
  spdlog::info("job runner {} started: {} threads", options_.worker_id, options_.threads);
  return OkStatus();
}

void JobRunner::RequestStop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
}

void JobRunner::Stop() {
  RequestStop();
  std::vector<std::thread> threads;
  {
    MutexLock lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  std::thread lease_thread;
  {
    MutexLock lock(mu_);
    lease_thread.swap(lease_thread_);
  }
  if (lease_thread.joinable()) lease_thread.join();
  MutexLock lock(mu_);
  if (running_) spdlog::info("job runner {} stopped", options_.worker_id);
  running_ = false;
}

void JobRunner::WorkerLoop() {
  while (!stop_) {
    const int claimed = RunBatch(&stop_);
    if (claimed >= options_.batch_size) continue;
    MutexLock lock(mu_);
    wake_.WaitFor(mu_, std::chrono::milliseconds(options_.poll_interval_ms),
                  [this] { return stop_.load(); });
  }
}

int JobRunner::RunOnce() { return RunBatch(nullptr); }

void JobRunner::Forget(int64_t job_id) {
  MutexLock lock(mu_);
  auto it = running_jobs_.find(job_id);
  if (it != running_jobs_.end() && --it->second == 0) running_jobs_.erase(it);
}

void JobRunner::LeaseLoop() {
  const int64_t every_ms = options_.lease_renew_ms > 0
                               ? options_.lease_renew_ms
                               : std::max<int64_t>(1, options_.lease_seconds * 1000 / 3);
  while (!stop_) {
    std::vector<int64_t> ids;
    {
      MutexLock lock(mu_);
      wake_.WaitFor(mu_, std::chrono::milliseconds(every_ms), [this] { return stop_.load(); });
      if (stop_) break;
      for (const auto& [id, runs] : running_jobs_) ids.push_back(id);
    }
    for (int64_t id : ids) {
      const int64_t now = clock_.NowMicros();
      Status extended =
          db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
            return storage::JobStore::ExtendLease(
                txn, id, options_.worker_id, now + options_.lease_seconds * kMicrosPerSecond, now);
          });
      // kNotFound: finished meanwhile, or already taken over (then
      // RecordOutcome counts the lost lease).
      if (!extended.ok() && extended.code() != StatusCode::kNotFound) {
        spdlog::warn("job runner {}: renewing the lease of job {} failed: {}", options_.worker_id,
                     id, extended.ToString());
      }
    }
  }
}

int JobRunner::RunBatch(const std::atomic<bool>* stop) {
  std::vector<storage::JobRecord> jobs;
  const int64_t now = clock_.NowMicros();
  Status status =
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(
            jobs, storage::JobStore::Claim(txn, options_.queues, options_.worker_id, now,
                                           options_.lease_seconds * kMicrosPerSecond,
                                           options_.batch_size));
        return OkStatus();
      });
  if (!status.ok()) {
    spdlog::error("job runner {}: claiming jobs failed: {}", options_.worker_id, status.ToString());
    return 0;
  }
  {
    // The whole batch is leased from here: jobs waiting behind a long one
    // keep their lease too.
    MutexLock lock(mu_);
    for (const storage::JobRecord& job : jobs) ++running_jobs_[job.id];
  }
  for (const storage::JobRecord& job : jobs) {
    if (stop != nullptr && stop->load()) {
      Forget(job.id);
      // Not started, so hand it back now rather than leave it locked until
      // the lease runs out.
      Status released =
          db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
            return storage::JobStore::Release(txn, job.id, options_.worker_id, clock_.NowMicros());
          });
      if (!released.ok()) {
        spdlog::warn("job runner {}: releasing job {} failed: {}", options_.worker_id, job.id,
                     released.ToString());
      }
      continue;
    }
    RunJob(job);
    Forget(job.id);
  }
  return static_cast<int>(jobs.size());
}

void JobRunner::RunJob(const storage::JobRecord& job) {
  std::shared_ptr<const JobHandler> handler;
  {
    MutexLock lock(mu_);
    auto it = handlers_.find(job.kind);
    if (it != handlers_.end()) handler = it->second;
  }
  Status result;
  if (handler == nullptr) {
    result = UnimplementedError("no handler registered for job kind " + job.kind);
  } else {
    nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
    if (payload.is_discarded()) {
      result = InvalidArgumentError("payload of job " + std::to_string(job.id) + " is not JSON");
    } else {
      try {
        result = (*handler)(JobContext{job, payload, options_.worker_id});
      } catch (const std::exception& e) {
        result = InternalError(std::string("handler threw: ") + e.what());
      } catch (...) {
        result = InternalError("handler threw a non-std exception");
      }
    }
  }
  RecordOutcome(job, result);
}

void JobRunner::RecordOutcome(const storage::JobRecord& job, const Status& result) {
  const int64_t now = clock_.NowMicros();
  const bool permanent = !result.ok() && IsPermanent(result);
  const int64_t retry_at =
      result.ok() || permanent ? now : now + RetryDelayMicros(options_, job.attempts, random_);
  const std::string error = result.ToString();
  Status written =
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
        if (result.ok()) {
          return storage::JobStore::MarkSucceeded(txn, job.id, options_.worker_id, now);
        }
        return storage::JobStore::MarkFailed(txn, job.id, options_.worker_id, error, now, retry_at,
                                             permanent);
      });
  if (written.code() == StatusCode::kNotFound) {
    ++lost_leases_;
    spdlog::warn(
        "job runner {}: job {} ({}) was taken over after its lease expired; result "
        "dropped: {}",
        options_.worker_id, job.id, job.kind, error);
    return;
  }
  if (!written.ok()) {
    // The lease will expire and another run will happen: at-least-once.
    spdlog::error("job runner {}: recording the result of job {} failed: {}", options_.worker_id,
                  job.id, written.ToString());
    return;
  }
  if (result.ok()) {
    ++succeeded_;
  } else if (permanent || job.attempts >= job.max_attempts) {
    ++dead_;
    spdlog::error("job {} ({}) is dead after {} attempt(s): {}", job.id, job.kind, job.attempts,
                  error);
  } else {
    ++retried_;
    spdlog::warn("job {} ({}) attempt {} failed, retrying at {}: {}", job.id, job.kind,
                 job.attempts, FormatIso8601(retry_at), error);
  }
}

RunnerStats JobRunner::stats() const {
  return RunnerStats{succeeded_.load(), retried_.load(), dead_.load(), lost_leases_.load()};
}

}  // namespace larch::jobs
