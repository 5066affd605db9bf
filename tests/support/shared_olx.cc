#include "larch/testing/shared_olx.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace larch::testing {

std::filesystem::path SharedOlxDir() {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return std::filesystem::path(env != nullptr && *env != '\0' ? env : LARCH_SHARED_OLX);
}

std::string ReadSharedOlx(const std::string& relative) {
  std::ifstream file(SharedOlxDir() / relative, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace larch::testing
