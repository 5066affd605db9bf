#include "larch/storage/open_database.h"

#include <string_view>

#include "larch/storage/postgres_database.h"
#include "larch/storage/sqlite_database.h"

namespace larch::storage {

StatusOr<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with("sqlite:")) return OpenSqliteDatabase(options);
  if (url.starts_with("postgresql:") || url.starts_with("postgres:")) {
    return OpenPostgresDatabase(options);
  }
  // The URL may carry a password, so only the scheme is echoed.
  std::string_view scheme = url.substr(0, url.find(':'));
  return InvalidArgumentError("unsupported database URL scheme '" + std::string(scheme) +
                              "' (want sqlite: or postgresql:)");
}

}  // namespace larch::storage
