// The choice-like response types on the Demo course's "basic questions"
// problem (olx_format.md 9.4) and on hand-written partial-credit cases.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/capa/responses.h"
#include "larch/testing/capa_problems.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::LoadProblem;
using ::larch::testing::ReadSharedOlx;
using ::larch::testing::StatusIs;

InputGrade One(const Response& response, const Answers& answers) {
  StatusOr<std::vector<InputGrade>> grades = GradeResponse(response, answers);
  EXPECT_TRUE(grades.ok()) << grades.status().message();
  return grades.ok() && !grades->empty() ? grades->front() : InputGrade{};
}

class DemoBasicQuestionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<Problem> parsed = ParseProblem(
        ReadSharedOlx(std::string("edx-demo-course-quince/course/problem/") + kId + ".xml"), kId);
    ASSERT_TRUE(parsed.ok());
    problem_ = *std::move(parsed);
  }
  static constexpr const char* kId = "a0effb954cca4759994f1ac9e9434bf4";
  Problem problem_;
};

TEST_F(DemoBasicQuestionsTest, Dropdown) {
  const Response& dropdown = problem_.responses.at(0);
  const std::string id = std::string(kId) + "_2_1";
  EXPECT_EQ(One(dropdown, {{id, {"blue"}}}).correctness, Correctness::kCorrect);
  EXPECT_EQ(One(dropdown, {{id, {"green"}}}).correctness, Correctness::kIncorrect);
  EXPECT_EQ(One(dropdown, {}).correctness, Correctness::kIncorrect);
}

TEST_F(DemoBasicQuestionsTest, MultipleChoice) {
  const Response& choice = problem_.responses.at(1);
  const std::string id = std::string(kId) + "_3_1";
  EXPECT_EQ(ChoiceNames(choice),
            (std::vector<std::string>{"choice_0", "choice_1", "choice_2", "choice_3"}));
  EXPECT_EQ(One(choice, {{id, {"choice_2"}}}).correctness, Correctness::kCorrect);
  EXPECT_EQ(One(choice, {{id, {"choice_0"}}}).correctness, Correctness::kIncorrect);
}

TEST_F(DemoBasicQuestionsTest, Checkboxes) {
  const Response& boxes = problem_.responses.at(2);
  const std::string id = std::string(kId) + "_4_1";
  EXPECT_EQ(One(boxes, {{id, {"choice_0", "choice_2"}}}).correctness, Correctness::kCorrect);
  EXPECT_EQ(One(boxes, {{id, {"choice_0"}}}).correctness, Correctness::kIncorrect);
  EXPECT_EQ(One(boxes, {{id, {}}}).correctness, Correctness::kIncorrect);
  // The max score of the whole problem is 3 (one point per response).
  EXPECT_EQ(problem_.MaxScore(), 3);
}

TEST(ChoiceResponseTest, NamedChoicesKeepTheirNamesInMultipleChoiceOnly) {
  const Problem problem = LoadProblem(R"xml(<problem>
      <multiplechoiceresponse><choicegroup>
        <choice correct="false">x</choice><choice name="brazil" correct="true">y</choice>
        <choice correct="false">z</choice></choicegroup></multiplechoiceresponse>
      <choiceresponse><checkboxgroup>
        <choice name="keep" correct="true">a</choice><choice correct="false">b</choice>
      </checkboxgroup></choiceresponse></problem>)xml");
  EXPECT_EQ(ChoiceNames(problem.responses[0]),
            (std::vector<std::string>{"choice_0", "choice_brazil", "choice_1"}));
  EXPECT_EQ(ChoiceNames(problem.responses[1]), (std::vector<std::string>{"choice_0", "choice_1"}));
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_brazil"}}}).correctness,
            Correctness::kCorrect);
}

TEST(ChoiceResponseTest, PartialPointsInMultipleChoice) {
  const Problem problem = LoadProblem(R"xml(<problem>
      <multiplechoiceresponse partial_credit="points"><choicegroup>
        <choice correct="true">a</choice><choice correct="partial" point_value="0.25">b</choice>
        <choice correct="partial">c</choice></choicegroup></multiplechoiceresponse></problem>)xml");
  const InputGrade quarter = One(problem.responses[0], {{"p_2_1", {"choice_1"}}});
  EXPECT_EQ(quarter.correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(quarter.Points(), 0.25);
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_2"}}}).Points(), 0.5);
}

Problem Checkboxes(const char* credit) {
  return LoadProblem(std::string(R"xml(<problem><choiceresponse partial_credit=")xml") + credit +
                     R"xml("><checkboxgroup>
        <choice correct="true">a</choice><choice correct="true">b</choice>
        <choice correct="false">c</choice><choice correct="false">d</choice>
        <choice correct="false">e</choice></checkboxgroup></choiceresponse></problem>)xml");
}

TEST(ChoiceResponseTest, EveryDecisionCounts) {
  const Problem problem = Checkboxes("EDC");
  const InputGrade four_of_five = One(problem.responses[0], {{"p_2_1", {"choice_0"}}});
  EXPECT_EQ(four_of_five.correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(four_of_five.Points(), 0.8);
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_0", "choice_1"}}}).Points(), 1.0);
}

TEST(ChoiceResponseTest, Halves) {
  const Problem problem = Checkboxes("halves");
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_0"}}}).Points(), 0.5);
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_0", "choice_2", "choice_3"}}}).Points(),
            0.0);  // Three errors.
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"choice_0", "choice_2"}}}).Points(), 0.25);
}

TEST(ChoiceResponseTest, OneCreditTypeOnlyAndUnknownTypesNamed) {
  const Problem both = Checkboxes("EDC,halves");
  EXPECT_THAT(GradeResponse(both.responses[0], {{"p_2_1", {"choice_0"}}}),
              StatusIs(StatusCode::kFailedPrecondition));
  const Problem custom = LoadProblem(
      R"xml(<problem><customresponse cfn="f"><textline/></customresponse></problem>)xml");
  EXPECT_THAT(GradeResponse(custom.responses[0], {}), StatusIs(StatusCode::kUnimplemented));
}

TEST(ChoiceResponseTest, OptionChildrenForm) {
  const Problem problem = LoadProblem(R"xml(<problem><optionresponse><optioninput>
        <option correct="False">no</option><option correct="True"> yes <optionhint>!</optionhint>
        </option></optioninput></optionresponse></problem>)xml");
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"yes"}}}).correctness, Correctness::kCorrect);
  EXPECT_EQ(One(problem.responses[0], {{"p_2_1", {"no"}}}).correctness, Correctness::kIncorrect);
}

}  // namespace
}  // namespace larch::capa
