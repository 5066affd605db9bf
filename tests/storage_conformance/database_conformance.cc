// Behaviour every storage backend must share (run once per backend).
#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "larch/storage/database.h"
#include "larch/storage/migrations.h"
#include "larch/testing/status_matchers.h"

namespace larch::storage {
namespace {

using ::larch::testing::StatusIs;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Query kInsertValue{"insert_value",
                             "INSERT INTO vals (i, d, t, b) VALUES (?, ?, ?, ?) RETURNING id"};
constexpr Query kSelectValue{"select_value", "SELECT i, d, t, b FROM vals WHERE id = ?"};
constexpr Query kCountVals{"count_vals", "SELECT COUNT(*) FROM vals"};
constexpr Query kInsertUser{"insert_user", "INSERT INTO conf_users (email, age) VALUES (?, ?)"};
constexpr Query kInsertPost{"insert_post", "INSERT INTO conf_posts (user_id, title) VALUES (?, ?)"};
constexpr Query kCountUsers{"count_users", "SELECT COUNT(*) FROM conf_users"};
constexpr Query kIncrement{"increment", "UPDATE counters SET n = n + 1 WHERE id = 1"};
constexpr Query kReadCounter{"read_counter", "SELECT n FROM counters WHERE id = 1"};

class DatabaseConformance : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string ddl = std::string("CREATE TABLE vals (id ") + IdColumn() + ", i BIGINT, d " +
                      Pick("REAL", "DOUBLE PRECISION") + ", t TEXT, b " + Pick("BLOB", "BYTEA") +
                      ");" + "CREATE TABLE conf_users (id " + IdColumn() +
                      ", email TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0));" +
                      "CREATE TABLE conf_posts (id " + IdColumn() +
                      ", user_id BIGINT NOT NULL REFERENCES conf_users (id), title TEXT);" +
                      "CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);" +
                      "INSERT INTO counters (id, n) VALUES (1, 0);";
    ASSERT_TRUE(Write([&](Transaction& txn) { return txn.ExecuteScript(ddl); }).ok());
  }

  Status Write(const std::function<Status(Transaction&)>& fn) {
    return db().RunInTransaction(TxnMode::kReadWrite, fn);
  }

  int64_t CountOf(const Query& query) {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    if (!txn.ok()) return -1;
    auto rs = (*txn)->Execute(query);
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() ? rs->rows.at(0).GetInt(0) : -1;
  }

