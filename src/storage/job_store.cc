#include "larch/storage/job_store.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/strings.h"

namespace larch::storage {
namespace {

// Every statement that yields job rows returns these columns in this order,
// so one RowToJob reads them all.
#define LARCH_JOB_COLUMNS                                                                         \
  "id, queue, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, locked_by, " \
  "locked_until, last_error, created_at, updated_at, finished_at, coalesce_key, coalesced"

// ON CONFLICT DO NOTHING rather than catching kAlreadyExists: on PostgreSQL a
// unique violation aborts the caller's whole transaction, and the enqueue is
// meant to run inside the caller's transaction.
constexpr Query kInsertJob{
    "jobs.insert",
    "INSERT INTO jobs (queue, kind, payload, idempotency_key, state, attempts, max_attempts, "
    "run_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"};

// A job with a coalesce key merges into the queued one with that key. DO
// UPDATE rather than DO NOTHING: on PostgreSQL it locks the queued row until
// the caller commits, so no worker claims it (SKIP LOCKED) and starts before
// the caller's change is visible. RETURNING gives the merge count: 0 for a
// new row.
constexpr Query kInsertCoalescingJob{
    "jobs.insert_coalescing",
    "INSERT INTO jobs (queue, kind, payload, coalesce_key, state, attempts, max_attempts, "
    "run_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) "
    "ON CONFLICT (coalesce_key) WHERE state = 'queued' AND coalesce_key IS NOT NULL "
    "DO UPDATE SET coalesced = jobs.coalesced + 1, updated_at = excluded.updated_at "
    "RETURNING id, coalesced"};

constexpr Query kSelectIdByIdempotencyKey{"jobs.select_id_by_idempotency_key",
                                          "SELECT id FROM jobs WHERE idempotency_key = ?"};

// The queue filter takes one JSON array parameter so the statement stays a
// constant whatever the number of queues. SQLite needs no row locks: the
// claim runs under its single writer.
constexpr Query kClaimFromQueues{
    "jobs.claim",
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, "
    "locked_until = ?, updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE "
    "queue IN (SELECT value FROM json_each(?)) AND ((state = 'queued' AND run_at <= ?) OR "
    "(state = 'running' AND locked_until <= ?)) ORDER BY run_at, id LIMIT ?) "
    "RETURNING " LARCH_JOB_COLUMNS,
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, "
    "locked_until = ?, updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE "
    "queue IN (SELECT jsonb_array_elements_text(CAST(? AS TEXT)::jsonb)) AND "
    "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?)) "
    "ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
    "RETURNING " LARCH_JOB_COLUMNS};

// Same as kClaimFromQueues for every queue (an empty queue list).
constexpr Query kClaimAnyQueue{
    "jobs.claim_any_queue",
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, "
    "locked_until = ?, updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE "
    "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?)) "
    "ORDER BY run_at, id LIMIT ?) RETURNING " LARCH_JOB_COLUMNS,
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, "
    "locked_until = ?, updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE "
    "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?)) "
    "ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING " LARCH_JOB_COLUMNS};

// The `state = 'running' AND locked_by = ?` guard is what makes a worker
// whose lease expired (and whose job another worker re-claimed) fail.
constexpr Query kMarkSucceeded{
    "jobs.mark_succeeded",
    "UPDATE jobs SET state = 'succeeded', locked_by = NULL, locked_until = NULL, "
    "updated_at = ?, finished_at = ? WHERE id = ? AND state = 'running' AND locked_by = ?"};

// True for a job that has a coalesce key when another job with that key is
// queued: that one does the work, so this one must not be queued again (the
// queued state allows one job per key).
#define LARCH_JOB_SUPERSEDED                                                         \
  "(coalesce_key IS NOT NULL AND EXISTS (SELECT 1 FROM jobs q WHERE q.coalesce_key " \
  "= jobs.coalesce_key AND q.state = 'queued' AND q.id <> jobs.id))"

constexpr Query kMarkFailed{
    "jobs.mark_failed",
    "UPDATE jobs SET "
    "state = CASE WHEN attempts >= max_attempts THEN 'dead' WHEN " LARCH_JOB_SUPERSEDED
    " THEN 'succeeded' ELSE 'queued' END, "
    "run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE CAST(? AS BIGINT) END, "
    "finished_at = CASE WHEN attempts >= max_attempts OR " LARCH_JOB_SUPERSEDED
    " THEN CAST(? AS BIGINT) ELSE NULL END, "
    "last_error = ?, locked_by = NULL, locked_until = NULL, updated_at = ? "
    "WHERE id = ? AND state = 'running' AND locked_by = ?"};

constexpr Query kMarkDead{
    "jobs.mark_dead",
    "UPDATE jobs SET state = 'dead', finished_at = ?, last_error = ?, locked_by = NULL, "
    "locked_until = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND locked_by = ?"};

// Gives back a claimed job that was never started; the claim's attempt is
// returned too, so a graceful shutdown does not burn the job's attempts.
constexpr Query kRelease{"jobs.release",
                         "UPDATE jobs SET state = CASE WHEN " LARCH_JOB_SUPERSEDED
                         " THEN 'succeeded' ELSE "
                         "'queued' END, attempts = CASE WHEN attempts > 0 THEN attempts - 1 "
                         "ELSE 0 END, locked_by = NULL, locked_until = NULL, updated_at = ? "
                         "WHERE id = ? AND state = 'running' AND locked_by = ?"};

constexpr Query kExtendLease{"jobs.extend_lease",
                             "UPDATE jobs SET locked_until = ?, updated_at = ? "
                             "WHERE id = ? AND state = 'running' AND locked_by = ?"};

constexpr Query kSelectJob{"jobs.select", "SELECT " LARCH_JOB_COLUMNS " FROM jobs WHERE id = ?"};

constexpr Query kSelectJobByKey{"jobs.select_by_idempotency_key",
                                "SELECT " LARCH_JOB_COLUMNS " FROM jobs WHERE idempotency_key = ?"};

constexpr Query kCountByState{"jobs.count_by_state",
                              "SELECT state, COUNT(*) FROM jobs GROUP BY state"};

constexpr Query kRetryDead{
    "jobs.retry_dead",
    "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL, "
    "locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ? AND state = 'dead' "
    "AND NOT " LARCH_JOB_SUPERSEDED};

#undef LARCH_JOB_COLUMNS
#undef LARCH_JOB_SUPERSEDED

StatusOr<JobRecord> RowToJob(const Row& row) {
  if (row.size() < 17) {
    return InternalError("jobs row has " + std::to_string(row.size()) + " columns, want 17");
  }
  JobRecord job;
  job.id = row.GetInt(0);
  job.queue = row.GetText(1);
  job.kind = row.GetText(2);
  job.payload = row.GetText(3);
  job.idempotency_key = row.GetOptionalText(4);
  LARCH_ASSIGN_OR_RETURN(job.state, ParseJobState(row.GetText(5)));
  job.attempts = row.GetInt(6);
  job.max_attempts = row.GetInt(7);
  job.run_at = row.GetInt(8);
  job.locked_by = row.GetOptionalText(9);
  job.locked_until = row.GetOptionalInt(10);
  job.last_error = row.GetOptionalText(11);
  job.created_at = row.GetInt(12);
  job.updated_at = row.GetInt(13);
  job.finished_at = row.GetOptionalInt(14);
  job.coalesce_key = row.GetOptionalText(15);
  job.coalesced = row.GetInt(16);
  return job;
}

std::string QueuesAsJsonArray(const std::vector<std::string>& queues) {
  std::string out = "[";
  for (size_t i = 0; i < queues.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, queues[i]);
  }
  out += ']';
  return out;
}

}  // namespace

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kDead:
      return "dead";
  }
  return "unknown";
}

