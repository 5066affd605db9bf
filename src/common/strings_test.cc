#include "larch/common/strings.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace larch {
namespace {

TEST(AsciiLowerTest, LowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("MiXeD-Case_09@Example.ORG"), "mixed-case_09@example.org");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ keeps its É bytes
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(TrimTest, BlanksAreSpacesAndTabsOnly) {
  EXPECT_EQ(TrimBlanks(" \t gzip ;q=1\t "), "gzip ;q=1");
  EXPECT_EQ(TrimBlanks("\r\nx\n"), "\r\nx\n");
  EXPECT_EQ(TrimBlanks(" \t "), "");
}

TEST(TrimTest, AsciiWhitespaceIsWhatIsspaceAccepts) {
  EXPECT_EQ(TrimAsciiWhitespace("\t\n\v\f\r  Nanjing  University \r\n"), "Nanjing  University");
  EXPECT_EQ(TrimAsciiWhitespace("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");  // NBSP stays
  EXPECT_EQ(TrimAsciiWhitespace(" \n "), "");
  EXPECT_EQ(TrimAsciiWhitespace(""), "");
}

TEST(SplitTest, KeepsEmptyParts) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(Split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(Split(",a,", ','), (std::vector<std::string_view>{"", "a", ""}));
  EXPECT_EQ(SplitToStrings("org+course+run", '+'),
            (std::vector<std::string>{"org", "course", "run"}));
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
