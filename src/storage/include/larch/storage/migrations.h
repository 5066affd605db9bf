// Versioned schema migrations, one ordered list of SQL files per backend
// (src/storage/migrations/<backend>/NNNN_name.sql, embedded in the binary).
//
// Each migration runs in its own transaction together with the row that
// records it in `larch_schema_migrations`, so a crash leaves the schema at a
// whole version. A database whose recorded version is newer than this binary
// knows is refused (kFailedPrecondition): an old binary must not write to a
// schema it does not understand.
//
// Thread safety: functions are thread-safe; running Migrate concurrently
// against one database is serialized by the database's write lock.
#ifndef LARCH_STORAGE_MIGRATIONS_H_
#define LARCH_STORAGE_MIGRATIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

struct Migration {
  int64_t version;
  std::string name;
  std::string sql;
};

// The migrations compiled into this binary, in version order.
const std::vector<Migration>& BuiltinMigrations(Backend backend);

struct SchemaState {
  int64_t current_version = 0;  // 0 = empty database
  int64_t latest_known = 0;     // highest version this binary has
  std::vector<int64_t> pending;
};

// Reads the recorded version. Returns kFailedPrecondition when the database
// is newer than `migrations`.
StatusOr<SchemaState> ReadSchemaState(Database& db, const std::vector<Migration>& migrations);

// Applies every pending migration in order and returns how many ran.
StatusOr<int> Migrate(Database& db, const std::vector<Migration>& migrations, const Clock& clock);

}  // namespace larch::storage

#endif  // LARCH_STORAGE_MIGRATIONS_H_