StatusOr<JobState> ParseJobState(std::string_view name) {
  if (name == "queued") return JobState::kQueued;
  if (name == "running") return JobState::kRunning;
  if (name == "succeeded") return JobState::kSucceeded;
  if (name == "dead") return JobState::kDead;
  return InvalidArgumentError("unknown job state '" + std::string(name) + "'");
}

StatusOr<EnqueueResult> JobStore::Enqueue(Executor& ex, const JobRecord& job, int64_t now) {
  if (job.kind.empty()) return InvalidArgumentError("job kind is empty");
  if (job.queue.empty()) return InvalidArgumentError("job queue is empty");
  if (job.max_attempts < 1) return InvalidArgumentError("job max_attempts must be at least 1");
  if (job.idempotency_key.has_value() && job.idempotency_key->empty()) {
    return InvalidArgumentError("job idempotency key is empty");
  }
  if (job.coalesce_key.has_value()) {
    if (job.coalesce_key->empty()) return InvalidArgumentError("job coalesce key is empty");
    if (job.idempotency_key.has_value()) {
      return InvalidArgumentError("a job has an idempotency key or a coalesce key, not both");
    }
    LARCH_ASSIGN_OR_RETURN(
        ResultSet merged,
        ex.Execute(kInsertCoalescingJob,
                   {Text(job.queue), Text(job.kind), Text(job.payload), Text(*job.coalesce_key),
                    Int(job.max_attempts), Int(job.run_at), Int(now), Int(now)}));
    if (merged.empty()) return InternalError("coalescing jobs insert returned no id");
    return EnqueueResult{merged.rows[0].GetInt(0), merged.rows[0].GetInt(1) == 0};
  }
  LARCH_ASSIGN_OR_RETURN(
      ResultSet inserted,
      ex.Execute(kInsertJob, {Text(job.queue), Text(job.kind), Text(job.payload),
                              OptionalText(job.idempotency_key), Int(job.max_attempts),
                              Int(job.run_at), Int(now), Int(now)}));
  if (!inserted.empty()) return EnqueueResult{inserted.rows[0].GetInt(0), true};
  if (!job.idempotency_key.has_value()) {
    return InternalError("jobs insert without idempotency key returned no id");
  }
  LARCH_ASSIGN_OR_RETURN(ResultSet existing,
                         ex.Execute(kSelectIdByIdempotencyKey, {Text(*job.idempotency_key)}));
  if (existing.empty()) {
    // The conflicting row vanished between the two statements; only a
    // concurrent delete can do that, and the caller's retry will succeed.
    return AbortedError("job with idempotency key '" + *job.idempotency_key +
                        "' conflicted but is gone");
  }
  return EnqueueResult{existing.rows[0].GetInt(0), false};
}

