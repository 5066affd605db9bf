// Feeds arbitrary bytes, as a course's problem XML, to the learner's view of
// a problem: the HTML renderer (with every input answered by the input
// itself and marked in the correct map) and the answers problem_show
// reveals.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/capa/problem.h"
#include "larch/problems/problem_view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<larch::capa::Problem> problem = larch::capa::ParseProblem(text, "p");
  if (!problem.ok()) return 0;
  larch::problems::ViewState state;
  for (const larch::capa::Response& response : problem->responses) {
    for (const larch::capa::Input& input : response.inputs) {
      state.student_answers[input.id] = std::string(text.substr(0, 64));
      state.correct_map[input.id] = {{"correctness", "correct"}, {"msg", "m"}};
    }
  }
  (void)larch::problems::RenderProblemHtml(*problem, state);
  (void)larch::problems::ShownAnswers(*problem, {});
  return 0;
}
