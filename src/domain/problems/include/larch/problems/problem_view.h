// What a learner sees of a capa problem: the problem XML turned into the HTML
// the unit page shows (inputs filled with the learner's answers, each with
// its correctness when it may be shown), and the answers "Show answer"
// reveals. Follows capa_problem.get_html and the input templates of
// xmodule/capa/inputtypes.py in structure (element ids input_<id>,
// status_<id>, solution_<id>), not byte for byte: the page's own script reads
// this HTML (docs/formats/capa.md says where it differs).
//
// Thread safety: pure functions over an immutable Problem.
#ifndef LARCH_PROBLEMS_PROBLEM_VIEW_H_
#define LARCH_PROBLEMS_PROBLEM_VIEW_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/capa/problem.h"
#include "larch/capa/responses.h"
#include "larch/common/status.h"

namespace larch::problems {

struct ViewState {
  // capa's student_answers: input id -> string or list of strings.
  nlohmann::json student_answers = nlohmann::json::object();
  // capa's correct_map: input id -> {"correctness", "npoints", "msg", ...}.
  nlohmann::json correct_map = nlohmann::json::object();
  // Whether correctness, messages and the score may be shown.
  bool show_correctness = true;
};

// The problem body as HTML. Scripts, graders and hints are left out;
// solutions become empty placeholders (filled by problem_show).
std::string RenderProblemHtml(const capa::Problem& problem, const ViewState& state);

// get_question_answers: input id -> the answer to show (a string, or a list
// of choice names for choice responses), and each solution id -> its HTML.
// Errors come from `$variables` that do not resolve (kFailedPrecondition).
StatusOr<nlohmann::json> ShownAnswers(const capa::Problem& problem,
                                      const capa::ScriptContext& context);

// "input_<id>" / "input_<id>[]" / "input_<id>{}" form fields as capa's
// make_dict_of_responses reads them, as the JSON object student_answers
// keeps: the prefix up to the first '_' is dropped, "[]" names collect every
// value into a list, "{}" values are JSON, any other name keeps its last
// value. kInvalidArgument for a field without '_', a "{}" value that is not
// JSON, or two fields that name the same input.
StatusOr<nlohmann::json> AnswersFromForm(
    const std::vector<std::pair<std::string, std::string>>& fields);

// student_answers as the graders take them: strings and lists of strings
// (other values are left out).
capa::Answers ToCapaAnswers(const nlohmann::json& student_answers);

}  // namespace larch::problems

#endif  // LARCH_PROBLEMS_PROBLEM_VIEW_H_
