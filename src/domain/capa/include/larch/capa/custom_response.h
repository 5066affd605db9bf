// The Python side of a capa problem (olx_format.md 9.2 and the
// customresponse row of 9.4; edx-platform capa_problem._extract_context and
// responsetypes.CustomResponse): the problem's <script> run once per learner
// and seed, and customresponse graded by a `cfn` check function or by
// <answer type="loncapa/python"> code. All Python goes through a
// PythonRunner (the sandbox); capa only builds the code and reads the
// globals back.
//
// Every run starts with a prolog like capa's safe_exec: `random` is a
// random.Random seeded with the problem seed (also in sys.modules), and
// `math` is imported. Open edX's sandbox also offers numpy, scipy and its
// own helper packages (draganddrop, chem, eia); those are not installed here,
// so code using them fails with NameError or ImportError (kInvalidArgument).
//
// Thread safety: pure functions; the runner must allow concurrent calls.
#ifndef LARCH_CAPA_CUSTOM_RESPONSE_H_
#define LARCH_CAPA_CUSTOM_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/capa/problem.h"
#include "larch/capa/python_runner.h"
#include "larch/capa/responses.h"
#include "larch/common/status.h"

namespace larch::capa {

// What a problem's script left for its responses, per learner and seed.
struct ProblemContext {
  std::int64_t seed = 1;
  // The JSON-serialisable globals: seed, anonymous_student_id and whatever
  // the script defined that survives JSON (functions do not; a cfn is
  // re-run from script_code).
  nlohmann::json globals = nlohmann::json::object();
  // str() of each of those globals, for $name substitution.
  ScriptContext variables;
  std::string script_code;     // The problem's concatenated Python scripts.
  std::string python_lib_zip;  // The course's python_lib.zip, or empty.
};

// Runs problem.python_script once with {seed, anonymous_student_id} (nothing
// runs when the problem has no script). A script that raises is
// kFailedPrecondition "Error while executing script code: ..." (upstream's
// LoncapaProblemError); the runner's limits keep their codes
// (kDeadlineExceeded, kResourceExhausted, kUnavailable).
StatusOr<ProblemContext> RunProblemScript(const Problem& problem, PythonRunner& runner,
                                          std::int64_t seed, std::string_view anonymous_student_id,
                                          std::string python_lib_zip = {});

struct CustomGrade {
  std::vector<InputGrade> inputs;  // In input order, npoints always set.
  std::string overall_message;
};

// customresponse (and its <answer> or cfn): a single empty input is
// incorrect without running anything ("No answer entered!" only with
// empty_answer_err). An input with no answer at all is kInvalidArgument, as
// upstream raises. An exception in the check code is kInvalidArgument with
// its message (upstream shows it as a ResponseError); a check function that
// returns a dict with neither "ok" nor "input_list" is kFailedPrecondition.
// Each input scores points x grade_decimal when the code gave decimals, else
// points for correct, half for partially-correct, 0 otherwise.
StatusOr<CustomGrade> GradeCustom(const Response& response, const Answers& answers,
                                  const ProblemContext& context, PythonRunner& runner);

}  // namespace larch::capa

#endif  // LARCH_CAPA_CUSTOM_RESPONSE_H_
