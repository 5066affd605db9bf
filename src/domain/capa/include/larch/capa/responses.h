// Grading one response of a capa problem against a learner's answers, as
// the response types of edx-platform xmodule/capa/responsetypes.py do
// (olx_format.md section 9.4 holds the rules).
//
// A grade is a correct map entry per input: correct, partially-correct or
// incorrect, with npoints where the response sets them (partial credit). An
// answer the learner must fix before it can be graded (upstream's
// StudentInputError: bad math syntax, variables in a numerical answer, ...)
// is kInvalidArgument with the message the problem shows; an error in the
// problem itself (a bad staff answer, an unknown partial_credit style) is
// kFailedPrecondition.
//
// Thread safety: pure functions over an immutable Problem.
#ifndef LARCH_CAPA_RESPONSES_H_
#define LARCH_CAPA_RESPONSES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/capa/problem.h"
#include "larch/common/status.h"

namespace larch::capa {

enum class Correctness { kCorrect, kPartiallyCorrect, kIncorrect };

// "correct", "partially-correct", "incorrect", as the correct map stores it.
std::string_view CorrectnessName(Correctness correctness);

struct InputGrade {
  std::string input_id;
  Correctness correctness = Correctness::kIncorrect;
  std::optional<double> npoints;  // Set by partial credit.
  std::string message;

  // CorrectMap.get_npoints: npoints when set, else 1 for correct or
  // partially-correct, else 0 (the quirk of olx_format.md 10.1).
  double Points() const;
};

// The script variables ($name) to substitute into staff answers and
// tolerances: contextualize_text, longest name first, plain replacement.
using ScriptContext = std::map<std::string, std::string>;
std::string ContextualizeText(std::string_view text, const ScriptContext& context);

// numericalresponse: the answer of its single input (absent: incorrect).
StatusOr<InputGrade> GradeNumerical(const Response& response,
                                    const std::optional<std::string>& answer,
                                    const ScriptContext& context = {});

// stringresponse: membership (case-insensitive with type="ci"), the legacy
// "_or_" form, or type="regexp" through PCRE2 (kFailedPrecondition for a
// pattern that does not compile or runs past its match limit).
StatusOr<InputGrade> GradeString(const Response& response, const std::optional<std::string>& answer,
                                 const ScriptContext& context = {});

// formularesponse: both expressions at `samples` points ("x,y@1,2:3,4#10"),
// every pair within the tolerance. A learner formula that does not evaluate
// is kInvalidArgument in upstream's words; bad samples kFailedPrecondition.
StatusOr<InputGrade> GradeFormula(const Response& response,
                                  const std::optional<std::string>& answer,
                                  const ScriptContext& context = {});

// The learner's answers by input id: one string, or the selected choice
// names of a checkbox group (input_<id>[] in the POST).
using Answers = std::map<std::string, std::vector<std::string>>;

// The choice names capa assigns. multiplechoice/truefalse: "choice_<name>"
// for a named choice, else "choice_<i>" with i counting the unnamed ones;
// choiceresponse (checkboxes): "choice_<index>" over all choices, any name
// overwritten.
std::vector<std::string> ChoiceNames(const Response& response);

// imageresponse: each input's "[x,y]" click inside one of its rectangles
// (inclusive) or strictly inside the convex hull of one of its regions.
StatusOr<std::vector<InputGrade>> GradeImage(const Response& response, const Answers& answers);

struct ProblemContext;  // larch/capa/custom_response.h
class PythonRunner;     // larch/capa/python_runner.h

// Grades any response type implemented so far: numericalresponse,
// imageresponse, formularesponse, stringresponse, optionresponse, multiplechoiceresponse,
// truefalseresponse and choiceresponse (with EDC and halves partial credit). Other types are
// kUnimplemented, named. One grade per input, in input order.
StatusOr<std::vector<InputGrade>> GradeResponse(const Response& response, const Answers& answers,
                                                const ScriptContext& context = {});

// The same with the problem's script context, and customresponse graded
// through `runner` (GradeCustom; its overall message is dropped here). With a
// null runner customresponse is kUnimplemented as above.
StatusOr<std::vector<InputGrade>> GradeResponse(const Response& response, const Answers& answers,
                                                const ProblemContext& context,
                                                PythonRunner* runner);

}  // namespace larch::capa

#endif  // LARCH_CAPA_RESPONSES_H_
