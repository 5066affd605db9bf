// JobStore behaviour every storage backend must share (run once per backend).
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "larch/storage/database.h"
#include "larch/storage/job_store.h"

namespace larch::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAreArray;

constexpr int64_t kSecond = 1'000'000;

class JobStoreConformance : public testing::BackendTest {
 protected:
  int64_t Now() { return clock().NowMicros(); }

  JobRecord NewJob(std::string kind = "mail.send") {
    JobRecord job;
    job.kind = std::move(kind);
    job.payload = R"({"to":"a@example.com"})";
    job.run_at = Now();
    return job;
  }

  EnqueueResult Enqueue(const JobRecord& job) {
    EnqueueResult out;
    Status s = db().RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
      LARCH_ASSIGN_OR_RETURN(out, JobStore::Enqueue(txn, job, Now()));
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  StatusOr<std::vector<JobRecord>> Claim(const std::string& worker, int64_t limit,
                                         std::vector<std::string> queues = {"default"},
                                         int64_t lease = 30 * kSecond) {
    return ClaimOn(db(), worker, limit, std::move(queues), lease);
  }

  StatusOr<std::vector<JobRecord>> ClaimOn(Database& database, const std::string& worker,
                                           int64_t limit, std::vector<std::string> queues,
                                           int64_t lease) {
    std::vector<JobRecord> out;
    Status s = database.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
      LARCH_ASSIGN_OR_RETURN(out, JobStore::Claim(txn, queues, worker, Now(), lease, limit));
      return OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status Write(const std::function<Status(Transaction&)>& fn) {
    return db().RunInTransaction(TxnMode::kReadWrite, fn);
  }

  JobRecord Load(int64_t id) {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    auto job = JobStore::Get(**txn, id);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    EXPECT_TRUE(job->has_value());
    return job.ok() && job->has_value() ? **job : JobRecord{};
  }
};

TEST_P(JobStoreConformance, EnqueueClaimSucceed) {
  JobRecord job = NewJob();
  job.max_attempts = 3;
  EnqueueResult r = Enqueue(job);
  EXPECT_TRUE(r.created);
  EXPECT_GT(r.id, 0);

  JobRecord stored = Load(r.id);
  EXPECT_EQ(stored.state, JobState::kQueued);
  EXPECT_EQ(stored.kind, "mail.send");
  EXPECT_EQ(stored.queue, "default");
  EXPECT_EQ(stored.payload, R"({"to":"a@example.com"})");
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.max_attempts, 3);
  EXPECT_EQ(stored.created_at, Now());
  EXPECT_FALSE(stored.idempotency_key.has_value());

  auto claimed = Claim("w1", 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  const JobRecord& c = (*claimed)[0];
  EXPECT_EQ(c.id, r.id);
  EXPECT_EQ(c.state, JobState::kRunning);
  EXPECT_EQ(c.attempts, 1);
  EXPECT_EQ(c.locked_by, "w1");
  EXPECT_EQ(c.locked_until, Now() + 30 * kSecond);

  // Nothing else is due.
  auto again = Claim("w2", 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());

  clock().AdvanceSeconds(1);
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkSucceeded(txn, r.id, "w1", Now());
              }).ok());
  JobRecord done = Load(r.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.finished_at, Now());
  EXPECT_FALSE(done.locked_by.has_value());
  EXPECT_FALSE(done.locked_until.has_value());

  // A finished job cannot be finished twice.
  EXPECT_EQ(Write([&](Transaction& txn) {
              return JobStore::MarkSucceeded(txn, r.id, "w1", Now());
            }).code(),
            StatusCode::kNotFound);
}

TEST_P(JobStoreConformance, EffectsAreRecordedOncePerJob) {
  int64_t a = Enqueue(NewJob()).id;
  JobRecord other = NewJob();
  other.payload = R"({"to":"b@example.com"})";
  int64_t b = Enqueue(other).id;
  auto done = [&](int64_t id, const char* effect) {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    StatusOr<bool> r = JobStore::EffectDone(**txn, id, effect);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_FALSE(done(a, "mail.sent"));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(Write([&](Transaction& txn) {
                  return JobStore::RecordEffect(txn, a, "mail.sent", Now());
                }).ok());
  }
  EXPECT_TRUE(done(a, "mail.sent"));
  EXPECT_FALSE(done(a, "other"));
  EXPECT_FALSE(done(b, "mail.sent"));
}

