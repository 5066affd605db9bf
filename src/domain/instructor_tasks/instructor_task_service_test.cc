// InstructorTaskService on the Demo course of shared/olx: a reset over
// every learner with state that fails midway is retried and ends with the
// counts of one clean run; a task that keeps failing ends FAILURE; a second
// run of a finished task changes nothing; and the grade report over 1,000
// learners (its time is printed: the figure in docs/api/instructor.md).
#include "larch/instructor_tasks/instructor_task_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/courses/courses.h"
#include "larch/events/event_bus.h"
#include "larch/storage/job_store.h"
#include "larch/student_state/student_state.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::instructor_tasks {
namespace {

namespace fs = std::filesystem;
using ::larch::testing::StatusIs;
using nlohmann::json;

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";

fs::path SharedOlx(const std::string& name) {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return fs::path(env && *env ? env : LARCH_SHARED_OLX) / name;
}

class InstructorTaskServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetNowMicros(1'800'000'000'000'000);
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, testing::MakeTempDir("instructor_tasks"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, testing::OpenMigratedSqlite(dir_, clock_));
    courses::CourseImporter importer(*db_, clock_);
    LARCH_ASSERT_OK(importer.Import(SharedOlx("edx-demo-course-quince") / "course").status());
    catalog_ = std::make_unique<courses::CourseCatalog>(*db_);
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    grades_ = std::make_unique<grades::GradeService>(*db_, *catalog_, clock_, nullptr);
    problems_ = std::make_unique<problems::ProblemService>(*db_, clock_, random_);
    accounts_ = std::make_unique<accounts::AccountService>(*db_, clock_, random_, *bus_,
                                                           accounts::AccountsOptions());
    service_ = std::make_unique<InstructorTaskService>(*db_, *catalog_, *grades_, *problems_,
                                                       *accounts_, clock_, random_);
    LARCH_ASSERT_OK_AND_ASSIGN(auto tree, catalog_->GetTree(kDemo));
    for (const auto& block : tree->blocks) {
      if (block.type == "problem") {
        problem_ = block.usage_key;
        break;
      }
    }
    ASSERT_FALSE(problem_.empty());
  }
  void TearDown() override {
    service_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  // `n` enrolled learners; each with a state for the problem (every problem
  // of the course with `all_problems`) holding `attempts` and, when
  // `score`, a score of 1 of 1.
  std::vector<int64_t> Learners(int n, int attempts, bool score, bool all_problems = false) {
    static constexpr storage::Query kEnroll{
        "test.enroll", "INSERT INTO enrollments (user_id, course_key, created) VALUES (?, ?, 0)"};
    std::vector<std::string> problems = {problem_};
    if (all_problems) {
      problems.clear();
      auto tree = catalog_->GetTree(kDemo);
      EXPECT_TRUE(tree.ok());
      for (const auto& block : (*tree)->blocks) {
        if (block.type == "problem") problems.push_back(block.usage_key);
      }
    }
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) {
      std::string name = "learner" + std::to_string(i);
      auto id = enrollment::InsertUserForTest(*db_, name, name + "@example.com");
      EXPECT_TRUE(id.ok());
      ids.push_back(*id);
    }
    auto write = [&](storage::Transaction& txn) -> Status {
      for (int64_t id : ids) {
        LARCH_RETURN_IF_ERROR(
            txn.Execute(kEnroll, {storage::Int(id), storage::Text(kDemo)}).status());
        for (const std::string& usage_key : problems) {
          student_state::StudentModule module;
          module.user_id = id;
          module.course_key = kDemo;
          module.usage_key = usage_key;
          module.module_type = "problem";
          module.state = json{{"attempts", attempts}};
          if (score) {
            module.grade = 1;
            module.max_grade = 1;
          }
          LARCH_RETURN_IF_ERROR(student_state::StudentStateStore::Save(txn, module, 1).status());
        }
      }
      return OkStatus();
    };
    EXPECT_TRUE(db_->RunInTransaction(storage::TxnMode::kReadWrite, write).ok());
    return ids;
  }

  json Output(const std::string& task_id) {
    auto task = service_->Find(task_id);
    EXPECT_TRUE(task.ok() && task->has_value());
    if (!task.ok() || !task->has_value()) return json();
    return json::parse((*task)->task_output.value_or("null"));
  }
  std::string State(const std::string& task_id) {
    auto task = service_->Find(task_id);
    return task.ok() && task->has_value() ? (*task)->task_state : "";
  }

  FakeClock clock_;
  SeededRandom random_{1};
  std::string dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<courses::CourseCatalog> catalog_;
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<grades::GradeService> grades_;
  std::unique_ptr<problems::ProblemService> problems_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<InstructorTaskService> service_;
  std::string problem_;
};

