// numericalresponse against the shared courses' problems and the rules of
// responsetypes.py NumericalResponse.get_score.
#include "larch/capa/responses.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/capa_problems.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::LoadProblem;
using ::larch::testing::LoadSharedProblem;
using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

Correctness Grade(const Problem& problem, std::size_t response, const char* answer) {
  StatusOr<InputGrade> grade = GradeNumerical(problem.responses.at(response), answer);
  EXPECT_TRUE(grade.ok()) << answer << ": " << grade.status().message();
  return grade.ok() ? grade->correctness : Correctness::kIncorrect;
}

TEST(NumericalResponseTest, KitchenSinkScientificAndComplex) {
  const Problem problem =
      LoadSharedProblem("oxa-kitchen-sink/course/problem/9b27be82fc5f4e8a88dcffab495fc9cf.xml");
  ASSERT_EQ(problem.responses.size(), 2U);
  EXPECT_EQ(Grade(problem, 0, "9.3*10^7"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, 0, "93000000"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, 0, "93000001"), Correctness::kCorrect);  // Within 0.001 %.
  EXPECT_EQ(Grade(problem, 0, "9.296*10^7"), Correctness::kIncorrect);
  EXPECT_EQ(Grade(problem, 1, "10*i"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, 1, "10*j"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, 1, "-10*i"), Correctness::kIncorrect);
}

TEST(NumericalResponseTest, PartialCreditListOfTheDemoCourse) {
  const Problem problem = LoadSharedProblem(
      "openedx-demo-course-v2/course/problem/9f898b5307d841fcb03f5ee4eb206a9a.xml");
  StatusOr<InputGrade> right = GradeNumerical(problem.responses.at(0), "2");
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->correctness, Correctness::kCorrect);
  EXPECT_EQ(right->Points(), 1.0);
  StatusOr<InputGrade> other_root = GradeNumerical(problem.responses.at(0), "1");
  ASSERT_TRUE(other_root.ok());
  EXPECT_EQ(other_root->correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(other_root->Points(), 0.5);
  EXPECT_EQ(Grade(problem, 0, "3"), Correctness::kIncorrect);
}

TEST(NumericalResponseTest, CloseAndListClose) {
  const Problem close =
      LoadProblem(R"xml(<problem><numericalresponse answer="10" partial_credit="close">
      <responseparam type="tolerance" default="1"/><textline/></numericalresponse></problem>)xml");
  EXPECT_EQ(Grade(close, 0, "11"), Correctness::kCorrect);
  EXPECT_EQ(Grade(close, 0, "11.5"), Correctness::kPartiallyCorrect);  // Within 2 x tolerance.
  EXPECT_EQ(Grade(close, 0, "12.5"), Correctness::kIncorrect);
  const Problem both =
      LoadProblem(R"xml(<problem><numericalresponse answer="10" partial_credit="list,close">
      <responseparam type="tolerance" default="1"/><responseparam partial_answers="20"/>
      <textline/></numericalresponse></problem>)xml");
  StatusOr<InputGrade> near_listed = GradeNumerical(both.responses.at(0), "21.5");
  ASSERT_TRUE(near_listed.ok());
  EXPECT_EQ(near_listed->correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(near_listed->Points(), 0.25);
}

TEST(NumericalResponseTest, RangesAndTheirBrackets) {
  const Problem closed =
      LoadProblem(R"xml(<problem><numericalresponse answer="[5, 7)" partial_credit="close">
      <textline/></numericalresponse></problem>)xml");
  EXPECT_EQ(Grade(closed, 0, "5"), Correctness::kCorrect);
  EXPECT_EQ(Grade(closed, 0, "6.5"), Correctness::kCorrect);
  EXPECT_EQ(Grade(closed, 0, "7"), Correctness::kIncorrect);
  EXPECT_EQ(Grade(closed, 0, "8"), Correctness::kPartiallyCorrect);
  EXPECT_EQ(Grade(closed, 0, "12"), Correctness::kIncorrect);
  EXPECT_THAT(GradeNumerical(closed.responses.at(0), "5+i"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("complex numbers")));
}

TEST(NumericalResponseTest, AdditionalAnswersAndScriptVariables) {
  const Problem problem = LoadProblem(R"xml(<problem><numericalresponse answer="$ans">
      <additional_answer answer="$other"/><textline/></numericalresponse></problem>)xml");
  const ScriptContext context = {{"ans", "4"}, {"other", "2*3"}, {"a", "999"}};
  for (const char* good : {"4", "6"}) {
    StatusOr<InputGrade> grade = GradeNumerical(problem.responses.at(0), good, context);
    ASSERT_TRUE(grade.ok());
    EXPECT_EQ(grade->correctness, Correctness::kCorrect) << good;
  }
  EXPECT_EQ(ContextualizeText("$ans+$a", context), "4+999");  // Longest name first.
}

TEST(NumericalResponseTest, StudentErrorsInUpstreamWords) {
  const Problem problem = LoadProblem(
      R"xml(<problem><numericalresponse answer="3"><textline/></numericalresponse></problem>)xml");
  const Response& response = problem.responses.at(0);
  EXPECT_THAT(GradeNumerical(response, "x+1"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("You may not use variables")));
  EXPECT_THAT(GradeNumerical(response, "3 3"),
              StatusIs(StatusCode::kInvalidArgument, "Invalid math syntax: '3 3'"));
  EXPECT_THAT(GradeNumerical(response, "fact(-1)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("outside its domain")));
  EXPECT_THAT(GradeNumerical(response, "1/0"),
              StatusIs(StatusCode::kInvalidArgument, "Could not interpret '1/0' as a number."));
  StatusOr<InputGrade> missing = GradeNumerical(response, std::nullopt);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->correctness, Correctness::kIncorrect);
  EXPECT_EQ(missing->input_id, "p_2_1");
}

TEST(NumericalResponseTest, ProblemErrorsAreFailedPrecondition) {
  const Problem bad_style =
      LoadProblem(R"xml(<problem><numericalresponse answer="3" partial_credit="halves">
      <textline/></numericalresponse></problem>)xml");
  EXPECT_THAT(GradeNumerical(bad_style.responses.at(0), "3"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("partial_credit")));
  const Problem bad_answer = LoadProblem(
      R"xml(<problem><numericalresponse answer="zz"><textline/></numericalresponse></problem>)xml");
  EXPECT_THAT(GradeNumerical(bad_answer.responses.at(0), "3"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("staff answer")));
}

}  // namespace
}  // namespace larch::capa