TEST_P(JobStoreConformance, ClaimHonoursRunAtQueuesOrderAndLimit) {
  JobRecord later = NewJob("later");
  later.run_at = Now() + 20 * kSecond;
  int64_t later_id = Enqueue(later).id;
  JobRecord b = NewJob("b");
  b.run_at = Now() - 5;
  int64_t b_id = Enqueue(b).id;
  JobRecord a = NewJob("a");
  a.run_at = Now() - 10;
  int64_t a_id = Enqueue(a).id;
  JobRecord other = NewJob("other");
  other.queue = "grading";
  int64_t other_id = Enqueue(other).id;

  auto first = Claim("w", 1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].id, a_id);

  auto rest = Claim("w", 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].id, b_id);

  auto grading = Claim("w", 10, {"grading", "nope"});
  ASSERT_TRUE(grading.ok()) << grading.status().ToString();
  ASSERT_EQ(grading->size(), 1u);
  EXPECT_EQ((*grading)[0].id, other_id);
  EXPECT_EQ((*grading)[0].queue, "grading");

  // Before the 30 s leases of the jobs above expire.
  clock().AdvanceSeconds(20);
  // An empty queue list claims from every queue.
  auto any = Claim("w", 10, {});
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  ASSERT_EQ(any->size(), 1u);
  EXPECT_EQ((*any)[0].id, later_id);
}

