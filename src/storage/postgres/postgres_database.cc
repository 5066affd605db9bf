#include "larch/storage/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace larch::storage {
namespace internal {
namespace {

// Type OIDs from pg_type.h (stable across server versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct ResultDeleter {
  void operator()(PGresult* res) const { PQclear(res); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Copies a quoted section starting at sql[i] (the opening quote) and returns
// the index after it. `backslash_escapes` is for E'...' strings.
size_t CopyQuoted(std::string_view sql, size_t i, char quote, bool backslash_escapes,
                  std::string& out) {
  out.push_back(sql[i++]);
  while (i < sql.size()) {
    char c = sql[i++];
    out.push_back(c);
    if (backslash_escapes && c == '\\' && i < sql.size()) {
      out.push_back(sql[i++]);
    } else if (c == quote) {
      break;  // a doubled quote simply reopens on the next iteration
    }
  }
  return i;
}

}  // namespace

std::string RewritePlaceholdersForTest(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    const char prev = i > 0 ? sql[i - 1] : '\0';
    if (c == '\'') {
      const bool escapes = (prev == 'E' || prev == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
      i = CopyQuoted(sql, i, '\'', escapes, out);
    } else if (c == '"') {
      i = CopyQuoted(sql, i, '"', false, out);
    } else if (c == '-' && next == '-') {
      size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && next == '*') {
      size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$' && !IsIdentChar(prev) && !std::isdigit(static_cast<unsigned char>(next))) {
      // Dollar quoting: $$...$$ or $tag$...$tag$.
      size_t tag_end = i + 1;
      while (tag_end < sql.size() && IsIdentChar(sql[tag_end])) ++tag_end;
      if (tag_end < sql.size() && sql[tag_end] == '$') {
        std::string_view tag = sql.substr(i, tag_end - i + 1);
        size_t close = sql.find(tag, tag_end + 1);
        size_t end = close == std::string_view::npos ? sql.size() : close + tag.size();
        out.append(sql.substr(i, end - i));
        i = end;
      } else {
        out.push_back(c);
        ++i;
      }
    } else if (c == '?') {
      out.push_back('$');
      out.append(std::to_string(++n));
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  if (count != nullptr) *count = n;
  return out;
}

namespace {

// Connection-level failures: the server went away or the session is dead.
bool IsConnectionState(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

Status StatusFromState(std::string_view state, std::string message) {
  if (state == "23505") return AlreadyExistsError(std::move(message));
  if (state.starts_with("23")) return FailedPreconditionError(std::move(message));
  if (state == "40001" || state == "40P01" || state == "55P03") {
    return AbortedError(std::move(message));
  }
  if (IsConnectionState(state)) return UnavailableError(std::move(message));
  if (state.starts_with("53")) return ResourceExhaustedError(std::move(message));
  if (state == "25006" || state == "42P01" || state == "25P02") {
    return FailedPreconditionError(std::move(message));
  }
  if (state.starts_with("22")) return InvalidArgumentError(std::move(message));
  if (state == "57014") return DeadlineExceededError(std::move(message));
  return InternalError(std::move(message));
}

std::string TrimmedError(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// One libpq connection and its prepared statements. Used by one thread at a
// time: whoever took it from the pool.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() { PQfinish(conn_); }

  // False once the connection is known to be unusable; the pool drops it.
  bool healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  // Turns a failed (or null) result into a Status, marking the connection
  // broken when the failure was the connection itself. Only the primary
  // message is used: DETAIL lines can quote the offending values.
  Status ErrorFrom(const PGresult* res, std::string_view name) {
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = "postgres: ";
    message.append(name);
    message.append(": ");
    if (state == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      message.append(TrimmedError(primary != nullptr ? primary : PQerrorMessage(conn_)));
      if (PQstatus(conn_) != CONNECTION_OK || state == nullptr || IsConnectionState(state)) {
        broken_ = true;
        return UnavailableError(std::move(message));
      }
    } else {
      message.append(TrimmedError(primary));
    }
    message.append(" (SQLSTATE ");
    message.append(state);
    message.append(")");
    if (IsConnectionState(state)) broken_ = true;
    return StatusFromState(state, std::move(message));
  }

  // Runs a parameterless command whose rows are ignored.
  StatusOr<ResultPtr> Command(const char* sql, std::string_view name) {
    ResultPtr res(PQexec(conn_, sql));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      return ErrorFrom(res.get(), name);
    }
    return res;
  }

  Status ExecuteScript(std::string_view sql) {
    std::string copy(sql);
    return Command(copy.c_str(), "script").status();
  }

  StatusOr<ResultSet> Execute(const Query& query, std::span<const SqlValue> params) {
    std::string_view sql = query.SqlFor(Backend::kPostgres);
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      int count = 0;
      std::string rewritten = RewritePlaceholdersForTest(sql, &count);
      Prepared prepared{"larch_" + std::to_string(next_statement_++), count};
      ResultPtr res(PQprepare(conn_, prepared.name.c_str(), rewritten.c_str(), 0, nullptr));
      if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        return ErrorFrom(res.get(), query.name);
      }
      it = prepared_.emplace(std::string(sql), std::move(prepared)).first;
    }
    const Prepared& prepared = it->second;
    if (prepared.param_count != static_cast<int>(params.size())) {
      return InvalidArgumentError(std::string("postgres: ") + query.name + ": expects " +
                                  std::to_string(prepared.param_count) + " parameters, got " +
                                  std::to_string(params.size()));
    }

    const size_t n = params.size();
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    std::vector<std::string> numbers;  // text forms of numeric parameters
    numbers.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const SqlValue& value = params[i];
      if (const auto* v = std::get_if<int64_t>(&value)) {
        values[i] = numbers.emplace_back(std::to_string(*v)).c_str();
      } else if (const auto* d = std::get_if<double>(&value)) {
        char buf[64];
        auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), *d);
        values[i] = numbers.emplace_back(buf, ec == std::errc() ? ptr : buf).c_str();
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Blob>(&value)) {
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
      }
    }

