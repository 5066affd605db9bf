#include "larch/accounts/password_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace larch::accounts {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

PasswordPolicy Make(const char* json) {
  auto policy = PasswordPolicy::FromSettings(nlohmann::json::parse(json));
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? *policy : PasswordPolicy();
}

TEST(PasswordPolicyTest, DefaultIsOpenEdxTwoToSeventyFive) {
  PasswordPolicy policy;
  EXPECT_THAT(policy.Validate("ab", "user", "u@x.org", ""), IsEmpty());
  EXPECT_THAT(policy.Validate("a", "user", "u@x.org", ""),
              ElementsAre("This password is too short. It must contain at least 2 characters."));
  EXPECT_THAT(policy.Validate(std::string(76, 'x'), "user", "u@x.org", ""),
              ElementsAre("This password is too long. It must contain no more than 75 "
                          "characters."));
  EXPECT_EQ(policy.Restrictions(), (nlohmann::json{{"min_length", 2}, {"max_length", 75}}));
}

TEST(PasswordPolicyTest, SimilarityToUsernameAndEmail) {
  PasswordPolicy policy;
  EXPECT_THAT(policy.Validate("JohnSmith", "johnsmith", "other@x.org", ""),
              ElementsAre("The password is too similar to the username."));
  EXPECT_THAT(policy.Validate("mailbox.person", "zz", "mailbox.person@x.org", ""),
              ElementsAre("The password is too similar to the email address."));
  EXPECT_THAT(policy.Validate("correct-horse-battery", "johnsmith", "j@x.org", ""), IsEmpty());
}

TEST(PasswordPolicyTest, EachComplexityValidator) {
  PasswordPolicy policy = Make(R"([
    {"NAME": "common.djangoapps.util.password_policy_validators.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "common.djangoapps.util.password_policy_validators.AlphabeticValidator",
     "OPTIONS": {"min_alphabetic": 1}},
    {"NAME": "common.djangoapps.util.password_policy_validators.NumericValidator",
     "OPTIONS": {"min_numeric": 2}},
    {"NAME": "common.djangoapps.util.password_policy_validators.UppercaseValidator",
     "OPTIONS": {"min_upper": 1}},
    {"NAME": "common.djangoapps.util.password_policy_validators.LowercaseValidator",
     "OPTIONS": {"min_lower": 1}},
    {"NAME": "common.djangoapps.util.password_policy_validators.PunctuationValidator",
     "OPTIONS": {"min_punctuation": 1}},
    {"NAME": "common.djangoapps.util.password_policy_validators.MinimumSymbolValidator",
     "OPTIONS": {"min_symbol": 1}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"}
  ])");
  EXPECT_THAT(
      policy.Validate("password", "u", "u@x.org", ""),
      ElementsAre("This password must contain at least 2 numbers.",
                  "This password must contain at least 1 uppercase letter.",
                  "This password must contain at least 1 punctuation mark.",
                  "This password must contain at least 1 symbol.", "This password is too common."));
  EXPECT_THAT(policy.Validate("1", "u", "u@x.org", ""),
              ElementsAre("This password is too short. It must contain at least 8 characters.",
                          "This password must contain at least 1 letter.",
                          "This password must contain at least 2 numbers.",
                          "This password must contain at least 1 uppercase letter.",
                          "This password must contain at least 1 lowercase letter.",
                          "This password must contain at least 1 punctuation mark.",
                          "This password must contain at least 1 symbol."));
  EXPECT_THAT(policy.Validate("Abcdef12!$", "u", "u@x.org", ""), IsEmpty());
  EXPECT_EQ(policy.InstructionText(),
            "Your password must contain at least 8 characters, including 1 letter & 2 numbers & "
            "1 uppercase letter & 1 lowercase letter & 1 punctuation mark & 1 symbol.");
  EXPECT_EQ(policy.Restrictions()["min_numeric"], 2);
}

TEST(PasswordPolicyTest, AbsoluteCapAlwaysApplies) {
  PasswordPolicy policy = Make("[]");
  EXPECT_THAT(policy.Validate(std::string(5000, 'a'), "u", "e@x.org", ""), IsEmpty());
  EXPECT_THAT(policy.Validate(std::string(5001, 'a'), "u", "e@x.org", ""),
              ElementsAre("This password is too long. It must contain no more than 5000 "
                          "characters."));
}

TEST(PasswordPolicyTest, UnknownValidatorIsRejected) {
  auto policy = PasswordPolicy::FromSettings(
      nlohmann::json::parse(R"([{"NAME": "my.module.EntropyValidator"}])"));
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  auto bad = PasswordPolicy::FromSettings(nlohmann::json::parse(
      R"([{"NAME": "x.MinimumLengthValidator", "OPTIONS": {"min_length": "eight"}}])"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace larch::accounts
