#include "larch/storage/postgres_database.h"

#include <gtest/gtest.h>

namespace larch::storage {
namespace {

std::string Rewrite(std::string_view sql, int* count = nullptr) {
  int n = 0;
  std::string out = internal::RewritePlaceholdersForTest(sql, &n);
  if (count != nullptr) *count = n;
  return out;
}

TEST(RewritePlaceholdersTest, NumbersPlaceholdersInOrder) {
  int n = 0;
  EXPECT_EQ(Rewrite("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", &n),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(n, 3);
}

TEST(RewritePlaceholdersTest, SkipsLiteralsIdentifiersAndComments) {
  int n = 0;
  EXPECT_EQ(Rewrite("SELECT '?', 'it''s ?', \"we?ird\", ? -- why?\n/* ? */ , E'\\'?', ?", &n),
            "SELECT '?', 'it''s ?', \"we?ird\", $1 -- why?\n/* ? */ , E'\\'?', $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(Rewrite("SELECT $$a?b$$, $tag$ ? $tag$, ?", &n), "SELECT $$a?b$$, $tag$ ? $tag$, $1");
  EXPECT_EQ(n, 1);
}

TEST(RewritePlaceholdersTest, UnterminatedQuoteDoesNotOverrun) {
  int n = 0;
  EXPECT_EQ(Rewrite("SELECT 'abc ?", &n), "SELECT 'abc ?");
  EXPECT_EQ(n, 0);
  EXPECT_EQ(Rewrite("-- only ?", &n), "-- only ?");
  EXPECT_EQ(Rewrite("/* ?", &n), "/* ?");
}

TEST(OpenPostgresDatabaseTest, UnreachableServerIsUnavailable) {
  DatabaseOptions options;
  // Port 1 on loopback: nothing listens, so the connect fails at once.
  options.url = "postgresql://nobody:secretpw@127.0.0.1:1/x?connect_timeout=2";
  auto db = OpenPostgresDatabase(options);
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(db.status().message().find("secretpw"), std::string::npos);
}

}  // namespace
}  // namespace larch::storage
