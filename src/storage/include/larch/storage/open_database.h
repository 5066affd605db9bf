// Factory choosing a storage backend from a database URL.
//
// Thread safety: OpenDatabase may be called from any thread.
#ifndef LARCH_STORAGE_OPEN_DATABASE_H_
#define LARCH_STORAGE_OPEN_DATABASE_H_

#include <memory>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

// Returns kInvalidArgument for an unknown scheme, kUnavailable when the
// server cannot be reached, kDataLoss when an SQLite file is not a database,
// kNotFound when options.must_exist and the SQLite file is missing.
StatusOr<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options);

}  // namespace larch::storage

#endif  // LARCH_STORAGE_OPEN_DATABASE_H_