    ResultPtr res(PQexecPrepared(conn_, prepared.name.c_str(), static_cast<int>(n), values.data(),
                                 lengths.data(), formats.data(), 0));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorFrom(res.get(), query.name);
    return Convert(res.get());
  }

 private:
  struct Prepared {
    std::string name;
    int param_count;
  };

  static ResultSet Convert(PGresult* res) {
    ResultSet result;
    const int columns = PQnfields(res);
    const int rows = PQntuples(res);
    result.columns.reserve(columns);
    std::vector<Oid> types(columns);
    for (int c = 0; c < columns; ++c) {
      result.columns.emplace_back(PQfname(res, c));
      types[c] = PQftype(res, c);
    }
    result.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<SqlValue> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) values.push_back(CellValue(res, r, c, types[c]));
      result.rows.emplace_back(std::move(values));
    }
    // PQcmdTuples also counts the rows a SELECT returned; only writes count.
    std::string_view command = PQcmdStatus(res);
    const bool write = command.starts_with("INSERT") || command.starts_with("UPDATE") ||
                       command.starts_with("DELETE") || command.starts_with("MERGE");
    const char* tuples = PQcmdTuples(res);
    if (write && tuples != nullptr && *tuples != '\0') {
      std::from_chars(tuples, tuples + std::strlen(tuples), result.rows_affected);
    }
    return result;
  }

  static SqlValue CellValue(PGresult* res, int r, int c, Oid type) {
    if (PQgetisnull(res, r, c)) return nullptr;
    const char* text = PQgetvalue(res, r, c);
    const int length = PQgetlength(res, r, c);
    switch (type) {
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid: {
        int64_t v = 0;
        std::from_chars(text, text + length, v);
        return v;
      }
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid:
        return std::strtod(text, nullptr);
      case kBoolOid:
        return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
      case kByteaOid: {
        size_t size = 0;
        unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
        if (bytes == nullptr) return Blob{};
        Blob blob{std::string(reinterpret_cast<const char*>(bytes), size)};
        PQfreemem(bytes);
        return blob;
      }
      default:
        return std::string(text, length);
    }
  }

  PGconn* conn_;
  bool broken_ = false;
  int next_statement_ = 0;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> prepared_;
};

namespace {

StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& url) {
  PGconn* raw = PQconnectdb(url.c_str());
  if (raw == nullptr) return UnavailableError("postgres: out of memory opening a connection");
  auto conn = std::make_unique<PgConnection>(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    return UnavailableError("postgres: connect: " + TrimmedError(PQerrorMessage(raw)));
  }
  // Notices ("relation already exists, skipping") would go to stderr.
  PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
  return conn;
}

// A bounded pool; connections are opened on demand up to pool_size.
class Pool {
 public:
  Pool(std::string url, int size, int wait_ms)
      : url_(std::move(url)), size_(std::max(1, size)), wait_ms_(wait_ms) {}

