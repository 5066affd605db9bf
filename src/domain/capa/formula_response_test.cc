// formularesponse: equivalent formulas at the sample points, case rules,
// tolerance and upstream's messages.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/capa/responses.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

Problem Formula(const std::string& attributes) {
  StatusOr<Problem> problem =
      ParseProblem("<problem><formularesponse " + attributes +
                       "><responseparam type=\"tolerance\" default=\"0.00001\"/><textline/>"
                       "</formularesponse></problem>",
                   "p");
  EXPECT_TRUE(problem.ok()) << problem.status().message();
  return problem.ok() ? *std::move(problem) : Problem{};
}

Correctness Grade(const Problem& problem, const char* answer) {
  StatusOr<InputGrade> grade = GradeFormula(problem.responses.at(0), std::string(answer));
  EXPECT_TRUE(grade.ok()) << answer << ": " << grade.status().message();
  return grade.ok() ? grade->correctness : Correctness::kIncorrect;
}

TEST(FormulaResponseTest, EquivalentFormulasAreCorrect) {
  const Problem problem =
      Formula(R"attrs(answer="(R_1*R_2)/R_3" samples="R_1,R_2,R_3@1,2,3:3,4,5#10")attrs");
  EXPECT_EQ(Grade(problem, "R_1*R_2/R_3"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, "r_2*(r_1/r_3)"), Correctness::kCorrect);  // ci by default.
  EXPECT_EQ(Grade(problem, "R_1*R_2*R_3"), Correctness::kIncorrect);
  EXPECT_EQ(Grade(problem, "R_1/R_3"), Correctness::kIncorrect);
}

TEST(FormulaResponseTest, CaseSensitiveWhenAsked) {
  const Problem problem = Formula(R"attrs(answer="X^2" samples="X@1:2#5" type="cs")attrs");
  EXPECT_EQ(Grade(problem, "X*X"), Correctness::kCorrect);
  EXPECT_THAT(GradeFormula(problem.responses.at(0), std::string("x*x")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("did you mean X")));
}

TEST(FormulaResponseTest, VariablesAreComplexAsUpstreams) {
  // arccosh on (0, 1) is NaN for a real and complex for a Python complex:
  // upstream's samples are complex, so equal formulas still compare equal.
  const Problem problem = Formula(R"attrs(answer="arccosh(x)" samples="x@0.1:0.9#5")attrs");
  EXPECT_EQ(Grade(problem, "arccosh(x)"), Correctness::kCorrect);
}

TEST(FormulaResponseTest, Errors) {
  const Problem problem = Formula(R"attrs(answer="x+1" samples="x@1:2#3")attrs");
  EXPECT_THAT(
      GradeFormula(problem.responses.at(0), std::string("x+")),
      StatusIs(StatusCode::kInvalidArgument, "Invalid input: Could not parse 'x+' as a formula"));
  EXPECT_THAT(GradeFormula(problem.responses.at(0), std::string("y")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("y not permitted")));
  const Problem bad = Formula(R"attrs(answer="x" samples="x@1#3")attrs");
  EXPECT_THAT(GradeFormula(bad.responses.at(0), std::string("x")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("samples")));
  const Problem huge = Formula(R"attrs(answer="x" samples="x@1:2#1000000")attrs");
  EXPECT_THAT(GradeFormula(huge.responses.at(0), std::string("x")),
              StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace larch::capa
