// The choice-like response types: optionresponse, multiplechoiceresponse,
// truefalseresponse and choiceresponse (responsetypes.py).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "larch/capa/responses.h"
#include "larch/common/strings.h"

namespace larch::capa {
namespace {

std::vector<pugi::xml_node> Choices(const Response& response) {
  std::vector<pugi::xml_node> out;
  for (const pugi::xpath_node& found : response.node.select_nodes(".//choice")) {
    out.push_back(found.node());
  }
  return out;
}

const std::vector<std::string>* AnswerOf(const Answers& answers, const std::string& id) {
  const auto it = answers.find(id);
  return it == answers.end() ? nullptr : &it->second;
}

std::string Trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\n\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\n\r") - begin + 1);
}

// round_away_from_zero(x, 2), as grade_utils has it.
double RoundHundredths(double x) {
  return x >= 0 ? std::floor(x * 100 + 0.5) / 100 : std::ceil(x * 100 - 0.5) / 100;
}

// optionresponse: each dropdown against its `correct` (or the <option
// correct="True"> child's text).
std::vector<InputGrade> GradeOptions(const Response& response, const Answers& answers,
                                     const ScriptContext& context) {
  std::vector<InputGrade> grades;
  for (const Input& input : response.inputs) {
    std::string correct = input.node.attribute("correct").value();
    if (!input.node.attribute("correct")) {
      for (pugi::xml_node option : input.node.children("option")) {
        if (AsciiLower(option.attribute("correct").value()) == "true") {
          correct = Trim(option.first_child().value());
        }
      }
    }
    correct = ContextualizeText(correct, context);
    const std::vector<std::string>* answer = AnswerOf(answers, input.id);
    const bool right = answer != nullptr && answer->size() == 1 && answer->front() == correct;
    grades.push_back({input.id, right ? Correctness::kCorrect : Correctness::kIncorrect, {}, ""});
  }
  return grades;
}

StatusOr<InputGrade> GradeMultipleChoice(const Response& response, const Answers& answers) {
  const Input& input = response.inputs.front();
  InputGrade grade{input.id, Correctness::kIncorrect, {}, ""};
  const std::vector<std::string> names = ChoiceNames(response);
  const std::vector<pugi::xml_node> choices = Choices(response);
  const std::vector<std::string>* answer = AnswerOf(answers, input.id);
  if (answer == nullptr) return grade;
  const bool points = std::string(response.node.attribute("partial_credit").value()) == "points";
  std::set<std::string> correct;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (std::string(choices[i].attribute("correct").value()) == "true") correct.insert(names[i]);
  }
  if (response.tag == "truefalseresponse") {
    const std::set<std::string> given(answer->begin(), answer->end());
    if (given == correct) grade.correctness = Correctness::kCorrect;
    return grade;
  }
  if (answer->size() != 1) return grade;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (names[i] != answer->front()) continue;
    const std::string value = choices[i].attribute("correct").value();
    if (value == "true") {
      grade.correctness = Correctness::kCorrect;
    } else if (points && value == "partial") {
      const char* point_value = choices[i].attribute("point_value").as_string("0.5");
      grade.correctness = Correctness::kPartiallyCorrect;
      grade.npoints = std::strtod(point_value, nullptr);
    }
  }
  return grade;
}