StatusOr<std::vector<JobRecord>> JobStore::Claim(Executor& ex,
                                                 const std::vector<std::string>& queues,
                                                 const std::string& worker, int64_t now,
                                                 int64_t lease_micros, int64_t limit) {
  if (worker.empty()) return InvalidArgumentError("worker id is empty");
  if (limit <= 0) return std::vector<JobRecord>{};
  const int64_t locked_until = now + lease_micros;
  StatusOr<ResultSet> result =
      queues.empty()
          ? ex.Execute(kClaimAnyQueue,
                       {Text(worker), Int(locked_until), Int(now), Int(now), Int(now), Int(limit)})
          : ex.Execute(kClaimFromQueues,
                       {Text(worker), Int(locked_until), Int(now), Text(QueuesAsJsonArray(queues)),
                        Int(now), Int(now), Int(limit)});
  if (!result.ok()) return result.status();
  std::vector<JobRecord> jobs;
  jobs.reserve(result->rows.size());
  for (const Row& row : result->rows) {
    LARCH_ASSIGN_OR_RETURN(JobRecord job, RowToJob(row));
    jobs.push_back(std::move(job));
  }
  // RETURNING gives no order guarantee; callers run oldest first.
  std::sort(jobs.begin(), jobs.end(), [](const JobRecord& a, const JobRecord& b) {
    return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
  });
  return jobs;
}

Status JobStore::MarkSucceeded(Executor& ex, int64_t id, const std::string& worker, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result,
                         ex.Execute(kMarkSucceeded, {Int(now), Int(now), Int(id), Text(worker)}));
  if (result.rows_affected == 0) {
    return NotFoundError("job " + std::to_string(id) + " is not held by worker " + worker);
  }
  return OkStatus();
}

Status JobStore::MarkFailed(Executor& ex, int64_t id, const std::string& worker,
                            const std::string& error, int64_t now, int64_t retry_at,
                            bool permanent) {
  StatusOr<ResultSet> result =
      permanent ? ex.Execute(kMarkDead, {Int(now), Text(error), Int(now), Int(id), Text(worker)})
                : ex.Execute(kMarkFailed, {Int(retry_at), Int(now), Text(error), Int(now), Int(id),
                                           Text(worker)});
  if (!result.ok()) return result.status();
  if (result->rows_affected == 0) {
    return NotFoundError("job " + std::to_string(id) + " is not held by worker " + worker);
  }
  return OkStatus();
}

Status JobStore::Release(Executor& ex, int64_t id, const std::string& worker, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kRelease, {Int(now), Int(id), Text(worker)}));
  if (result.rows_affected == 0) {
    return NotFoundError("job " + std::to_string(id) + " is not held by worker " + worker);
  }
  return OkStatus();
}

