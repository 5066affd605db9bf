// Staff grade overrides on both backends, on the edX Demo course of
// shared/olx: an override replaces the subsection's graded totals in the
// course grade and its percent (olx_format.md 12.1's learner, 0.63, rises
// to 0.86), fields left out keep the computed totals and null ones let them
// stand, each write leaves a history row ('+', '~', '-') with its author,
// bad rows are refused with upstream's reasons while good ones in the same
// request are kept, a storage failure rolls back the whole request, and a
// cleared override gives the computed grade back.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "backend_fixture.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/courses.h"
#include "larch/grades/grade_overrides.h"
#include "larch/grades/grade_service.h"
#include "larch/student_state/student_state.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"

namespace larch::grades {
namespace {

namespace fs = std::filesystem;
using ::larch::testing::StatusIs;

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kSimulations[] =
    "block-v1:edX+DemoX+Demo_Course+type@sequential+block@graded_simulations";
constexpr char kBasic[] = "block-v1:edX+DemoX+Demo_Course+type@sequential+block@basic_questions";

fs::path SharedOlx(const std::string& name) {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return fs::path(env && *env ? env : LARCH_SHARED_OLX) / name;
}

using Request = GradeService::OverrideRequest;

class GradesConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock().SetNowMicros(1'800'000'000'000'000);
    data_dir_ = fs::temp_directory_path() / ("larch-grades-" + std::to_string(getpid()) + "-" +
                                             std::to_string(reinterpret_cast<uintptr_t>(this)));
    courses::CourseImporter importer(db(), clock());
    ASSERT_TRUE(importer.Import(SharedOlx("edx-demo-course-quince") / "course").ok());
    for (const char* name : {"alice", "staff", "outsider"}) {
      auto id = enrollment::InsertUserForTest(db(), name, std::string(name) + "@example.com");
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      ids_[name] = *id;
    }
    static constexpr storage::Query kEnroll{
        "test.enroll",
        "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
        "VALUES (?, ?, 0, 1, 'audit')"};
    ASSERT_TRUE(
        db().RunInTransaction(
                storage::TxnMode::kReadWrite,
                [&](auto& txn) {
                  return txn.Execute(kEnroll, {storage::Int(ids_["alice"]), kDemo}).status();
                })
            .ok());
    catalog_ = std::make_unique<courses::CourseCatalog>(db());
    service_ = std::make_unique<GradeService>(db(), *catalog_, clock(), nullptr);
    // olx_format.md 12.1: 8/11, 2/5, 5/6.
    auto blank = service_->Compute(ids_["alice"], kDemo);
    ASSERT_TRUE(blank.ok()) << blank.status().ToString();
    Score(*blank, "basic_questions", 8);
    Score(*blank, "graded_simulations", 2);
    Score(*blank, "workflow", 5);
  }

  void TearDown() override {
    service_.reset();
    catalog_.reset();
    BackendTest::TearDown();
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
  }

  void Score(const CourseGradeReport& blank, const std::string& id, double target) {
    for (const SectionGrade& section : blank.sections) {
      for (const SubsectionGrade& sub : section.subsections) {
        if (!sub.usage_key.ends_with("@" + id)) continue;
        double earned = 0;
        for (const ProblemScore& problem : sub.problems) {
          if (problem.possible == 0 || earned + problem.possible > target) continue;
          earned += problem.possible;
          student_state::StudentModule module;
          module.user_id = ids_["alice"];
          module.course_key = kDemo;
          module.usage_key = problem.usage_key;
          module.module_type = "problem";
          module.grade = problem.possible;
          module.max_grade = problem.possible;
          ASSERT_TRUE(db().RunInTransaction(storage::TxnMode::kReadWrite,
                                            [&](auto& txn) {
                                              return student_state::StudentStateStore::Save(
                                                         txn, module, clock().NowMicros())
                                                  .status();
                                            })
                          .ok());
        }
        ASSERT_EQ(earned, target) << id;
        return;
      }
    }
    FAIL() << "no subsection " << id;
  }

  static const SubsectionGrade& Find(const CourseGradeReport& report, const std::string& key) {
    for (const SectionGrade& section : report.sections) {
      for (const SubsectionGrade& sub : section.subsections) {
        if (sub.usage_key == key) return sub;
      }
    }
    static const SubsectionGrade kNone;
    ADD_FAILURE() << "no subsection " << key;
    return kNone;
  }

