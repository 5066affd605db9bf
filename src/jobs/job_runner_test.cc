#include "larch/jobs/job_runner.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/jobs/job_queue.h"
#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"

namespace larch::jobs {
namespace {

using storage::JobState;
using ::testing::HasSubstr;

constexpr int64_t kSecond = 1'000'000;

RunnerOptions NoJitter() {
  RunnerOptions options;
  options.worker_id = "w1";
  options.jitter_ratio = 0;
  return options;
}

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = OpenMigrated("sqlite::memory:"); }

  void TearDown() override {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  std::unique_ptr<storage::Database> OpenMigrated(const std::string& url) {
    storage::DatabaseOptions options;
    options.url = url;
    options.busy_timeout_ms = 30'000;
    auto db = storage::OpenDatabase(options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    auto migrated = storage::Migrate(**db, storage::BuiltinMigrations((*db)->backend()), clock_);
    EXPECT_TRUE(migrated.ok()) << migrated.status().ToString();
    return std::move(*db);
  }

  // A file database, so several handles (as several processes) share it.
  std::string FileUrl() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "larch-jobs-XXXXXX").string();
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    return "sqlite://" + tmpl + "/jobs.db";
  }

  int64_t Enqueue(NewJob job, storage::Database* db = nullptr) {
    auto r = JobQueue::Enqueue(db ? *db : *db_, job, clock_.NowMicros());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  }

  storage::JobRecord Load(int64_t id, storage::Database* db = nullptr) {
    auto txn = (db ? *db : *db_).Begin(storage::TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    auto job = storage::JobStore::Get(**txn, id);
    EXPECT_TRUE(job.ok() && job->has_value());
    return job.ok() && job->has_value() ? **job : storage::JobRecord{};
  }

  FakeClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<storage::Database> db_;
  std::string dir_;
};

TEST_F(JobRunnerTest, RunsHandlerAndMarksSucceeded) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  std::vector<std::string> seen;
  ASSERT_TRUE(runner
                  .Register("mail.send",
                            [&](const JobContext& ctx) {
                              seen.push_back(ctx.payload["to"].get<std::string>());
                              EXPECT_EQ(ctx.job.attempts, 1);
                              EXPECT_EQ(ctx.worker_id, "w1");
                              return OkStatus();
                            })
                  .ok());
  int64_t id = Enqueue({.kind = "mail.send", .payload = R"({"to":"a@example.com"})"});
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_THAT(seen, ::testing::ElementsAre("a@example.com"));
  storage::JobRecord job = Load(id);
  EXPECT_EQ(job.state, JobState::kSucceeded);
  EXPECT_EQ(job.finished_at, clock_.NowMicros());
  EXPECT_EQ(runner.RunOnce(), 0);
  EXPECT_EQ(runner.stats().succeeded, 1);
}

// A run that crashed after its mail went out (here: failed after the
// effect) must not send it again when the job is retried.
TEST_F(JobRunnerTest, RunEffectOnceSkipsWhatAnEarlierRunOfTheJobDid) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  int sent = 0;
  int runs = 0;
  ASSERT_TRUE(runner
                  .Register("mail.send",
                            [&](const JobContext& ctx) {
                              ++runs;
                              LARCH_RETURN_IF_ERROR(
                                  RunEffectOnce(*db_, clock_, ctx, "mail.sent", [&] {
                                    ++sent;
                                    return OkStatus();
                                  }));
                              if (runs == 1) return UnavailableError("killed after the send");
                              return OkStatus();
                            })
                  .ok());
  int64_t id = Enqueue({.kind = "mail.send", .payload = R"({"to":["a@example.com"]})"});
  int64_t other = Enqueue({.kind = "mail.send", .payload = R"({"to":["b@example.com"]})"});
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(id).state, JobState::kQueued);
  clock_.AdvanceSeconds(10);
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(id).state, JobState::kSucceeded);
  EXPECT_EQ(Load(other).state, JobState::kSucceeded);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(sent, 2) << "one send per job, the retried one included";
}

