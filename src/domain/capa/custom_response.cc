#include "larch/capa/custom_response.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace larch::capa {
namespace {

// capa safe_exec's prolog, in spirit: a seeded `random` everywhere, `math`
// at hand. Every name it leaves is a module or object, so none comes back.
std::string Prolog(std::int64_t seed) {
  return "import math\nimport random as random_module\nimport sys\n"
         "random = random_module.Random(" +
         std::to_string(seed) +
         ")\nrandom.Random = random_module.Random\n"
         "random.SystemRandom = random_module.SystemRandom\nsys.modules['random'] = random\n";
}

// str() of every global as it would be after codejail's JSON round trip,
// which is what contextualize_text substitutes.
constexpr std::string_view kStringsSuffix = R"py(
def _larch_strings_of(names):
    import json as _json
    out = {}
    for _k, _v in list(names.items()):
        try:
            out[_k] = str(_json.loads(_json.dumps(_v, allow_nan=False)))
        except Exception:
            pass
    return out
_larch_strings = _larch_strings_of(globals())
del _larch_strings_of
)py";

// A cfn's return value in CustomResponse.execute_check_function's terms:
// falsy or "false" is incorrect, "partial" anywhere is partial credit, any
// other truthy value correct; the two dict shapes carry messages and
// decimals.
constexpr std::string_view kNormaliseSuffix = R"py(
def _larch_normalise(ret, count):
    def mark(ok):
        text = str(ok).lower().strip()
        if text == 'false' or not ok:
            return 'incorrect'
        if 'partial' in text:
            return 'partially-correct'
        return 'correct'
    def decimal_of(mark_value):
        return {'correct': 1.0, 'partially-correct': 0.5}.get(mark_value, 0.0)
    out = {'messages': [''] * count, 'overall_message': '', 'grade_decimals': None}
    if isinstance(ret, dict) and 'ok' in ret:
        value = mark(ret['ok'])
        out['correct'] = [value] * count
        msg = str(ret.get('msg')) if ret.get('msg') else ''
        if count > 1:
            out['overall_message'] = msg
        else:
            out['messages'][0] = msg
        if 'grade_decimal' in ret:
            out['grade_decimals'] = [float(ret['grade_decimal'])] * count
        else:
            out['grade_decimals'] = [decimal_of(value)] * count
    elif isinstance(ret, dict) and 'input_list' in ret:
        out['overall_message'] = str(ret.get('overall_message', '') or '')
        out['correct'], out['messages'], out['grade_decimals'] = [], [], []
        for item in ret['input_list']:
            out['correct'].append(mark(item['ok']))
            out['messages'].append(str(item['msg']) if item.get('msg') else '')
            if 'grade_decimal' in item:
                out['grade_decimals'].append(item['grade_decimal'])
            elif str(item['ok']).lower().strip() == 'true':
                out['grade_decimals'].append(1.0)
            elif 'partial' in str(item['ok']).lower().strip():
                out['grade_decimals'].append(0.5)
            else:
                out['grade_decimals'].append(0.0)
    elif isinstance(ret, dict):
        out['invalid'] = True
    else:
        out['correct'] = [mark(ret)] * count
    return out
_larch_grade = _larch_normalise(cfn_return, _larch_count)
del _larch_normalise
)py";

constexpr double kDefaultPartialCredit = 0.5;

