// Feeds arbitrary bytes, as the urlencoded body of an xmodule_handler POST,
// through what problem_check does with it: the form fields as
// make_dict_of_responses reads them, the graders of a problem with one
// response of each kind, and the re-rendered problem.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larch/capa/problem.h"
#include "larch/capa/responses.h"
#include "larch/http/url.h"
#include "larch/problems/problem_view.h"

namespace {

constexpr char kProblem[] = R"xml(<problem>
  <numericalresponse answer="3.14"><responseparam type="tolerance" default="1%"/><textline/></numericalresponse>
  <formularesponse answer="x^2" samples="x@1:3#3"><formulaequationinput/></formularesponse>
  <stringresponse answer="a.*b" type="regexp ci"><textline/></stringresponse>
  <multiplechoiceresponse><choicegroup><choice correct="true">A</choice><choice correct="false">B</choice></choicegroup></multiplechoiceresponse>
  <choiceresponse partial_credit="edc"><checkboxgroup><choice correct="true">A</choice><choice correct="false">B</choice></checkboxgroup></choiceresponse>
  <optionresponse><optioninput options="('x','y')" correct="x"/></optionresponse>
  <imageresponse><imageinput src="i.png" width="10" height="10" rectangle="(1,1)-(5,5)"/></imageresponse>
</problem>)xml";

const larch::capa::Problem& Problem() {
  static const larch::capa::Problem* problem =
      new larch::capa::Problem(*larch::capa::ParseProblem(kProblem, "p"));
  return *problem;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<nlohmann::json> answers =
      larch::problems::AnswersFromForm(larch::http::ParseQueryString(body));
  if (!answers.ok()) return 0;
  larch::capa::Answers given = larch::problems::ToCapaAnswers(*answers);
  for (const larch::capa::Response& response : Problem().responses) {
    (void)larch::capa::GradeResponse(response, given);
  }
  larch::problems::ViewState state;
  state.student_answers = *answers;
  (void)larch::problems::RenderProblemHtml(Problem(), state);
  return 0;
}