  StatusOr<std::unique_ptr<PgConnection>> Acquire() {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_);
    while (true) {
      while (!idle_.empty()) {
        std::unique_ptr<PgConnection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->healthy()) return conn;
        --open_;  // dropped; a fresh one may be opened below
      }
      if (open_ < size_) {
        ++open_;
        lock.unlock();
        auto conn = Connect(url_);
        if (!conn.ok()) {
          lock.lock();
          --open_;
          cv_.notify_one();
        }
        return conn;
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= size_) {
        return UnavailableError("postgres: no pooled connection free within the busy timeout");
      }
    }
  }

  void Release(std::unique_ptr<PgConnection> conn) {
    {
      std::lock_guard lock(mu_);
      if (conn->healthy() && conn->idle()) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    cv_.notify_one();
  }

 private:
  const std::string url_;
  const int size_;
  const int wait_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;
};

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(Pool* pool, std::unique_ptr<PgConnection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  ~PostgresTransaction() override {
    if (conn_ == nullptr) return;
    conn_->Command("ROLLBACK", "rollback").status().IgnoreError();
    pool_->Release(std::move(conn_));
  }

  Backend backend() const override { return Backend::kPostgres; }

  StatusOr<ResultSet> Execute(const Query& query, std::span<const SqlValue> params) override {
    if (conn_ == nullptr) return FinishedError(query.name);
    return conn_->Execute(query, params);
  }

  Status ExecuteScript(std::string_view sql) override {
    if (conn_ == nullptr) return FinishedError("script");
    return conn_->ExecuteScript(sql);
  }

  Status Commit() override {
    if (conn_ == nullptr) return FinishedError("commit");
    auto res = conn_->Command("COMMIT", "commit");
    Status status = res.status();
    if (status.ok() && std::string_view(PQcmdStatus(res->get())) == "ROLLBACK") {
      status = FailedPreconditionError(
          "postgres: commit: a statement in the transaction failed, so it was rolled back");
    }
    if (!status.ok() && !conn_->idle()) {
      conn_->Command("ROLLBACK", "rollback").status().IgnoreError();
    }
    pool_->Release(std::move(conn_));
    return status;
  }

 private:
  static Status FinishedError(const char* name) {
    return FailedPreconditionError(std::string("postgres: ") + name +
                                   ": transaction already committed");
  }

  Pool* pool_;
  std::unique_ptr<PgConnection> conn_;
};

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(const DatabaseOptions& options)
      : pool_(options.url, options.pool_size, options.busy_timeout_ms) {}

  Backend backend() const override { return Backend::kPostgres; }

  StatusOr<std::unique_ptr<Transaction>> Begin(TxnMode mode) override {
    const char* begin = mode == TxnMode::kReadOnly ? "BEGIN READ ONLY" : "BEGIN";
    LARCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, RunFirst(begin, "begin"));
    return std::unique_ptr<Transaction>(
        std::make_unique<PostgresTransaction>(&pool_, std::move(conn)));
  }

  Status Ping() override {
    LARCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, RunFirst("SELECT 1", "ping"));
    pool_.Release(std::move(conn));
    return OkStatus();
  }

  Pool& pool() { return pool_; }

 private:
  // Takes a pooled connection and runs `sql` on it. An idle pooled
  // connection can have died since its last use (server restart, idle
  // timeout) without libpq noticing, so a connection-level failure is
  // retried once on a fresh connection: nothing has run yet, so it is safe.
  StatusOr<std::unique_ptr<PgConnection>> RunFirst(const char* sql, std::string_view name) {
    Status status;
    for (int attempt = 0; attempt < 2; ++attempt) {
      LARCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, pool_.Acquire());
      status = conn->Command(sql, name).status();
      if (status.ok()) return conn;
      pool_.Release(std::move(conn));
      if (status.code() != StatusCode::kUnavailable) break;
    }
    return status;
  }

  Pool pool_;
};

}  // namespace
}  // namespace internal

StatusOr<std::unique_ptr<Database>> OpenPostgresDatabase(const DatabaseOptions& options) {
  std::string_view url = options.url;
  if (!url.starts_with("postgresql:") && !url.starts_with("postgres:")) {
    return InvalidArgumentError("postgres: not a postgresql:// URL");
  }
  auto db = std::make_unique<internal::PostgresDatabase>(options);
  // Opening one connection now makes a bad URL or a down server fail here.
  LARCH_ASSIGN_OR_RETURN(auto conn, db->pool().Acquire());
  db->pool().Release(std::move(conn));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace larch::storage
