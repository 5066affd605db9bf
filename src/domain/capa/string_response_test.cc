// stringresponse on the kitchen-sink course and upstream's regexp rules.
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/capa/responses.h"
#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

Problem Load(const std::string& xml) {
  StatusOr<Problem> problem = ParseProblem(xml, "p");
  EXPECT_TRUE(problem.ok()) << problem.status().message();
  return problem.ok() ? *std::move(problem) : Problem{};
}

Correctness Grade(const Problem& problem, const char* answer) {
  StatusOr<InputGrade> grade = GradeString(problem.responses.at(0), std::string(answer));
  EXPECT_TRUE(grade.ok()) << answer << ": " << grade.status().message();
  return grade.ok() ? grade->correctness : Correctness::kIncorrect;
}

Problem Typed(const std::string& type, const std::string& answer, const std::string& extra = "") {
  return Load("<problem><stringresponse answer=\"" + answer + "\" type=\"" + type + "\">" + extra +
              "<textline/></stringresponse></problem>");
}

TEST(StringResponseTest, KitchenSinkOldStyleAdditionalAnswers) {
  std::ifstream file(std::string(LARCH_SHARED_OLX) +
                     "/oxa-kitchen-sink/course/problem/0330d7ff08c645d0bcbd6b658ae7fef8.xml");
  std::stringstream text;
  text << file.rdbuf();
  ASSERT_FALSE(text.str().empty());
  const Problem problem = Load(text.str());
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
