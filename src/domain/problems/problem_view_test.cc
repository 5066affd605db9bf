#include "larch/problems/problem_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::problems {
namespace {

using ::larch::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProblem[] = R"xml(<problem>
  <p>Warm up.</p>
  <script type="loncapa/python">x = 1</script>
  <numericalresponse answer="3.14">
    <label>What is pi?</label>
    <responseparam type="tolerance" default="1%"/>
    <formulaequationinput/>
  </numericalresponse>
  <multiplechoiceresponse>
    <choicegroup type="MultipleChoice">
      <choice correct="false">Red</choice>
      <choice correct="true">Blue<choicehint>Yes!</choicehint></choice>
    </choicegroup>
  </multiplechoiceresponse>
  <choiceresponse>
    <checkboxgroup>
      <choice correct="true">A</choice>
      <choice correct="true">B</choice>
      <choice correct="false">C</choice>
    </checkboxgroup>
  </choiceresponse>
  <optionresponse>
    <optioninput options="('yes','no')" correct="no"/>
  </optionresponse>
  <stringresponse answer="Paris" type="ci">
    <additional_answer answer="paris, france"/>
    <textline size="20"/>
  </stringresponse>
  <solution><p>Because <b>maths</b>.</p></solution>
  <p onclick="alert(1)"><a href="javascript:alert(2)">x</a></p>
</problem>)xml";

capa::Problem Parse() {
  StatusOr<capa::Problem> problem = capa::ParseProblem(kProblem, "p1");
  EXPECT_TRUE(problem.ok()) << problem.status().ToString();
  return std::move(*problem);
}

TEST(ProblemView, RendersInputsWithAnswersAndCorrectness) {
  capa::Problem problem = Parse();
  ViewState state;
  state.student_answers = {{"p1_2_1", "3<4"},
                           {"p1_4_1", json::array({"choice_0", "choice_1"})},
                           {"p1_3_1", "choice_1"},
                           {"p1_5_1", "no"}};
  state.correct_map = {{"p1_2_1", {{"correctness", "incorrect"}, {"msg", "Close"}}},
                       {"p1_3_1", {{"correctness", "correct"}}}};
  std::string html = RenderProblemHtml(problem, state);
  EXPECT_THAT(html, HasSubstr("<p>Warm up.</p>"));
  EXPECT_THAT(html, HasSubstr("name=\"input_p1_2_1\" value=\"3&lt;4\""));
  EXPECT_THAT(html, HasSubstr("<p class=\"question-label\">What is pi?</p>"));
  // Every input has an accessible name: its response's label, the paragraph
  // before its response, else "Answer".
  EXPECT_THAT(html, HasSubstr("value=\"3&lt;4\" aria-label=\"What is pi?\""));
  EXPECT_THAT(html, HasSubstr("id=\"input_p1_5_1\" aria-label=\"Answer\""));
  EXPECT_THAT(html, HasSubstr("class=\"status incorrect\" id=\"status_p1_2_1\""));
  EXPECT_THAT(html, HasSubstr("<div class=\"message\">Close</div>"));
  EXPECT_THAT(html, HasSubstr("type=\"radio\" name=\"input_p1_3_1\" id=\"input_p1_3_1_choice_1\" "
                              "value=\"choice_1\" checked"));
  EXPECT_THAT(html,
              HasSubstr("type=\"checkbox\" name=\"input_p1_4_1[]\" id=\"input_p1_4_1_choice_1\""
                        " value=\"choice_1\" checked"));
  EXPECT_THAT(html, HasSubstr("<option value=\"no\" selected>no</option>"));
  EXPECT_THAT(html, HasSubstr("id=\"status_p1_6_1\""));
  EXPECT_THAT(html, HasSubstr("<span id=\"solution_p1_solution_1\"></span>"));
  // Graders, scripts, hints and unsafe attributes stay out.
  EXPECT_THAT(html, Not(HasSubstr("x = 1")));
  EXPECT_THAT(html, Not(HasSubstr("Yes!")));
  EXPECT_THAT(html, Not(HasSubstr("tolerance")));
  EXPECT_THAT(html, Not(HasSubstr("paris, france")));
  EXPECT_THAT(html, Not(HasSubstr("onclick")));
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));

  state.show_correctness = false;
  html = RenderProblemHtml(problem, state);
  EXPECT_THAT(html, HasSubstr("class=\"status submitted\" id=\"status_p1_2_1\""));
  EXPECT_THAT(html, Not(HasSubstr("Close")));
}

// The markdown editor's problems ask in the paragraph before the response.
TEST(ProblemView, AnInputWithoutALabelIsNamedByTheQuestionBeforeIt) {
  auto problem = capa::ParseProblem(R"xml(<problem>
  <p>Enter the   numerical value of <b>Pi</b>:</p>
  <numericalresponse answer="3.14159"><textline/></numericalresponse>
</problem>)xml",
                                    "p1");
  ASSERT_TRUE(problem.ok()) << problem.status().ToString();
  EXPECT_THAT(RenderProblemHtml(*problem, ViewState{}),
              HasSubstr("aria-label=\"Enter the numerical value of Pi:\""));
}

TEST(ProblemView, ShownAnswersPerResponseType) {
  capa::Problem problem = Parse();
  LARCH_ASSERT_OK_AND_ASSIGN(json answers, ShownAnswers(problem, {}));
  EXPECT_EQ(answers["p1_2_1"], "3.14");
  EXPECT_EQ(answers["p1_3_1"], json::array({"choice_1"}));
  EXPECT_EQ(answers["p1_4_1"], json::array({"choice_0", "choice_1"}));
  EXPECT_EQ(answers["p1_5_1"], "no");
  EXPECT_EQ(answers["p1_6_1"], "Paris <b>or</b> paris, france");
  EXPECT_EQ(answers["p1_solution_1"], "<p>Because <b>maths</b>.</p>");
}

TEST(ProblemView, AnswersFromFormAsMakeDictOfResponses) {
  LARCH_ASSERT_OK_AND_ASSIGN(json answers, AnswersFromForm({{"input_p1_2_1", "3.14"},
                                                            {"input_p1_4_1[]", "choice_0"},
                                                            {"input_p1_4_1[]", "choice_2"},
                                                            {"input_p1_7_1{}", R"({"a": 1})"},
                                                            {"input_p1_3_1", "first"},
                                                            {"input_p1_3_1", "last"}}));
  EXPECT_EQ(answers["p1_2_1"], "3.14");
  EXPECT_EQ(answers["p1_4_1"], json::array({"choice_0", "choice_2"}));
  EXPECT_EQ(answers["p1_7_1"], json({{"a", 1}}));
  EXPECT_EQ(answers["p1_3_1"], "last");

  EXPECT_THAT(AnswersFromForm({{"input", "x"}}).status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AnswersFromForm({{"input_a", "x"}, {"input_a[]", "y"}}).status(),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AnswersFromForm({{"input_a{}", "{"}}).status(),
              StatusIs(StatusCode::kInvalidArgument));

  capa::Answers capa_answers = ToCapaAnswers(answers);
  EXPECT_EQ(capa_answers["p1_2_1"], std::vector<std::string>{"3.14"});
  EXPECT_EQ(capa_answers["p1_4_1"], (std::vector<std::string>{"choice_0", "choice_2"}));
  EXPECT_EQ(capa_answers.count("p1_7_1"), 0u);
}

}  // namespace
}  // namespace larch::problems
