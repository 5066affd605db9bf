// SQLite implementation of storage::Database (the embedded default backend).
//
// One writer connection, guarded by a mutex, runs every kReadWrite
// transaction with BEGIN IMMEDIATE; a pool of up to pool_size reader
// connections runs kReadOnly transactions concurrently with it (WAL mode).
// `sqlite::memory:` databases route everything through the single writer
// connection, so a thread must not open a second transaction on a memory
// database while it holds one (the second Begin times out with kAborted).
//
// Error mapping (beyond database.h): NOT NULL violations are
// kFailedPrecondition like the other constraints (PostgreSQL's 23502 maps the
// same way); writes in a read-only transaction and "no such table" are
// kFailedPrecondition; other SQL errors (syntax, wrong parameter count) are
// kInternal / kInvalidArgument since they are bugs in the caller's query.
//
// Thread safety: SqliteDatabase is thread-safe; each Transaction belongs to
// one thread and holds its connection until it is committed or destroyed.
#ifndef LARCH_STORAGE_SQLITE_DATABASE_H_
#define LARCH_STORAGE_SQLITE_DATABASE_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "larch/common/mutex.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

namespace internal {
class SqliteConnection;
class SqliteTransaction;
}  // namespace internal

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase() override;

  Backend backend() const override { return Backend::kSqlite; }
  StatusOr<std::unique_ptr<Transaction>> Begin(TxnMode mode) override;
  Status Ping() override;

 private:
  friend StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(const DatabaseOptions& options);
  friend class internal::SqliteTransaction;

  SqliteDatabase(std::string path, bool in_memory, const DatabaseOptions& options);
  StatusOr<internal::SqliteConnection*> AcquireReader();
  void ReleaseReader(internal::SqliteConnection* conn);

  const std::string path_;
  const bool in_memory_;
  const DatabaseOptions options_;

  // A plain std::timed_mutex, not a larch::Mutex: a writer transaction
  // holds it from Begin to its end, across calls the analysis cannot follow.
  std::timed_mutex writer_mu_;
  std::unique_ptr<internal::SqliteConnection> writer_;

  // The reader pool: every reader opened so far, and those not in a
  // transaction now.
  Mutex readers_mu_;
  CondVar readers_cv_;
  std::vector<std::unique_ptr<internal::SqliteConnection>> readers_ LARCH_GUARDED_BY(readers_mu_);
  std::vector<internal::SqliteConnection*> free_readers_ LARCH_GUARDED_BY(readers_mu_);
};

// Accepts "sqlite:///abs/path.db", "sqlite://relative/path.db" (relative to
// the working directory) and "sqlite::memory:". Returns kInvalidArgument for
// another URL, kNotFound when options.must_exist and the file is missing,
// kDataLoss when the file is not a database, kUnavailable when it cannot be
// opened.
StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(const DatabaseOptions& options);

}  // namespace larch::storage

#endif  // LARCH_STORAGE_SQLITE_DATABASE_H_
