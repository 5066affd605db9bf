#include "larch/grades/grade_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "larch/courses/courses.h"
#include "larch/events/event_types.h"
#include "larch/storage/job_store.h"
#include "larch/student_state/student_state.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::grades {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";

fs::path SharedOlx(const std::string& name) {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return fs::path(env && *env ? env : LARCH_SHARED_OLX) / name;
}

class GradeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetNowMicros(1'800'000'000'000'000);
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, testing::MakeTempDir("grades"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, testing::OpenMigratedSqlite(dir_, clock_));
    courses::CourseImporter importer(*db_, clock_);
    LARCH_ASSERT_OK(importer.Import(SharedOlx("edx-demo-course-quince") / "course").status());
    LARCH_ASSERT_OK_AND_ASSIGN(alice_,
                               enrollment::InsertUserForTest(*db_, "alice", "alice@example.com"));
    catalog_ = std::make_unique<courses::CourseCatalog>(*db_);
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    for (const char* type :
         {events::kPersistentGradeSummaryChanged, events::kCoursePassingStatusUpdated}) {
      bus_->Subscribe(type, [this](const events::Event& event) {
        events_.push_back(event.metadata.event_type);
        return OkStatus();
      });
    }
    service_ = std::make_unique<GradeService>(*db_, *catalog_, clock_, bus_.get());
  }
  void TearDown() override {
    service_.reset();
    catalog_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  // Full marks on problems of the subsection `id` until `target` points.
  void Score(const CourseGradeReport& blank, const std::string& id, double target) {
    for (const SectionGrade& section : blank.sections) {
      for (const SubsectionGrade& sub : section.subsections) {
        if (sub.usage_key.size() < id.size() ||
            sub.usage_key.compare(sub.usage_key.size() - id.size(), id.size(), id) != 0) {
          continue;
        }
        double earned = 0;
        for (const ProblemScore& problem : sub.problems) {
          if (problem.possible == 0 || earned + problem.possible > target) continue;
          earned += problem.possible;
          SetScore(problem.usage_key, problem.possible, problem.possible);
        }
        ASSERT_EQ(earned, target) << id;
        return;
      }
    }
    FAIL() << "no subsection " << id;
  }

  void SetScore(const std::string& usage_key, double earned, double possible) {
    student_state::StudentModule module;
    module.user_id = alice_;
    module.course_key = kDemo;
    module.usage_key = usage_key;
    module.module_type = "problem";
    LARCH_ASSERT_OK(db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
      LARCH_ASSIGN_OR_RETURN(std::optional<student_state::StudentModule> found,
                             student_state::StudentStateStore::Find(txn, alice_, usage_key));
      if (found.has_value()) module = *found;
      module.grade = earned;
      module.max_grade = possible;
      return student_state::StudentStateStore::Save(txn, module, clock_.NowMicros()).status();
    }));
  }

  FakeClock clock_;
  SeededRandom random_{1};
  std::string dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<courses::CourseCatalog> catalog_;
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<GradeService> service_;
  std::vector<std::string> events_;
  int64_t alice_ = 0;
};

TEST_F(GradeServiceTest, DemoCourseStructureAndMaxScores) {
  LARCH_ASSERT_OK_AND_ASSIGN(CourseGradeReport blank, service_->Compute(alice_, kDemo));
  EXPECT_EQ(blank.grade.percent, 0.0);
  EXPECT_FALSE(blank.grade.passed);
  // olx_format.md 10.3: basic_questions 11, graded_simulations 5, workflow 6.
  std::map<std::string, double> possible;
  for (const SectionGrade& section : blank.sections) {
    for (const SubsectionGrade& sub : section.subsections) {
      possible[sub.usage_key.substr(sub.usage_key.rfind('@') + 1)] = sub.possible_graded;
    }
  }
  EXPECT_EQ(possible["basic_questions"], 11);
  EXPECT_EQ(possible["graded_simulations"], 5);
  EXPECT_EQ(possible["workflow"], 6);
}

