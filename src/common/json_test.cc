#include "larch/common/json.h"

#include <string>

#include <gtest/gtest.h>

namespace larch {
namespace {

std::string Nested(size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonDepthTest, CountsArraysAndObjects) {
  EXPECT_TRUE(JsonDepthWithin(Nested(3, '[', ']'), 3));
  EXPECT_FALSE(JsonDepthWithin(Nested(4, '[', ']'), 3));
  EXPECT_FALSE(JsonDepthWithin(R"({"a":{"b":{"c":{}}}})", 3));
  EXPECT_TRUE(JsonDepthWithin(R"([[1],[2],[3]])", 2));
}

TEST(JsonDepthTest, IgnoresBracketsInStrings) {
  EXPECT_TRUE(JsonDepthWithin(R"(["[[[[", "\"[[[[", "\\"])", 1));
  EXPECT_FALSE(JsonDepthWithin(R"(["\\", [[]]])", 2));
}

TEST(ParseJsonTest, RefusesDeepNestingBeforeParsing) {
  // A million levels: parsed, copied or dumped this would overflow the stack.
  std::string deep = "{\"org\": " + Nested(1'000'000, '[', ']') + "}";
  StatusOr<nlohmann::json> parsed = ParseJson(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().error_code(), "json_too_deep");
  EXPECT_EQ(parsed.status().message().rfind("JSON parse error - ", 0), 0u);
}

TEST(ParseJsonTest, AcceptsTheLimitItself) {
  StatusOr<nlohmann::json> parsed = ParseJson(Nested(kMaxJsonDepth, '[', ']'));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->is_array());
  EXPECT_FALSE(ParseJson(Nested(kMaxJsonDepth + 1, '[', ']')).ok());
}

TEST(ParseJsonTest, ReportsSyntaxErrors) {
  StatusOr<nlohmann::json> parsed = ParseJson("{\"a\":");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().error_code(), "json_parse_error");
  EXPECT_FALSE(ParseJson("\"\xff\"").ok());
  EXPECT_EQ(*ParseJson(R"({"a":[1,2]})"), nlohmann::json({{"a", {1, 2}}}));
}

}  // namespace
}  // namespace larch