  static Request Graded(int64_t user, const std::string& key, double earned) {
    Request request;
    request.user_id = user;
    request.usage_key = key;
    request.earned_graded = {true, earned};
    request.comment = "regraded by hand";
    return request;
  }

  fs::path data_dir_;
  std::map<std::string, int64_t> ids_;
  std::unique_ptr<courses::CourseCatalog> catalog_;
  std::unique_ptr<GradeService> service_;
};

TEST_P(GradesConformance, AnOverrideReplacesTheSubsectionInTheCourseGrade) {
  auto before = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(before.ok());
  EXPECT_DOUBLE_EQ(before->grade.percent, 0.63);

  // 5/5 instead of 2/5: Homework [0.7273, 1.0, 0] drops the 0 and averages
  // 0.86365; 0.86365 * 0.75 + 0.8333 * 0.25 = 0.8560625 -> 0.86.
  auto outcomes = service_->OverrideSubsectionGrades(ids_["staff"], kDemo,
                                                     {Graded(ids_["alice"], kSimulations, 5)});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_TRUE((*outcomes)[0].success) << (*outcomes)[0].reason;

  auto after = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(after.ok());
  EXPECT_DOUBLE_EQ(after->grade.percent, 0.86);
  EXPECT_EQ(after->grade.letter, "Pass");
  const SubsectionGrade& sims = Find(*after, kSimulations);
  ASSERT_TRUE(sims.override.has_value());
  EXPECT_EQ(sims.computed.earned_graded, 2);
  EXPECT_EQ(sims.earned_graded, 5);
  EXPECT_EQ(sims.possible_graded, 5);
  EXPECT_DOUBLE_EQ(sims.percent_graded, 1.0);
  // Left out: the computed totals were stored as the override's values.
  EXPECT_EQ(sims.override->earned_all, 2);
  EXPECT_EQ(sims.override->possible_all, 5);
  EXPECT_EQ(sims.override->system, kGradebookFeature);
  EXPECT_EQ(sims.override->reason, "regraded by hand");
  // The persistent course grade was recalculated in the same request.
  auto stored = service_->GetCourseGrade(ids_["alice"], kDemo);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_DOUBLE_EQ((*stored)->percent_grade, 0.86);

  // A second write: null lets the computed total stand, history grows.
  clock().SetNowMicros(clock().NowMicros() + 1'000'000);
  Request again = Graded(ids_["alice"], kSimulations, 4);
  again.possible_graded = {true, std::nullopt};
  again.comment.reset();
  ASSERT_TRUE(service_->OverrideSubsectionGrades(ids_["staff"], kDemo, {again}).ok());
  auto view = service_->GetSubsectionGrade(ids_["alice"], kDemo, kSimulations);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_TRUE(view->available);
  EXPECT_EQ(view->original.earned_graded, 2);
  EXPECT_EQ(view->original.possible_graded, 5);
  ASSERT_TRUE(view->override.has_value());
  EXPECT_EQ(view->override->earned_graded, 4);
  EXPECT_FALSE(view->override->possible_graded.has_value());
  EXPECT_FALSE(view->override->reason.has_value());
  ASSERT_EQ(view->history.size(), 2u);
  EXPECT_EQ(view->history[0].history_type, "+");
  EXPECT_EQ(view->history[0].values.earned_graded, 5);
  EXPECT_EQ(view->history[0].values.reason, "regraded by hand");
  EXPECT_EQ(view->history[0].history_user_id, ids_["staff"]);
  EXPECT_EQ(view->history[1].history_type, "~");
  EXPECT_EQ(view->history[1].history_date, clock().NowMicros());
  EXPECT_EQ(view->history[1].values.id, view->history[0].values.id);
  auto with_four = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(with_four.ok());
  const SubsectionGrade& four = Find(*with_four, kSimulations);
  EXPECT_EQ(four.possible_graded, 5);
  EXPECT_DOUBLE_EQ(four.percent_graded, 0.8);

  // Cleared: the computed grade is back, the history keeps a '-' row.
  clock().SetNowMicros(clock().NowMicros() + 1'000'000);
  auto cleared = service_->ClearOverride(ids_["staff"], ids_["alice"], kDemo, kSimulations);
  ASSERT_TRUE(cleared.ok());
  EXPECT_TRUE(*cleared);
  auto again_cleared = service_->ClearOverride(ids_["staff"], ids_["alice"], kDemo, kSimulations);
  ASSERT_TRUE(again_cleared.ok());
  EXPECT_FALSE(*again_cleared);
  auto back = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(back->grade.percent, 0.63);
  EXPECT_FALSE(Find(*back, kSimulations).override.has_value());
  stored = service_->GetCourseGrade(ids_["alice"], kDemo);
  ASSERT_TRUE(stored.ok());
  EXPECT_DOUBLE_EQ((*stored)->percent_grade, 0.63);
  auto history = storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](auto& txn) {
    return OverrideStore::History(txn, view->override->grade_id);
  });
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[2].history_type, "-");
  EXPECT_EQ((*history)[2].values.earned_graded, 4);
  view = service_->GetSubsectionGrade(ids_["alice"], kDemo, kSimulations);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->override.has_value());
  EXPECT_TRUE(view->history.empty());
}

