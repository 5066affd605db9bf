#include "larch/storage/sqlite_database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace larch::storage {
namespace internal {
namespace {

// The message names the query and carries SQLite's own text, which names
// constraints and columns but never bound values.
Status MapSqliteError(int rc, sqlite3* db, std::string_view query_name) {
  const int primary = rc & 0xff;
  std::string message = "sqlite: ";
  message.append(query_name);
  message.append(": ");
  message.append(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExistsError(std::move(message));
    default:
      break;
  }
  switch (primary) {
    case SQLITE_CONSTRAINT:
    case SQLITE_READONLY:
      return FailedPreconditionError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
      return AbortedError(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(message));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      return UnavailableError(std::move(message));
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return InvalidArgumentError(std::move(message));
    case SQLITE_ERROR:
      // A query against a table that does not exist yet means the schema is
      // behind (unmigrated database), not a bug in the statement.
      if (db != nullptr && std::string_view(sqlite3_errmsg(db)).starts_with("no such table")) {
        return FailedPreconditionError(std::move(message));
      }
      return InternalError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

// One sqlite3 handle and its prepared statements. Used by one thread at a
// time (the owner holds the writer mutex or took it from the reader pool).
class SqliteConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  sqlite3* db() const { return db_; }

  StatusOr<sqlite3_stmt*> Prepare(const Query& query) {
    std::string_view sql = query.sql;
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return MapSqliteError(sqlite3_extended_errcode(db_), db_, query.name);
    }
    if (stmt == nullptr) {
      return InvalidArgumentError(std::string("sqlite: ") + query.name + ": empty statement");
    }
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  StatusOr<ResultSet> Execute(const Query& query, std::span<const SqlValue> params) {
    LARCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(query));
    // Resets even on early return: bindings point into `params`, and a
    // statement left mid-step would pin a read snapshot.
    struct Resetter {
      sqlite3_stmt* stmt;
      ~Resetter() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } resetter{stmt};

    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return InvalidArgumentError(std::string("sqlite: ") + query.name + ": expects " +
                                  std::to_string(expected) + " parameters, got " +
                                  std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const SqlValue& value = params[i];
      int rc = SQLITE_OK;
      if (const auto* v = std::get_if<int64_t>(&value)) {
        rc = sqlite3_bind_int64(stmt, index, *v);
      } else if (const auto* d = std::get_if<double>(&value)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (const auto* b = std::get_if<Blob>(&value)) {
        // A zero-length blob bound by pointer would be stored as NULL.
        rc = b->bytes.empty() ? sqlite3_bind_zeroblob(stmt, index, 0)
                              : sqlite3_bind_blob64(stmt, index, b->bytes.data(), b->bytes.size(),
                                                    SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return MapSqliteError(rc, db_, query.name);
    }

    ResultSet result;
    const int columns = sqlite3_column_count(stmt);
    result.columns.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      const char* name = sqlite3_column_name(stmt, c);
      result.columns.emplace_back(name != nullptr ? name : "");
    }
    const int64_t changes_before = sqlite3_total_changes64(db_);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        std::vector<SqlValue> values;
        values.reserve(columns);
        for (int c = 0; c < columns; ++c) values.push_back(ColumnValue(stmt, c));
        result.rows.emplace_back(std::move(values));
        continue;
      }
      if (rc == SQLITE_DONE) break;
      return MapSqliteError(sqlite3_extended_errcode(db_), db_, query.name);
    }
    // sqlite3_changes keeps the count of the last write, so a SELECT or DDL
    // statement must not report it.
    if (!sqlite3_stmt_readonly(stmt) && sqlite3_total_changes64(db_) != changes_before) {
      result.rows_affected = sqlite3_changes64(db_);
    }
    return result;
  }

  Status ExecuteScript(std::string_view sql) {
    std::string copy(sql);  // sqlite3_exec needs NUL termination.
    char* error = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) return MapSqliteError(sqlite3_extended_errcode(db_), db_, "script");
    return OkStatus();
  }

  // Runs a statement without parameters whose rows are ignored.
  Status Run(const Query& query) { return Execute(query, {}).status(); }

