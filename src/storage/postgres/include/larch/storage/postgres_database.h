// PostgreSQL implementation of storage::Database (the scale-out backend).
//
// A pool of up to pool_size libpq connections, opened lazily (the first one
// at open time, so a wrong URL or a down server fails fast). Statements are
// written with `?` placeholders and rewritten to `$1..$n` once per
// connection, then PQprepare'd and cached on that connection. Parameters are
// sent as text except Blob (binary bytea); result columns are converted by
// type: integers and oid -> int64, float/numeric -> double, bool -> int64
// 0/1, bytea -> Blob, NULL -> nullptr, everything else -> text.
//
// Transactions run at PostgreSQL's default READ COMMITTED level: write
// read-modify-write steps as one UPDATE, or lock rows with a postgres_sql
// variant using FOR UPDATE. As on every PostgreSQL transaction, a statement
// that fails (even a unique violation) aborts the whole transaction: later
// statements in it fail, and Commit then rolls back and reports
// kFailedPrecondition. Use ON CONFLICT instead of catching kAlreadyExists
// when the transaction must go on.
//
// Error mapping (SQLSTATE): 23505 -> kAlreadyExists; other class 23 ->
// kFailedPrecondition; 40001/40P01/55P03 -> kAborted; class 08, 57P01..57P03
// and a broken connection -> kUnavailable (the pooled connection is
// dropped and reopened on next use); class 53 -> kResourceExhausted; 25006
// (write in read-only transaction) and 42P01 (missing table) ->
// kFailedPrecondition; class 22 -> kInvalidArgument; anything else kInternal.
//
// Thread safety: PostgresDatabase is thread-safe; each Transaction belongs to
// one thread and holds its pooled connection until committed or destroyed.
#ifndef LARCH_STORAGE_POSTGRES_DATABASE_H_
#define LARCH_STORAGE_POSTGRES_DATABASE_H_

#include <memory>
#include <string>
#include <string_view>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

// Accepts any libpq URI ("postgresql://..." or "postgres://..."). Returns
// kUnavailable when the server cannot be reached or refuses the login.
StatusOr<std::unique_ptr<Database>> OpenPostgresDatabase(const DatabaseOptions& options);

namespace internal {
// Rewrites `?` placeholders to `$1..$n`, leaving quoted strings, quoted
// identifiers and comments alone. Sets *count to the number of parameters.
std::string RewritePlaceholdersForTest(std::string_view sql, int* count);
}  // namespace internal

}  // namespace larch::storage

#endif  // LARCH_STORAGE_POSTGRES_DATABASE_H_
