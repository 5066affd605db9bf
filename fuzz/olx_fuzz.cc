// Feeds arbitrary OLX file sets to the course reader, and writes back what it
// reads. Input: NUL-separated segments "path\ncontent". Any input must give a
// Course or kInvalidArgument, never a crash; a Course that reads must export.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "larch/olx/olx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> files;
  while (!input.empty()) {
    size_t end = input.find('\0');
    std::string_view segment = input.substr(0, end);
    size_t newline = segment.find('\n');
    std::string path(segment.substr(0, newline));
    std::string content(newline == std::string_view::npos ? "" : segment.substr(newline + 1));
    files[path] = std::move(content);
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  auto course = larch::olx::ReadCourseFromFiles(files);
  if (!course.ok()) {
    if (course.status().code() != larch::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  // Export into a per-process scratch folder; a failure here must be a
  // Status, not a crash (static files do not exist on disk, none are copied).
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("larch-olx-fuzz-" + std::to_string(getpid()));
  larch::olx::WriteCourse(*course, dir).IgnoreError();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
