#include "larch/search/query.h"

#include <algorithm>
#include <cstdint>

namespace larch::search {
namespace {

// Length of the valid UTF-8 sequence starting at text[i] (2-4 bytes, no
// overlongs, surrogates or code points above U+10FFFF), or 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t lead = byte(i);
  size_t len = 0;
  uint32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  // General punctuation and CJK punctuation separate words, as they do for
  // both backends' tokenizers.
  if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) || cp == 0xA0 ||
      cp == 0xFEFF) {
    return 0;
  }
  return len;
}

bool IsAsciiWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

TextQuery ParseSearchText(std::string_view text) {
  TextQuery query;
  query.match_all = std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
  if (query.match_all) return query;
  std::string word;
  auto flush = [&]() {
    if (!word.empty() && query.terms.size() < kMaxTerms &&
        std::find(query.terms.begin(), query.terms.end(), word) == query.terms.end()) {
      query.terms.push_back(word);
    }
    word.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (IsAsciiWordChar(c)) {
      if (word.size() < kMaxTermBytes) {
        word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      }
      ++i;
      continue;
    }
    size_t len = static_cast<uint8_t>(c) >= 0x80 ? Utf8SequenceLength(text, i) : 0;
    if (len == 0) {
      flush();
      // Skip the whole (invalid or separating) sequence byte by byte; a
      // separating code point's continuation bytes are skipped as invalid.
      ++i;
      continue;
    }
    if (word.size() + len <= kMaxTermBytes) word.append(text.substr(i, len));
    i += len;
  }
  flush();
  return query;
}

std::string Fts5Expression(const TextQuery& query) {
  std::string out;
  for (const std::string& term : query.terms) {
    if (!out.empty()) out += " OR ";
    out += '"';
    out += term;
    out += '"';
  }
  return out;
}

std::string TsQueryExpression(const TextQuery& query) {
  std::string out;
  for (const std::string& term : query.terms) {
    if (!out.empty()) out += " | ";
    out += '\'';
    out += term;
    out += '\'';
  }
  return out;
}

}  // namespace larch::search
