// The grading arithmetic against hand-computed vectors: olx_format.md
// sections 11 and 12 (the worked examples on the shared courses) and the
// rounding edges upstream's Python produces.
#include "larch/grading/course_grader.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "larch/common/json.h"
#include "larch/testing/shared_olx.h"
#include "larch/testing/status_matchers.h"

namespace larch::grading {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

nlohmann::json SharedPolicy(const std::string& relative) {
  StatusOr<nlohmann::json> parsed = ParseJson(::larch::testing::ReadSharedOlx(relative));
  EXPECT_TRUE(parsed.ok()) << relative;
  return parsed.ok() ? *parsed : nlohmann::json();
}

GradingPolicy DemoPolicy() {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(
      SharedPolicy("edx-demo-course-quince/course/policies/Demo_Course/grading_policy.json"));
  EXPECT_TRUE(policy.ok());
  return policy.ok() ? *policy : GradingPolicy::Default();
}

TEST(GradingPolicyTest, DemoCoursePolicyParses) {
  const GradingPolicy policy = DemoPolicy();
  ASSERT_EQ(policy.graders.size(), 2U);
  EXPECT_EQ(policy.graders[0].type, "Homework");
  EXPECT_EQ(policy.graders[0].min_count, 3);
  EXPECT_EQ(policy.graders[0].drop_count, 1);
  EXPECT_DOUBLE_EQ(policy.graders[0].weight, 0.75);
  EXPECT_EQ(policy.graders[0].LabelPrefix(), "Ex");
  // "short_label": "" behaves as the type.
  EXPECT_EQ(policy.graders[1].LabelPrefix(), "Exam");
  ASSERT_EQ(policy.cutoffs.size(), 1U);
  EXPECT_EQ(policy.PassingCutoff(), 0.6);
}

TEST(GradingPolicyTest, NullIsTheDefaultPolicy) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(nlohmann::json());
  ASSERT_TRUE(policy.ok());
  ASSERT_EQ(policy->graders.size(), 4U);
  EXPECT_EQ(policy->graders[2].type, "Midterm Exam");
  EXPECT_EQ(policy->graders[1].LabelPrefix(), "Lab");
  EXPECT_EQ(policy->PassingCutoff(), 0.5);
}

TEST(GradingPolicyTest, TopLevelKeysReplaceTheDefaultOneByOne) {
  // Only GRADER: the default cutoffs stay.
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(nlohmann::json::parse(
      R"({"GRADER": [{"type": "Quiz", "min_count": "2.0", "drop_count": 0}]})"));
  ASSERT_TRUE(policy.ok());
  ASSERT_EQ(policy->graders.size(), 1U);
  EXPECT_EQ(policy->graders[0].min_count, 2);        // int(float("2.0")).
  EXPECT_DOUBLE_EQ(policy->graders[0].weight, 0.0);  // weight defaults to 0.
  ASSERT_EQ(policy->cutoffs.size(), 1U);
  EXPECT_EQ(policy->cutoffs[0].letter, "Pass");
}

TEST(GradingPolicyTest, CutoffsSortDescending) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(
      nlohmann::json::parse(R"({"GRADE_CUTOFFS": {"D": 0.6, "A": 0.9, "C": 0.7, "B": 0.8}})"));
  ASSERT_TRUE(policy.ok());
  ASSERT_EQ(policy->cutoffs.size(), 4U);
  EXPECT_EQ(policy->cutoffs[0].letter, "A");
  EXPECT_EQ(policy->cutoffs[3].letter, "D");
  EXPECT_EQ(LetterGrade(*policy, 0.85), "B");
  EXPECT_EQ(LetterGrade(*policy, 0.59), std::nullopt);
  EXPECT_EQ(policy->PassingCutoff(), 0.6);
}

