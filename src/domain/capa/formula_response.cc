// formularesponse (responsetypes.py FormulaResponse): the learner's and the
// staff's expressions evaluated at the same random points of the sample
// ranges, each pair compared within the tolerance.
#include <random>
#include <string>
#include <vector>

#include "larch/capa/calc.h"
#include "larch/capa/responses.h"
#include "larch/capa/tolerance.h"
#include "larch/common/strings.h"

namespace larch::capa {
namespace {

constexpr int kMaxSamples = 1000;

struct Samples {
  std::vector<std::string> variables;
  std::vector<double> low, high;
  int count = 0;
};

// "x,y@1,2:3,4#10": variables, lower bounds, upper bounds, number of points.
StatusOr<Samples> ParseSamples(const std::string& text) {
  Status bad = FailedPreconditionError("formularesponse: samples '" + text +
                                       "' are not of the form vars@low:high#count");
  const std::vector<std::string> at = SplitToStrings(text, '@');
  if (at.size() != 2) return bad;
  const std::vector<std::string> hash = SplitToStrings(at[1], '#');
  const std::vector<std::string> bounds =
      hash.size() == 2 ? SplitToStrings(hash[0], ':') : std::vector<std::string>{};
  if (bounds.size() != 2) return bad;
  Samples samples;
  samples.variables = SplitToStrings(at[0], ',');
  const std::vector<std::string> low = SplitToStrings(bounds[0], ','),
                                 high = SplitToStrings(bounds[1], ',');
  if (low.size() != samples.variables.size() || high.size() != low.size()) return bad;
  for (std::size_t i = 0; i < low.size(); ++i) {
    StatusOr<Complex> lo = Evaluate(low[i]), hi = Evaluate(high[i]);
    if (!lo.ok() || !hi.ok()) return bad;
    samples.low.push_back(lo->real());
    samples.high.push_back(hi->real());
  }
  char* end = nullptr;
  const long count = std::strtol(hash[1].c_str(), &end, 10);
  if (*end != '\0' || count < 1 || count > kMaxSamples) return bad;
  samples.count = static_cast<int>(count);
  return samples;
}

// tupleize_answers' messages for a formula that cannot be evaluated.
Status FormulaError(const Status& error, const std::string& formula) {
  const std::string& message = error.message();
  if (message.find("not permitted in answer as a") != std::string::npos ||
      message.find("parenthes") != std::string::npos) {
    return InvalidArgumentError(message);
  }
  if (message.find("factorial") != std::string::npos) {
    return InvalidArgumentError(
        "factorial function not permitted in answer for this problem. Provided answer was: " +
        formula);
  }
  return InvalidArgumentError("Invalid input: Could not parse '" + formula + "' as a formula");
}

}  // namespace

StatusOr<InputGrade> GradeFormula(const Response& response,
                                  const std::optional<std::string>& answer,
                                  const ScriptContext& context) {
  InputGrade grade{response.inputs.front().id, Correctness::kIncorrect, {}, ""};
  if (!answer.has_value()) return grade;
  const std::string staff = ContextualizeText(response.node.attribute("answer").value(), context);
  LARCH_ASSIGN_OR_RETURN(
      Samples samples,
      ParseSamples(ContextualizeText(response.node.attribute("samples").value(), context)));
  std::string tolerance(kDefaultTolerance);
  if (pugi::xpath_node found = response.node.select_node(".//responseparam[@type='tolerance']")) {
    tolerance = ContextualizeText(found.node().attribute("default").value(), context);
  }
  CalcOptions options;
  options.complex_variables = true;
  const std::vector<std::string> types =
      SplitToStrings(response.node.attribute("type").value(), ',');
  for (const std::string& type : types) {
    if (type == "ci") break;
    if (type == "cs") {
      options.case_sensitive = true;
      break;
    }
  }
  // Upstream draws with Python's unseeded random; any uniform points do.
  std::mt19937_64 random(std::hash<std::string>{}(grade.input_id + *answer));
  bool all_close = true;
  for (int n = 0; n < samples.count; ++n) {
    options.variables.clear();
    for (std::size_t i = 0; i < samples.variables.size(); ++i) {
      std::uniform_real_distribution<double> uniform(samples.low[i], samples.high[i]);
      options.variables[samples.variables[i]] = Complex(uniform(random), 0.0);
    }
    StatusOr<Complex> student = Evaluate(*answer, options);
    if (!student.ok()) return FormulaError(student.status(), *answer);
    StatusOr<Complex> expected = Evaluate(staff, options);
    if (!expected.ok()) return FormulaError(expected.status(), staff);
    LARCH_ASSIGN_OR_RETURN(bool close, CompareWithTolerance(*student, *expected, tolerance));
    all_close = all_close && close;
  }
  grade.correctness = all_close ? Correctness::kCorrect : Correctness::kIncorrect;
  return grade;
}

}  // namespace larch::capa