TEST_P(JobStoreConformance, ExtendLeaseOnlyForTheHolder) {
  EnqueueResult r = Enqueue(NewJob());
  auto claimed = Claim("w1", 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::ExtendLease(txn, r.id, "w1", Now() + 90 * kSecond, Now());
              }).ok());
  EXPECT_EQ(Load(r.id).locked_until, Now() + 90 * kSecond);
  Status other = Write([&](Transaction& txn) {
    return JobStore::ExtendLease(txn, r.id, "w2", Now() + 500 * kSecond, Now());
  });
  EXPECT_EQ(other.code(), StatusCode::kNotFound);
  EXPECT_EQ(Load(r.id).locked_until, Now() + 90 * kSecond);
  // Nobody can claim it while the extended lease runs.
  auto again = Claim("w2", 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(JobStoreConformance, IdempotencyKeyReturnsExistingJob) {
  JobRecord job = NewJob();
  job.idempotency_key = "cert:42";
  EnqueueResult first = Enqueue(job);
  EXPECT_TRUE(first.created);

  JobRecord dup = NewJob("other.kind");
  dup.idempotency_key = "cert:42";
  EnqueueResult second = Enqueue(dup);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(Load(first.id).kind, "mail.send");
  EXPECT_EQ(Load(first.id).idempotency_key, "cert:42");

  // Still idempotent once the job has finished.
  auto claimed = Claim("w", 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkSucceeded(txn, first.id, "w", Now());
              }).ok());
  EnqueueResult third = Enqueue(dup);
  EXPECT_FALSE(third.created);
  EXPECT_EQ(third.id, first.id);

  // Jobs without a key never collide.
  EXPECT_TRUE(Enqueue(NewJob()).created);
  EXPECT_TRUE(Enqueue(NewJob()).created);

  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto found = JobStore::FindByIdempotencyKey(**txn, "cert:42");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, first.id);
  EXPECT_EQ((*found)->state, JobState::kSucceeded);
  auto missing = JobStore::FindByIdempotencyKey(**txn, "cert:43");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(JobStoreConformance, CoalesceKeyMergesIntoTheQueuedJobOnly) {
  JobRecord job = NewJob("grades.recalculate");
  job.coalesce_key = "grades:7:course";
  EnqueueResult first = Enqueue(job);
  EXPECT_TRUE(first.created);
  EnqueueResult second = Enqueue(job);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(Enqueue(job).id, first.id);
  EXPECT_EQ(Load(first.id).coalesced, 2);
  EXPECT_EQ(Load(first.id).coalesce_key, "grades:7:course");
  JobRecord other = job;
  other.coalesce_key = "grades:8:course";
  EXPECT_TRUE(Enqueue(other).created);

  // Claimed, the job no longer merges: a change after the claim gets a job
  // of its own.
  auto claimed = Claim("w", 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);
  EnqueueResult after_claim = Enqueue(job);
  EXPECT_TRUE(after_claim.created);
  EXPECT_NE(after_claim.id, first.id);

  // The running one fails while the new one is queued: it is finished, not
  // queued beside it (one queued job per key), and the new one does the work.
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, first.id, "w", "deadlock", Now(), Now(), false);
              }).ok());
  EXPECT_EQ(Load(first.id).state, JobState::kSucceeded);
  EXPECT_EQ(Load(first.id).last_error, "deadlock");
  EXPECT_EQ(Load(after_claim.id).state, JobState::kQueued);
  // Without a queued twin a failure requeues as usual.
  int64_t other_id = (*claimed)[0].id == first.id ? (*claimed)[1].id : (*claimed)[0].id;
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, other_id, "w", "busy", Now(), Now(), false);
              }).ok());
  EXPECT_EQ(Load(other_id).state, JobState::kQueued);

  // A rolled-back merge leaves no trace.
  Status rolled_back = Write([&](Transaction& txn) -> Status {
    LARCH_RETURN_IF_ERROR(JobStore::Enqueue(txn, job, Now()).status());
    return InternalError("caller failed");
  });
  EXPECT_EQ(rolled_back.code(), StatusCode::kInternal);
  EXPECT_EQ(Load(after_claim.id).coalesced, 0);

  JobRecord both = job;
  both.idempotency_key = "k";
  JobRecord empty = job;
  empty.coalesce_key = "";
  auto txn = db().Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(JobStore::Enqueue(**txn, both, Now()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JobStore::Enqueue(**txn, empty, Now()).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(JobStoreConformance, ReleaseAndRetryNeverQueueTwoJobsWithOneCoalesceKey) {
  JobRecord job = NewJob("grades.recalculate");
  job.coalesce_key = "grades:9:course";
  job.max_attempts = 1;
  int64_t first = Enqueue(job).id;
  ASSERT_TRUE(Claim("w", 1).ok());
  int64_t second = Enqueue(job).id;
  ASSERT_NE(first, second);
  ASSERT_TRUE(
      Write([&](Transaction& txn) { return JobStore::Release(txn, first, "w", Now()); }).ok());
  EXPECT_EQ(Load(first).state, JobState::kSucceeded);

  // A dead job cannot come back while its twin is queued.
  auto claimed = Claim("w", 1);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, second, "w", "boom", Now(), Now(), false);
              }).ok());
  ASSERT_EQ(Load(second).state, JobState::kDead);
  int64_t third = Enqueue(job).id;
  EXPECT_EQ(Write([&](Transaction& txn) { return JobStore::Retry(txn, second, Now()); }).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Load(second).state, JobState::kDead);
  EXPECT_EQ(Load(third).state, JobState::kQueued);
}

TEST_P(JobStoreConformance, EnqueueInsideCallerTransactionRollsBackWithIt) {
  JobRecord job = NewJob();
  job.idempotency_key = "rolled-back";
  Status s = Write([&](Transaction& txn) -> Status {
    LARCH_ASSIGN_OR_RETURN(EnqueueResult r, JobStore::Enqueue(txn, job, Now()));
    EXPECT_TRUE(r.created);
    return InternalError("caller failed");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_TRUE(Enqueue(job).created);
}

TEST_P(JobStoreConformance, EnqueueRejectsInvalidJobs) {
  auto txn = db().Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(txn.ok());
  JobRecord no_kind = NewJob("");
  EXPECT_EQ(JobStore::Enqueue(**txn, no_kind, Now()).status().code(), StatusCode::kInvalidArgument);
  JobRecord zero_attempts = NewJob();
  zero_attempts.max_attempts = 0;
  EXPECT_EQ(JobStore::Enqueue(**txn, zero_attempts, Now()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(JobStoreConformance, FailureRequeuesAtRetryAt) {
  int64_t id = Enqueue(NewJob()).id;
  ASSERT_TRUE(Claim("w", 1).ok());
  const int64_t retry_at = Now() + 10 * kSecond;
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, id, "w", "smtp down", Now(), retry_at, false);
              }).ok());
  JobRecord j = Load(id);
  EXPECT_EQ(j.state, JobState::kQueued);
  EXPECT_EQ(j.run_at, retry_at);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.last_error, "smtp down");
  EXPECT_FALSE(j.locked_by.has_value());
  EXPECT_FALSE(j.finished_at.has_value());

  clock().AdvanceSeconds(9);
  auto early = Claim("w", 1);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  clock().AdvanceSeconds(1);
  auto due = Claim("w", 1);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 2);
}

