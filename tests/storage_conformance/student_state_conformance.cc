// student_state SQL on both backends: rows with JSON state and optional
// scores, the version check that refuses a stale write, a row created by a
// racing writer, history per write, and many threads updating one row
// through the retry loop without losing an update.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "larch/student_state/student_state.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"

namespace larch::student_state {
namespace {

using ::larch::testing::StatusIs;

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kUsage[] = "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1";

class StudentStateConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto id = enrollment::InsertUserForTest(db(), "alice", "alice@example.com");
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    alice_ = *id;
  }

  StudentModule NewModule() const {
    StudentModule m;
    m.user_id = alice_;
    m.course_key = kCourse;
    m.usage_key = kUsage;
    m.module_type = "problem";
    m.state = {{"attempts", 0}};
    return m;
  }

  StatusOr<StudentModule> Save(const StudentModule& m, int64_t now) {
    return storage::RunWithResult(
        db(), storage::TxnMode::kReadWrite,
        [&](storage::Transaction& txn) { return StudentStateStore::Save(txn, m, now); });
  }

  StatusOr<std::optional<StudentModule>> Find() {
    return storage::RunWithResult(
        db(), storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return StudentStateStore::Find(txn, alice_, kUsage); });
  }

  int64_t alice_ = 0;
};

TEST_P(StudentStateConformance, SaveFindAndUpdateWithScores) {
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<StudentModule> none, Find());
  EXPECT_FALSE(none.has_value());

  LARCH_ASSERT_OK_AND_ASSIGN(StudentModule saved, Save(NewModule(), 100));
  EXPECT_GT(saved.id, 0);
  EXPECT_EQ(saved.version, 1);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<StudentModule> found, Find());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, nlohmann::json({{"attempts", 0}}));
  EXPECT_FALSE(found->grade.has_value());
  EXPECT_EQ(found->created, 100);

  found->state["attempts"] = 1;
  found->grade = 0.5;
  found->max_grade = 2.0;
  LARCH_ASSERT_OK_AND_ASSIGN(StudentModule updated, Save(*found, 200));
  EXPECT_EQ(updated.version, 2);
  LARCH_ASSERT_OK_AND_ASSIGN(found, Find());
  EXPECT_EQ(found->state["attempts"], 1);
  EXPECT_DOUBLE_EQ(*found->grade, 0.5);
  EXPECT_DOUBLE_EQ(*found->max_grade, 2.0);
  EXPECT_EQ(found->modified, 200);
  EXPECT_EQ(found->created, 100);

  auto history = storage::RunWithResult(
      db(), storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return StudentStateStore::History(txn, alice_, kUsage); });
  LARCH_ASSERT_OK(history.status());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].state["attempts"], 0);
  EXPECT_FALSE((*history)[0].grade.has_value());
  EXPECT_EQ((*history)[1].version, 2);
  EXPECT_DOUBLE_EQ(*(*history)[1].grade, 0.5);

  auto listed =
      storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return StudentStateStore::ListForLearner(txn, alice_, kCourse);
      });
  LARCH_ASSERT_OK(listed.status());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].usage_key, kUsage);
}

TEST_P(StudentStateConformance, StaleAndRacingWritesAreAborted) {
  LARCH_ASSERT_OK_AND_ASSIGN(StudentModule first, Save(NewModule(), 100));
  // A second "new" row for the same learner and block: created meanwhile.
  EXPECT_THAT(Save(NewModule(), 110).status(), StatusIs(StatusCode::kAborted));
  LARCH_ASSERT_OK_AND_ASSIGN(StudentModule second, Save(first, 120));
  // `first` still has version 1: the row moved on.
  EXPECT_THAT(Save(first, 130).status(), StatusIs(StatusCode::kAborted));
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<StudentModule> found, Find());
  EXPECT_EQ(found->version, second.version);
}

TEST_P(StudentStateConformance, ListForBlockHasEveryLearnersRowOfThatBlockOnly) {
  auto bob = enrollment::InsertUserForTest(db(), "bob", "bob@example.com");
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  LARCH_ASSERT_OK(Save(NewModule(), 100).status());
  StudentModule theirs = NewModule();
  theirs.user_id = *bob;
  theirs.state = {{"choice", "R"}};
  LARCH_ASSERT_OK(Save(theirs, 110).status());
  StudentModule other = NewModule();
  other.usage_key = "block-v1:edX+DemoX+Demo_Course+type@poll+block@p2";
  LARCH_ASSERT_OK(Save(other, 120).status());
  auto listed = storage::RunWithResult(
      db(), storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return StudentStateStore::ListForBlock(txn, kUsage); });
  LARCH_ASSERT_OK(listed.status());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].user_id, alice_);
  EXPECT_EQ((*listed)[1].user_id, *bob);
  EXPECT_EQ((*listed)[1].state["choice"], "R");
}

TEST_P(StudentStateConformance, UnknownUserIsRefused) {
  StudentModule m = NewModule();
  m.user_id = alice_ + 1000;
  EXPECT_THAT(Save(m, 100).status(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(StudentStateConformance, DeleteRemovesRowAndHistory) {
  LARCH_ASSERT_OK(Save(NewModule(), 100).status());
  auto deleted = storage::RunWithResult(
      db(), storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) { return StudentStateStore::Delete(txn, alice_, kUsage); });
  LARCH_ASSERT_OK(deleted.status());
  EXPECT_TRUE(*deleted);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<StudentModule> found, Find());
  EXPECT_FALSE(found.has_value());
}

// Each thread adds one attempt by read-modify-write in one transaction;
// kAborted from the version check makes RunInTransaction retry, so no
// increment is lost and none is counted twice.
TEST_P(StudentStateConformance, ParallelIncrementsAreNeitherLostNorDoubled) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        storage::RetryPolicy policy;
        policy.max_attempts = 50;
        policy.initial_backoff_micros = 200;
        Status status = db().RunInTransaction(
            storage::TxnMode::kReadWrite,
            [&](storage::Transaction& txn) -> Status {
              LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> row,
                                     StudentStateStore::Find(txn, alice_, kUsage));
              StudentModule m = row.has_value() ? *row : NewModule();
              m.state["attempts"] = m.state.value("attempts", 0) + 1;
              return StudentStateStore::Save(txn, m, 1000 + i).status();
            },
            policy);
        if (!status.ok()) failures[t] = status;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : failures) LARCH_EXPECT_OK(status);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<StudentModule> found, Find());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state["attempts"], kThreads * kEach);
  EXPECT_EQ(found->version, kThreads * kEach);
}

LARCH_INSTANTIATE_BACKEND_SUITE(StudentStateConformance);

}  // namespace
}  // namespace larch::student_state
