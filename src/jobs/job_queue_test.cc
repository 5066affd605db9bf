#include "larch/jobs/job_queue.h"

#include <memory>

#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::jobs {
namespace {

using ::larch::testing::StatusIs;

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(db_,
                               larch::testing::OpenMigratedDatabase("sqlite::memory:", clock_));
  }

  std::optional<storage::JobRecord> Load(int64_t id) {
    auto txn = db_->Begin(storage::TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    auto job = storage::JobStore::Get(**txn, id);
    EXPECT_TRUE(job.ok());
    return job.ok() ? *job : std::nullopt;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
};

TEST_F(JobQueueTest, EnqueueStoresTheJob) {
  NewJob job{.kind = "mail.send",
             .payload = R"({"to":"x@example.com"})",
             .queue = "mail",
             .max_attempts = 3};
  auto r = JobQueue::Enqueue(*db_, job, clock_.NowMicros());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  auto stored = Load(r->id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->kind, "mail.send");
  EXPECT_EQ(stored->queue, "mail");
  EXPECT_EQ(stored->payload, R"({"to":"x@example.com"})");
  EXPECT_EQ(stored->max_attempts, 3);
  EXPECT_EQ(stored->run_at, clock_.NowMicros());
  EXPECT_EQ(stored->state, storage::JobState::kQueued);
}

TEST_F(JobQueueTest, RunAtDefaultsToNowButCanBeLater) {
  NewJob job{.kind = "k", .run_at = clock_.NowMicros() + 5'000'000};
  auto r = JobQueue::Enqueue(*db_, job, clock_.NowMicros());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Load(r->id)->run_at, clock_.NowMicros() + 5'000'000);
}

TEST_F(JobQueueTest, IdempotencyKeyReturnsExisting) {
  NewJob job{.kind = "certificates.generate", .idempotency_key = "cert:7:course-v1:a+b+c"};
  auto first = JobQueue::Enqueue(*db_, job, clock_.NowMicros());
  auto second = JobQueue::Enqueue(*db_, job, clock_.NowMicros());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(first->id, second->id);
}

TEST_F(JobQueueTest, EnqueueInCallerTransactionRollsBackWithIt) {
  NewJob job{.kind = "k", .idempotency_key = "once"};
  Status s = db_->RunInTransaction(
      storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> Status {
        auto r = JobQueue::Enqueue(txn, job, clock_.NowMicros());
        EXPECT_TRUE(r.ok());
        return AbortedError("caller gave up");
      },
      storage::RetryPolicy{.max_attempts = 1});
  EXPECT_THAT(s, StatusIs(StatusCode::kAborted));
  auto again = JobQueue::Enqueue(*db_, job, clock_.NowMicros());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created);
}

TEST_F(JobQueueTest, RejectsInvalidJobs) {
  EXPECT_EQ(JobQueue::Enqueue(*db_, NewJob{.kind = ""}, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(JobQueue::Enqueue(*db_, NewJob{.kind = "k", .payload = "{oops"}, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(JobQueue::Enqueue(*db_, NewJob{.kind = "k", .max_attempts = 0}, 0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace larch::jobs
