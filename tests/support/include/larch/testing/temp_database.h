// Test databases: a fresh temporary directory, and a database opened from a
// URL and migrated to the built-in schema. Unit-test fixtures use these
// instead of their own mkdtemp + OpenDatabase + Migrate (the storage
// conformance suites use tests/storage_conformance/backend_fixture.h, which
// also covers PostgreSQL).
//
// Thread safety: pure functions; the database is as storage::Database.
#ifndef LARCH_TESTING_TEMP_DATABASE_H_
#define LARCH_TESTING_TEMP_DATABASE_H_

#include <memory>
#include <string>
#include <string_view>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::testing {

// Creates <temp dir>/<prefix>-XXXXXX and returns its path; the caller removes
// it. kInternal when it cannot be created.
StatusOr<std::string> MakeTempDir(std::string_view prefix);

// Opens `url` ("sqlite::memory:", "sqlite:///path/larch.db", ...) and applies
// every built-in migration, stamped with `clock`.
StatusOr<std::unique_ptr<storage::Database>> OpenMigratedDatabase(const std::string& url,
                                                                  const Clock& clock);

// OpenMigratedDatabase on <dir>/larch.db.
inline StatusOr<std::unique_ptr<storage::Database>> OpenMigratedSqlite(const std::string& dir,
                                                                       const Clock& clock) {
  return OpenMigratedDatabase("sqlite://" + dir + "/larch.db", clock);
}

}  // namespace larch::testing

#endif  // LARCH_TESTING_TEMP_DATABASE_H_
