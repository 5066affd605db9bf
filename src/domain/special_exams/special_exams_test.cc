// ExamService on both storage backends (PostgreSQL when LARCH_TEST_PG_DSN
// is set) with a fake clock: exams from the course tree, the timer with
// extra time and the due-date cap, expiry on read and by the job, the
// transitions upstream allows, and one attempt under parallel starts.
#include "larch/special_exams/special_exams.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend_fixture.h"
#include "larch/common/random.h"
#include "larch/storage/job_store.h"
#include "larch/testing/status_matchers.h"

namespace larch::special_exams {
namespace {

using ::larch::testing::StatusIs;
using nlohmann::json;

constexpr char kCourse[] = "course-v1:Larch+T+2024";
constexpr char kExamKey[] = "block-v1:Larch+T+2024+type@sequential+block@exam";
constexpr char kPlainKey[] = "block-v1:Larch+T+2024+type@sequential+block@plain";
constexpr int64_t kLearner = 1;
constexpr int64_t kOther = 2;
constexpr int64_t kMinute = 60'000'000;

class SpecialExamsTest : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(
        db().RunInTransaction(
                storage::TxnMode::kReadWrite,
                [&](storage::Transaction& t) {
                  return t.ExecuteScript(
                      "INSERT INTO users (id, username, email, is_active, date_joined) VALUES "
                      "(1, 'learner', 'l@x', 1, 0), (2, 'other', 'o@x', 1, 0)");
                })
            .ok());
    service_ = std::make_unique<ExamService>(db(), clock(), random_);
  }

  // A course with the timed sequential "exam" (30 minutes, `fields` added)
  // and an ordinary one, at `version`.
  courses::CourseTree Tree(int64_t version, json exam_fields = json::object(), bool timed = true,
                           bool course_enabled = true) {
    courses::CourseTree tree;
    tree.course_key = kCourse;
    tree.version = version;
    auto add = [&](const std::string& type, const std::string& key, json fields, int parent) {
      courses::CatalogBlock block;
      block.type = type;
      block.usage_key = key;
      block.block_id = key.substr(key.rfind('@') + 1);
      block.display_name = block.block_id;
      block.fields = std::move(fields);
      block.parent = parent;
      tree.blocks.push_back(std::move(block));
      int index = static_cast<int>(tree.blocks.size()) - 1;
      if (parent >= 0) tree.blocks[static_cast<size_t>(parent)].children.push_back(index);
      tree.index[key] = index;
      return index;
    };
    tree.root = add("course", "block-v1:Larch+T+2024+type@course+block@course",
                    {{"enable_timed_exams", course_enabled}}, -1);
    json fields = {{"is_time_limited", timed}, {"default_time_limit_minutes", 30}};
    fields.update(exam_fields);
    int exam = add("sequential", kExamKey, fields, tree.root);
    add("vertical", "block-v1:Larch+T+2024+type@vertical+block@u", json::object(), exam);
    add("sequential", kPlainKey, json::object(), tree.root);
    return tree;
  }

  Exam TheExam(const courses::CourseTree& tree) {
    auto exam = service_->ExamForContent(tree, kExamKey);
    EXPECT_TRUE(exam.ok() && exam->has_value());
    return exam.ok() && exam->has_value() ? **exam : Exam{};
  }

  SeededRandom random_{7};
  std::unique_ptr<ExamService> service_;
};

TEST_P(SpecialExamsTest, SyncMakesOneExamPerTimedSequential) {
  courses::CourseTree tree = Tree(1, {{"hide_after_due", true}});
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<Exam> exams, service_->ActiveExams(tree));
  ASSERT_EQ(exams.size(), 1u);
  EXPECT_EQ(exams[0].content_id, kExamKey);
  EXPECT_EQ(exams[0].time_limit_mins, 30);
  EXPECT_TRUE(exams[0].hide_after_due);
  EXPECT_FALSE(exams[0].is_proctored);
  LARCH_ASSERT_OK_AND_ASSIGN(auto plain, service_->ExamForContent(tree, kPlainKey));
  EXPECT_FALSE(plain.has_value());

  std::vector<Exam> exams_before = exams;
  // A re-import that drops the time limit retires the exam.
  LARCH_ASSERT_OK_AND_ASSIGN(exams, service_->ActiveExams(Tree(2, json::object(), false)));
  EXPECT_TRUE(exams.empty());
  LARCH_ASSERT_OK_AND_ASSIGN(Exam kept, service_->GetExam(exams_before[0].id));
  EXPECT_FALSE(kept.is_active);
  // So does a course that turns timed exams off.
  LARCH_ASSERT_OK_AND_ASSIGN(exams, service_->ActiveExams(Tree(3)));
  EXPECT_EQ(exams.size(), 1u);
  LARCH_ASSERT_OK_AND_ASSIGN(exams, service_->ActiveExams(Tree(4, json::object(), true, false)));
  EXPECT_TRUE(exams.empty());
}

