#include "larch/search/query.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace larch::search {
namespace {

using Terms = std::vector<std::string>;

TEST(SearchQuery, EmptyOrBlankTextMatchesAll) {
  EXPECT_TRUE(ParseSearchText("").match_all);
  EXPECT_TRUE(ParseSearchText(" \t\n").match_all);
  EXPECT_EQ(Fts5Expression(ParseSearchText("")), "");
  EXPECT_EQ(TsQueryExpression(ParseSearchText("")), "");
}

TEST(SearchQuery, WordsAreLowercasedDistinctAndQuoted) {
  TextQuery q = ParseSearchText("Hello, WORLD hello 42");
  EXPECT_FALSE(q.match_all);
  EXPECT_EQ(q.terms, (Terms{"hello", "world", "42"}));
  EXPECT_EQ(Fts5Expression(q), R"("hello" OR "world" OR "42")");
  EXPECT_EQ(TsQueryExpression(q), "'hello' | 'world' | '42'");
}

TEST(SearchQuery, OperatorsAndQuotesAreOnlySeparators) {
  TextQuery q = ParseSearchText(R"("a" OR b* NEAR(c d) title:e 'f\g -h AND (i)^2)");
  EXPECT_EQ(q.terms, (Terms{"a", "or", "b", "near", "c", "d", "title", "e", "f", "g", "h", "and",
                            "i", "2"}));
  for (const std::string& term : q.terms) {
    EXPECT_EQ(term.find_first_of("\"'\\*:()^-"), std::string::npos) << term;
  }
}

TEST(SearchQuery, PunctuationOnlyMatchesNothing) {
  TextQuery q = ParseSearchText("*** \" ' \\ :");
  EXPECT_FALSE(q.match_all);
  EXPECT_TRUE(q.matches_nothing());
  EXPECT_EQ(Fts5Expression(q), "");
}

TEST(SearchQuery, NonAsciiWordsKeptInvalidUtf8Dropped) {
  TextQuery q = ParseSearchText("caf\xC3\xA9 \xFF\xFEx \xE2\x80\x94 na\xC3\xAFve\x80");
  EXPECT_EQ(q.terms, (Terms{"caf\xC3\xA9", "x", "na\xC3\xAFve"}));
}

TEST(SearchQuery, TermCountAndLengthAreCapped) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "w" + std::to_string(i) + " ";
  text += std::string(500, 'z');
  TextQuery q = ParseSearchText(text);
  EXPECT_EQ(q.terms.size(), kMaxTerms);
  TextQuery longword = ParseSearchText(std::string(500, 'z'));
  ASSERT_EQ(longword.terms.size(), 1u);
  EXPECT_EQ(longword.terms[0].size(), kMaxTermBytes);
}

}  // namespace
}  // namespace larch::search