TEST_P(GradesConformance, BadRowsAreRefusedAndGoodOnesKept) {
  Request unknown_user = Graded(ids_["alice"] + 1000, kSimulations, 5);
  Request outsider = Graded(ids_["outsider"], kSimulations, 5);
  Request bad_key = Graded(ids_["alice"], "not-a-key", 5);
  Request unit = Graded(ids_["alice"],
                        "block-v1:edX+DemoX+Demo_Course+type@vertical+block@"
                        "134df56c516a4a0dbb24dd5facef746e",
                        5);
  Request missing =
      Graded(ids_["alice"], "block-v1:edX+DemoX+Demo_Course+type@sequential+block@nope", 5);
  Request good = Graded(ids_["alice"], kBasic, 11);
  auto outcomes = service_->OverrideSubsectionGrades(
      ids_["staff"], kDemo, {unknown_user, outsider, bad_key, unit, missing, good});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 6u);
  EXPECT_EQ((*outcomes)[0].reason, "User matching query does not exist.");
  EXPECT_EQ((*outcomes)[1].reason, "CourseEnrollment matching query does not exist.");
  EXPECT_EQ((*outcomes)[2].reason,
            "<class 'opaque_keys.edx.locator.BlockUsageLocator'>: not-a-key");
  EXPECT_FALSE((*outcomes)[3].success);
  EXPECT_EQ((*outcomes)[4].reason,
            "usage_key " + missing.usage_key + " does not exist in this course.");
  EXPECT_TRUE((*outcomes)[5].success);
  for (size_t i = 0; i < 5; ++i) EXPECT_FALSE((*outcomes)[i].success) << i;
  auto report = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(Find(*report, kSimulations).override.has_value());
  EXPECT_EQ(Find(*report, kBasic).earned_graded, 11);

  EXPECT_THAT(
      service_->OverrideSubsectionGrades(ids_["staff"], "course-v1:No+Such+Run", {good}).status(),
      StatusIs(StatusCode::kNotFound));
}

TEST_P(GradesConformance, AStorageFailureRollsBackTheWholeRequest) {
  enrollment::FaultyDatabaseForTest faulty(db());
  courses::CourseCatalog catalog(faulty);
  GradeService service(faulty, catalog, clock(), nullptr);
  faulty.FailStatementsForTest("grades.upsert_course_grade", UnavailableError("disk gone"));
  EXPECT_THAT(service
                  .OverrideSubsectionGrades(
                      ids_["staff"], kDemo,
                      {Graded(ids_["alice"], kBasic, 11), Graded(ids_["alice"], kSimulations, 5)})
                  .status(),
              StatusIs(StatusCode::kUnavailable));
  faulty.HealForTest();
  auto report = service_->Compute(ids_["alice"], kDemo);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(Find(*report, kBasic).override.has_value());
  EXPECT_FALSE(Find(*report, kSimulations).override.has_value());
  EXPECT_DOUBLE_EQ(report->grade.percent, 0.63);
}

LARCH_INSTANTIATE_BACKEND_SUITE(GradesConformance);

}  // namespace
}  // namespace larch::grades
