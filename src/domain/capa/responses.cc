#include "larch/capa/responses.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "larch/capa/calc.h"
#include "larch/capa/tolerance.h"
#include "larch/common/strings.h"

namespace larch::capa {
namespace {

constexpr std::string_view kBadStaffAnswer =
    "There was a problem with the staff answer to this problem.";

// str(float): the shortest representation that reads back as the value.
std::string PythonStr(double x) {
  std::array<char, 64> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), x);
  return std::string(text.data(), result.ptr);
}

// partial_credit="a, b": the lowercased styles; empty when absent.
std::vector<std::string> CreditTypes(const Response& response) {
  std::vector<std::string> styles;
  const std::string attribute = response.node.attribute("partial_credit").value();
  if (attribute.empty()) return styles;
  for (std::string_view style : Split(attribute, ',')) {
    styles.push_back(AsciiLower(TrimAsciiWhitespace(style)));
  }
  return styles;
}

bool Has(const std::vector<std::string>& styles, std::string_view style) {
  return std::find(styles.begin(), styles.end(), style) != styles.end();
}

// get_staff_ans: Python's complex() first, then the evaluator.
StatusOr<Complex> StaffAnswer(const std::string& text) {
  StatusOr<Complex> value = Evaluate(text);
  if (!value.ok()) return FailedPreconditionError(std::string(kBadStaffAnswer));
  return *value;
}

// The evaluator's errors in numericalresponse's words.
Status StudentError(const Status& error, const std::string& answer) {
  const std::string& message = error.message();
  if (message.find("not permitted in answer as a") != std::string::npos) {
    return InvalidArgumentError("You may not use variables (" + message +
                                ") in numerical problems.");
  }
  if (message.find("factorial() not defined") != std::string::npos) {
    return InvalidArgumentError("factorial function evaluated outside its domain:'" + answer + "'");
  }
  if (message.find("Could not parse") != std::string::npos) {
    return InvalidArgumentError("Invalid math syntax: '" + answer + "'");
  }
  return InvalidArgumentError("Could not interpret '" + answer + "' as a number.");
}

StatusOr<bool> Close(Complex student, Complex staff, const std::string& tolerance) {
  return CompareWithTolerance(student, staff, tolerance);
}

StatusOr<Correctness> GradeRange(const Response& response, const std::string& answer,
                                 Complex student, const std::vector<std::string>& styles,
                                 double partial_range, const ScriptContext& context) {
  if (student.imag() != 0.0) {
    return InvalidArgumentError("You may not use complex numbers in range tolerance problems");
  }
  const std::vector<std::string> ends = SplitToStrings(answer.substr(1, answer.size() - 2), ',');
  if (ends.size() < 2) return FailedPreconditionError(std::string(kBadStaffAnswer));
  const bool inclusive[2] = {answer.front() == '[', answer.back() == ']'};
  double bounds[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    LARCH_ASSIGN_OR_RETURN(Complex bound, StaffAnswer(ContextualizeText(ends[i], context)));
    if (bound.imag() != 0.0) {
      return FailedPreconditionError(
          "There was a problem with the staff answer to this problem: complex boundary.");
    }
    if (std::isnan(bound.real())) {
      return FailedPreconditionError(
          "There was a problem with the staff answer to this problem: empty boundary.");
    }
    bounds[i] = bound.real();
    // A boundary hit within machine epsilon counts as its bracket says.
    const bool on_bound = CompareWithTolerance(student, bound, DBL_EPSILON, true);
    if (on_bound) return inclusive[i] ? Correctness::kCorrect : Correctness::kIncorrect;
  }
  const double x = student.real();
  if (bounds[0] < x && x < bounds[1]) return Correctness::kCorrect;
  if (Has(styles, "close")) {
    const double width = bounds[1] - bounds[0];
    if (bounds[0] - partial_range * width < x && x < bounds[1] + partial_range * width) {
      return Correctness::kPartiallyCorrect;
    }
  }
  (void)response;
  return Correctness::kIncorrect;
}

