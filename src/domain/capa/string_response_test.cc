// stringresponse on the kitchen-sink course and upstream's regexp rules.
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
using ::testing::HasSubstr;

Correctness Grade(const Problem& problem, const char* answer) {
  StatusOr<InputGrade> grade = GradeString(problem.responses.at(0), std::string(answer));
  EXPECT_TRUE(grade.ok()) << answer << ": " << grade.status().message();
  return grade.ok() ? grade->correctness : Correctness::kIncorrect;
}

Problem Typed(const std::string& type, const std::string& answer, const std::string& extra = "") {
  return LoadProblem("<problem><stringresponse answer=\"" + answer + "\" type=\"" + type + "\">" +
                     extra + "<textline/></stringresponse></problem>");
}

TEST(StringResponseTest, KitchenSinkOldStyleAdditionalAnswers) {
  const std::string text =
      ReadSharedOlx("oxa-kitchen-sink/course/problem/0330d7ff08c645d0bcbd6b658ae7fef8.xml");
  ASSERT_FALSE(text.empty());
  const Problem problem = LoadProblem(text);
  EXPECT_EQ(Grade(problem, "  nanjing higher normal institute "), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, "Nanjing University"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, "Peking University"), Correctness::kIncorrect);
}

TEST(StringResponseTest, CaseMatters) {
  EXPECT_EQ(Grade(Typed("", "Alaska"), "alaska"), Correctness::kIncorrect);
  EXPECT_EQ(Grade(Typed("", "Alaska"), "Alaska"), Correctness::kCorrect);
  EXPECT_EQ(Grade(Typed("ci", "Alaska"), "ALASKA"), Correctness::kCorrect);
  EXPECT_EQ(Grade(Typed("ci", "Alaska"), "   "), Correctness::kIncorrect);
}

TEST(StringResponseTest, RegexpAlternativesAreNotGrouped) {
  const Problem problem =
      Typed("regexp", "a", "<additional_answer answer=\"b\"/>");  // Pattern ^a|b$.
  EXPECT_EQ(Grade(problem, "a"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, "axyz"), Correctness::kCorrect);  // ^a matches a prefix.
  EXPECT_EQ(Grade(problem, "xyzb"), Correctness::kCorrect);  // b$ matches a suffix.
  EXPECT_EQ(Grade(problem, "xyz"), Correctness::kIncorrect);
  EXPECT_EQ(Grade(Typed("ci regexp", "[0-9]+ apples?"), "12 APPLES"), Correctness::kCorrect);
  EXPECT_EQ(Grade(Typed("regexp", "[0-9]+ apples?"), "12 APPLES"), Correctness::kIncorrect);
}

TEST(StringResponseTest, LegacyOrForm) {
  const Problem problem = Typed("ci", "cat_or_dog");
  EXPECT_EQ(Grade(problem, "Dog"), Correctness::kCorrect);
  EXPECT_EQ(Grade(problem, "cat_or_dog"), Correctness::kIncorrect);
}

TEST(StringResponseTest, BadAndCatastrophicPatternsFailTheProblemNotTheServer) {
  EXPECT_THAT(GradeString(Typed("regexp", "(a").responses[0], std::string("a")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("stringresponse")));
  const Problem evil = Typed("regexp", "(a+)+b");
  EXPECT_THAT(GradeString(evil.responses[0], std::string(40, 'a') + "!b"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("too long")));
  EXPECT_THAT(GradeString(evil.responses[0], std::string("\xff\xfe")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(StringResponseTest, DispatchedByGradeResponse) {
  StatusOr<std::vector<InputGrade>> grades =
      GradeResponse(Typed("", "x").responses[0], {{"p_2_1", {"x"}}});
  ASSERT_TRUE(grades.ok());
  EXPECT_EQ(grades->front().correctness, Correctness::kCorrect);
}

}  // namespace
}  // namespace larch::capa
