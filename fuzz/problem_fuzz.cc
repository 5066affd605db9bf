// Feeds arbitrary bytes, as a course's problem XML, to the capa problem
// parser, then walks what it built (ids, max score, response lookup).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larch/capa/problem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<larch::capa::Problem> problem = larch::capa::ParseProblem(text, "p");
  if (!problem.ok()) return 0;
  (void)problem->MaxScore();
  for (const larch::capa::Response& response : problem->responses) {
    (void)problem->FindResponse(response.id);
  }
  return 0;
}
