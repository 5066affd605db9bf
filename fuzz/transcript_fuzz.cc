// Feeds arbitrary bytes to the transcript readers (.srt and .srt.sjson
// files come from course exports). The output never grows past the input
// plus one separator per line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larch/courses/courses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string srt = larch::courses::TranscriptText(input, larch::courses::TranscriptFormat::kSrt);
  if (srt.size() > 2 * size + 1) __builtin_trap();
  larch::courses::TranscriptText(input, larch::courses::TranscriptFormat::kSjson);
  larch::courses::SjsonToSrt(input);
  return 0;
}
