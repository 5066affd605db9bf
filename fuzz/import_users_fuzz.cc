// Feeds arbitrary bytes to `larch import-users` as CSV and as JSON, against
// one migrated in-memory database. Bad rows must be reported, never crash,
// and a malformed document must fail with kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "larch/accounts/import_users.h"
#include "larch/common/clock.h"
#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"

namespace {

larch::storage::Database* Db() {
  static larch::storage::Database* const kDb = [] {
    larch::storage::DatabaseOptions options;
    options.url = "sqlite::memory:";
    auto db = larch::storage::OpenDatabase(options);
    if (!db.ok()) std::abort();
    static larch::FakeClock clock;
    auto migrated = larch::storage::Migrate(
        **db, larch::storage::BuiltinMigrations(larch::storage::Backend::kSqlite), clock);
    if (!migrated.ok()) std::abort();
    return std::move(db).value().release();
  }();
  return kDb;
}

void Check(const larch::StatusOr<larch::accounts::ImportReport>& report) {
  if (!report.ok() && report.status().code() != larch::StatusCode::kInvalidArgument) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static larch::FakeClock clock;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Check(larch::accounts::ImportUsersFromText(*Db(), clock, text, /*json=*/false));
  Check(larch::accounts::ImportUsersFromText(*Db(), clock, text, /*json=*/true));
  return 0;
}