TEST_F(InstructorTaskServiceTest, ResetThatFailsMidwayResumesAndEndsRight) {
  std::vector<int64_t> ids = Learners(250, 3, false);
  LARCH_ASSERT_OK_AND_ASSIGN(
      Task task, service_->SubmitProblemTask(kDemo, kResetProblemAttempts, problem_, false, "t"));
  EXPECT_EQ(task.task_state, kQueued);
  EXPECT_EQ(json::parse(task.task_input), json({{"problem_url", problem_}}));
  // The job exists with the task.
  LARCH_ASSERT_OK_AND_ASSIGN(
      auto job,
      storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return storage::JobStore::FindByIdempotencyKey(txn, "instructor_task:" + task.task_id);
      }));
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->kind, kRunJob);
  // A second reset of the same problem waits for the first.
  EXPECT_THAT(
      service_->SubmitProblemTask(kDemo, kResetProblemAttempts, problem_, false, "t").status(),
      StatusIs(StatusCode::kFailedPrecondition));

  // The first run dies after 150 learners: the first batch of 100 is kept.
  service_->FailAfterLearnersForTest(150);
  EXPECT_THAT(service_->Run(task.task_id, false), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(State(task.task_id), kProgress);
  json partial = Output(task.task_id);
  EXPECT_EQ(partial["attempted"], 100);
  EXPECT_EQ(partial["succeeded"], 100);
  EXPECT_EQ(partial["total"], 250);

  LARCH_ASSERT_OK(service_->Run(task.task_id, false));
  EXPECT_EQ(State(task.task_id), kSuccess);
  json done = Output(task.task_id);
  EXPECT_EQ(done["action_name"], "reset");
  EXPECT_EQ(done["attempted"], 250);
  EXPECT_EQ(done["succeeded"], 250);
  EXPECT_EQ(done["skipped"], 0);
  EXPECT_EQ(done["failed"], 0);
  EXPECT_EQ(done["total"], 250);
  for (int64_t id : {ids.front(), ids[120], ids.back()}) {
    auto module = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [&](auto& txn) {
      return student_state::StudentStateStore::Find(txn, id, problem_);
    });
    ASSERT_TRUE(module.ok() && module->has_value());
    EXPECT_EQ((*module)->state["attempts"], 0);
  }
  // At-least-once delivery: running a finished task again changes nothing.
  LARCH_ASSERT_OK(service_->Run(task.task_id, false));
  EXPECT_EQ(Output(task.task_id), done);

  // A new reset now finds every attempt at 0: all skipped.
  LARCH_ASSERT_OK_AND_ASSIGN(
      Task again, service_->SubmitProblemTask(kDemo, kResetProblemAttempts, problem_, false, "t"));
  LARCH_ASSERT_OK(service_->Run(again.task_id, false));
  EXPECT_EQ(Output(again.task_id)["skipped"], 250);
  LARCH_ASSERT_OK_AND_ASSIGN(auto history, service_->ListForProblem(kDemo, problem_, std::nullopt));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].task_id, again.task_id);
}

TEST_F(InstructorTaskServiceTest, FailureOnTheLastAttemptEndsTheTask) {
  Learners(3, 1, false);
  LARCH_ASSERT_OK_AND_ASSIGN(
      Task task, service_->SubmitProblemTask(kDemo, kResetProblemAttempts, problem_, false, "t"));
  service_->FailAfterLearnersForTest(1);
  LARCH_ASSERT_OK(service_->Run(task.task_id, /*final_attempt=*/true));
  EXPECT_EQ(State(task.task_id), kFailure);
  json output = Output(task.task_id);
  EXPECT_EQ(output["exception"], "UNAVAILABLE");
  EXPECT_EQ(output["message"], "injected failure (test)");
  LARCH_ASSERT_OK_AND_ASSIGN(auto running, service_->ListRunning(kDemo));
  EXPECT_TRUE(running.empty());
  // A problem that is not in the course fails at once.
  LARCH_ASSERT_OK_AND_ASSIGN(
      Task missing, service_->SubmitProblemTask(kDemo, kRescoreProblem,
                                                "block-v1:edX+DemoX+Demo_Course+type@problem+"
                                                "block@nope",
                                                false, "t"));
  LARCH_ASSERT_OK(service_->Run(missing.task_id, false));
  EXPECT_EQ(State(missing.task_id), kFailure);
  EXPECT_THAT(service_->Run("no-such-task", false), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(InstructorTaskServiceTest, GradeReportOfAThousandLearners) {
  // Every learner has a score on each of the Demo course's problems.
  Learners(1000, 1, true, /*all_problems=*/true);
  // Timed warm, as a server runs it: the course tree is cached after its first read.
  LARCH_ASSERT_OK(service_->GradeReportCsv(kDemo).status());
  auto start = std::chrono::steady_clock::now();
  LARCH_ASSERT_OK_AND_ASSIGN(InstructorTaskService::Csv csv, service_->GradeReportCsv(kDemo));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("grade report CSV, 1000 learners x Demo course: %.3f s\n", seconds);
  EXPECT_EQ(csv.rows, 1000);
  std::string header = csv.text.substr(0, csv.text.find("\r\n"));
  EXPECT_EQ(header.rfind("Student ID,Email,Username,Grade,", 0), 0u) << header;
  EXPECT_NE(header.find(",Enrollment Track,Verification Status,Certificate Eligible,"
                        "Certificate Delivered,Certificate Type,Enrollment Status"),
            std::string::npos)
      << header;

  // The task stores it once, however often it runs.
  LARCH_ASSERT_OK_AND_ASSIGN(Task task, service_->SubmitReport(kDemo, kGradeCourse, "t"));
  EXPECT_THAT(service_->SubmitReport(kDemo, kGradeCourse, "t").status(),
              StatusIs(StatusCode::kFailedPrecondition));
  LARCH_ASSERT_OK(service_->Run(task.task_id, false));
  LARCH_ASSERT_OK(service_->Run(task.task_id, false));
  json output = Output(task.task_id);
  EXPECT_EQ(output["action_name"], "graded");
  EXPECT_EQ(output["succeeded"], 1000);
  EXPECT_EQ(output["step"], "Completed grades");
  LARCH_ASSERT_OK_AND_ASSIGN(auto reports, service_->ListReports(kDemo));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].name, "edX_DemoX_Demo_Course_grade_report_2027-01-15-0800.csv");
  LARCH_ASSERT_OK_AND_ASSIGN(auto stored, service_->GetReport(kDemo, reports[0].id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->content, csv.text);
}

}  // namespace
}  // namespace larch::instructor_tasks