 private:
  static SqlValue ColumnValue(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        return static_cast<int64_t>(sqlite3_column_int64(stmt, c));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, c);
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        int size = sqlite3_column_bytes(stmt, c);
        return text != nullptr ? std::string(text, size) : std::string();
      }
      case SQLITE_BLOB: {
        const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        int size = sqlite3_column_bytes(stmt, c);
        return Blob{data != nullptr ? std::string(data, size) : std::string()};
      }
      default:
        return nullptr;
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

namespace {

constexpr Query kBeginImmediate{"begin_immediate", "BEGIN IMMEDIATE"};
constexpr Query kBeginDeferred{"begin_deferred", "BEGIN DEFERRED"};
constexpr Query kCommit{"commit", "COMMIT"};
constexpr Query kRollback{"rollback", "ROLLBACK"};
constexpr Query kQueryOnlyOn{"query_only_on", "PRAGMA query_only = 1"};
constexpr Query kQueryOnlyOff{"query_only_off", "PRAGMA query_only = 0"};
constexpr Query kSelectOne{"ping", "SELECT 1"};

StatusOr<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& path, int flags,
                                                           const DatabaseOptions& options,
                                                           bool reader) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = MapSqliteError(rc, raw, "open");
    sqlite3_close_v2(raw);
    return status;
  }
  auto conn = std::make_unique<SqliteConnection>(raw);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // Reading the schema is the cheapest statement that touches the file
  // header, so a file that is not a database fails here rather than on the
  // first real query.
  LARCH_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA schema_version"));
  LARCH_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA foreign_keys = ON"));
  if (reader) {
    LARCH_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA query_only = 1"));
  }
  return conn;
}

}  // namespace

class SqliteTransaction final : public Transaction {
 public:
  // Writer transaction: owns the writer lock for its lifetime.
  SqliteTransaction(SqliteDatabase* db, SqliteConnection* conn,
                    std::unique_lock<std::timed_mutex> writer_lock, bool read_only, bool on_writer)
      : db_(db),
        conn_(conn),
        writer_lock_(std::move(writer_lock)),
        read_only_(read_only),
        on_writer_(on_writer) {}

  ~SqliteTransaction() override {
    if (!finished_) conn_->Run(kRollback).IgnoreError();
    Release();
  }

  Backend backend() const override { return Backend::kSqlite; }

  StatusOr<ResultSet> Execute(const Query& query, std::span<const SqlValue> params) override {
    if (finished_) return FinishedError(query.name);
    return conn_->Execute(query, params);
  }

  Status ExecuteScript(std::string_view sql) override {
    if (finished_) return FinishedError("script");
    return conn_->ExecuteScript(sql);
  }

  Status Commit() override {
    if (finished_) return FinishedError("commit");
    finished_ = true;
    Status status = conn_->Run(kCommit);
    // A failed COMMIT can leave the transaction open (SQLITE_BUSY); the
    // contract says it is over either way.
    if (!status.ok() && !sqlite3_get_autocommit(conn_->db())) conn_->Run(kRollback).IgnoreError();
    Release();
    return status;
  }

 private:
  static Status FinishedError(const char* name) {
    return FailedPreconditionError(std::string("sqlite: ") + name +
                                   ": transaction already committed");
  }

  void Release() {
    if (conn_ == nullptr) return;
    if (on_writer_) {
      if (read_only_) conn_->Run(kQueryOnlyOff).IgnoreError();
      writer_lock_ = {};
    } else {
      db_->ReleaseReader(conn_);
    }
    conn_ = nullptr;
  }

  SqliteDatabase* db_;
  SqliteConnection* conn_;
  std::unique_lock<std::timed_mutex> writer_lock_;
  const bool read_only_;
  const bool on_writer_;
  bool finished_ = false;
};

}  // namespace internal

SqliteDatabase::SqliteDatabase(std::string path, bool in_memory, const DatabaseOptions& options)
    : path_(std::move(path)), in_memory_(in_memory), options_(options) {}

SqliteDatabase::~SqliteDatabase() {
  // Readers first: the last connection to close checkpoints the WAL.
  readers_.clear();
  writer_.reset();
}