// choiceresponse: exact set, or EDC / halves partial credit.
StatusOr<InputGrade> GradeCheckboxes(const Response& response, const Answers& answers) {
  const Input& input = response.inputs.front();
  InputGrade grade{input.id, Correctness::kIncorrect, {}, ""};
  const std::string credit = AsciiLower(Trim(response.node.attribute("partial_credit").value()));
  if (!credit.empty() && credit != "edc" && credit != "halves") {
    return FailedPreconditionError(credit.find(',') != std::string::npos
                                       ? "Only one type of partial credit is allowed for "
                                         "Checkbox problems."
                                       : "partial_credit attribute should be one of: edc,halves");
  }
  const std::vector<std::string> names = ChoiceNames(response);
  const std::vector<pugi::xml_node> choices = Choices(response);
  std::set<std::string> correct;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (std::string(choices[i].attribute("correct").value()) == "true") correct.insert(names[i]);
  }
  const std::vector<std::string>* answer = AnswerOf(answers, input.id);
  if (answer == nullptr || answer->empty()) return grade;
  const std::set<std::string> selected(answer->begin(), answer->end());
  int errors = 0;  // Wrongly checked plus wrongly left unchecked.
  for (const std::string& name : names) {
    if ((selected.count(name) != 0) != (correct.count(name) != 0)) ++errors;
  }
  const auto n = static_cast<int>(names.size());
  const double max = input.points;
  if (errors == 0) {
    grade.correctness = Correctness::kCorrect;
    if (!credit.empty()) grade.npoints = max;
  } else if (credit == "edc" && n > 0) {
    const double earned = RoundHundredths(max * (n - errors) / n);
    grade.correctness = earned > 0 ? Correctness::kPartiallyCorrect : Correctness::kIncorrect;
    grade.npoints = earned;
  } else if (credit == "halves" && ((errors == 1 && n > 2) || (errors == 2 && n > 4))) {
    grade.correctness = Correctness::kPartiallyCorrect;
    grade.npoints = RoundHundredths(errors == 1 ? max / 2 : max / 4);
  } else if (!credit.empty()) {
    grade.npoints = 0.0;
  }
  return grade;
}

}  // namespace

std::vector<std::string> ChoiceNames(const Response& response) {
  std::vector<std::string> names;
  int unnamed = 0;
  const std::vector<pugi::xml_node> choices = Choices(response);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (response.tag == "choiceresponse") {
      names.push_back("choice_" + std::to_string(i));
    } else if (const char* name = choices[i].attribute("name").value(); *name != '\0') {
      names.push_back(std::string("choice_") + name);
    } else {
      names.push_back("choice_" + std::to_string(unnamed++));
    }
  }
  return names;
}

StatusOr<std::vector<InputGrade>> GradeResponse(const Response& response, const Answers& answers,
                                                const ScriptContext& context) {
  const auto single = [&](const std::string& id) -> std::optional<std::string> {
    const std::vector<std::string>* answer = AnswerOf(answers, id);
    if (answer == nullptr || answer->empty()) return std::nullopt;
    return answer->front();
  };
  if (response.tag == "optionresponse") return GradeOptions(response, answers, context);
  if (response.tag == "imageresponse") return GradeImage(response, answers);
  if (response.inputs.empty()) {
    return FailedPreconditionError("LoncapaProblem Response " + response.tag + " has no input");
  }
  if (response.tag == "numericalresponse") {
    LARCH_ASSIGN_OR_RETURN(InputGrade grade,
                           GradeNumerical(response, single(response.inputs.front().id), context));
    return std::vector<InputGrade>{grade};
  }
  if (response.tag == "formularesponse") {
    LARCH_ASSIGN_OR_RETURN(InputGrade grade,
                           GradeFormula(response, single(response.inputs.front().id), context));
    return std::vector<InputGrade>{grade};
  }
  if (response.tag == "stringresponse") {
    LARCH_ASSIGN_OR_RETURN(InputGrade grade,
                           GradeString(response, single(response.inputs.front().id), context));
    return std::vector<InputGrade>{grade};
  }
  if (response.tag == "multiplechoiceresponse" || response.tag == "truefalseresponse") {
    LARCH_ASSIGN_OR_RETURN(InputGrade grade, GradeMultipleChoice(response, answers));
    return std::vector<InputGrade>{grade};
  }
  if (response.tag == "choiceresponse") {
    LARCH_ASSIGN_OR_RETURN(InputGrade grade, GradeCheckboxes(response, answers));
    return std::vector<InputGrade>{grade};
  }
  return UnimplementedError(response.tag + " is not graded by Larch yet");
}

}  // namespace larch::capa