// textwrap.dedent: scripts indented inside the XML still run.
std::string Dedent(std::string_view code) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= code.size()) {
    const std::size_t end = code.find('\n', start);
    lines.push_back(code.substr(start, end == std::string_view::npos ? code.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::string_view margin;
  bool first = true;
  for (std::string_view line : lines) {
    const std::size_t text = line.find_first_not_of(" \t");
    if (text == std::string_view::npos) continue;
    const std::string_view indent = line.substr(0, text);
    if (first) {
      margin = indent;
      first = false;
      continue;
    }
    std::size_t common = 0;
    while (common < margin.size() && common < indent.size() && margin[common] == indent[common]) {
      ++common;
    }
    margin = margin.substr(0, common);
  }
  std::string out;
  for (std::string_view line : lines) {
    if (line.find_first_not_of(" \t") != std::string_view::npos)
      out.append(line.substr(margin.size()));
    out.push_back('\n');
  }
  return out;
}

bool IsEmptyAnswer(const nlohmann::json& value) {
  return value.is_null() || (value.is_string() && value.get<std::string>().empty()) ||
         (value.is_array() && value.empty());
}

// One input's answer as upstream's student_answers holds it: a string, or a
// list when the input posted several values.
nlohmann::json AnswerValue(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& value : values) list.push_back(value);
  return list;
}

Correctness CorrectnessOf(const nlohmann::json& value) {
  if (value == "correct") return Correctness::kCorrect;
  if (value == "partially-correct") return Correctness::kPartiallyCorrect;
  return Correctness::kIncorrect;
}

std::string TextOf(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

// Turns the check code's correct/messages/grade_decimals into input grades.
StatusOr<CustomGrade> BuildGrade(const Response& response, const nlohmann::json& correct,
                                 const nlohmann::json& messages, const nlohmann::json& overall,
                                 const nlohmann::json& decimals) {
  CustomGrade grade;
  grade.overall_message = TextOf(overall);
  const bool use_decimals = decimals.is_array() && !decimals.empty();
  for (std::size_t k = 0; k < response.inputs.size(); ++k) {
    const Input& input = response.inputs[k];
    InputGrade out{input.id, Correctness::kIncorrect, 0.0, ""};
    if (correct.is_array() && k < correct.size()) out.correctness = CorrectnessOf(correct[k]);
    if (messages.is_array() && k < messages.size()) out.message = TextOf(messages[k]);
    const double points = input.points;
    if (use_decimals) {
      if (k >= decimals.size() || !decimals[k].is_number()) {
        return FailedPreconditionError("CustomResponse: grade_decimal must be a number");
      }
      out.npoints = points * decimals[k].get<double>();
    } else if (out.correctness == Correctness::kCorrect) {
      out.npoints = points;
    } else if (out.correctness == Correctness::kPartiallyCorrect) {
      out.npoints = points * kDefaultPartialCredit;
    }
    grade.inputs.push_back(std::move(out));
  }
  return grade;
}

// The learner's side of CustomResponse.get_score, in input order.
struct Submission {
  nlohmann::json values = nlohmann::json::array();
  nlohmann::json idset = nlohmann::json::array();
  nlohmann::json dynamath = nlohmann::json::array();
};

StatusOr<Submission> Collect(const Response& response, const Answers& answers) {
  Submission out;
  for (const Input& input : response.inputs) {
    const auto found = answers.find(input.id);
    if (found == answers.end()) {
      return InvalidArgumentError("error getting student answer for " + input.id);
    }
    out.values.push_back(AnswerValue(found->second));
    out.idset.push_back(input.id);
    const auto math = answers.find(input.id + "_dynamath");
    out.dynamath.push_back(math == answers.end() ? nlohmann::json() : AnswerValue(math->second));
  }
  return out;
}

// What the check code sees (CustomResponse.get_score's context.update).
nlohmann::json CheckerGlobals(const Response& response, const Answers& answers,
                              const ProblemContext& context, const nlohmann::json& expect,
                              const Submission& submission) {
  const std::size_t count = response.inputs.size();
  nlohmann::json checker = context.globals;
  nlohmann::json all_answers = nlohmann::json::object();
  for (const auto& [id, values] : answers) all_answers[id] = AnswerValue(values);
  const pugi::xml_attribute options = response.node.attribute("options");
  checker.update({{"response_id", response.id},
                  {"expect", expect},
                  {"submission", submission.values},
                  {"idset", submission.idset},
                  {"dynamath", submission.dynamath},
                  {"answers", all_answers},
                  {"correct", std::vector<std::string>(count, "unknown")},
                  {"messages", std::vector<std::string>(count, "")},
                  {"overall_message", ""},
                  {"options", options ? nlohmann::json(options.value()) : nlohmann::json()},
                  {"testdat", "hello world"},
                  {"debug", false}});
  return checker;
}

// cfn: the script runs again and the function is called as f(expect, ans),
// with cfn_extra_args passed by name from the checker's globals.
StatusOr<CustomGrade> RunCheckFunction(const Response& response, const ProblemContext& context,
                                       const nlohmann::json& checker, PythonRunner& runner) {
  const std::size_t count = response.inputs.size();
  const nlohmann::json& values = checker.at("submission");
  std::string call = "cfn_return = ";
  call.append(response.node.attribute("cfn").value()).append("(expect, ans");
  PythonJob job;
  job.python_lib_zip = context.python_lib_zip;
  job.globals = {{"expect", checker.at("expect")},
                 {"ans", count == 1 ? values[0] : values},
                 {"_larch_count", count}};
  const std::string names = response.node.attribute("cfn_extra_args").value();
  for (std::size_t at = 0; at < names.size();) {
    const std::size_t begin = names.find_first_not_of(" \t\r\n", at);
    if (begin == std::string::npos) break;
    const std::size_t end = std::min(names.find_first_of(" \t\r\n", begin), names.size());
    const std::string name = names.substr(begin, end - begin);
    job.globals[name] = checker.value(name, nlohmann::json());
    call.append(", ").append(name).append("=").append(name);
    at = end;
  }
  call += ")\n";
  job.code =
      Prolog(context.seed) + context.script_code + "\n" + call + std::string(kNormaliseSuffix);
  LARCH_ASSIGN_OR_RETURN(nlohmann::json out, runner.Run(job));
  const nlohmann::json normalised = out.value("_larch_grade", nlohmann::json::object());
  if (normalised.value("invalid", false)) {
    return FailedPreconditionError(
        "CustomResponse: check function returned an invalid dictionary!");
  }
  return BuildGrade(response, normalised.value("correct", nlohmann::json()),
                    normalised.value("messages", nlohmann::json()),
                    normalised.value("overall_message", nlohmann::json()),
                    normalised.value("grade_decimals", nlohmann::json()));
}

}  // namespace

StatusOr<ProblemContext> RunProblemScript(const Problem& problem, PythonRunner& runner,
                                          std::int64_t seed, std::string_view anonymous_student_id,
                                          std::string python_lib_zip) {
  ProblemContext context;
  context.seed = seed;
  context.python_lib_zip = std::move(python_lib_zip);
  context.globals = {{"seed", seed}, {"anonymous_student_id", std::string(anonymous_student_id)}};
  context.variables = {{"seed", std::to_string(seed)},
                       {"anonymous_student_id", std::string(anonymous_student_id)}};
  if (problem.python_script.find_first_not_of(" \t\r\n") == std::string::npos) return context;
  context.script_code = Dedent(problem.python_script);

  PythonJob job{Prolog(seed) + context.script_code + std::string(kStringsSuffix), context.globals,
                context.python_lib_zip};
  StatusOr<nlohmann::json> globals = runner.Run(job);
  if (!globals.ok()) {
    if (globals.status().code() != StatusCode::kInvalidArgument) return globals.status();
    return FailedPreconditionError("Error while executing script code: " +
                                   globals.status().message());
  }
  const nlohmann::json strings = globals->value("_larch_strings", nlohmann::json::object());
  globals->erase("_larch_strings");
  context.globals = *std::move(globals);
  context.variables.clear();
  for (const auto& [name, text] : strings.items()) {
    if (context.globals.contains(name) && text.is_string()) context.variables[name] = text;
  }
  return context;
}

StatusOr<CustomGrade> GradeCustom(const Response& response, const Answers& answers,
                                  const ProblemContext& context, PythonRunner& runner) {
  if (response.inputs.empty()) {
    return FailedPreconditionError("LoncapaProblem Response customresponse has no input");
  }
  LARCH_ASSIGN_OR_RETURN(Submission submission, Collect(response, answers));
  if (response.inputs.size() == 1 && IsEmptyAnswer(submission.values[0])) {
    CustomGrade empty;
    InputGrade grade{response.inputs[0].id, Correctness::kIncorrect, 0.0, ""};
    if (response.node.attribute("empty_answer_err")) {
      grade.message = "<span class=\"inline-error\">No answer entered!</span>";
    }
    empty.inputs.push_back(std::move(grade));
    return empty;
  }
  const pugi::xml_attribute expect_attribute = response.node.attribute("expect")
                                                   ? response.node.attribute("expect")
                                                   : response.node.attribute("answer");
  nlohmann::json expect;
  if (expect_attribute && *expect_attribute.value() != '\0') {
    expect = ContextualizeText(expect_attribute.value(), context.variables);
  }
  nlohmann::json checker = CheckerGlobals(response, answers, context, expect, submission);
  // The <answer> inside the response wins over cfn, as upstream looks for it first.
  const pugi::xml_node answer = response.node.find_node(
      [](const pugi::xml_node& node) { return std::string_view(node.name()) == "answer"; });
  if (!answer && !std::string_view(response.node.attribute("cfn").value()).empty()) {
    return RunCheckFunction(response, context, checker, runner);
  }
  // <answer> code sees the script's JSON globals, not its functions.
  PythonJob job;
  job.python_lib_zip = context.python_lib_zip;
  job.globals = std::move(checker);
  job.code = Prolog(context.seed) + (answer ? Dedent(answer.text().get()) : std::string());
  LARCH_ASSIGN_OR_RETURN(nlohmann::json out, runner.Run(job));
  return BuildGrade(response, out.value("correct", nlohmann::json()),
                    out.value("messages", nlohmann::json()),
                    out.value("overall_message", nlohmann::json()),
                    out.value("grade_decimals", nlohmann::json()));
}

StatusOr<std::vector<InputGrade>> GradeResponse(const Response& response, const Answers& answers,
                                                const ProblemContext& context,
                                                PythonRunner* runner) {
  if (response.tag != "customresponse") return GradeResponse(response, answers, context.variables);
  if (runner == nullptr) return UnimplementedError("customresponse needs a Python sandbox");
  LARCH_ASSIGN_OR_RETURN(CustomGrade grade, GradeCustom(response, answers, context, *runner));
  return std::move(grade.inputs);
}

}  // namespace larch::capa