TEST_F(JobRunnerTest, RetriesWithExponentialBackoffThenDies) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  int calls = 0;
  ASSERT_TRUE(runner
                  .Register("flaky",
                            [&](const JobContext&) {
                              ++calls;
                              return UnavailableError("smtp down " + std::to_string(calls));
                            })
                  .ok());
  int64_t id = Enqueue({.kind = "flaky", .max_attempts = 4});

  const int64_t start = clock_.NowMicros();
  EXPECT_EQ(runner.RunOnce(), 1);
  storage::JobRecord job = Load(id);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.run_at, start + 2 * kSecond);
  EXPECT_EQ(job.attempts, 1);

  clock_.AdvanceSeconds(1);
  EXPECT_EQ(runner.RunOnce(), 0);  // not due yet
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(id).run_at, clock_.NowMicros() + 4 * kSecond);

  clock_.AdvanceSeconds(4);
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(id).run_at, clock_.NowMicros() + 8 * kSecond);

  clock_.AdvanceSeconds(8);
  EXPECT_EQ(runner.RunOnce(), 1);
  job = Load(id);
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_EQ(job.attempts, 4);
  ASSERT_TRUE(job.last_error.has_value());
  EXPECT_THAT(*job.last_error, HasSubstr("smtp down 4"));
  EXPECT_THAT(*job.last_error, HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(calls, 4);

  clock_.AdvanceSeconds(3600);
  EXPECT_EQ(runner.RunOnce(), 0);
  EXPECT_EQ(runner.stats().retried, 3);
  EXPECT_EQ(runner.stats().dead, 1);
}

TEST(RetryDelayTest, DoublesAndCaps) {
  SeededRandom random(1);
  RunnerOptions options = NoJitter();
  options.base_backoff_seconds = 2;
  options.max_backoff_seconds = 10;
  EXPECT_EQ(RetryDelayMicros(options, 1, random), 2 * kSecond);
  EXPECT_EQ(RetryDelayMicros(options, 2, random), 4 * kSecond);
  EXPECT_EQ(RetryDelayMicros(options, 3, random), 8 * kSecond);
  EXPECT_EQ(RetryDelayMicros(options, 4, random), 10 * kSecond);
  EXPECT_EQ(RetryDelayMicros(options, 1000, random), 10 * kSecond);
}

TEST(RetryDelayTest, JitterStaysWithinRatioAndCap) {
  SeededRandom random(7);
  RunnerOptions options;
  options.base_backoff_seconds = 2;
  options.max_backoff_seconds = 3600;
  options.jitter_ratio = 0.5;
  std::set<int64_t> distinct;
  for (int i = 0; i < 50; ++i) {
    int64_t d = RetryDelayMicros(options, 3, random);
    EXPECT_GE(d, 8 * kSecond);
    EXPECT_LE(d, 12 * kSecond);
    distinct.insert(d);
    EXPECT_LE(RetryDelayMicros(options, 40, random), 3600 * kSecond);
  }
  EXPECT_GT(distinct.size(), 1u);
}

TEST_F(JobRunnerTest, PermanentFailuresAreDeadImmediately) {
  RunnerOptions options = NoJitter();
  options.batch_size = 3;
  JobRunner runner(*db_, clock_, random_, options);
  ASSERT_TRUE(runner
                  .Register("bad_input",
                            [](const JobContext&) { return InvalidArgumentError("no such user"); })
                  .ok());
  ASSERT_TRUE(
      runner
          .Register("unsupported", [](const JobContext&) { return UnimplementedError("not here"); })
          .ok());
  int64_t a = Enqueue({.kind = "bad_input"});
  int64_t b = Enqueue({.kind = "unsupported"});
  int64_t c = Enqueue({.kind = "nobody.handles.this"});
  EXPECT_EQ(runner.RunOnce(), 3);
  for (int64_t id : {a, b, c}) {
    storage::JobRecord job = Load(id);
    EXPECT_EQ(job.state, JobState::kDead) << id;
    EXPECT_EQ(job.attempts, 1) << id;
  }
  EXPECT_THAT(*Load(a).last_error, HasSubstr("no such user"));
  EXPECT_THAT(*Load(c).last_error, HasSubstr("no handler registered for job kind"));
}