Status JobStore::ExtendLease(Executor& ex, int64_t id, const std::string& worker,
                             int64_t locked_until, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kExtendLease, {Int(locked_until), Int(now),
                                                                     Int(id), Text(worker)}));
  if (result.rows_affected == 0) {
    return NotFoundError("job " + std::to_string(id) + " is not held by worker " + worker);
  }
  return OkStatus();
}

StatusOr<std::optional<JobRecord>> JobStore::Get(Executor& ex, int64_t id) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kSelectJob, {Int(id)}));
  if (result.empty()) return std::optional<JobRecord>();
  LARCH_ASSIGN_OR_RETURN(JobRecord job, RowToJob(result.rows[0]));
  return std::optional<JobRecord>(std::move(job));
}

StatusOr<std::optional<JobRecord>> JobStore::FindByIdempotencyKey(Executor& ex,
                                                                  std::string_view key) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kSelectJobByKey, {Text(std::string(key))}));
  if (result.empty()) return std::optional<JobRecord>();
  LARCH_ASSIGN_OR_RETURN(JobRecord job, RowToJob(result.rows[0]));
  return std::optional<JobRecord>(std::move(job));
}

StatusOr<std::vector<std::pair<JobState, int64_t>>> JobStore::CountByState(Executor& ex) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kCountByState));
  std::vector<std::pair<JobState, int64_t>> counts = {{JobState::kQueued, 0},
                                                      {JobState::kRunning, 0},
                                                      {JobState::kSucceeded, 0},
                                                      {JobState::kDead, 0}};
  for (const Row& row : result.rows) {
    LARCH_ASSIGN_OR_RETURN(JobState state, ParseJobState(row.GetText(0)));
    for (auto& [s, n] : counts) {
      if (s == state) n = row.GetInt(1);
    }
  }
  return counts;
}

Status JobStore::Retry(Executor& ex, int64_t id, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result, ex.Execute(kRetryDead, {Int(now), Int(now), Int(id)}));
  if (result.rows_affected > 0) return OkStatus();
  LARCH_ASSIGN_OR_RETURN(std::optional<JobRecord> job, Get(ex, id));
  if (!job.has_value()) return NotFoundError("no job " + std::to_string(id));
  if (job->state == JobState::kDead) {
    return FailedPreconditionError("job " + std::to_string(id) +
                                   " has a queued job with its coalesce key; that one runs");
  }
  return FailedPreconditionError("job " + std::to_string(id) + " is " +
                                 std::string(JobStateName(job->state)) + ", not dead");
}

StatusOr<bool> JobStore::EffectDone(Executor& ex, int64_t id, std::string_view effect) {
  static constexpr Query kEffectDone{"jobs.effect_done",
                                     "SELECT 1 FROM job_effects WHERE job_id = ? AND effect = ?"};
  LARCH_ASSIGN_OR_RETURN(ResultSet rs,
                         ex.Execute(kEffectDone, {Int(id), Text(std::string(effect))}));
  return !rs.empty();
}

Status JobStore::RecordEffect(Executor& ex, int64_t id, std::string_view effect, int64_t now) {
  static constexpr Query kRecordEffect{
      "jobs.record_effect",
      "INSERT INTO job_effects (job_id, effect, done_at) VALUES (?, ?, ?) "
      "ON CONFLICT (job_id, effect) DO NOTHING"};
  return ex.Execute(kRecordEffect, {Int(id), Text(std::string(effect)), Int(now)}).status();
}

StatusOr<EnqueueResult> EnqueueJob(Executor& ex, const NewJob& job, int64_t now) {
  if (!nlohmann::json::accept(job.payload)) {
    return InvalidArgumentError("payload of job " + job.kind + " is not JSON");
  }
  JobRecord record;
  record.queue = job.queue;
  record.kind = job.kind;
  record.payload = job.payload;
  record.idempotency_key = job.idempotency_key;
  record.coalesce_key = job.coalesce_key;
  record.max_attempts = job.max_attempts;
  record.run_at = job.run_at.value_or(now);
  return JobStore::Enqueue(ex, record, now);
}

StatusOr<EnqueueResult> EnqueueJob(Database& db, const NewJob& job, int64_t now) {
  return RunWithResult(db, TxnMode::kReadWrite,
                       [&](Transaction& txn) { return EnqueueJob(txn, job, now); });
}

}  // namespace larch::storage
