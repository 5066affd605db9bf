// The real courses of shared/olx that tests read: where they are and the
// text of one file.
//
// Thread safety: pure functions.
#ifndef LARCH_TESTING_SHARED_OLX_H_
#define LARCH_TESTING_SHARED_OLX_H_

#include <filesystem>
#include <string>

namespace larch::testing {

// $LARCH_SHARED_OLX when set and not empty, else the folder CMake found
// beside the repository (the LARCH_SHARED_OLX cache variable).
std::filesystem::path SharedOlxDir();

// The whole file SharedOlxDir()/relative; "" when it cannot be read.
std::string ReadSharedOlx(const std::string& relative);

}  // namespace larch::testing

#endif  // LARCH_TESTING_SHARED_OLX_H_
