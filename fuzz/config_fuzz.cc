// Feeds arbitrary bytes to the settings loader as YAML. Any input must give
// a Settings or a kInvalidArgument status, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "larch/config/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto settings = larch::config::ParseSettings(text, {});
  if (!settings.ok() && settings.status().code() != larch::StatusCode::kInvalidArgument) {
    std::abort();
  }
  // The same bytes as an environment value must be handled too.
  std::map<std::string, std::string> env{{"LARCH_WORKERS", std::string(text)},
                                         {"LARCH_FEATURES__ENABLE_OPENBADGES", std::string(text)}};
  auto from_env = larch::config::ParseSettings("", env);
  if (!from_env.ok() && from_env.status().code() != larch::StatusCode::kInvalidArgument) {
    std::abort();
  }
  return 0;
}
