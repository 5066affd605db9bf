#include "larch/problems/problem_view.h"

#include <map>
#include <set>
#include <string_view>

#include "larch/common/html.h"
#include "larch/common/json.h"
#include "larch/common/strings.h"

namespace larch::problems {
namespace {

using nlohmann::json;

// Elements capa removes from the rendered problem (capa_problem.py
// html_problem_semantics / remove_tags_from_html), and the ones Larch also
// leaves out: every <script> (the page runs none of the course's scripts).
const std::set<std::string, std::less<>>& DroppedTags() {
  static const std::set<std::string, std::less<>> kTags = {
      "additional_answer",   "codeparam",      "responseparam",   "answer",      "script",
      "hintgroup",           "openendedparam", "openendedrubric", "demandhint",  "choicehint",
      "optionhint",          "stringhint",     "numerichint",     "correcthint", "regexphint",
      "stringequalhint",     "compoundhint",   "formulahint",     "hint",        "style",
      "targetedfeedbackset", "solutionset"};
  return kTags;
}

void Escape(std::string& out, std::string_view text) { AppendHtmlEscaped(out, text); }

std::string Escaped(std::string_view text) {
  std::string out;
  Escape(out, text);
  return out;
}

bool SafeUrl(std::string_view value) {
  std::string lower = AsciiLower(value);
  return lower.rfind("javascript:", 0) != 0 && lower.rfind("vbscript:", 0) != 0;
}

struct InputInfo {
  std::string id;
  std::string response_tag;
};

class Renderer {
 public:
  Renderer(const capa::Problem& problem, const ViewState& state) : state_(state) {
    for (const capa::Response& response : problem.responses) {
      responses_[response.node.internal_object()] = &response;
      for (const capa::Input& input : response.inputs) {
        inputs_[input.node.internal_object()] = InputInfo{input.id, response.tag};
      }
    }
    solution_ids_ = problem.solution_ids;
  }

  std::string Render(pugi::xml_node root) {
    out_ += "<div class=\"problem\">";
    Children(root);
    out_ += "</div>";
    return std::move(out_);
  }

 private:
  void Children(pugi::xml_node node) {
    for (pugi::xml_node child : node.children()) Node(child);
  }

  void Node(pugi::xml_node node) {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
      Escape(out_, node.value());
      return;
    }
    if (node.type() != pugi::node_element) return;
    std::string_view tag = node.name();
    if (DroppedTags().count(tag) != 0) return;
    if (auto it = inputs_.find(node.internal_object()); it != inputs_.end()) {
      Input(node, it->second);
      return;
    }
    if (auto it = responses_.find(node.internal_object()); it != responses_.end()) {
      out_ +=
          "<div class=\"response " + Escaped(tag) + "\" id=\"" + Escaped(it->second->id) + "\">";
      Children(node);
      out_ += "</div>";
      return;
    }
    if (tag == "solution") {
      std::string id = solution_index_ < solution_ids_.size() ? solution_ids_[solution_index_] : "";
      ++solution_index_;
      out_ +=
          "<div class=\"solution-span\"><span id=\"solution_" + Escaped(id) + "\"></span></div>";
      return;
    }
    if (tag == "label" && InResponse(node)) {
      Wrap("p", "question-label", node);
      return;
    }
    if (tag == "description" && InResponse(node)) {
      Wrap("p", "question-description", node);
      return;
    }
    std::string_view html_tag = tag;
    if (tag == "problem" || tag == "startouttext" || tag == "endouttext") html_tag = "div";
    if (tag == "text") html_tag = "span";
    out_ += "<";
    out_ += html_tag;
    for (pugi::xml_attribute attribute : node.attributes()) {
      std::string_view name = attribute.name();
      std::string lower = AsciiLower(name);
      if (lower.rfind("on", 0) == 0) continue;
      if ((lower == "href" || lower == "src") && !SafeUrl(attribute.value())) continue;
      out_ += " " + Escaped(name) + "=\"" + Escaped(attribute.value()) + "\"";
    }
    static const std::set<std::string, std::less<>> kVoid = {"br", "hr", "img", "input", "wbr"};
    if (kVoid.count(html_tag) != 0) {
      out_ += ">";
      return;
    }
    out_ += ">";
    Children(node);
    out_ += "</";
    out_ += html_tag;
    out_ += ">";
  }