TEST_P(SpecialExamsTest, TimerStartsOnStartAndExpiresOnRead) {
  courses::CourseTree tree = Tree(1);
  Exam exam = TheExam(tree);
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t id, service_->CreateAttempt(exam.id, kLearner, false));
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt created, service_->GetAttempt(id));
  EXPECT_EQ(created.status, kCreated);
  EXPECT_EQ(created.SecondsRemaining(clock().NowMicros()), 0);
  LARCH_ASSERT_OK_AND_ASSIGN(SequenceGate gate, service_->GateFor(tree, 1, kLearner, false));
  EXPECT_TRUE(gate.exam);
  EXPECT_FALSE(gate.content_open);
  EXPECT_FALSE(gate.submissions_open);

  LARCH_ASSERT_OK(service_->ApplyAction(id, kLearner, "start").status());
  int64_t started = clock().NowMicros();
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt running, service_->GetAttempt(id));
  EXPECT_EQ(running.status, kStarted);
  EXPECT_EQ(running.started_at, started);
  EXPECT_EQ(running.allowed_time_limit_mins, 30);
  clock().AdvanceSeconds(600);
  EXPECT_EQ(running.SecondsRemaining(clock().NowMicros()), 1200);
  LARCH_ASSERT_OK_AND_ASSIGN(gate, service_->GateFor(tree, 1, kLearner, false));
  EXPECT_TRUE(gate.content_open);
  EXPECT_TRUE(gate.submissions_open);

  clock().AdvanceSeconds(1201);
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt ended, service_->GetAttempt(id));
  EXPECT_EQ(ended.status, kSubmitted);
  EXPECT_EQ(ended.completed_at, started + 30 * kMinute);
  LARCH_ASSERT_OK_AND_ASSIGN(gate, service_->GateFor(tree, 1, kLearner, false));
  EXPECT_FALSE(gate.submissions_open);
  EXPECT_FALSE(gate.content_open);
  // An ordinary sequence is no exam.
  LARCH_ASSERT_OK_AND_ASSIGN(SequenceGate plain, service_->GateFor(tree, 3, kLearner, false));
  EXPECT_FALSE(plain.exam);
  EXPECT_TRUE(plain.submissions_open);
  // Staff are never gated.
  LARCH_ASSERT_OK_AND_ASSIGN(gate, service_->GateFor(tree, 1, kOther, true));
  EXPECT_TRUE(gate.submissions_open);
}

TEST_P(SpecialExamsTest, ExtraTimeIsPerLearnerAndTheDueDateCapsIt) {
  int64_t now = clock().NowMicros();
  courses::CourseTree tree = Tree(1, {{"due", FormatIso8601(now + 50 * kMinute)}});
  Exam exam = TheExam(tree);
  LARCH_ASSERT_OK(service_->AddAllowance(exam.id, kLearner, kAdditionalTimeGranted, "15"));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t minutes, service_->AllowedMinutes(exam, kLearner));
  EXPECT_EQ(minutes, 45);
  LARCH_ASSERT_OK_AND_ASSIGN(minutes, service_->AllowedMinutes(exam, kOther));
  EXPECT_EQ(minutes, 30);
  // 40 more minutes of extra time would end after the due date.
  LARCH_ASSERT_OK(service_->AddAllowance(exam.id, kLearner, kAdditionalTimeGranted, "40"));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t id, service_->CreateAttempt(exam.id, kLearner, true));
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt attempt, service_->GetAttempt(id));
  EXPECT_EQ(attempt.allowed_time_limit_mins, 50);
  LARCH_ASSERT_OK_AND_ASSIGN(auto listed, service_->CourseAllowances(kCourse));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].value, "40");
  LARCH_ASSERT_OK(service_->RemoveAllowance(exam.id, kLearner, kAdditionalTimeGranted));
  LARCH_ASSERT_OK_AND_ASSIGN(listed, service_->CourseAllowances(kCourse));
  EXPECT_TRUE(listed.empty());

  EXPECT_THAT(service_->AddAllowance(exam.id, kLearner, kAdditionalTimeGranted, "-3"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->AddAllowance(exam.id, kLearner, kAdditionalTimeGranted, "ten"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->AddAllowance(exam.id, kLearner, "review_policy_exception", "x"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->AddAllowance(9999, kLearner, kAdditionalTimeGranted, "5"),
              StatusIs(StatusCode::kNotFound));
}

TEST_P(SpecialExamsTest, ExpiryJobIsScheduledAndSubmitsOnlyWhenTimeIsUp) {
  courses::CourseTree tree = Tree(1);
  Exam exam = TheExam(tree);
  int64_t started = clock().NowMicros();
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t id, service_->CreateAttempt(exam.id, kLearner, true));
  auto jobs = storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](auto& txn) {
    return storage::JobStore::Claim(txn, {"default"}, "w", started + 31 * kMinute, 60'000'000, 10);
  });
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].kind, kExpireJobKind);
  EXPECT_EQ((*jobs)[0].run_at, started + 30 * kMinute + 1'000'000);
  EXPECT_EQ(json::parse((*jobs)[0].payload)["attempt_id"], id);

  EXPECT_THAT(service_->ExpireAttempt(id), StatusIs(StatusCode::kUnavailable));
  clock().AdvanceSeconds(30 * 60 + 1);
  LARCH_EXPECT_OK(service_->ExpireAttempt(id));
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt attempt, service_->GetAttempt(id));
  EXPECT_EQ(attempt.status, kSubmitted);
  // Run again (at-least-once delivery): nothing left to do.
  LARCH_EXPECT_OK(service_->ExpireAttempt(id));
  LARCH_EXPECT_OK(service_->ExpireAttempt(424242));
}

