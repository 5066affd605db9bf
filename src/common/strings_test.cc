#include "larch/common/strings.h"

#include <gtest/gtest.h>

namespace larch {
namespace {

TEST(AsciiLowerTest, LowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("MiXeD-Case_09@Example.ORG"), "mixed-case_09@example.org");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ keeps its É bytes
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(HexTest, EncodesBytesAndNumbersInLowercase) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexEncode(""), "");
  std::string out = "x";
  AppendHexNumber(out, 0);
  AppendHexNumber(out, 0xdeadbeef);
  EXPECT_EQ(out, "x0deadbeef");
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControlBytes) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\x7f\xC3\x89");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u000a\\u007f\xC3\x89\"");
}

}  // namespace
}  // namespace larch