TEST_F(JobRunnerTest, PayloadThatIsNotJsonIsDead) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  bool called = false;
  ASSERT_TRUE(runner
                  .Register("k",
                            [&](const JobContext&) {
                              called = true;
                              return OkStatus();
                            })
                  .ok());
  storage::JobRecord record;
  record.kind = "k";
  record.payload = "{broken";
  record.run_at = clock_.NowMicros();
  int64_t id = 0;
  ASSERT_TRUE(db_->RunInTransaction(storage::TxnMode::kReadWrite,
                                    [&](storage::Transaction& txn) -> Status {
                                      LARCH_ASSIGN_OR_RETURN(
                                          auto r, storage::JobStore::Enqueue(txn, record,
                                                                             clock_.NowMicros()));
                                      id = r.id;
                                      return OkStatus();
                                    })
                  .ok());
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_FALSE(called);
  EXPECT_EQ(Load(id).state, JobState::kDead);
}

TEST_F(JobRunnerTest, ThrowingHandlerIsARetriableFailure) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  ASSERT_TRUE(runner
                  .Register("throws",
                            [](const JobContext&) -> Status {
                              throw std::runtime_error("null deref avoided");
                            })
                  .ok());
  int64_t id = Enqueue({.kind = "throws"});
  EXPECT_EQ(runner.RunOnce(), 1);
  storage::JobRecord job = Load(id);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.run_at, clock_.NowMicros() + 2 * kSecond);
  EXPECT_THAT(*job.last_error, HasSubstr("handler threw: null deref avoided"));
}

TEST_F(JobRunnerTest, IdempotentEnqueueRunsOnce) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  int calls = 0;
  ASSERT_TRUE(runner
                  .Register("k",
                            [&](const JobContext&) {
                              ++calls;
                              return OkStatus();
                            })
                  .ok());
  int64_t first = Enqueue({.kind = "k", .idempotency_key = "once"});
  int64_t second = Enqueue({.kind = "k", .idempotency_key = "once"});
  EXPECT_EQ(first, second);
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Enqueue({.kind = "k", .idempotency_key = "once"}), first);
  EXPECT_EQ(runner.RunOnce(), 0);
  EXPECT_EQ(calls, 1);
}

TEST_F(JobRunnerTest, ServesOnlyItsQueues) {
  RunnerOptions options = NoJitter();
  options.queues = {"grading"};
  JobRunner runner(*db_, clock_, random_, options);
  ASSERT_TRUE(runner.Register("k", [](const JobContext&) { return OkStatus(); }).ok());
  int64_t other = Enqueue({.kind = "k"});
  int64_t mine = Enqueue({.kind = "k", .queue = "grading"});
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(mine).state, JobState::kSucceeded);
  EXPECT_EQ(Load(other).state, JobState::kQueued);
}

