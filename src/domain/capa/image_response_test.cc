// imageresponse on the Demo course's "click the cat" problem and on regions.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/capa/responses.h"
#include "larch/testing/capa_problems.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::LoadProblem;
using ::larch::testing::LoadSharedProblem;
using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

Correctness Click(const Problem& problem, const std::string& at) {
  const Response& response = problem.responses.at(0);
  StatusOr<std::vector<InputGrade>> grades =
      GradeResponse(response, {{response.inputs.at(0).id, {at}}});
  EXPECT_TRUE(grades.ok()) << at << ": " << grades.status().message();
  return grades.ok() ? grades->front().correctness : Correctness::kIncorrect;
}

TEST(ImageResponseTest, DemoCourseRectangleIsInclusive) {
  // rectangle="(385,98)-(600,337)".
  const Problem problem = LoadSharedProblem(
      "edx-demo-course-quince/course/problem/c554538a57664fac80783b99d9d6da7c.xml");
  EXPECT_EQ(Click(problem, "[400,200]"), Correctness::kCorrect);
  EXPECT_EQ(Click(problem, "[385,98]"), Correctness::kCorrect);
  EXPECT_EQ(Click(problem, "[ 600 , 337 ]"), Correctness::kCorrect);
  EXPECT_EQ(Click(problem, "[601,200]"), Correctness::kIncorrect);
  EXPECT_EQ(Click(problem, "[10,10]"), Correctness::kIncorrect);
  EXPECT_EQ(Click(problem, ""), Correctness::kIncorrect);
}

TEST(ImageResponseTest, RegionsAreStrictConvexHulls) {
  const Problem problem = LoadProblem(R"xml(<problem><imageresponse>
      <imageinput src="x.png" regions="[[[0,0],[10,0],[10,10],[0,10],[5,5]], [[20,20],[30,20],[25,30]]]"/>
      </imageresponse></problem>)xml");
  EXPECT_EQ(Click(problem, "[5,5]"), Correctness::kCorrect);
  EXPECT_EQ(Click(problem, "[25,22]"), Correctness::kCorrect);
  EXPECT_EQ(Click(problem, "[10,5]"), Correctness::kIncorrect);  // On the boundary.
  EXPECT_EQ(Click(problem, "[15,15]"), Correctness::kIncorrect);
  const Problem single = LoadProblem(R"xml(<problem><imageresponse>
      <imageinput src="x.png" regions="[[0,0],[10,0],[0,10]]" rectangle="(50,50)-(60,60)"/>
      </imageresponse></problem>)xml");
  EXPECT_EQ(Click(single, "[2,2]"), Correctness::kCorrect);
  EXPECT_EQ(Click(single, "[55,55]"), Correctness::kCorrect);
  const Problem line = LoadProblem(R"xml(<problem><imageresponse>
      <imageinput src="x.png" regions="[[0,0],[5,5],[10,10]]"/></imageresponse></problem>)xml");
  EXPECT_EQ(Click(line, "[5,5]"), Correctness::kIncorrect);  // A line has no inside.
}

TEST(ImageResponseTest, BadClicksAndBadProblems) {
  const Problem problem = LoadProblem(R"xml(<problem><imageresponse>
      <imageinput src="x.png" rectangle="(1,1)-(2"/></imageresponse></problem>)xml");
  EXPECT_THAT(GradeResponse(problem.responses[0], {{"p_2_1", {"[1,1]"}}}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cannot parse rectangle")));
  EXPECT_THAT(GradeResponse(problem.responses[0], {{"p_2_1", {"1,1"}}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("error grading p_2_1")));
  const Problem bad_regions = LoadProblem(R"xml(<problem><imageresponse>
      <imageinput src="x.png" regions="[[1]]"/></imageresponse></problem>)xml");
  EXPECT_THAT(GradeResponse(bad_regions.responses[0], {{"p_2_1", {"[1,1]"}}}),
              StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace larch::capa
