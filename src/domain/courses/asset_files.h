// Private to courses: writing course assets from the blob store to files.
#ifndef LARCH_DOMAIN_COURSES_ASSET_FILES_H_
#define LARCH_DOMAIN_COURSES_ASSET_FILES_H_

#include <filesystem>
#include <vector>

#include "larch/courses/courses.h"

namespace larch::courses {

// Writes each asset's blob to `dir`/<path> (folders created). kNotFound
// for an asset without a blob (imported before the file store), kInvalidArgument
// for a path leaving `dir`, kUnavailable when a file cannot be written.
Status WriteAssetFiles(storage::Database& db, const std::vector<CourseAsset>& assets,
                       const std::filesystem::path& dir);

}  // namespace larch::courses

#endif  // LARCH_DOMAIN_COURSES_ASSET_FILES_H_
