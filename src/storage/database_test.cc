#include "larch/storage/database.h"

#include <gtest/gtest.h>

#include <limits>

namespace larch::storage {
namespace {

TEST(BackendNameTest, NamesBothBackends) {
  EXPECT_EQ(BackendName(Backend::kSqlite), "sqlite");
  EXPECT_EQ(BackendName(Backend::kPostgres), "postgres");
}

TEST(OptionalValueTest, EmptyOptionalIsNull) {
  EXPECT_EQ(OptionalText(std::nullopt), SqlValue(nullptr));
  EXPECT_EQ(OptionalText("x"), SqlValue(std::string("x")));
  EXPECT_EQ(OptionalInt(std::nullopt), SqlValue(nullptr));
  EXPECT_EQ(OptionalInt(7), SqlValue(int64_t{7}));
}

TEST(RowTest, ConvertsBetweenNumericAndTextForms) {
  Row row({Text("42"), Text("-7"), Text("2.5"), Int(3), 1.75, Null(), Text("junk"),
           Text("9223372036854775807"), Blob{"12"}});
  EXPECT_EQ(row.GetInt(0), 42);
  EXPECT_EQ(row.GetInt(1), -7);
  EXPECT_EQ(row.GetInt(2), 2);
  EXPECT_EQ(row.GetDouble(2), 2.5);
  EXPECT_EQ(row.GetDouble(3), 3.0);
  EXPECT_EQ(row.GetText(3), "3");
  EXPECT_EQ(row.GetInt(4), 1);
  EXPECT_EQ(row.GetText(4), "1.75");
  EXPECT_TRUE(row.IsNull(5));
  EXPECT_EQ(row.GetInt(5), 0);
  EXPECT_EQ(row.GetDouble(5), 0.0);
  EXPECT_EQ(row.GetText(5), "");
  EXPECT_FALSE(row.GetBool(5));
  EXPECT_EQ(row.GetOptionalInt(5), std::nullopt);
  EXPECT_EQ(row.GetOptionalText(5), std::nullopt);
  EXPECT_EQ(row.GetOptionalInt(0), std::optional<int64_t>(42));
  EXPECT_EQ(row.GetInt(6), 0);
  EXPECT_EQ(row.GetInt(7), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(row.GetText(8), "12");
  EXPECT_TRUE(row.GetBool(3));
}

class CountingDatabase final : public Database {
 public:
  Backend backend() const override { return Backend::kSqlite; }
  StatusOr<std::unique_ptr<Transaction>> Begin(TxnMode) override {
    ++begins;
    return begin_status;
  }
  Status Ping() override { return OkStatus(); }

  int begins = 0;
  Status begin_status = AbortedError("writer busy");
};

TEST(RunInTransactionTest, RetriesAbortedBeginThenGivesUp) {
  CountingDatabase db;
  Status st = db.RunInTransaction(
      TxnMode::kReadWrite, [](Transaction&) { return OkStatus(); },
      RetryPolicy{.max_attempts = 3, .initial_backoff_micros = 1});
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(db.begins, 3);
}

TEST(RunInTransactionTest, DoesNotRetryUnavailableBegin) {
  CountingDatabase db;
  db.begin_status = UnavailableError("down");
  Status st = db.RunInTransaction(TxnMode::kReadWrite, [](Transaction&) { return OkStatus(); });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(db.begins, 1);
}

}  // namespace
}  // namespace larch::storage
