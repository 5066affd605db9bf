// `larch import-users FILE`: bulk-loads users exported from Open edX.
//
// CSV (header row naming the columns: username, email, password, name,
// is_active, is_staff, is_superuser, date_joined, first_name, last_name; only
// username and email are required) or JSON (an array of objects with the same
// keys), chosen by the ".json" extension or a leading '['. `password` is a
// Django hash stored as is (empty -> unusable password). Rows are written
// 1000 per transaction; a row whose username or email (case-insensitive)
// already exists updates that user instead, so re-importing is idempotent.
// A bad row adds "line N: reason" (N = CSV line, or 1-based array index for
// JSON) and the rest still import.
//
// Thread safety: a free function; safe to call concurrently with other
// database users.
#ifndef LARCH_ACCOUNTS_IMPORT_USERS_H_
#define LARCH_ACCOUNTS_IMPORT_USERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::accounts {

struct ImportReport {
  int64_t imported = 0;  // new users
  int64_t updated = 0;   // existing users whose fields were rewritten
  int64_t skipped = 0;   // bad rows
  std::vector<std::string> errors;
};

// kNotFound when `path` cannot be read; kInvalidArgument when the file is
// not CSV with a username/email header nor a JSON array, or (error code
// "json_too_deep") when a JSON file nests deeper than larch::kMaxJsonDepth.
// Row problems are in the report, not the status.
StatusOr<ImportReport> ImportUsers(storage::Database& db, const Clock& clock,
                                   std::string_view path);
// The same over in-memory text (`json` selects the format).
StatusOr<ImportReport> ImportUsersFromText(storage::Database& db, const Clock& clock,
                                           std::string_view text, bool json);

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_IMPORT_USERS_H_