  // The question an input answers, for its aria-label: the response's
  // <label>, else the text of the paragraph before the response (the
  // markdown editor's problems put the question there), else "Answer".
  std::string AccessibleName(pugi::xml_node input) const {
    pugi::xml_node response;
    for (pugi::xml_node up = input.parent(); up; up = up.parent()) {
      if (responses_.count(up.internal_object()) != 0) {
        response = up;
        break;
      }
    }
    auto text_of = [](pugi::xml_node node) {
      std::string text;
      struct Collect : pugi::xml_tree_walker {
        std::string* out;
        bool for_each(pugi::xml_node& n) override {
          if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) *out += n.value();
          return true;
        }
      } collect;
      collect.out = &text;
      node.traverse(collect);
      std::string squeezed;
      for (char c : text) {
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (squeezed.empty() || squeezed.back() == ' ')) continue;
        squeezed += space ? ' ' : c;
      }
      while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
      return squeezed.size() > 200 ? squeezed.substr(0, 200) : squeezed;
    };
    if (response) {
      if (pugi::xml_node label = response.child("label")) {
        std::string text = text_of(label);
        if (!text.empty()) return text;
      }
      for (pugi::xml_node before = response.previous_sibling(); before;
           before = before.previous_sibling()) {
        if (before.type() != pugi::node_element) continue;
        std::string_view name = before.name();
        if (name == "script" || name == "solution") continue;
        // Another response's text is not this one's question.
        if (responses_.count(before.internal_object()) != 0) break;
        std::string text = text_of(before);
        if (!text.empty()) return text;
      }
    }
    return "Answer";
  }

  bool InResponse(pugi::xml_node node) const {
    for (pugi::xml_node up = node.parent(); up; up = up.parent()) {
      if (responses_.count(up.internal_object()) != 0) return true;
    }
    return false;
  }

  void Wrap(const char* html_tag, const char* css, pugi::xml_node node) {
    out_ += std::string("<") + html_tag + " class=\"" + css + "\">";
    Children(node);
    out_ += std::string("</") + html_tag + ">";
  }

  // The learner's answer(s) for an input.
  std::vector<std::string> AnswerValues(const std::string& id) const {
    std::vector<std::string> out;
    auto it = state_.student_answers.find(id);
    if (it == state_.student_answers.end()) return out;
    if (it->is_string()) out.push_back(it->get<std::string>());
    if (it->is_array()) {
      for (const json& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  }

  std::string Correctness(const std::string& id) const {
    if (!state_.show_correctness) {
      return state_.correct_map.contains(id) ? "submitted" : "unanswered";
    }
    auto it = state_.correct_map.find(id);
    if (it == state_.correct_map.end() || !it->is_object()) return "unanswered";
    std::string value = it->value("correctness", "");
    return value.empty() ? "unanswered" : value;
  }

  void Status(const std::string& id) {
    std::string status = Correctness(id);
    static const std::map<std::string, std::string, std::less<>> kLabels = {
        {"correct", "correct"},
        {"incorrect", "incorrect"},
        {"partially-correct", "partially correct"},
        {"submitted", "submitted"},
        {"unanswered", "unanswered"}};
    auto label = kLabels.find(status);
    out_ += "<span class=\"status " + Escaped(status) + "\" id=\"status_" + Escaped(id) +
            "\" data-tooltip=\"" + Escaped(label == kLabels.end() ? status : label->second) +
            "\"><span class=\"sr\">" + Escaped(label == kLabels.end() ? status : label->second) +
            "</span></span>";
    if (state_.show_correctness) {
      auto entry = state_.correct_map.find(id);
      if (entry != state_.correct_map.end() && entry->is_object()) {
        std::string msg = entry->value("msg", "");
        if (!msg.empty()) out_ += "<div class=\"message\">" + Escaped(msg) + "</div>";
      }
    }
  }

  void Input(pugi::xml_node node, const InputInfo& info);
  void ChoiceGroup(pugi::xml_node node, const InputInfo& info, bool checkbox);
  void OptionInput(pugi::xml_node node, const InputInfo& info);

  const ViewState& state_;
  std::map<void*, const capa::Response*> responses_;
  std::map<void*, InputInfo> inputs_;
  std::vector<std::string> solution_ids_;
  size_t solution_index_ = 0;
  std::string out_;
};

void Renderer::Input(pugi::xml_node node, const InputInfo& info) {
  std::string_view tag = node.name();
  const std::string& id = info.id;
  out_ += "<div class=\"inputtype " + Escaped(tag) + "\" id=\"inputtype_" + Escaped(id) + "\">";
  if (tag == "textline" || tag == "formulaequationinput" || tag == "textbox") {
    std::vector<std::string> values = AnswerValues(id);
    std::string value = values.empty() ? "" : values.front();
    if (tag == "textbox") {
      out_ += "<textarea id=\"input_" + Escaped(id) + "\" name=\"input_" + Escaped(id) +
              "\" aria-label=\"" + Escaped(AccessibleName(node)) + "\" aria-describedby=\"status_" +
              Escaped(id) + "\">" + Escaped(value) + "</textarea>";
    } else {
      out_ += "<input type=\"text\" id=\"input_" + Escaped(id) + "\" name=\"input_" + Escaped(id) +
              "\" value=\"" + Escaped(value) + "\" aria-label=\"" + Escaped(AccessibleName(node)) +
              "\" aria-describedby=\"status_" + Escaped(id) + "\"";
      if (const char* size = node.attribute("size").value(); *size != '\0') {
        out_ += " size=\"" + Escaped(size) + "\"";
      }
      out_ += ">";
      if (const char* trailing = node.attribute("trailing_text").value(); *trailing != '\0') {
        out_ += "<span class=\"trailing_text\">" + Escaped(trailing) + "</span>";
      }
    }
    Status(id);
  } else if (tag == "choicegroup" || tag == "checkboxgroup" || tag == "radiogroup") {
    ChoiceGroup(node, info, tag == "checkboxgroup" || info.response_tag == "choiceresponse");
  } else if (tag == "optioninput") {
    OptionInput(node, info);
  } else {
    out_ +=
        "<p class=\"unsupported\">This input type (" + Escaped(tag) + ") is not supported yet.</p>";
  }
  out_ += "</div>";
}

void Renderer::ChoiceGroup(pugi::xml_node node, const InputInfo& info, bool checkbox) {
  const std::string& id = info.id;
  std::vector<std::string> selected = AnswerValues(id);
  std::set<std::string> chosen(selected.begin(), selected.end());
  out_ += "<fieldset aria-describedby=\"status_" + Escaped(id) + "\">";
  int unnamed = 0;
  int index = 0;
  for (pugi::xml_node choice : node.children("choice")) {
    std::string name;
    if (info.response_tag == "choiceresponse") {
      name = "choice_" + std::to_string(index);
    } else if (const char* own = choice.attribute("name").value(); *own != '\0') {
      name = std::string("choice_") + own;
    } else {
      name = "choice_" + std::to_string(unnamed++);
    }
    ++index;
    std::string field = checkbox ? "input_" + id + "[]" : "input_" + id;
    std::string element_id = "input_" + id;
    element_id += "_";
    element_id += name;
    out_ += "<div class=\"field\"><input type=\"" + std::string(checkbox ? "checkbox" : "radio") +
            "\" name=\"" + Escaped(field) + "\" id=\"" + Escaped(element_id) + "\" value=\"" +
            Escaped(name) + "\"" + (chosen.count(name) != 0 ? " checked" : "") + "><label for=\"" +
            Escaped(element_id) + "\">";
    for (pugi::xml_node part : choice.children()) {
      if (part.type() == pugi::node_element && std::string_view(part.name()) == "choicehint") {
        continue;
      }
      Node(part);
    }
    out_ += "</label></div>";
  }
  out_ += "</fieldset>";
  Status(id);
}

// optioninput options: the options="('a','b')" attribute or <option> children.
std::vector<std::string> OptionValues(pugi::xml_node node) {
  std::vector<std::string> out;
  std::string_view options = node.attribute("options").value();
  if (!options.empty()) {
    size_t pos = 0;
    while (pos < options.size()) {
      char quote = options[pos];
      if (quote != '\'' && quote != '"') {
        ++pos;
        continue;
      }
      size_t end = options.find(quote, pos + 1);
      if (end == std::string_view::npos) break;
      out.emplace_back(options.substr(pos + 1, end - pos - 1));
      pos = end + 1;
    }
    return out;
  }
  for (pugi::xml_node option : node.children("option")) {
    std::string text = option.text().get();
    size_t begin = text.find_first_not_of(" \t\r\n");
    size_t last = text.find_last_not_of(" \t\r\n");
    out.push_back(begin == std::string::npos ? "" : text.substr(begin, last - begin + 1));
  }
  return out;
}

void Renderer::OptionInput(pugi::xml_node node, const InputInfo& info) {
  const std::string& id = info.id;
  std::vector<std::string> values = AnswerValues(id);
  std::string current = values.empty() ? "" : values.front();
  out_ += "<select name=\"input_" + Escaped(id) + "\" id=\"input_" + Escaped(id) +
          "\" aria-label=\"" + Escaped(AccessibleName(node)) + "\" aria-describedby=\"status_" +
          Escaped(id) + "\"><option value=\"option_" + Escaped(id) +
          "_dummy_default\">Select an option</option>";
  for (const std::string& value : OptionValues(node)) {
    out_ += "<option value=\"" + Escaped(value) + "\"" + (value == current ? " selected" : "") +
            ">" + Escaped(value) + "</option>";
  }
  out_ += "</select>";
  Status(id);
}

}  // namespace