StatusOr<internal::SqliteConnection*> SqliteDatabase::AcquireReader() {
  MutexLock lock(readers_mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
  while (free_readers_.empty()) {
    if (static_cast<int>(readers_.size()) < std::max(1, options_.pool_size)) {
      const int flags = SQLITE_OPEN_READWRITE;
      LARCH_ASSIGN_OR_RETURN(auto conn, internal::OpenConnection(path_, flags, options_, true));
      readers_.push_back(std::move(conn));
      return readers_.back().get();
    }
    if (!readers_cv_.WaitUntil(readers_mu_, deadline) && free_readers_.empty()) {
      return UnavailableError("sqlite: no reader connection free within the busy timeout");
    }
  }
  internal::SqliteConnection* conn = free_readers_.back();
  free_readers_.pop_back();
  return conn;
}

void SqliteDatabase::ReleaseReader(internal::SqliteConnection* conn) {
  {
    MutexLock lock(readers_mu_);
    free_readers_.push_back(conn);
  }
  readers_cv_.NotifyOne();
}

StatusOr<std::unique_ptr<Transaction>> SqliteDatabase::Begin(TxnMode mode) {
  const bool read_only = mode == TxnMode::kReadOnly;
  if (read_only && !in_memory_) {
    LARCH_ASSIGN_OR_RETURN(internal::SqliteConnection * conn, AcquireReader());
    Status status = conn->Run(internal::kBeginDeferred);
    if (!status.ok()) {
      ReleaseReader(conn);
      return status;
    }
    return std::unique_ptr<Transaction>(std::make_unique<internal::SqliteTransaction>(
        this, conn, std::unique_lock<std::timed_mutex>(), true, false));
  }
  std::unique_lock lock(writer_mu_, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::milliseconds(options_.busy_timeout_ms))) {
    return AbortedError("sqlite: writer connection busy past the busy timeout");
  }
  internal::SqliteConnection* conn = writer_.get();
  if (read_only) {
    // Memory databases have only this connection, so read-only is enforced
    // by the pragma instead of by a separate reader.
    LARCH_RETURN_IF_ERROR(conn->Run(internal::kQueryOnlyOn));
    Status status = conn->Run(internal::kBeginDeferred);
    if (!status.ok()) {
      conn->Run(internal::kQueryOnlyOff).IgnoreError();
      return status;
    }
  } else {
    LARCH_RETURN_IF_ERROR(conn->Run(internal::kBeginImmediate));
  }
  return std::unique_ptr<Transaction>(
      std::make_unique<internal::SqliteTransaction>(this, conn, std::move(lock), read_only, true));
}

Status SqliteDatabase::Ping() {
  if (in_memory_) {
    std::unique_lock lock(writer_mu_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::milliseconds(options_.busy_timeout_ms))) {
      return UnavailableError("sqlite: ping: connection busy");
    }
    return writer_->Run(internal::kSelectOne);
  }
  LARCH_ASSIGN_OR_RETURN(internal::SqliteConnection * conn, AcquireReader());
  Status status = conn->Run(internal::kSelectOne);
  ReleaseReader(conn);
  return status;
}

StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(const DatabaseOptions& options) {
  std::string_view url = options.url;
  constexpr std::string_view kScheme = "sqlite:";
  if (!url.starts_with(kScheme)) {
    return InvalidArgumentError("sqlite: not an sqlite URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  const bool in_memory = rest == ":memory:";
  std::string path;
  if (in_memory) {
    path = ":memory:";
  } else {
    // "sqlite:///abs" keeps the third slash as the root; "sqlite://rel" is
    // relative to the working directory.
    if (rest.starts_with("//")) rest.remove_prefix(2);
    if (rest.empty()) return InvalidArgumentError("sqlite: URL has no file path");
    path = std::string(rest);
  }

  int flags = SQLITE_OPEN_READWRITE;
  if (!in_memory) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (options.must_exist) return NotFoundError("sqlite: database file does not exist");
      flags |= SQLITE_OPEN_CREATE;
    }
  } else {
    flags |= SQLITE_OPEN_CREATE;
  }

  auto db = std::unique_ptr<SqliteDatabase>(new SqliteDatabase(path, in_memory, options));
  LARCH_ASSIGN_OR_RETURN(db->writer_, internal::OpenConnection(path, flags, options, false));
  internal::SqliteConnection& writer = *db->writer_;
  if (!in_memory) {
    LARCH_RETURN_IF_ERROR(writer.ExecuteScript("PRAGMA journal_mode = WAL"));
  }
  LARCH_RETURN_IF_ERROR(writer.ExecuteScript("PRAGMA synchronous = NORMAL"));
  if (options.sqlite_max_page_count > 0) {
    LARCH_RETURN_IF_ERROR(writer.ExecuteScript("PRAGMA max_page_count = " +
                                               std::to_string(options.sqlite_max_page_count)));
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace larch::storage
