// get_question_answers: what "Show answer" reveals, per response type as
// responsetypes.py's get_answers methods give it.
#include <string>
#include <vector>

#include "larch/common/strings.h"
#include "larch/problems/problem_view.h"

namespace larch::problems {
namespace {

using nlohmann::json;

std::string Trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, last - begin + 1));
}

std::vector<std::string> CorrectChoices(const capa::Response& response) {
  std::vector<std::string> names = capa::ChoiceNames(response);
  std::vector<std::string> out;
  size_t i = 0;
  for (const pugi::xpath_node& found : response.node.select_nodes(".//choice")) {
    if (i < names.size() && std::string_view(found.node().attribute("correct").value()) == "true") {
      out.push_back(names[i]);
    }
    ++i;
  }
  return out;
}

// The inner markup of a node, for solutions.
std::string InnerXml(pugi::xml_node node) {
  struct Writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } writer;
  for (pugi::xml_node child : node.children()) {
    child.print(writer, "", pugi::format_raw | pugi::format_no_declaration);
  }
  return writer.out;
}

void ResponseAnswers(const capa::Response& response, const capa::ScriptContext& context,
                     json& out) {
  const std::string& tag = response.tag;
  if (response.inputs.empty()) return;
  const std::string& first = response.inputs.front().id;
  std::string answer = capa::ContextualizeText(response.node.attribute("answer").value(), context);
  if (tag == "numericalresponse" || tag == "formularesponse") {
    out[first] = answer;
  } else if (tag == "stringresponse") {
    std::vector<std::string> all = {answer};
    for (pugi::xml_node extra : response.node.children("additional_answer")) {
      const char* value = extra.attribute("answer").value();
      all.push_back(capa::ContextualizeText(*value != '\0' ? value : extra.text().get(), context));
    }
    std::string joined;
    for (const std::string& one : all) {
      if (!joined.empty()) joined += " <b>or</b> ";
      joined += one;
    }
    out[first] = joined;
  } else if (tag == "optionresponse") {
    for (const capa::Input& input : response.inputs) {
      std::string correct = input.node.attribute("correct").value();
      if (!input.node.attribute("correct")) {
        for (pugi::xml_node option : input.node.children("option")) {
          if (AsciiLower(option.attribute("correct").value()) == "true") {
            correct = Trimmed(option.text().get());
          }
        }
      }
      out[input.id] = capa::ContextualizeText(correct, context);
    }
  } else if (tag == "multiplechoiceresponse" || tag == "truefalseresponse" ||
             tag == "choiceresponse") {
    out[first] = CorrectChoices(response);
  } else if (tag == "imageresponse") {
    for (const capa::Input& input : response.inputs) {
      out[input.id] = input.node.attribute("rectangle").value();
    }
  } else if (tag == "customresponse") {
    std::string expect = response.node.attribute("expect").value();
    if (expect.empty()) expect = answer;
    for (const capa::Input& input : response.inputs) {
      const char* shown = input.node.attribute("correct_answer").value();
      out[input.id] = capa::ContextualizeText(*shown != '\0' ? shown : expect, context);
    }
  }
}

}  // namespace

StatusOr<json> ShownAnswers(const capa::Problem& problem, const capa::ScriptContext& context) {
  json out = json::object();
  for (const capa::Response& response : problem.responses) ResponseAnswers(response, context, out);
  if (problem.document) {
    size_t index = 0;
    for (const pugi::xpath_node& found :
         problem.document->document_element().select_nodes(".//solution")) {
      if (index >= problem.solution_ids.size()) break;
      out[problem.solution_ids[index++]] = InnerXml(found.node());
    }
  }
  return out;
}

}  // namespace larch::problems