TEST_P(JobStoreConformance, DeadAfterMaxAttemptsKeepsLastError) {
  JobRecord job = NewJob();
  job.max_attempts = 2;
  int64_t id = Enqueue(job).id;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto claimed = Claim("w", 1);
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed->size(), 1u) << "attempt " << attempt;
    ASSERT_TRUE(Write([&](Transaction& txn) {
                  return JobStore::MarkFailed(txn, id, "w", "error " + std::to_string(attempt),
                                              Now(), Now(), false);
                }).ok());
  }
  JobRecord j = Load(id);
  EXPECT_EQ(j.state, JobState::kDead);
  EXPECT_EQ(j.attempts, 2);
  EXPECT_EQ(j.last_error, "error 2");
  EXPECT_EQ(j.finished_at, Now());
  auto none = Claim("w", 1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(JobStoreConformance, PermanentFailureIsDeadAtOnce) {
  int64_t id = Enqueue(NewJob()).id;
  ASSERT_TRUE(Claim("w", 1).ok());
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, id, "w", "bad payload", Now(), Now(), true);
              }).ok());
  JobRecord j = Load(id);
  EXPECT_EQ(j.state, JobState::kDead);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.last_error, "bad payload");
}

TEST_P(JobStoreConformance, ExpiredLeaseIsReclaimableAndOldWorkerLosesIt) {
  int64_t id = Enqueue(NewJob()).id;
  auto first = Claim("old", 1, {"default"}, 30 * kSecond);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);

  clock().AdvanceSeconds(29);
  auto too_soon = Claim("new", 1);
  ASSERT_TRUE(too_soon.ok());
  EXPECT_TRUE(too_soon->empty());

  clock().AdvanceSeconds(1);
  auto second = Claim("new", 1);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, id);
  EXPECT_EQ((*second)[0].attempts, 2);
  EXPECT_EQ((*second)[0].locked_by, "new");

  EXPECT_EQ(Write([&](Transaction& txn) {
              return JobStore::MarkSucceeded(txn, id, "old", Now());
            }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Write([&](Transaction& txn) {
              return JobStore::MarkFailed(txn, id, "old", "late", Now(), Now(), false);
            }).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(
      Write([&](Transaction& txn) { return JobStore::MarkSucceeded(txn, id, "new", Now()); }).ok());
  EXPECT_EQ(Load(id).state, JobState::kSucceeded);
}

TEST_P(JobStoreConformance, ReleaseUndoesTheClaim) {
  int64_t id = Enqueue(NewJob()).id;
  ASSERT_TRUE(Claim("w", 1).ok());
  EXPECT_EQ(Write([&](Transaction& txn) { return JobStore::Release(txn, id, "x", Now()); }).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(Write([&](Transaction& txn) { return JobStore::Release(txn, id, "w", Now()); }).ok());
  JobRecord j = Load(id);
  EXPECT_EQ(j.state, JobState::kQueued);
  EXPECT_EQ(j.attempts, 0);
  EXPECT_FALSE(j.locked_by.has_value());
}

TEST_P(JobStoreConformance, ParallelClaimersNeverShareAJob) {
  constexpr int kJobs = 200;
  constexpr int kThreads = 4;
  std::vector<int64_t> ids;
  ASSERT_TRUE(Write([&](Transaction& txn) -> Status {
                for (int i = 0; i < kJobs; ++i) {
                  LARCH_ASSIGN_OR_RETURN(EnqueueResult r, JobStore::Enqueue(txn, NewJob(), Now()));
                  ids.push_back(r.id);
                }
                return OkStatus();
              }).ok());

  // Each thread has its own handle, as separate worker processes would.
  std::vector<std::unique_ptr<Database>> handles;
  for (int t = 0; t < kThreads; ++t) {
    auto h = Open(url());
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    handles.push_back(std::move(*h));
  }
  std::mutex mu;
  std::vector<int64_t> claimed;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string worker = "w" + std::to_string(t);
      while (true) {
        auto batch = ClaimOn(*handles[t], worker, 5, {"default"}, 300 * kSecond);
        std::lock_guard<std::mutex> lock(mu);
        if (!batch.ok()) {
          errors.push_back(batch.status().ToString());
          return;
        }
        if (batch->empty()) return;
        for (const JobRecord& j : *batch) {
          EXPECT_EQ(j.locked_by, worker);
          claimed.push_back(j.id);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  EXPECT_THAT(claimed, UnorderedElementsAreArray(ids));
}

TEST_P(JobStoreConformance, CountByState) {
  auto counts = [&] {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    auto c = JobStore::CountByState(**txn);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : std::vector<std::pair<JobState, int64_t>>{};
  };
  EXPECT_THAT(counts(), ElementsAre(Pair(JobState::kQueued, 0), Pair(JobState::kRunning, 0),
                                    Pair(JobState::kSucceeded, 0), Pair(JobState::kDead, 0)));
  int64_t a = Enqueue(NewJob()).id;
  int64_t b = Enqueue(NewJob()).id;
  Enqueue(NewJob());
  Enqueue(NewJob());
  auto claimed = Claim("w", 2);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_TRUE(
      Write([&](Transaction& txn) { return JobStore::MarkSucceeded(txn, a, "w", Now()); }).ok());
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, b, "w", "x", Now(), Now(), true);
              }).ok());
  Enqueue(NewJob());
  Claim("w", 1).status().IgnoreError();
  EXPECT_THAT(counts(), ElementsAre(Pair(JobState::kQueued, 2), Pair(JobState::kRunning, 1),
                                    Pair(JobState::kSucceeded, 1), Pair(JobState::kDead, 1)));
}

