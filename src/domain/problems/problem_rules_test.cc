#include "larch/problems/problem_rules.h"

#include <gtest/gtest.h>

namespace larch::problems {
namespace {

using nlohmann::json;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
// 2029-01-01T00:00:00Z.
constexpr int64_t kDue = 1'861'920'000 * kSecond;

TEST(ProblemRules, TimedeltaAsOpenEdxWritesIt) {
  EXPECT_EQ(ParseTimedelta("18000 seconds"), 18000 * kSecond);
  EXPECT_EQ(ParseTimedelta("1 day 12 hours 59 minutes 59 seconds"),
            (86400 + 12 * 3600 + 59 * 60 + 59) * kSecond);
  EXPECT_EQ(ParseTimedelta("2 days"), 2 * kDay);
  EXPECT_EQ(ParseTimedelta("1 minute"), 60 * kSecond);
  EXPECT_EQ(ParseTimedelta(""), 0);
  EXPECT_EQ(ParseTimedelta("5 fortnights"), std::nullopt);
  EXPECT_EQ(ParseTimedelta("3 seconds 1 day"), std::nullopt);  // Order is fixed.
  EXPECT_EQ(ParseTimedelta("abc"), std::nullopt);
}

TEST(ProblemRules, SettingsFromOwnAndInheritedFields) {
  json fields = {{"max_attempts", "3"}, {"weight", "2.5"}, {"rerandomize", "false"}};
  json inherited = {{"due", "2029-01-01T00:00:00+00:00"},
                    {"graceperiod", "18000 seconds"},
                    {"showanswer", "attempted"},
                    {"max_attempts", nullptr}};
  ProblemSettings s = ProblemSettings::FromBlock(fields, inherited, json::object());
  EXPECT_EQ(s.max_attempts, 3);
  EXPECT_DOUBLE_EQ(*s.weight, 2.5);
  EXPECT_EQ(s.rerandomize, "per_student");
  EXPECT_EQ(s.due, kDue);
  EXPECT_EQ(s.CloseDate(), kDue + 18000 * kSecond);
  EXPECT_EQ(s.showanswer, "attempted");

  ProblemSettings defaults =
      ProblemSettings::FromBlock(json::object(), {{"due", "null"}, {"max_attempts", "null"}},
                                 {{"end", "2030-01-01T00:00:00Z"}});
  EXPECT_FALSE(defaults.max_attempts.has_value());
  EXPECT_FALSE(defaults.due.has_value());
  EXPECT_EQ(defaults.showanswer, "finished");
  EXPECT_EQ(defaults.rerandomize, "never");
  // No due date: the course end closes the problem.
  EXPECT_TRUE(defaults.CloseDate().has_value());
}

TEST(ProblemRules, ClosedByAttemptsOrDueDateWithGrace) {
  ProblemSettings s;
  s.max_attempts = 2;
  s.due = kDue;
  s.graceperiod_micros = kDay;
  AttemptState one{1, true, 0, 1};
  EXPECT_FALSE(IsClosed(s, one, kDue + kDay));
  EXPECT_TRUE(IsClosed(s, one, kDue + kDay + 1));
  AttemptState two{2, true, 0, 1};
  EXPECT_TRUE(IsClosed(s, two, kDue - kDay));
  s.max_attempts.reset();
  EXPECT_FALSE(IsClosed(s, AttemptState{100, true, 0, 1}, kDue));
}

TEST(ProblemRules, ShowAnswerRules) {
  ProblemSettings s;
  s.max_attempts = 2;
  s.due = kDue;
  Viewer learner{false, kDue - kDay};
  Viewer late{false, kDue + 1};
  Viewer staff{true, kDue - kDay};
  AttemptState fresh{0, false, 0, 1};
  AttemptState wrong{1, true, 0, 1};
  AttemptState right{1, true, 1, 1};
  AttemptState spent{2, true, 0, 1};

  s.showanswer = "finished";
  EXPECT_FALSE(AnswerAvailable(s, wrong, learner));
  EXPECT_TRUE(AnswerAvailable(s, right, learner));
  EXPECT_TRUE(AnswerAvailable(s, spent, learner));
  EXPECT_TRUE(AnswerAvailable(s, fresh, staff));
  s.showanswer = "attempted";
  EXPECT_FALSE(AnswerAvailable(s, fresh, learner));
  EXPECT_TRUE(AnswerAvailable(s, fresh, late));
  EXPECT_TRUE(AnswerAvailable(s, wrong, learner));
  s.showanswer = "past_due";
  EXPECT_FALSE(AnswerAvailable(s, right, learner));
  EXPECT_TRUE(AnswerAvailable(s, fresh, late));
  s.showanswer = "never";
  EXPECT_FALSE(AnswerAvailable(s, right, staff));
  s.showanswer = "after_attempts";
  s.attempts_before_showanswer_button = 5;  // Capped at max_attempts (2).
  EXPECT_FALSE(AnswerAvailable(s, wrong, learner));
  EXPECT_TRUE(AnswerAvailable(s, spent, learner));
  s.showanswer = "always";
  EXPECT_TRUE(AnswerAvailable(s, fresh, learner));
  // Correctness withheld: answers withheld too, from staff as well with never.
  s.show_correctness = "past_due";
  EXPECT_FALSE(AnswerAvailable(s, fresh, learner));
  EXPECT_TRUE(AnswerAvailable(s, fresh, late));
  EXPECT_TRUE(CorrectnessAvailable(s, staff));
  s.show_correctness = "never";
  EXPECT_FALSE(CorrectnessAvailable(s, staff));
}

TEST(ProblemRules, RandomizationBinMatchesUpstreamHash) {
  // int(sha256(str(user_id) + location).hexdigest()[:7], 16) % 20, computed
  // with Python's hashlib.
  EXPECT_EQ(RandomizationBin(7, "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1"), 7);
  EXPECT_EQ(RandomizationBin(1, "x"), 16);
  EXPECT_EQ(RandomizationBin(12345, "block-v1:a+b+c+type@problem+block@q"), 10);
}

TEST(ProblemRules, WeightScalesProgress) {
  ProblemSettings s;
  EXPECT_EQ(WeightedProgress(s, 1, 0), std::nullopt);
  std::optional<Progress> raw = WeightedProgress(s, 1, 3);
  ASSERT_TRUE(raw.has_value());
  EXPECT_FALSE(raw->weighted);
  EXPECT_DOUBLE_EQ(raw->earned, 1);
  s.weight = 10;
  std::optional<Progress> weighted = WeightedProgress(s, 1, 4);
  EXPECT_DOUBLE_EQ(weighted->earned, 2.5);
  EXPECT_DOUBLE_EQ(weighted->possible, 10);
  s.weight = 0;
  EXPECT_EQ(WeightedProgress(s, 1, 4), std::nullopt);
}

}  // namespace
}  // namespace larch::problems