TEST_P(SpecialExamsTest, TransitionsFollowUpstream) {
  courses::CourseTree tree = Tree(1);
  Exam exam = TheExam(tree);
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t id, service_->CreateAttempt(exam.id, kLearner, true));
  EXPECT_THAT(service_->ApplyAction(id, kLearner, "start"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->ApplyAction(id, kOther, "submit"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->ApplyAction(id, kLearner, "reset_attempt"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->ApplyAction(77, kLearner, "submit"), StatusIs(StatusCode::kNotFound));
  LARCH_ASSERT_OK(service_->ApplyAction(id, kLearner, "ping").status());
  LARCH_ASSERT_OK(service_->ApplyAction(id, kLearner, "stop").status());
  LARCH_ASSERT_OK_AND_ASSIGN(Attempt attempt, service_->GetAttempt(id));
  EXPECT_EQ(attempt.status, kReadyToSubmit);
  // Back to the exam from the "are you sure" page keeps the clock.
  LARCH_ASSERT_OK(service_->ApplyAction(id, kLearner, "start").status());
  LARCH_ASSERT_OK_AND_ASSIGN(attempt, service_->GetAttempt(id));
  EXPECT_EQ(attempt.status, kStarted);
  EXPECT_EQ(attempt.started_at, clock().NowMicros());
  LARCH_ASSERT_OK(service_->ApplyAction(id, kLearner, "submit").status());
  EXPECT_THAT(service_->ApplyAction(id, kLearner, "start"),
              StatusIs(StatusCode::kFailedPrecondition));
  LARCH_ASSERT_OK_AND_ASSIGN(auto active, service_->ActiveAttempts(kLearner, std::nullopt));
  EXPECT_TRUE(active.empty());
  EXPECT_THAT(service_->CreateAttempt(exam.id, kLearner, true),
              StatusIs(StatusCode::kAlreadyExists));
}

TEST_P(SpecialExamsTest, PastDueExamCannotBeStarted) {
  courses::CourseTree tree = Tree(1, {{"due", FormatIso8601(clock().NowMicros() - kMinute)}});
  EXPECT_THAT(service_->CreateAttempt(TheExam(tree).id, kLearner, true),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_P(SpecialExamsTest, ParallelStartsMakeOneAttempt) {
  courses::CourseTree tree = Tree(1);
  Exam exam = TheExam(tree);
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      StatusOr<int64_t> id = service_->CreateAttempt(exam.id, kLearner, true);
      if (id.ok()) {
        ++created;
      } else if (id.status().code() == StatusCode::kAlreadyExists) {
        ++refused;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  LARCH_ASSERT_OK_AND_ASSIGN(auto active, service_->ActiveAttempts(kLearner, kCourse));
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].exam.id, exam.id);
}

LARCH_INSTANTIATE_BACKEND_SUITE(SpecialExamsTest);

}  // namespace
}  // namespace larch::special_exams
