// larch::search query text: turns what a user typed into the search box into
// a full-text expression for SQLite FTS5 (MATCH) or PostgreSQL (to_tsquery).
//
// User text is never passed to either parser: it is split into words here
// (runs of ASCII letters/digits and non-ASCII code points; everything else,
// including invalid UTF-8, separates words), lowercased, and every word is
// written back as a quoted string. Operators, column filters, prefix stars,
// NEAR(), quotes and backslashes in the input are therefore only separators,
// so no input can make a syntax error or change the query's meaning. Words
// are OR-ed, as Elasticsearch's query_string (edx-search) does by default.
//
// Thread safety: pure functions.
#ifndef LARCH_SEARCH_QUERY_H_
#define LARCH_SEARCH_QUERY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace larch::search {

// At most this many distinct words are kept (the rest are ignored) and a word
// longer than kMaxTermBytes is cut at a code point boundary.
inline constexpr size_t kMaxTerms = 32;
inline constexpr size_t kMaxTermBytes = 64;

struct TextQuery {
  // The text was empty or only whitespace: every document matches.
  bool match_all = false;
  // Lowercased, distinct, in input order; only [a-z0-9] and whole non-ASCII
  // UTF-8 sequences.
  std::vector<std::string> terms;

  // Text was given but held no word (e.g. "***"): nothing matches.
  bool matches_nothing() const { return !match_all && terms.empty(); }
};

TextQuery ParseSearchText(std::string_view text);

// `"w1" OR "w2"` for FTS5 MATCH; empty when there are no terms.
std::string Fts5Expression(const TextQuery& query);
// `'w1' | 'w2'` for to_tsquery('simple', ...); empty when there are no terms.
std::string TsQueryExpression(const TextQuery& query);

}  // namespace larch::search

#endif  // LARCH_SEARCH_QUERY_H_