  // Inserts one row of `vals` and reads it back through a new transaction.
  Row RoundTrip(const std::vector<SqlValue>& values) {
    int64_t id = 0;
    Status st = Write([&](Transaction& txn) {
      LARCH_ASSIGN_OR_RETURN(ResultSet rs, txn.Execute(kInsertValue, values));
      id = rs.rows.at(0).GetInt(0);
      return OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    if (!txn.ok()) return Row();
    auto rs = (*txn)->Execute(kSelectValue, {Int(id)});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    if (!rs.ok() || rs->size() != 1) return Row();
    return rs->rows[0];
  }
};

TEST_P(DatabaseConformance, RoundTripsEveryValueType) {
  const std::string unicode = "h\xC3\xA9llo \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8C\xB2";
  const Blob binary{std::string("\x00\x01\xff\xfe\x00z", 6)};
  Row row = RoundTrip({Int(std::numeric_limits<int64_t>::max()), 3.25, Text(unicode), binary});
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0], SqlValue(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(row[1], SqlValue(3.25));
  EXPECT_EQ(row[2], SqlValue(unicode));
  EXPECT_EQ(row[3], SqlValue(binary));

  row = RoundTrip({Int(std::numeric_limits<int64_t>::min()), -0.1, Text(""), Blob{}});
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row.GetInt(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(row.GetDouble(1), -0.1);
  EXPECT_EQ(row[2], SqlValue(std::string()));
  EXPECT_FALSE(row.IsNull(3)) << "a zero-byte blob must not turn into NULL";
  EXPECT_EQ(row[3], SqlValue(Blob{}));

  row = RoundTrip({Null(), Null(), OptionalText(std::nullopt), Null()});
  ASSERT_EQ(row.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(row.IsNull(i)) << "column " << i;
  EXPECT_EQ(row.GetInt(0), 0);
  EXPECT_EQ(row.GetText(2), "");
  EXPECT_EQ(row.GetOptionalInt(0), std::nullopt);
  EXPECT_EQ(row.GetOptionalText(2), std::nullopt);

  row = RoundTrip({Bool(true), Int(7), OptionalText("x"), Null()});
  EXPECT_TRUE(row.GetBool(0));
  EXPECT_EQ(row.GetDouble(1), 7.0);
  EXPECT_EQ(row.GetOptionalText(2), std::optional<std::string>("x"));
}

TEST_P(DatabaseConformance, ReturnsGeneratedIds) {
  std::vector<int64_t> ids;
  ASSERT_TRUE(Write([&](Transaction& txn) {
                for (int i = 0; i < 3; ++i) {
                  LARCH_ASSIGN_OR_RETURN(
                      ResultSet rs, txn.Execute(kInsertValue, {Int(i), 0.0, Text("r"), Null()}));
                  EXPECT_EQ(rs.columns, std::vector<std::string>{"id"});
                  ids.push_back(rs.rows.at(0).GetInt(0));
                }
                return OkStatus();
              }).ok());
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_GT(ids[0], 0);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
}

TEST_P(DatabaseConformance, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(Write([](Transaction& txn) {
                return txn.Execute(kInsertUser, {Text("secret@example.com"), Int(30)}).status();
              }).ok());
  Status st = Write([](Transaction& txn) {
    return txn.Execute(kInsertUser, {Text("secret@example.com"), Int(31)}).status();
  });
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("insert_user"));
  EXPECT_THAT(st.message(), Not(HasSubstr("secret@example.com")));
  EXPECT_EQ(CountOf(kCountUsers), 1);
}

TEST_P(DatabaseConformance, ForeignKeyCheckAndNotNullAreFailedPrecondition) {
  Status fk = Write([](Transaction& txn) {
    return txn.Execute(kInsertPost, {Int(424242), Text("orphan")}).status();
  });
  EXPECT_EQ(fk.code(), StatusCode::kFailedPrecondition) << fk.ToString();
  EXPECT_THAT(fk.message(), HasSubstr("insert_post"));

  Status check = Write([](Transaction& txn) {
    return txn.Execute(kInsertUser, {Text("a@example.com"), Int(-1)}).status();
  });
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition) << check.ToString();

  Status not_null = Write([](Transaction& txn) {
    return txn.Execute(kInsertUser, {Null(), Int(1)}).status();
  });
  EXPECT_EQ(not_null.code(), StatusCode::kFailedPrecondition) << not_null.ToString();
  EXPECT_EQ(CountOf(kCountUsers), 0);
}

TEST_P(DatabaseConformance, DestroyedTransactionRollsBack) {
  {
    auto txn = db().Begin(TxnMode::kReadWrite);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    ASSERT_TRUE((*txn)->Execute(kInsertUser, {Text("a@example.com"), Int(1)}).ok());
    auto inside = (*txn)->Execute(kCountUsers);
    ASSERT_TRUE(inside.ok());
    EXPECT_EQ(inside->rows[0].GetInt(0), 1) << "a transaction sees its own writes";
  }
  EXPECT_EQ(CountOf(kCountUsers), 0);
}

TEST_P(DatabaseConformance, CommittedWritesAreVisibleToLaterTransactions) {
  auto txn = db().Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Execute(kInsertUser, {Text("a@example.com"), Int(1)}).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_THAT((*txn)->Execute(kCountUsers), StatusIs(StatusCode::kFailedPrecondition))
      << "a committed transaction is finished";
  EXPECT_THAT((*txn)->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(CountOf(kCountUsers), 1);

  // A second handle on the same store (as another process) sees it too.
  auto other = Open(url());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto read = (*other)->Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(read.ok());
  auto rs = (*read)->Execute(kCountUsers);
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows[0].GetInt(0), 1);
}

TEST_P(DatabaseConformance, RunInTransactionRetriesAbortedAndRollsBackFailedAttempts) {
  int attempts = 0;
  Status st = db().RunInTransaction(
      TxnMode::kReadWrite,
      [&](Transaction& txn) {
        ++attempts;
        LARCH_RETURN_IF_ERROR(
            txn.Execute(kInsertUser, {Text("u" + std::to_string(attempts)), Int(1)}).status());
        if (attempts == 1) return AbortedError("injected conflict");
        return OkStatus();
      },
      RetryPolicy{.max_attempts = 3, .initial_backoff_micros = 1});
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(CountOf(kCountUsers), 1) << "the aborted attempt's insert must be rolled back";
}

TEST_P(DatabaseConformance, RunInTransactionGivesUpAfterMaxAttempts) {
  int attempts = 0;
  Status st = db().RunInTransaction(
      TxnMode::kReadWrite,
      [&](Transaction&) {
        ++attempts;
        return AbortedError("always conflicting");
      },
      RetryPolicy{.max_attempts = 4, .initial_backoff_micros = 1});
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(attempts, 4);
}

TEST_P(DatabaseConformance, RunInTransactionDoesNotRetryOtherErrors) {
  int attempts = 0;
  Status st = db().RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
    ++attempts;
    LARCH_RETURN_IF_ERROR(txn.Execute(kInsertUser, {Text("a@example.com"), Int(1)}).status());
    return NotFoundError("no such thing");
  });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(CountOf(kCountUsers), 0);
}

