// The storage interface: a SQL database reached through transactions.
//
// Larch runs on SQLite (embedded, default) or PostgreSQL (scale-out). Both
// implement the classes below; everything above storage (repositories,
// domain, http) is written once against them. The backend adapters own the
// connection handling, the placeholder dialect (`?` is written everywhere and
// rewritten to `$n` for PostgreSQL), value mapping and the translation of
// driver errors into canonical codes:
//   unique violation              -> kAlreadyExists
//   foreign-key / check violation -> kFailedPrecondition
//   serialization failure, deadlock, SQLITE_BUSY after the timeout -> kAborted
//   lost connection, server down  -> kUnavailable
//   disk full / database too big  -> kResourceExhausted
//   corrupt file, not a database  -> kDataLoss
// Callers never see SQLITE_* codes or SQLSTATEs.
//
// Portable SQL rules (docs/formats/database.md): timestamps are BIGINT
// microseconds since the Unix epoch (UTC); booleans are INTEGER 0/1; JSON is
// TEXT; ids come from `RETURNING id`; upserts use ON CONFLICT. Where a
// statement must differ, a Query carries a PostgreSQL variant.
//
// Thread safety: Database is thread-safe. A Transaction belongs to one thread
// at a time and must be destroyed before its Database.
#ifndef LARCH_STORAGE_DATABASE_H_
#define LARCH_STORAGE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "larch/common/status.h"

namespace larch::storage {

enum class Backend { kSqlite, kPostgres };
std::string_view BackendName(Backend backend);

// Binary data; kept apart from text so backends bind it as a BLOB / bytea.
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob& a, const Blob& b) { return a.bytes == b.bytes; }
};

// A parameter or a column value. Booleans are bound as int64 0/1.
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string, Blob>;

inline SqlValue Null() { return nullptr; }
inline SqlValue Int(int64_t v) { return v; }
inline SqlValue Bool(bool v) { return static_cast<int64_t>(v ? 1 : 0); }
inline SqlValue Text(std::string v) { return v; }
// nullptr when the optional is empty.
SqlValue OptionalText(const std::optional<std::string>& v);
SqlValue OptionalInt(const std::optional<int64_t>& v);

// One result row. Accessors convert between the numeric and text forms the
// two backends return (PostgreSQL numeric columns arrive already converted).
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<SqlValue> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const;
  // NULL reads as 0 / 0.0 / "" / false.
  int64_t GetInt(size_t i) const;
  double GetDouble(size_t i) const;
  std::string GetText(size_t i) const;
  bool GetBool(size_t i) const { return GetInt(i) != 0; }
  std::optional<int64_t> GetOptionalInt(size_t i) const;
  std::optional<std::string> GetOptionalText(size_t i) const;
  const SqlValue& operator[](size_t i) const { return values_.at(i); }
  std::vector<SqlValue>& values() { return values_; }
  const std::vector<SqlValue>& values() const { return values_; }

 private:
  std::vector<SqlValue> values_;
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  // Rows changed by INSERT/UPDATE/DELETE (without RETURNING rows counted too).
  int64_t rows_affected = 0;

  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
};

// A named SQL statement. Define them as `constexpr Query kFoo{...}` next to
// their use; the name appears in error messages and slow-query logs.
struct Query {
  const char* name;
  // Portable SQL with `?` placeholders.
  const char* sql;
  // Used instead of `sql` on PostgreSQL when set.
  const char* postgres_sql = nullptr;

  const char* SqlFor(Backend backend) const {
    return backend == Backend::kPostgres && postgres_sql != nullptr ? postgres_sql : sql;
  }
};

// Runs statements. Both a Transaction and (internally) a connection are
// Executors.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual Backend backend() const = 0;

  // Runs one statement with bound parameters. Statements are prepared once
  // per connection and cached.
  virtual StatusOr<ResultSet> Execute(const Query& query, std::span<const SqlValue> params) = 0;
  StatusOr<ResultSet> Execute(const Query& query, std::initializer_list<SqlValue> params = {}) {
    return Execute(query, std::span<const SqlValue>(params.begin(), params.size()));
  }
  // Runs `sql`, possibly several `;`-separated statements, without
  // parameters. For migrations and test set-up only.
  virtual Status ExecuteScript(std::string_view sql) = 0;
};

enum class TxnMode {
  // May only read. On SQLite it runs on a reader connection, concurrently
  // with the writer.
  kReadOnly,
  // May write. On SQLite this takes the single writer (BEGIN IMMEDIATE).
  kReadWrite,
};

class Transaction : public Executor {
 public:
  // Makes every write durable. After Commit (successful or not) the
  // transaction is finished and must not be used again. A transaction
  // destroyed without Commit rolls back.
  virtual Status Commit() = 0;
};

struct RetryPolicy {
  int max_attempts = 5;
  int64_t initial_backoff_micros = 2'000;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;

  // Starts a transaction. Returns kUnavailable when no connection can be had,
  // kAborted when the writer could not be taken within the busy timeout.
  virtual StatusOr<std::unique_ptr<Transaction>> Begin(TxnMode mode) = 0;

  // Cheap round trip proving the database answers (used by /heartbeat).
  virtual Status Ping() = 0;

  // Runs `fn` in a transaction and commits when it returns OK; rolls back
  // and returns its status otherwise. When `fn` or the commit fails with
  // kAborted (a write conflict), the whole transaction is retried with
  // exponential back-off, up to policy.max_attempts times. `fn` must
  // therefore have no side effects outside the transaction.
  Status RunInTransaction(TxnMode mode, const std::function<Status(Transaction&)>& fn,
                          const RetryPolicy& policy = RetryPolicy());
};

struct DatabaseOptions {
  // "sqlite:///abs/path/larch.db", "sqlite::memory:" (tests),
  // or "postgresql://user:pass@host:port/db?..." (any libpq URI).
  std::string url;
  // Reader connections (SQLite) or pool size (PostgreSQL).
  int pool_size = 8;
  // How long a writer waits for the SQLite lock, or a caller for a pooled
  // PostgreSQL connection.
  int busy_timeout_ms = 5'000;
  // SQLite only: refuse to create the file when it does not exist.
  bool must_exist = false;
  // SQLite only: cap the file size in pages (0 = no cap); lets tests
  // produce "disk full" deterministically.
  int64_t sqlite_max_page_count = 0;
};

// Runs `fn(txn)`, which returns StatusOr<T>, in a transaction (with the
// retries of RunInTransaction) and returns its value.
template <typename Fn>
auto RunWithResult(Database& db, TxnMode mode, Fn fn)
    -> decltype(fn(std::declval<Transaction&>())) {
  using Result = decltype(fn(std::declval<Transaction&>()));
  std::optional<Result> out;
  Status status = db.RunInTransaction(mode, [&](Transaction& txn) -> Status {
    Result result = fn(txn);
    if (!result.ok()) return result.status();
    out.emplace(std::move(result));
    return OkStatus();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

// Opens the database named by options.url (see storage/open_database.h for
// the factory, which lives in its own target so the interface does not depend
// on the backends).

}  // namespace larch::storage

#endif  // LARCH_STORAGE_DATABASE_H_
