// Feeds arbitrary bytes, as a course's problem XML, to the capa problem
// parser, then walks what it built (ids, max score, response lookup) and
// grades every response with a few answers (numbers, choice names, the
// input itself), so staff answers, tolerances and patterns are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larch/capa/problem.h"
#include "larch/capa/responses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<larch::capa::Problem> problem = larch::capa::ParseProblem(text, "p");
  if (!problem.ok()) return 0;
  (void)problem->MaxScore();
  for (const larch::capa::Response& response : problem->responses) {
    (void)problem->FindResponse(response.id);
    for (const char* answer : {"1", "choice_0", "x^2"}) {
      larch::capa::Answers answers;
      for (const larch::capa::Input& input : response.inputs) answers[input.id] = {answer};
      (void)larch::capa::GradeResponse(response, answers);
    }
    larch::capa::Answers own;
    for (const larch::capa::Input& input : response.inputs) own[input.id] = {std::string(text)};
    (void)larch::capa::GradeResponse(response, own);
  }
  return 0;
}