TEST_P(DatabaseConformance, ReadOnlyTransactionCannotWrite) {
  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto rs = (*txn)->Execute(kInsertUser, {Text("a@example.com"), Int(1)});
  EXPECT_THAT(rs, StatusIs(StatusCode::kFailedPrecondition));
  txn->reset();
  EXPECT_EQ(CountOf(kCountUsers), 0);
  // The connection it used is still fine for writers afterwards.
  EXPECT_TRUE(Write([](Transaction& txn) {
                return txn.Execute(kInsertUser, {Text("a@example.com"), Int(1)}).status();
              }).ok());
  EXPECT_EQ(CountOf(kCountUsers), 1);
}

TEST_P(DatabaseConformance, ConcurrentWritersLoseNoIncrements) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = db().RunInTransaction(
            TxnMode::kReadWrite,
            [](Transaction& txn) {
              LARCH_ASSIGN_OR_RETURN(ResultSet rs, txn.Execute(kIncrement));
              return rs.rows_affected == 1 ? OkStatus() : InternalError("counter row missing");
            },
            RetryPolicy{.max_attempts = 50, .initial_backoff_micros = 100});
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountOf(kReadCounter), kThreads * kPerThread);
}

TEST_P(DatabaseConformance, ReadersRunWhileAWriterHoldsItsTransaction) {
  auto writer = db().Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Execute(kIncrement).ok());
  // Uncommitted work is invisible to a concurrent reader.
  EXPECT_EQ(CountOf(kReadCounter), 0);
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(CountOf(kReadCounter), 1);
}

TEST_P(DatabaseConformance, ReadsAndWritesAThousandRows) {
  ASSERT_TRUE(Write([](Transaction& txn) {
                for (int i = 0; i < 1000; ++i) {
                  LARCH_RETURN_IF_ERROR(
                      txn.Execute(kInsertValue, {Int(i), i * 0.5, Text(std::to_string(i)), Null()})
                          .status());
                }
                return OkStatus();
              }).ok());
  EXPECT_EQ(CountOf(kCountVals), 1000);
  static constexpr Query kAll{"all_vals", "SELECT i, d, t FROM vals ORDER BY i"};
  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto rs = (*txn)->Execute(kAll);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(rs->size(), 1000u);
  EXPECT_EQ(rs->columns, (std::vector<std::string>{"i", "d", "t"}));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(rs->rows[i].GetInt(0), i);
    ASSERT_EQ(rs->rows[i].GetDouble(1), i * 0.5);
    ASSERT_EQ(rs->rows[i].GetText(2), std::to_string(i));
  }
}