// The non-range case: within tolerance of the answer or an additional
// answer, or partial credit by "list" and "close".
StatusOr<Correctness> GradeWithTolerance(const Response& response, const std::string& staff,
                                         Complex student, const std::vector<std::string>& styles,
                                         double partial_range,
                                         const std::vector<std::string>& partial_answers,
                                         const ScriptContext& context, double& partial_score) {
  Correctness correctness = Correctness::kIncorrect;
  std::string tolerance(kDefaultTolerance);
  if (pugi::xpath_node found = response.node.select_node(".//responseparam[@type='tolerance']")) {
    tolerance = ContextualizeText(found.node().attribute("default").value(), context);
  }
  LARCH_ASSIGN_OR_RETURN(Complex correct, StaffAnswer(staff));
  std::string expanded;
  if (!tolerance.empty() && tolerance.back() == '%') {
    expanded = std::to_string(partial_range * std::strtod(tolerance.c_str(), nullptr)) + "%";
  } else {
    expanded = std::to_string(partial_range * std::strtod(tolerance.c_str(), nullptr));
  }
  LARCH_ASSIGN_OR_RETURN(bool exact, Close(student, correct, tolerance));
  bool additional = false;
  for (pugi::xml_node extra : response.node.children("additional_answer")) {
    LARCH_ASSIGN_OR_RETURN(
        Complex value, StaffAnswer(ContextualizeText(extra.attribute("answer").value(), context)));
    LARCH_ASSIGN_OR_RETURN(bool hit, Close(student, value, tolerance));
    additional = additional || hit;
  }
  if (exact || additional) {
    correctness = Correctness::kCorrect;
  } else if (Has(styles, "list")) {
    for (const std::string& text : partial_answers) {
      LARCH_ASSIGN_OR_RETURN(Complex value, StaffAnswer(text));
      LARCH_ASSIGN_OR_RETURN(bool listed, Close(student, value, tolerance));
      if (listed) {
        correctness = Correctness::kPartiallyCorrect;
        break;
      }
      if (!Has(styles, "close")) continue;
      LARCH_ASSIGN_OR_RETURN(bool near_correct, Close(student, correct, expanded));
      if (near_correct) {
        correctness = Correctness::kPartiallyCorrect;
        break;
      }
      LARCH_ASSIGN_OR_RETURN(bool near_listed, Close(student, value, expanded));
      if (near_listed) {
        correctness = Correctness::kPartiallyCorrect;
        partial_score *= partial_score;
        break;
      }
    }
  } else if (Has(styles, "close")) {
    LARCH_ASSIGN_OR_RETURN(bool near, Close(student, correct, expanded));
    if (near) correctness = Correctness::kPartiallyCorrect;
  }
  return correctness;
}

}  // namespace

std::string_view CorrectnessName(Correctness correctness) {
  switch (correctness) {
    case Correctness::kCorrect:
      return "correct";
    case Correctness::kPartiallyCorrect:
      return "partially-correct";
    case Correctness::kIncorrect:
      return "incorrect";
  }
  return "incorrect";
}

double InputGrade::Points() const {
  if (npoints.has_value()) return *npoints;
  return correctness == Correctness::kIncorrect ? 0.0 : 1.0;
}

std::string ContextualizeText(std::string_view text, const ScriptContext& context) {
  std::vector<const std::pair<const std::string, std::string>*> keys;
  for (const auto& entry : context) keys.push_back(&entry);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto* a, const auto* b) { return a->first.size() > b->first.size(); });
  std::string out(text);
  for (const auto* entry : keys) {
    const std::string key = "$" + entry->first;
    for (std::size_t at = out.find(key); at != std::string::npos;
         at = out.find(key, at + entry->second.size())) {
      out.replace(at, key.size(), entry->second);
    }
  }
  return out;
}

StatusOr<InputGrade> GradeNumerical(const Response& response,
                                    const std::optional<std::string>& answer,
                                    const ScriptContext& context) {
  if (response.inputs.empty()) return FailedPreconditionError("numericalresponse has no input");
  InputGrade grade{response.inputs.front().id, Correctness::kIncorrect, std::nullopt, ""};
  if (!answer.has_value()) return grade;
  const std::vector<std::string> styles = CreditTypes(response);
  for (const std::string& style : styles) {
    if (style != "list" && style != "close") {
      return FailedPreconditionError("partial_credit attribute should be one of: list,close");
    }
  }
  StatusOr<Complex> student = Evaluate(*answer);
  if (!student.ok()) return StudentError(student.status(), *answer);

  double partial_range = 2;
  std::vector<std::string> partial_answers;
  for (pugi::xml_node param : response.node.children("responseparam")) {
    if (pugi::xml_attribute range = param.attribute("partial_range")) {
      partial_range = std::strtod(range.value(), nullptr);
    }
    if (pugi::xml_attribute list = param.attribute("partial_answers");
        list && partial_answers.empty()) {
      for (std::string_view value : Split(list.value(), ','))
        partial_answers.emplace_back(TrimAsciiWhitespace(value));
    }
  }
  const std::string staff = ContextualizeText(response.node.attribute("answer").value(), context);
  double partial_score = 0.5;
  if (!staff.empty() && (staff.front() == '[' || staff.front() == '(') &&
      (staff.back() == ']' || staff.back() == ')')) {
    LARCH_ASSIGN_OR_RETURN(grade.correctness,
                           GradeRange(response, staff, *student, styles, partial_range, context));
  } else {
    LARCH_ASSIGN_OR_RETURN(grade.correctness,
                           GradeWithTolerance(response, staff, *student, styles, partial_range,
                                              partial_answers, context, partial_score));
  }
  if (grade.correctness == Correctness::kPartiallyCorrect) grade.npoints = partial_score;
  return grade;
}

}  // namespace larch::capa