std::string RenderProblemHtml(const capa::Problem& problem, const ViewState& state) {
  if (!problem.document) return "<div class=\"problem\"></div>";
  return Renderer(problem, state).Render(problem.document->document_element());
}

StatusOr<json> AnswersFromForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  json answers = json::object();
  std::set<std::string> lists;
  for (const auto& [key, value] : fields) {
    size_t underscore = key.find('_');
    if (underscore == std::string::npos || underscore + 1 == key.size()) {
      return InvalidArgumentError(key + " must contain at least one underscore");
    }
    std::string name = key.substr(underscore + 1);
    bool is_list = name.size() > 2 && name.compare(name.size() - 2, 2, "[]") == 0;
    bool is_dict = name.size() > 2 && name.compare(name.size() - 2, 2, "{}") == 0;
    if (is_list || is_dict) name.resize(name.size() - 2);
    if (is_list) {
      if (answers.contains(name) && lists.count(name) == 0) {
        return InvalidArgumentError("Key " + name + " already exists in answers dict");
      }
      lists.insert(name);
      if (!answers.contains(name)) answers[name] = json::array();
      answers[name].push_back(value);
      continue;
    }
    if (answers.contains(name) && (lists.count(name) != 0 || is_dict)) {
      return InvalidArgumentError("Key " + name + " already exists in answers dict");
    }
    if (is_dict) {
      StatusOr<json> parsed = ParseJson(value);
      if (!parsed.ok()) {
        std::string message = "Invalid submission: ";
        message += value;
        message += " for ";
        message += key;
        return InvalidArgumentError(message);
      }
      answers[name] = std::move(*parsed);
    } else {
      answers[name] = value;
    }
  }
  return answers;
}

capa::Answers ToCapaAnswers(const json& student_answers) {
  capa::Answers out;
  if (!student_answers.is_object()) return out;
  for (const auto& [id, value] : student_answers.items()) {
    if (value.is_string()) {
      out[id] = {value.get<std::string>()};
    } else if (value.is_array()) {
      std::vector<std::string>& list = out[id];
      for (const json& item : value) {
        if (item.is_string()) list.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace larch::problems