// olx_format.md 12.1: 8/11, 2/5, 5/6 give 0.63, "Pass".
TEST_F(GradeServiceTest, DemoCourseWorkedExampleWithDropAndMinCount) {
  LARCH_ASSERT_OK_AND_ASSIGN(CourseGradeReport blank, service_->Compute(alice_, kDemo));
  Score(blank, "basic_questions", 8);
  Score(blank, "graded_simulations", 2);
  Score(blank, "workflow", 5);
  LARCH_ASSERT_OK_AND_ASSIGN(CourseGradeReport report, service_->Recalculate(alice_, kDemo));
  EXPECT_DOUBLE_EQ(report.grade.percent, 0.63);
  EXPECT_EQ(report.grade.letter, "Pass");
  EXPECT_TRUE(report.grade.passed);
  ASSERT_EQ(report.grade.by_type.size(), 2u);
  EXPECT_DOUBLE_EQ(report.grade.by_type[0].average, 0.56365);

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<PersistentCourseGrade> stored,
                             service_->GetCourseGrade(alice_, kDemo));
  ASSERT_TRUE(stored.has_value());
  EXPECT_DOUBLE_EQ(stored->percent_grade, 0.63);
  EXPECT_EQ(stored->letter_grade, "Pass");
  EXPECT_EQ(stored->passed_timestamp, clock_.NowMicros());
  EXPECT_EQ(events_, (std::vector<std::string>{events::kPersistentGradeSummaryChanged,
                                               events::kCoursePassingStatusUpdated}));

  // Nothing changed: no new events, passed_timestamp kept.
  clock_.SetNowMicros(clock_.NowMicros() + 1000);
  LARCH_ASSERT_OK(service_->Recalculate(alice_, kDemo).status());
  EXPECT_EQ(events_.size(), 2u);
  LARCH_ASSERT_OK_AND_ASSIGN(stored, service_->GetCourseGrade(alice_, kDemo));
  EXPECT_EQ(stored->passed_timestamp, clock_.NowMicros() - 1000);

  // One workflow problem loses its points: that subsection's stored grade
  // follows (unchanged subsections are not rewritten, changed ones are).
  auto stored_workflow = [&]() {
    auto rs = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [](auto& txn) {
      return txn.Execute(storage::Query{"test.workflow_grade",
                                        "SELECT earned_graded FROM persistent_subsection_grades "
                                        "WHERE usage_key LIKE '%@workflow'"},
                         {});
    });
    EXPECT_TRUE(rs.ok() && rs->rows.size() == 1u);
    return rs.ok() && rs->rows.size() == 1u ? rs->rows[0].GetDouble(0) : -1;
  };
  EXPECT_EQ(stored_workflow(), 5);
  double lost = 0;
  for (const SectionGrade& section : blank.sections) {
    for (const SubsectionGrade& sub : section.subsections) {
      if (sub.usage_key.find("@workflow") == std::string::npos) continue;
      // The first problem Score() gave points to.
      for (const ProblemScore& problem : sub.problems) {
        if (problem.possible > 0 && problem.possible <= 5) {
          SetScore(problem.usage_key, 0, problem.possible);
          lost = problem.possible;
          break;
        }
      }
    }
  }
  LARCH_ASSERT_OK(service_->Recalculate(alice_, kDemo).status());
  ASSERT_GT(lost, 0);
  EXPECT_EQ(stored_workflow(), 5 - lost);
  EXPECT_GE(events_.size(), 3u);  // The grade changed (and maybe passing).
}

TEST_F(GradeServiceTest, RecalculateCourseGradesEveryLearnerAndJobIsEnqueued) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t bob,
                             enrollment::InsertUserForTest(*db_, "bob", "bob@example.com"));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t count, service_->RecalculateCourse(kDemo, {alice_, bob}));
  EXPECT_EQ(count, 2);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<PersistentCourseGrade> stored,
                             service_->GetCourseGrade(bob, kDemo));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->percent_grade, 0.0);
  EXPECT_FALSE(stored->passed_timestamp.has_value());

  // Two score changes before the job runs: one recalculation covers both.
  for (int change = 0; change < 2; ++change) {
    LARCH_ASSERT_OK(db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
      return GradeService::EnqueueRecalculation(txn, alice_, kDemo, clock_.NowMicros());
    }));
  }
  auto counts = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [](auto& txn) {
    return storage::JobStore::CountByState(txn);
  });
  LARCH_ASSERT_OK(counts.status());
  int64_t queued = 0;
  for (const auto& [state, n] : *counts) {
    if (state == storage::JobState::kQueued) queued += n;
  }
  EXPECT_EQ(queued, 1);
}

TEST_F(GradeServiceTest, UnknownCourseIsNotFound) {
  EXPECT_THAT(service_->Compute(alice_, "course-v1:No+Such+Run").status(),
              testing::StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace larch::grades
