#include "larch/storage/sqlite_database.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

namespace larch::storage {
namespace {

constexpr Query kCreate{"create", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"};
constexpr Query kInsert{"insert", "INSERT INTO t (v) VALUES (?) RETURNING id"};
constexpr Query kCount{"count", "SELECT COUNT(*) FROM t"};

StatusOr<int64_t> Count(Database& db) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db.Begin(TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(ResultSet rs, txn->Execute(kCount));
  return rs.rows.at(0).GetInt(0);
}

TEST(SqliteDatabaseTest, MemoryDatabaseSharesDataBetweenReadersAndWriter) {
  DatabaseOptions options;
  options.url = "sqlite::memory:";
  auto db = OpenSqliteDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)
                  ->RunInTransaction(TxnMode::kReadWrite,
                                     [](Transaction& txn) {
                                       LARCH_RETURN_IF_ERROR(txn.Execute(kCreate).status());
                                       return txn.Execute(kInsert, {Text("a")}).status();
                                     })
                  .ok());
  auto count = Count(**db);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 1);

  {
    auto txn = (*db)->Begin(TxnMode::kReadOnly);
    ASSERT_TRUE(txn.ok());
    EXPECT_EQ((*txn)->Execute(kInsert, {Text("b")}).status().code(),
              StatusCode::kFailedPrecondition);
  }
  // The read-only pragma is lifted again for the next writer.
  EXPECT_TRUE((*db)
                  ->RunInTransaction(
                      TxnMode::kReadWrite,
                      [](Transaction& txn) { return txn.Execute(kInsert, {Text("c")}).status(); })
                  .ok());
  EXPECT_EQ(Count(**db).value_or(-1), 2);
  EXPECT_TRUE((*db)->Ping().ok());

  // A second memory database is a different, empty one.
  auto other = OpenSqliteDatabase(options);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Count(**other).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SqliteDatabaseTest, RelativeUrlIsRelativeToWorkingDirectory) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "larch-rel-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(tmpl);
  {
    DatabaseOptions options;
    options.url = "sqlite://sub.db";
    auto db = OpenSqliteDatabase(options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
  }
  std::filesystem::current_path(old_cwd);
  EXPECT_TRUE(std::filesystem::exists(tmpl + "/sub.db"));
  std::filesystem::remove_all(tmpl);
}

TEST(SqliteDatabaseTest, RejectsOtherSchemes) {
  DatabaseOptions options;
  options.url = "postgresql://localhost/x";
  EXPECT_EQ(OpenSqliteDatabase(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace larch::storage