TEST_P(JobStoreConformance, RetryOfDeadJob) {
  JobRecord job = NewJob();
  job.max_attempts = 1;
  int64_t id = Enqueue(job).id;
  int64_t queued_id = Enqueue(NewJob()).id;
  ASSERT_TRUE(Claim("w", 1).ok());
  ASSERT_TRUE(Write([&](Transaction& txn) {
                return JobStore::MarkFailed(txn, id, "w", "boom", Now(), Now(), false);
              }).ok());
  ASSERT_EQ(Load(id).state, JobState::kDead);

  clock().AdvanceSeconds(5);
  ASSERT_TRUE(Write([&](Transaction& txn) { return JobStore::Retry(txn, id, Now()); }).ok());
  JobRecord j = Load(id);
  EXPECT_EQ(j.state, JobState::kQueued);
  EXPECT_EQ(j.attempts, 0);
  EXPECT_EQ(j.run_at, Now());
  EXPECT_FALSE(j.finished_at.has_value());
  EXPECT_EQ(j.last_error, "boom");

  EXPECT_EQ(Write([&](Transaction& txn) { return JobStore::Retry(txn, queued_id, Now()); }).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Write([&](Transaction& txn) { return JobStore::Retry(txn, 999999, Now()); }).code(),
            StatusCode::kNotFound);
  auto claimed = Claim("w", 5);
  ASSERT_TRUE(claimed.ok());
  std::set<int64_t> got;
  for (const auto& c : *claimed) got.insert(c.id);
  EXPECT_TRUE(got.count(id));
}

TEST_P(JobStoreConformance, JobStateNamesRoundTrip) {
  for (JobState s :
       {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kDead}) {
    auto parsed = ParseJobState(JobStateName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(ParseJobState("bogus").status().code(), StatusCode::kInvalidArgument);
}

LARCH_INSTANTIATE_BACKEND_SUITE(JobStoreConformance);

}  // namespace
}  // namespace larch::storage