TEST_P(DatabaseConformance, ReportsRowsAffected) {
  static constexpr Query kBump{"bump_ages", "UPDATE conf_users SET age = age + 1 WHERE age >= ?"};
  static constexpr Query kDelete{"delete_young", "DELETE FROM conf_users WHERE age < ?"};
  ASSERT_TRUE(Write([](Transaction& txn) {
                for (int i = 0; i < 5; ++i) {
                  auto rs = txn.Execute(kInsertUser, {Text("u" + std::to_string(i)), Int(i)});
                  LARCH_RETURN_IF_ERROR(rs.status());
                  EXPECT_EQ(rs->rows_affected, 1);
                }
                return OkStatus();
              }).ok());
  ASSERT_TRUE(Write([](Transaction& txn) {
                LARCH_ASSIGN_OR_RETURN(ResultSet bumped, txn.Execute(kBump, {Int(2)}));
                EXPECT_EQ(bumped.rows_affected, 3);
                LARCH_ASSIGN_OR_RETURN(ResultSet none, txn.Execute(kBump, {Int(100)}));
                EXPECT_EQ(none.rows_affected, 0);
                LARCH_ASSIGN_OR_RETURN(ResultSet deleted, txn.Execute(kDelete, {Int(2)}));
                EXPECT_EQ(deleted.rows_affected, 2);
                LARCH_ASSIGN_OR_RETURN(ResultSet counted, txn.Execute(kCountUsers));
                EXPECT_EQ(counted.rows_affected, 0);
                return OkStatus();
              }).ok());
}

TEST_P(DatabaseConformance, QuestionMarksInsideLiteralsAreNotPlaceholders) {
  static constexpr Query kTricky{"tricky",
                                 "SELECT email, 'why?' AS q, \"age\" FROM conf_users -- what?\n"
                                 "WHERE email = ? AND email <> 'it''s?' /* ? */ AND age = ?"};
  ASSERT_TRUE(Write([](Transaction& txn) {
                return txn.Execute(kInsertUser, {Text("a?b"), Int(5)}).status();
              }).ok());
  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto rs = (*txn)->Execute(kTricky, {Text("a?b"), Int(5)});
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_EQ(rs->rows[0].GetText(0), "a?b");
  EXPECT_EQ(rs->rows[0].GetText(1), "why?");
  EXPECT_EQ(rs->rows[0].GetInt(2), 5);
}

TEST_P(DatabaseConformance, WrongParameterCountFails) {
  auto txn = db().Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(txn.ok());
  EXPECT_THAT((*txn)->Execute(kInsertUser, {Text("only one")}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(DatabaseConformance, PostgresVariantIsUsedOnPostgres) {
  static constexpr Query kWhich{"which", "SELECT 'sqlite'", "SELECT 'postgres'"};
  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto rs = (*txn)->Execute(kWhich);
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows.at(0).GetText(0), BackendName(backend()));
}

TEST_P(DatabaseConformance, PingAnswers) { EXPECT_TRUE(db().Ping().ok()); }

TEST_P(DatabaseConformance, MigrationsAreIdempotent) {
  const auto& migrations = BuiltinMigrations(backend());
  ASSERT_FALSE(migrations.empty());
  auto again = Migrate(db(), migrations, clock());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  auto state = ReadSchemaState(db(), migrations);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->current_version, migrations.back().version);
  EXPECT_EQ(state->latest_known, migrations.back().version);
  EXPECT_TRUE(state->pending.empty());

  static constexpr Query kRecorded{"recorded",
                                   "SELECT version, name, applied_at FROM larch_schema_migrations "
                                   "ORDER BY version"};
  auto txn = db().Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  auto rs = (*txn)->Execute(kRecorded);
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), migrations.size());
  EXPECT_EQ(rs->rows[0].GetInt(0), migrations[0].version);
  EXPECT_EQ(rs->rows[0].GetText(1), migrations[0].name);
  EXPECT_EQ(rs->rows[0].GetInt(2), clock().NowMicros());
  // The core schema exists.
  static constexpr Query kJobs{"count_jobs", "SELECT COUNT(*) FROM jobs"};
  EXPECT_TRUE((*txn)->Execute(kJobs).ok());
}

