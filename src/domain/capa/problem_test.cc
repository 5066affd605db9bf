// The problem model against olx_format.md 9.3 (ids) and 10.3 (the max
// scores of the shared courses' graded problems, counted by hand).
#include "larch/capa/problem.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/shared_olx.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::ReadSharedOlx;
using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

int MaxScoreOf(const std::string& course, const std::string& url_name) {
  const std::string xml = ReadSharedOlx(course + "/course/problem/" + url_name + ".xml");
  EXPECT_FALSE(xml.empty()) << url_name;
  StatusOr<Problem> problem = ParseProblem(xml, url_name);
  if (!problem.ok()) return 0;  // ProblemBlock.max_score: a broken problem scores 0.
  return problem->MaxScore();
}

TEST(ProblemTest, MaxScoresOfTheDemoCourseHomework) {
  const std::string quince = "edx-demo-course-quince";
  EXPECT_EQ(MaxScoreOf(quince, "c554538a57664fac80783b99d9d6da7c"), 1);
  EXPECT_EQ(MaxScoreOf(quince, "d2e35c1d294b4ba0b3b1048615605d2a"), 1);
  EXPECT_EQ(MaxScoreOf(quince, "a0effb954cca4759994f1ac9e9434bf4"), 3);
  EXPECT_EQ(MaxScoreOf(quince, "Sample_Algebraic_Problem"), 1);
  EXPECT_EQ(MaxScoreOf(quince, "Sample_ChemFormula_Problem"), 1);
  EXPECT_EQ(MaxScoreOf(quince, "75f9562c77bc4858b61f907bb810d974"), 3);
  EXPECT_EQ(MaxScoreOf(quince, "0d759dee4f9d459c8956136dbde55f02"), 1);
  EXPECT_EQ(MaxScoreOf(quince, "d7daeff25e4f4026bdd269ae69e03e02"), 0);  // javascriptresponse.
  for (const char* one : {"python_grader", "free_form_simulation", "logic_gate_problem",
                          "700x_proteinmake", "9b9687073e904ae197799dc415df899f"}) {
    EXPECT_EQ(MaxScoreOf(quince, one), 1) << one;
  }
}

TEST(ProblemTest, MaxScoresOfTheOtherCourses) {
  EXPECT_EQ(MaxScoreOf("openedx-demo-course-v2", "85f3f7f9b72548af880975112f27817c"), 8);
  EXPECT_EQ(MaxScoreOf("openedx-demo-course-v2", "ced178178f4440e08f15a408ea14cbf1"), 2);
  EXPECT_EQ(MaxScoreOf("openedx-demo-course-v2", "53083a812536472ba8ea8182ee354363"), 4);
  EXPECT_EQ(MaxScoreOf("openedx-demo-course-v2", "720cac326b684155b4845d32af4aeef0"), 1);
  EXPECT_EQ(MaxScoreOf("oxa-kitchen-sink", "d27f47be94b34597b1210c260501b7a4"), 1);
  EXPECT_EQ(MaxScoreOf("oxa-kitchen-sink", "2957ab77ba7249758384d63cda91d53a"), 2);
}

TEST(ProblemTest, IdsFollowUpstreamNumbering) {
  const std::string id = "a0effb954cca4759994f1ac9e9434bf4";
  StatusOr<Problem> problem =
      ParseProblem(ReadSharedOlx("edx-demo-course-quince/course/problem/" + id + ".xml"), id);
  ASSERT_TRUE(problem.ok()) << problem.status().message();
  ASSERT_GE(problem->responses.size(), 3U);
  EXPECT_EQ(problem->responses[0].id, id + "_1");
  EXPECT_EQ(problem->responses[0].inputs.at(0).id, id + "_2_1");
  EXPECT_EQ(problem->responses[2].inputs.at(0).id, id + "_4_1");  // The checkbox group.
  EXPECT_EQ(problem->responses[2].inputs.at(0).tag, "checkboxgroup");
  EXPECT_NE(problem->FindResponse(id + "_2"), nullptr);
  EXPECT_EQ(problem->FindResponse(id + "_9"), nullptr);
}

TEST(ProblemTest, PointsScriptsAndSolutions) {
  StatusOr<Problem> problem = ParseProblem(R"xml(<problem>
      <script type="loncapa/python">x = 1</script>
      <script type="text/javascript">var y;</script>
      <optionresponse>
        <optioninput options="('a','b')" correct="a" points="3"/>
        <optioninput options="('a','b')" correct="b"/>
      </optionresponse>
      <solution><p>Because.</p></solution>
    </problem>)xml",
                                           "p1");
  ASSERT_TRUE(problem.ok()) << problem.status().message();
  EXPECT_EQ(problem->MaxScore(), 4);
  EXPECT_EQ(problem->responses[0].inputs[1].id, "p1_2_2");
  EXPECT_THAT(problem->python_script, HasSubstr("x = 1"));
  EXPECT_THAT(problem->python_script, ::testing::Not(HasSubstr("var y")));
  EXPECT_EQ(problem->solution_ids, std::vector<std::string>{"p1_solution_1"});
}

TEST(ProblemTest, BrokenProblemsAreRefusedWithUpstreamMessages) {
  EXPECT_THAT(ParseProblem("<problem><stringresponse answer='a'><choicegroup/></stringresponse>"
                           "</problem>",
                           "p"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cannot have input field")));
  EXPECT_THAT(ParseProblem("<problem><numericalresponse answer='1'><textline/><textline/>"
                           "</numericalresponse></problem>",
                           "p"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("more than 1 input fields")));
  EXPECT_THAT(
      ParseProblem("<problem><numericalresponse><textline/></numericalresponse></problem>", "p"),
      StatusIs(StatusCode::kFailedPrecondition, HasSubstr("required attribute answer")));
  EXPECT_THAT(ParseProblem("<problem><p>", "p"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("does not parse")));
  std::string deep = "<problem>";
  for (int i = 0; i < 5000; ++i) deep += "<div>";
  for (int i = 0; i < 5000; ++i) deep += "</div>";
  deep += "</problem>";
  EXPECT_THAT(ParseProblem(deep, "p"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("nested")));
  // An entity bomb: pugixml does not expand DTD entities, so nothing grows.
  StatusOr<Problem> bomb = ParseProblem(
      "<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<problem><p>&b;&b;&b;&b;</p></problem>",
      "p");
  if (bomb.ok())
    EXPECT_LT(bomb->document->document_element().child("p").text().get(), std::string(1000, 'a'));
}

}  // namespace
}  // namespace larch::capa
