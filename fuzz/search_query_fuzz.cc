// Feeds arbitrary search text to the query builder and runs the FTS5
// expression it makes against a real FTS5 table: SQLite must accept every
// expression (no syntax error), and terms must hold only word characters so
// the PostgreSQL tsquery cannot break out of its quotes either.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "larch/search/query.h"

namespace {

sqlite3* Db() {
  static sqlite3* db = [] {
    sqlite3* handle = nullptr;
    if (sqlite3_open(":memory:", &handle) != SQLITE_OK) std::abort();
    const char* setup =
        "CREATE VIRTUAL TABLE t USING fts5 (title, content);"
        "INSERT INTO t VALUES ('hello world', 'the quick brown fox');";
    if (sqlite3_exec(handle, setup, nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
    return handle;
  }();
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::search::TextQuery query = larch::search::ParseSearchText(text);
  if (query.terms.size() > larch::search::kMaxTerms) std::abort();
  for (const std::string& term : query.terms) {
    if (term.empty() || term.size() > larch::search::kMaxTermBytes) std::abort();
    for (char c : term) {
      if (c == '"' || c == '\'' || c == '\\' || c == '\0' || c == ':' || c == '*' || c == '(' ||
          c == ')' || (c >= 'A' && c <= 'Z')) {
        std::abort();
      }
    }
  }
  std::string expression = larch::search::Fts5Expression(query);
  if (expression.empty()) {
    if (!query.terms.empty()) std::abort();
    return 0;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(Db(), "SELECT count(*) FROM t WHERE t MATCH ?", -1, &stmt, nullptr) !=
      SQLITE_OK) {
    std::abort();
  }
  sqlite3_bind_text(stmt, 1, expression.data(), static_cast<int>(expression.size()),
                    SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) std::abort();
  return 0;
}