TEST_P(DatabaseConformance, FreshDatabaseReportsPendingMigrations) {
  auto url = NewStore();
  ASSERT_TRUE(url.ok());
  auto fresh = Open(*url);
  ASSERT_TRUE(fresh.ok());
  const auto& migrations = BuiltinMigrations(backend());
  auto state = ReadSchemaState(**fresh, migrations);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->current_version, 0);
  EXPECT_EQ(state->pending.size(), migrations.size());
  // Unmigrated tables read as a precondition failure, not a crash or bug.
  auto txn = (*fresh)->Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(txn.ok());
  static constexpr Query kJobs{"count_jobs", "SELECT COUNT(*) FROM jobs"};
  EXPECT_EQ((*txn)->Execute(kJobs).status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(DatabaseConformance, ConcurrentMigrateAppliesEachMigrationOnce) {
  auto url = NewStore();
  ASSERT_TRUE(url.ok());
  auto a = Open(*url);
  auto b = Open(*url);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto& migrations = BuiltinMigrations(backend());
  StatusOr<int> ran_a = 0, ran_b = 0;
  std::thread ta([&] { ran_a = Migrate(**a, migrations, clock()); });
  std::thread tb([&] { ran_b = Migrate(**b, migrations, clock()); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ran_a.ok()) << ran_a.status().ToString();
  ASSERT_TRUE(ran_b.ok()) << ran_b.status().ToString();
  EXPECT_EQ(*ran_a + *ran_b, static_cast<int>(migrations.size()));
}

TEST_P(DatabaseConformance, NewerSchemaIsRefused) {
  static constexpr Query kFuture{
      "future_version",
      "INSERT INTO larch_schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"};
  ASSERT_TRUE(Write([](Transaction& txn) { return txn.Execute(kFuture).status(); }).ok());
  const auto& migrations = BuiltinMigrations(backend());
  auto state = ReadSchemaState(db(), migrations);
  EXPECT_EQ(state.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(state.status().message(), HasSubstr("9999"));
  EXPECT_THAT(state.status().message(), HasSubstr(std::to_string(migrations.back().version)));
  auto migrated = Migrate(db(), migrations, clock());
  EXPECT_EQ(migrated.status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(DatabaseConformance, PostgresReconnectsAfterTheServerDropsAConnection) {
  if (!IsPostgres()) GTEST_SKIP() << "PostgreSQL only";
  const std::string app = "larch_" + SecureRandom::Default()->HexToken(6);
  DatabaseOptions options = Options(url() + "&application_name=" + app);
  options.pool_size = 1;
  auto victim = OpenDatabase(options);
  ASSERT_TRUE(victim.ok()) << victim.status().ToString();
  ASSERT_TRUE((*victim)->Ping().ok());

  static constexpr Query kTerminate{
      "terminate",
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?"};
  int64_t terminated = 0;
  ASSERT_TRUE(Write([&](Transaction& txn) {
                LARCH_ASSIGN_OR_RETURN(ResultSet rs, txn.Execute(kTerminate, {Text(app)}));
                terminated = rs.rows.at(0).GetInt(0);
                return OkStatus();
              }).ok());
  ASSERT_EQ(terminated, 1);

  // The dead pooled connection is noticed, dropped and replaced.
  Status ping = (*victim)->Ping();
  EXPECT_TRUE(ping.ok()) << ping.ToString();
  auto txn = (*victim)->Begin(TxnMode::kReadWrite);
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  EXPECT_TRUE((*txn)->Execute(kIncrement).ok());
}

TEST_P(DatabaseConformance, PoolExhaustionIsUnavailable) {
  DatabaseOptions options = Options(url());
  options.pool_size = 1;
  options.busy_timeout_ms = 50;
  auto small = OpenDatabase(options);
  ASSERT_TRUE(small.ok());
  auto held = (*small)->Begin(TxnMode::kReadOnly);
  ASSERT_TRUE(held.ok());
  auto second = (*small)->Begin(TxnMode::kReadOnly);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  held->reset();
  EXPECT_TRUE((*small)->Begin(TxnMode::kReadOnly).ok());
}

LARCH_INSTANTIATE_BACKEND_SUITE(DatabaseConformance);

}  // namespace
}  // namespace larch::storage
