#include "larch/capa/problem.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace larch::capa {
namespace {

// What a response type accepts (responsetypes.py allowed_inputfields,
// max_inputfields, required_attributes). max_inputs 0 means any number.
struct ResponseRule {
  std::set<std::string> inputs;
  int max_inputs = 0;
  std::vector<std::string> required;
};

const std::map<std::string, ResponseRule, std::less<>>& ResponseRules() {
  static const std::set<std::string> kCustomInputs = {"textline",
                                                      "textbox",
                                                      "crystallography",
                                                      "chemicalequationinput",
                                                      "vsepr_input",
                                                      "drag_and_drop_input",
                                                      "editamoleculeinput",
                                                      "designprotein2dinput",
                                                      "editageneinput",
                                                      "annotationinput",
                                                      "jsinput",
                                                      "formulaequationinput"};
  static const auto* const kRules = new std::map<std::string, ResponseRule, std::less<>>{
      {"multiplechoiceresponse", {{"choicegroup"}, 1, {}}},
      {"truefalseresponse", {{"choicegroup"}, 1, {}}},
      {"choiceresponse", {{"checkboxgroup", "radiogroup"}, 1, {}}},
      {"optionresponse", {{"optioninput"}, 0, {}}},
      {"numericalresponse", {{"textline", "formulaequationinput"}, 1, {"answer"}}},
      {"stringresponse", {{"textline"}, 1, {"answer"}}},
      {"formularesponse", {{"textline", "formulaequationinput"}, 1, {"answer", "samples"}}},
      {"customresponse", {kCustomInputs, 0, {}}},
      {"symbolicresponse", {kCustomInputs, 1, {}}},
      {"coderesponse", {{"textbox", "filesubmission", "matlabinput"}, 1, {}}},
      {"externalresponse", {{"textline", "textbox"}, 0, {}}},
      {"schematicresponse", {{"schematic"}, 0, {}}},
      {"imageresponse", {{"imageinput"}, 0, {}}},
      {"annotationresponse", {{"annotationinput"}, 0, {}}},
      {"choicetextresponse", {{"radiotextgroup", "checkboxtextgroup"}, 1, {}}},
  };
  return *kRules;
}

// inputtypes.py registered tags: the elements numbered as inputs.
bool IsInputTag(std::string_view tag) {
  static const std::set<std::string, std::less<>> kInputs = {"optioninput",
                                                             "choicegroup",
                                                             "radiogroup",
                                                             "checkboxgroup",
                                                             "textline",
                                                             "filesubmission",
                                                             "textbox",
                                                             "codeinput",
                                                             "matlabinput",
                                                             "schematic",
                                                             "imageinput",
                                                             "crystallography",
                                                             "vsepr_input",
                                                             "chemicalequationinput",
                                                             "formulaequationinput",
                                                             "drag_and_drop_input",
                                                             "editamoleculeinput",
                                                             "designprotein2dinput",
                                                             "editageneinput",
                                                             "annotationinput",
                                                             "radiotextgroup",
                                                             "checkboxtextgroup",
                                                             "jsinput"};
  return kInputs.count(tag) != 0;
}

bool IsPythonScript(const pugi::xml_node& script) {
  const std::string type = script.attribute("type").value();
  return type.find("javascript") == std::string::npos && type.find("perl") == std::string::npos;
}

// Elements in document order, refusing trees deeper than kMaxProblemDepth
// (pugixml parses iteratively; this walk must not recurse either).
StatusOr<std::vector<pugi::xml_node>> ElementsInOrder(const pugi::xml_node& root) {
  std::vector<pugi::xml_node> out;
  std::vector<std::pair<pugi::xml_node, int>> stack = {{root, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxProblemDepth) {
      return FailedPreconditionError("problem XML is nested more than " +
                                     std::to_string(kMaxProblemDepth) + " levels deep");
    }
    out.push_back(node);
    std::vector<pugi::xml_node> children;
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element) children.push_back(child);
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      stack.emplace_back(*it, depth + 1);
  }
  return out;
}

