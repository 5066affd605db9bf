#include "larch/testing/temp_database.h"

#include <stdlib.h>

#include <filesystem>
#include <utility>

#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"

namespace larch::testing {

StatusOr<std::string> MakeTempDir(std::string_view prefix) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) return InternalError("no temporary directory: " + ec.message());
  std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) return InternalError("mkdtemp failed for " + tmpl);
  return tmpl;
}

StatusOr<std::unique_ptr<storage::Database>> OpenMigratedDatabase(const std::string& url,
                                                                  const Clock& clock) {
  storage::DatabaseOptions options;
  options.url = url;
  LARCH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::OpenDatabase(options));
  LARCH_RETURN_IF_ERROR(
      storage::Migrate(*db, storage::BuiltinMigrations(db->backend()), clock).status());
  return db;
}

}  // namespace larch::testing