TEST_F(JobRunnerTest, RegisterRules) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  auto ok = [](const JobContext&) { return OkStatus(); };
  EXPECT_TRUE(runner.Register("k", ok).ok());
  EXPECT_EQ(runner.Register("k", ok).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(runner.Register("", ok).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runner.Register("j", JobHandler()).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.Start().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(runner.Register("late", ok).code(), StatusCode::kFailedPrecondition);
  runner.Stop();
}

TEST_F(JobRunnerTest, MakesAWorkerIdWhenNoneGiven) {
  RunnerOptions options = NoJitter();
  options.worker_id = "";
  JobRunner runner(*db_, clock_, random_, options);
  EXPECT_THAT(runner.worker_id(), HasSubstr("worker-"));
}

// Waits (with a generous guard against hangs, not a timing assertion) until
// `done` holds.
template <typename Pred>
bool WaitFor(std::mutex& mu, std::condition_variable& cv, Pred done) {
  std::unique_lock<std::mutex> lock(mu);
  return cv.wait_for(lock, std::chrono::seconds(120), done);
}

TEST_F(JobRunnerTest, ConcurrentRunnersRunEachJobExactlyOnce) {
  const std::string url = FileUrl();
  auto db_a = OpenMigrated(url);
  auto db_b = OpenMigrated(url);
  ASSERT_TRUE(db_a && db_b);
  constexpr int kJobs = 120;
  std::vector<int64_t> ids;
  for (int i = 0; i < kJobs; ++i) {
    ids.push_back(
        Enqueue({.kind = "count", .payload = "{\"i\":" + std::to_string(i) + "}"}, db_a.get()));
  }

  std::mutex mu;
  std::condition_variable cv;
  std::map<int64_t, int> runs;
  int total = 0;
  auto handler = [&](const JobContext& ctx) {
    std::lock_guard<std::mutex> lock(mu);
    ++runs[ctx.job.id];
    ++total;
    cv.notify_all();
    return OkStatus();
  };
  RunnerOptions options_a = NoJitter();
  options_a.worker_id = "a";
  options_a.threads = 2;
  options_a.batch_size = 3;
  options_a.poll_interval_ms = 5;
  RunnerOptions options_b = options_a;
  options_b.worker_id = "b";
  SeededRandom random_b(2);
  JobRunner a(*db_a, clock_, random_, options_a);
  JobRunner b(*db_b, clock_, random_b, options_b);
  ASSERT_TRUE(a.Register("count", handler).ok());
  ASSERT_TRUE(b.Register("count", handler).ok());
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  EXPECT_TRUE(WaitFor(mu, cv, [&] { return total >= kJobs; }));
  a.Stop();
  b.Stop();

  EXPECT_EQ(total, kJobs);
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs));
  for (int64_t id : ids) {
    EXPECT_EQ(runs[id], 1) << id;
    EXPECT_EQ(Load(id, db_a.get()).state, JobState::kSucceeded) << id;
  }
  EXPECT_EQ(a.stats().succeeded + b.stats().succeeded, kJobs);
  EXPECT_EQ(a.stats().lost_leases + b.stats().lost_leases, 0);
}