TEST(GradingPolicyTest, BadEntriesAreRefusedByName) {
  EXPECT_THAT(GradingPolicy::FromJson(
                  nlohmann::json::parse(R"({"GRADER": [{"type": "Homework", "drop_count": 0}]})")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_count")));
  EXPECT_THAT(GradingPolicy::FromJson(
                  nlohmann::json::parse(R"({"GRADER": [{"type": "Homework", "min_count": 1}]})")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("drop_count")));
  EXPECT_THAT(GradingPolicy::FromJson(
                  nlohmann::json::parse(R"({"GRADER": [{"min_count": 1, "drop_count": 0}]})")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("type")));
  EXPECT_THAT(GradingPolicy::FromJson(nlohmann::json::parse(
                  R"({"GRADER": [{"type": "H", "min_count": 1e9, "drop_count": 0}]})")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a count")));
  EXPECT_THAT(
      GradingPolicy::FromJson(nlohmann::json::parse(
          R"({"GRADER": [{"type": "H", "min_count": 1, "drop_count": 0, "weight": "x"}]})")),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("weight")));
  EXPECT_THAT(GradingPolicy::FromJson(nlohmann::json::parse(R"({"GRADE_CUTOFFS": {"A": 2}})")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("A")));
  EXPECT_THAT(GradingPolicy::FromJson(nlohmann::json::parse(R"([1])")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(WeightedScoreTest, WeightRescalesAndZeroIsNotGraded) {
  const Score raw = WeightedScore(2, 3, std::nullopt);
  EXPECT_DOUBLE_EQ(raw.earned, 2);
  EXPECT_DOUBLE_EQ(raw.possible, 3);
  EXPECT_TRUE(raw.graded);
  const Score weighted = WeightedScore(2, 4, 10.0);
  EXPECT_DOUBLE_EQ(weighted.earned, 5);
  EXPECT_DOUBLE_EQ(weighted.possible, 10);
  EXPECT_FALSE(WeightedScore(1, 1, 0.0).graded);
  // raw_possible 0 (a javascriptresponse) keeps the raw pair and is not graded.
  const Score empty = WeightedScore(0, 0, 5.0);
  EXPECT_DOUBLE_EQ(empty.possible, 0);
  EXPECT_FALSE(empty.graded);
}

TEST(ComputePercentTest, RoundsHalfToEvenAtTheGivenPlaces) {
  EXPECT_EQ(ComputePercent(1, 8), 0.125);
  EXPECT_EQ(ComputePercent(1, 8, 2), 0.12);  // Redwood and earlier.
  EXPECT_EQ(ComputePercent(2, 3), 0.6667);
  EXPECT_EQ(ComputePercent(2, 3, 2), 0.67);
  EXPECT_EQ(ComputePercent(8, 11), 0.7273);
  EXPECT_EQ(ComputePercent(3, 0), 0.0);
}

TEST(FinalPercentTest, AddsFiveHundredthsAndRoundsHalfUp) {
  EXPECT_EQ(FinalPercent(0.5945), 0.60);
  EXPECT_EQ(FinalPercent(0.5944), 0.59);
  EXPECT_EQ(FinalPercent(0.6049999), 0.61);
  EXPECT_EQ(FinalPercent(0.7625), 0.76);
  EXPECT_EQ(FinalPercent(0.0), 0.0);
}

// olx_format.md 12.1: basic_questions 8/11, graded_simulations 2/5,
// workflow 5/6 in the quince demo course.
std::vector<SubsectionScore> DemoLearner() {
  return {
      {"basic_questions", "Homework", true, 8, 11},
      {"graded_simulations", "Homework", true, 2, 5},
      {"workflow", "Exam", true, 5, 6},
  };
}

TEST(CourseGradeTest, DemoCourseDropsThePlaceholder) {
  const CourseGrade grade = ComputeCourseGrade(DemoPolicy(), DemoLearner());
  ASSERT_EQ(grade.by_type.size(), 2U);
  const AssignmentTypeGrade& homework = grade.by_type[0];
  ASSERT_EQ(homework.breakdown.size(), 3U);
  EXPECT_EQ(homework.breakdown[0].percent, 0.7273);
  EXPECT_EQ(homework.breakdown[0].label, "Ex 01");
  EXPECT_EQ(homework.breakdown[1].percent, 0.4);
  EXPECT_EQ(homework.breakdown[2].usage_key, "");  // The min_count placeholder.
  EXPECT_TRUE(homework.breakdown[2].dropped);
  EXPECT_FALSE(homework.breakdown[1].dropped);
  EXPECT_DOUBLE_EQ(homework.average, 0.56365);
  EXPECT_EQ(grade.by_type[1].breakdown.size(), 1U);
  EXPECT_EQ(grade.by_type[1].breakdown[0].label, "Exam");  // A single entry: prefix only.
  EXPECT_EQ(grade.percent, 0.63);
  EXPECT_EQ(grade.letter, "Pass");
  EXPECT_TRUE(grade.passed);
}

TEST(CourseGradeTest, DemoCourseWithTwoDecimalsAsRedwood) {
  const CourseGrade grade = ComputeCourseGrade(DemoPolicy(), DemoLearner(), 2);
  EXPECT_DOUBLE_EQ(grade.by_type[0].average, 0.565);
  EXPECT_EQ(grade.percent, 0.63);
}

TEST(CourseGradeTest, TiesDropTheLaterIndex) {
  const std::vector<SubsectionScore> subsections = {{"one", "Homework", true, 1, 2},
                                                    {"two", "Homework", true, 1, 2},
                                                    {"three", "Homework", true, 1, 1}};
  const CourseGrade grade = ComputeCourseGrade(DemoPolicy(), subsections);
  const auto& breakdown = grade.by_type[0].breakdown;
  EXPECT_FALSE(breakdown[0].dropped);
  EXPECT_TRUE(breakdown[1].dropped);
  EXPECT_DOUBLE_EQ(grade.by_type[0].average, 0.75);
}

TEST(CourseGradeTest, UngradedEmptyDuplicateAndUnknownFormatsNeverCount) {
  std::vector<SubsectionScore> subsections = DemoLearner();
  subsections.push_back({"practice", "Homework", false, 1, 1});  // Not graded.
  subsections.push_back({"empty", "Homework", true, 0, 0});      // Nothing to score.
  subsections.push_back({"workflow", "Exam", true, 0, 6});       // Duplicate key.
  subsections.push_back({"lab", "Homework Lab", true, 1, 1});    // No GRADER entry.
  const CourseGrade grade = ComputeCourseGrade(DemoPolicy(), subsections);
  EXPECT_EQ(grade.by_type[0].breakdown.size(), 3U);
  EXPECT_EQ(grade.percent, 0.63);
}

TEST(CourseGradeTest, KitchenSinkWeightsAreNotNormalised) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(
      SharedPolicy("oxa-kitchen-sink/course/policies/course/grading_policy.json"));
  ASSERT_TRUE(policy.ok());
  const CourseGrade half = ComputeCourseGrade(
      *policy, {{"mid", "Midterm Exam", true, 1, 1}, {"fin", "Final Exam", true, 1, 2}});
  EXPECT_EQ(half.percent, 0.5);
  EXPECT_TRUE(half.passed);
  const CourseGrade perfect = ComputeCourseGrade(
      *policy, {{"mid", "Midterm Exam", true, 1, 1}, {"fin", "Final Exam", true, 2, 2}});
  EXPECT_EQ(perfect.percent, 0.7);
}

TEST(CourseGradeTest, LetterGradesBelowEveryCutoffAreNone) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(nlohmann::json::parse(
      R"({"GRADER": [{"type": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.5},
                     {"type": "Final", "min_count": 1, "drop_count": 0, "weight": 0.5}],
          "GRADE_CUTOFFS": {"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6}})"));
  ASSERT_TRUE(policy.ok());
  const CourseGrade grade =
      ComputeCourseGrade(*policy, {{"m", "Midterm", true, 1, 1}, {"f", "Final", true, 0, 1}});
  EXPECT_EQ(grade.percent, 0.5);
  EXPECT_EQ(grade.letter, std::nullopt);
  EXPECT_FALSE(grade.passed);
}

TEST(CourseGradeTest, TestCourseWithoutGradedSubsectionsIsZero) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(
      SharedPolicy("openedx-test-course/course/policies/1/grading_policy.json"));
  ASSERT_TRUE(policy.ok());
  const CourseGrade grade = ComputeCourseGrade(*policy, {});
  EXPECT_EQ(grade.percent, 0.0);
  EXPECT_EQ(grade.letter, std::nullopt);
  EXPECT_FALSE(grade.passed);
  EXPECT_EQ(grade.by_type[0].breakdown.size(), 12U);  // Placeholders up to min_count.
}

TEST(CourseGradeTest, NoNonZeroCutoffMeansNobodyPasses) {
  StatusOr<GradingPolicy> policy = GradingPolicy::FromJson(nlohmann::json::parse(
      R"({"GRADER": [{"type": "H", "min_count": 1, "drop_count": 0, "weight": 1}],
          "GRADE_CUTOFFS": {"Pass": 0}})"));
  ASSERT_TRUE(policy.ok());
  const CourseGrade grade = ComputeCourseGrade(*policy, {{"h", "H", true, 1, 1}});
  EXPECT_EQ(grade.percent, 1.0);
  EXPECT_FALSE(grade.passed);
}

}  // namespace
}  // namespace larch::grading