Status CheckResponse(const Response& response, const ResponseRule& rule) {
  const std::string who = "LoncapaProblem Response " + response.tag;
  for (const Input& input : response.inputs) {
    if (rule.inputs.count(input.tag) == 0) {
      return FailedPreconditionError(who + ": cannot have input field " + input.tag);
    }
  }
  if (rule.max_inputs > 0 && static_cast<int>(response.inputs.size()) > rule.max_inputs) {
    return FailedPreconditionError(who + ": cannot have more than " +
                                   std::to_string(rule.max_inputs) + " input fields");
  }
  for (const std::string& attribute : rule.required) {
    if (std::string_view(response.node.attribute(attribute.c_str()).value()).empty()) {
      std::string message = "Error in problem specification: " + who;
      message += " missing required attribute ";
      message += attribute;
      return FailedPreconditionError(message);
    }
  }
  return OkStatus();
}

StatusOr<int> PointsOf(const pugi::xml_node& input) {
  const pugi::xml_attribute points = input.attribute("points");
  if (!points) return 1;
  const std::string text = points.value();
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0 || value > 1000) {
    return FailedPreconditionError("input points must be a whole number: '" + text + "'");
  }
  return static_cast<int>(value);
}

}  // namespace

bool IsResponseTag(std::string_view tag) { return ResponseRules().count(tag) != 0; }

int Response::MaxScore() const {
  int total = 0;
  for (const Input& input : inputs) total += input.points;
  return total;
}

int Problem::MaxScore() const {
  int total = 0;
  for (const Response& response : responses) total += response.MaxScore();
  return total;
}

const Response* Problem::FindResponse(std::string_view id) const {
  for (const Response& response : responses) {
    if (response.id == id) return &response;
  }
  return nullptr;
}

StatusOr<Problem> ParseProblem(std::string_view xml, std::string_view problem_id) {
  if (xml.size() > kMaxProblemBytes) {
    return FailedPreconditionError("problem XML is larger than " +
                                   std::to_string(kMaxProblemBytes) + " bytes");
  }
  auto document = std::make_shared<pugi::xml_document>();
  const pugi::xml_parse_result parsed = document->load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!parsed) {
    return FailedPreconditionError(std::string("problem XML does not parse: ") +
                                   parsed.description());
  }
  const pugi::xml_node root = document->document_element();
  if (!root) return FailedPreconditionError("problem XML has no root element");
  LARCH_ASSIGN_OR_RETURN(std::vector<pugi::xml_node> elements, ElementsInOrder(root));

  Problem problem;
  problem.problem_id = std::string(problem_id);
  int response_number = 1;
  for (const pugi::xml_node& element : elements) {
    const std::string tag = element.name();
    if (tag == "script" && IsPythonScript(element)) {
      problem.python_script += element.text().get();
      problem.python_script += '\n';
    } else if (tag == "solution") {
      problem.solution_ids.push_back(problem.problem_id + "_solution_" +
                                     std::to_string(problem.solution_ids.size() + 1));
    }
    const auto rule = ResponseRules().find(tag);
    if (rule == ResponseRules().end()) continue;
    Response response{problem.problem_id + "_" + std::to_string(response_number), tag, {}, element};
    ++response_number;
    LARCH_ASSIGN_OR_RETURN(std::vector<pugi::xml_node> inside, ElementsInOrder(element));
    for (const pugi::xml_node& node : inside) {
      if (node == element || !IsInputTag(node.name())) continue;
      LARCH_ASSIGN_OR_RETURN(int points, PointsOf(node));
      response.inputs.push_back({problem.problem_id + "_" + std::to_string(response_number) + "_" +
                                     std::to_string(response.inputs.size() + 1),
                                 node.name(), points, node});
    }
    LARCH_RETURN_IF_ERROR(CheckResponse(response, rule->second));
    problem.responses.push_back(std::move(response));
  }
  problem.document = std::move(document);
  return problem;
}

}  // namespace larch::capa