// A process killed while it runs a job must hold only that job: by default
// a thread claims one job at a time, so the next one stays queued for the
// other processes, and the lease it holds is short.
TEST_F(JobRunnerTest, ByDefaultAThreadHoldsOnlyTheJobItRuns) {
  JobRunner runner(*db_, clock_, random_, NoJitter());
  int64_t second = 0;
  std::optional<JobState> second_state_during_first;
  std::optional<int64_t> first_locked_until;
  int64_t claimed_at = clock_.NowMicros();
  ASSERT_TRUE(runner
                  .Register("first",
                            [&](const JobContext& ctx) {
                              second_state_during_first = Load(second).state;
                              first_locked_until = Load(ctx.job.id).locked_until;
                              return OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(runner.Register("second", [](const JobContext&) { return OkStatus(); }).ok());
  Enqueue({.kind = "first"});
  second = Enqueue({.kind = "second"});
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(second_state_during_first, JobState::kQueued);
  ASSERT_TRUE(first_locked_until.has_value());
  EXPECT_LE(*first_locked_until - claimed_at, int64_t{30'000'000});
  EXPECT_EQ(runner.RunOnce(), 1);
  EXPECT_EQ(Load(second).state, JobState::kSucceeded);
}

TEST_F(JobRunnerTest, GracefulStopFinishesRunningJobAndReleasesTheRest) {
  const std::string url = FileUrl();
  auto db = OpenMigrated(url);
  ASSERT_TRUE(db);
  int64_t first = Enqueue({.kind = "block"}, db.get());
  int64_t second = Enqueue({.kind = "block"}, db.get());
  int64_t third = Enqueue({.kind = "block"}, db.get());

  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  int calls = 0;
  RunnerOptions options = NoJitter();
  options.batch_size = 3;
  options.poll_interval_ms = 5;
  JobRunner runner(*db, clock_, random_, options);
  ASSERT_TRUE(runner
                  .Register("block",
                            [&](const JobContext&) {
                              std::unique_lock<std::mutex> lock(mu);
                              ++calls;
                              entered = true;
                              cv.notify_all();
                              cv.wait(lock, [&] { return release; });
                              return OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor(mu, cv, [&] { return entered; }));
  runner.RequestStop();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  runner.Stop();

  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Load(first, db.get()).state, JobState::kSucceeded);
  for (int64_t id : {second, third}) {
    storage::JobRecord job = Load(id, db.get());
    EXPECT_EQ(job.state, JobState::kQueued) << id;
    EXPECT_EQ(job.attempts, 0) << id;
    EXPECT_FALSE(job.locked_by.has_value()) << id;
  }
}

TEST_F(JobRunnerTest, RunningJobsKeepTheirLeaseRenewed) {
  const std::string url = FileUrl();
  auto db = OpenMigrated(url);
  ASSERT_TRUE(db);
  RunnerOptions options = NoJitter();
  options.lease_seconds = 10;
  options.lease_renew_ms = 5;
  options.poll_interval_ms = 5;
  JobRunner runner(*db, clock_, random_, options);
  RunnerOptions other_options = options;
  other_options.worker_id = "w2";
  JobRunner other(*db, clock_, random_, other_options);
  ASSERT_TRUE(other.Register("k", [](const JobContext&) { return OkStatus(); }).ok());

  int64_t id = Enqueue({.kind = "k"}, db.get());
  std::atomic<int> taken_over{-1};
  // Waits (in real time, bounded) until the lease runs to now + 10 s.
  auto lease_renewed = [&] {
    for (int i = 0; i < 2000; ++i) {
      storage::JobRecord job = Load(id, db.get());
      if (job.locked_until == clock_.NowMicros() + 10 * kSecond) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ASSERT_TRUE(runner
                  .Register("k",
                            [&](const JobContext&) {
                              // 16 s of work against a 10 s lease: renewed
                              // at 8 s, nobody may take the job over.
                              clock_.AdvanceSeconds(8);
                              EXPECT_TRUE(lease_renewed());
                              clock_.AdvanceSeconds(8);
                              taken_over = other.RunOnce();
                              std::lock_guard<std::mutex> lock(mu);
                              done = true;
                              cv.notify_all();
                              return OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor(mu, cv, [&] { return done; }));
  runner.Stop();
  EXPECT_EQ(taken_over.load(), 0);
  EXPECT_EQ(runner.stats().lost_leases, 0);
  EXPECT_EQ(runner.stats().succeeded, 1);
  EXPECT_EQ(Load(id, db.get()).state, JobState::kSucceeded);
}

TEST_F(JobRunnerTest, LostLeaseResultIsDropped) {
  RunnerOptions options = NoJitter();
  options.lease_seconds = 10;
  JobRunner slow(*db_, clock_, random_, options);
  RunnerOptions other_options = options;
  other_options.worker_id = "w2";
  JobRunner other(*db_, clock_, random_, other_options);
  int other_calls = 0;
  ASSERT_TRUE(other
                  .Register("k",
                            [&](const JobContext& ctx) {
                              ++other_calls;
                              EXPECT_EQ(ctx.job.attempts, 2);
                              return OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(slow.Register("k",
                            [&](const JobContext&) {
                              // The lease runs out while this handler works;
                              // another worker takes the job over.
                              clock_.AdvanceSeconds(11);
                              EXPECT_EQ(other.RunOnce(), 1);
                              return UnavailableError("too slow");
                            })
                  .ok());
  int64_t id = Enqueue({.kind = "k"});
  EXPECT_EQ(slow.RunOnce(), 1);
  EXPECT_EQ(other_calls, 1);
  EXPECT_EQ(slow.stats().lost_leases, 1);
  storage::JobRecord job = Load(id);
  EXPECT_EQ(job.state, JobState::kSucceeded);
  EXPECT_FALSE(job.last_error.has_value());
}

}  // namespace
}  // namespace larch::jobs
