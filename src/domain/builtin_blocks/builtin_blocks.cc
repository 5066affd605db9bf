// Poll, survey and word cloud state over student_state (see the header).
#include "larch/builtin_blocks/builtin_blocks.h"
#include "larch/common/html.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "larch/common/strings.h"
#include "larch/student_state/student_state.h"

namespace larch::builtin_blocks {
namespace {

using courses::CatalogBlock;
using nlohmann::json;
using student_state::StudentModule;
using student_state::StudentStateStore;

// OLX attributes arrive as strings; list and dict settings are JSON text.
json Setting(const CatalogBlock& block, const char* name) {
  auto it = block.fields.find(name);
  if (it == block.fields.end() || it->is_null()) return nullptr;
  if (it->is_string()) {
    json parsed = json::parse(it->get_ref<const std::string&>(), nullptr, false);
    if (parsed.is_array() || parsed.is_object()) return parsed;
  }
  return *it;
}

std::string StringSetting(const CatalogBlock& block, const char* name, std::string fallback) {
  auto it = block.fields.find(name);
  if (it == block.fields.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

int64_t IntSetting(const CatalogBlock& block, const char* name, int64_t fallback) {
  auto it = block.fields.find(name);
  if (it == block.fields.end()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  }
  return fallback;
}

bool BoolSetting(const CatalogBlock& block, const char* name, bool fallback) {
  auto it = block.fields.find(name);
  if (it == block.fields.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    std::string s = AsciiLower(it->get_ref<const std::string&>());
    return s == "true" || s == "1" || s == "t";
  }
  if (it->is_number()) return it->get<double>() != 0;
  return fallback;
}

// Python's round() on a float: halves go to the even neighbour.
int64_t PyRound(double value) { return static_cast<int64_t>(std::nearbyint(value)); }

std::string Escape(std::string_view text) { return HtmlEscaped(text); }

// What upstream's markdown() gives for plain text: paragraphs split on blank
// lines (no other markdown syntax is interpreted here).
std::string Paragraphs(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    std::string part =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.pop_back();
    size_t lead = part.find_first_not_of("\n #");
    if (lead != std::string::npos) out += "<p>" + Escape(part.substr(lead)) + "</p>";
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

// One (key, {label, img, img_alt}) item of a poll's answers or a survey's
// questions.
struct Item {
  std::string key;
  std::string label;
  // Empty when there is none (null in the JSON).
  std::string img;
  std::string img_alt;

  json Img() const { return img.empty() ? json(nullptr) : json(img); }
  json ImgAlt() const { return img_alt.empty() ? json(nullptr) : json(img_alt); }
};

std::vector<Item> Items(const json& list) {
  std::vector<Item> out;
  if (!list.is_array()) return out;
  for (const json& entry : list) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string()) continue;
    Item item;
    item.key = entry[0].get<std::string>();
    if (entry[1].is_string()) {
      item.label = entry[1].get<std::string>();
    } else if (entry[1].is_object()) {
      item.label = entry[1].value("label", "");
      json img = entry[1].value("img", json(nullptr));
      json img_alt = entry[1].value("img_alt", json(nullptr));
      if (img.is_string()) item.img = img.get<std::string>();
      if (img_alt.is_string()) item.img_alt = img_alt.get<std::string>();
    }
    out.push_back(std::move(item));
  }
  return out;
}

json ItemsJson(const std::vector<Item>& items) {
  json out = json::array();
  for (const Item& item : items) {
    out.push_back({{"key", item.key},
                   {"label", item.label},
                   {"img", item.Img()},
                   {"img_alt", item.ImgAlt()}});
  }
  return out;
}

bool HasKey(const std::vector<Item>& items, const std::string& key) {
  return std::any_of(items.begin(), items.end(), [&](const Item& i) { return i.key == key; });
}

struct PollSettings {
  std::string display_name;
  std::string question;
  std::vector<Item> answers;
  std::string feedback;
  int64_t max_submissions = 1;
  bool private_results = false;

  static PollSettings From(const CatalogBlock& block) {
    PollSettings s;
    s.display_name = StringSetting(block, "display_name", "Poll");
    s.question = StringSetting(block, "question", "What is your favorite color?");
    json answers = Setting(block, "answers");
    if (!answers.is_array()) {
      answers = json::parse(
          R"([["R", {"label": "Red"}], ["B", {"label": "Blue"}], ["G", {"label": "Green"}],
              ["O", {"label": "Other"}]])");
    }
    s.answers = Items(answers);
    s.feedback = StringSetting(block, "feedback", "");
    s.max_submissions = IntSetting(block, "max_submissions", 1);
    s.private_results = BoolSetting(block, "private_results", false);
    return s;
  }
};

struct SurveySettings {
  std::string display_name;
  std::string block_name;
  std::vector<Item> questions;
  std::vector<Item> answers;
  std::string feedback;
  int64_t max_submissions = 1;
  bool private_results = false;

  static SurveySettings From(const CatalogBlock& block) {
    SurveySettings s;
    s.display_name = StringSetting(block, "display_name", "Survey");
    s.block_name = StringSetting(block, "block_name", "Poll");
    json questions = Setting(block, "questions");
    if (!questions.is_array()) {
      questions = json::parse(R"([["enjoy", {"label": "Are you enjoying the course?"}],
          ["recommend", {"label": "Would you recommend this course to your friends?"}],
          ["learn", {"label": "Do you think you will learn a lot?"}]])");
    }
    json answers = Setting(block, "answers");
    if (!answers.is_array())
      answers = json::parse(R"([["Y", "Yes"], ["N", "No"], ["M", "Maybe"]])");
    s.questions = Items(questions);
    s.answers = Items(answers);
    s.feedback = StringSetting(block, "feedback", "");
    s.max_submissions = IntSetting(block, "max_submissions", 1);
    s.private_results = BoolSetting(block, "private_results", false);
    return s;
  }
};

bool CanVote(int64_t max_submissions, int64_t submissions_count) {
  return max_submissions == 0 || submissions_count < max_submissions;
}

int64_t SubmissionsCount(const json& state) {
  auto it = state.find("submissions_count");
  return it != state.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

const CatalogBlock& BlockOf(const BlockCall& call) {
  return call.tree->blocks[static_cast<size_t>(call.block_index)];
}

Status CheckType(const BlockCall& call, std::string_view type) {
  if (!call.tree || call.block_index < 0 ||
      static_cast<size_t>(call.block_index) >= call.tree->blocks.size()) {
    return InvalidArgumentError("no such block");
  }
  if (BlockOf(call).type != type) {
    return InvalidArgumentError(BlockOf(call).usage_key + " is not a " + std::string(type));
  }
  return OkStatus();
}

// The poll choice of a state, when it still names an answer (get_choice).
std::optional<std::string> PollChoice(const json& state, const PollSettings& s) {
  auto it = state.find("choice");
  if (it == state.end() || !it->is_string()) return std::nullopt;
  std::string choice = it->get<std::string>();
  if (choice.empty() || !HasKey(s.answers, choice)) return std::nullopt;
  return choice;
}

// The survey choices of a state, when they still answer every question
// (get_choices).
std::optional<json> SurveyChoices(const json& state, const SurveySettings& s) {
  auto it = state.find("choices");
  if (it == state.end() || !it->is_object()) return std::nullopt;
  if (it->size() != s.questions.size()) return std::nullopt;
  for (const Item& q : s.questions) {
    auto a = it->find(q.key);
    if (a == it->end() || !a->is_string() || !HasKey(s.answers, a->get<std::string>())) {
      return std::nullopt;
    }
  }
  return *it;
}

}  // namespace

BuiltinBlockService::BuiltinBlockService(storage::Database& db, const Clock& clock)
    : db_(db), clock_(clock) {}

namespace {

StatusOr<std::vector<StudentModule>> AllRows(storage::Database& db, const std::string& usage_key) {
  return storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return StudentStateStore::ListForBlock(txn, usage_key);
  });
}

StatusOr<json> OwnState(storage::Database& db, const BlockCall& call) {
  LARCH_ASSIGN_OR_RETURN(
      std::optional<StudentModule> row,
      storage::RunWithResult(db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return StudentStateStore::Find(txn, call.user_id, BlockOf(call).usage_key);
      }));
  return row.has_value() ? row->state : json::object();
}

// Reads the learner's row, lets `step` change its state (returning the
// reply and whether to write), and writes it, in one transaction.
template <typename Step>
StatusOr<json> Update(storage::Database& db, const Clock& clock, const BlockCall& call, Step step) {
  const CatalogBlock& block = BlockOf(call);
  return storage::RunWithResult(
      db, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<json> {
        LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> row,
                               StudentStateStore::Find(txn, call.user_id, block.usage_key));
        StudentModule module;
        if (row.has_value()) {
          module = std::move(*row);
        } else {
          module.user_id = call.user_id;
          module.course_key = call.tree->course_key;
          module.usage_key = block.usage_key;
          module.module_type = block.type;
        }
        bool write = false;
        json reply = step(module.state, write);
        if (write) {
          LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, module, clock.NowMicros()).status());
        }
        return reply;
      });
}

// tally_detail of PollBlock: answers in order with counts and percents.
std::pair<json, int64_t> PollTally(const PollSettings& s, const std::vector<StudentModule>& rows,
                                   const std::optional<std::string>& choice) {
  std::map<std::string, int64_t> counts;
  for (const StudentModule& row : rows) {
    if (std::optional<std::string> c = PollChoice(row.state, s)) ++counts[*c];
  }
  int64_t total = 0;
  int64_t highest = -1;
  for (const Item& a : s.answers) {
    total += counts[a.key];
    highest = std::max(highest, counts[a.key]);
  }
  json tally = json::array();
  for (const Item& a : s.answers) {
    int64_t count = counts[a.key];
    tally.push_back({{"count", count},
                     {"answer", a.label},
                     {"img", a.Img()},
                     {"img_alt", a.ImgAlt()},
                     {"key", a.key},
                     {"first", false},
                     {"choice", choice.has_value() && *choice == a.key},
                     {"last", false},
                     {"percent", total == 0 ? 0 : PyRound(100.0 * count / total)},
                     {"leader", count == highest}});
  }
  if (!tally.empty()) {
    tally.front()["first"] = true;
    tally.back()["last"] = true;
  }
  return {tally, total};
}

}  // namespace

StatusOr<json> BuiltinBlockService::PollView(const BlockCall& call) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "poll"));
  PollSettings s = PollSettings::From(BlockOf(call));
  LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
  std::optional<std::string> choice = PollChoice(state, s);
  int64_t submissions = SubmissionsCount(state);
  json view = {{"display_name", s.display_name},
               {"question", Paragraphs(s.question)},
               {"answers", ItemsJson(s.answers)},
               {"choice", choice ? json(*choice) : json(nullptr)},
               {"private_results", s.private_results},
               {"feedback", s.feedback.empty() ? json(false) : json(Paragraphs(s.feedback))},
               {"can_vote", CanVote(s.max_submissions, choice ? submissions : 0)},
               {"max_submissions", s.max_submissions},
               {"submissions_count", submissions},
               {"can_view_private_results", call.staff},
               {"block_id", BlockOf(call).block_id}};
  if (choice.has_value() && (!s.private_results || call.staff)) {
    LARCH_ASSIGN_OR_RETURN(std::vector<StudentModule> rows, AllRows(db_, BlockOf(call).usage_key));
    auto [tally, total] = PollTally(s, rows, choice);
    view["tally"] = tally;
    view["total"] = total;
    view["plural"] = total > 1;
  }
  return view;
}

StatusOr<json> BuiltinBlockService::PollVote(const BlockCall& call, const json& data) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "poll"));
  PollSettings s = PollSettings::From(BlockOf(call));
  return Update(db_, clock_, call, [&](json& state, bool& write) {
    json result = {{"success", false}, {"errors", json::array()}};
    std::optional<std::string> old_choice = PollChoice(state, s);
    if (old_choice.has_value() && !s.private_results) {
      result["errors"].push_back("You have already voted in this poll.");
      return result;
    }
    if (!data.is_object() || !data.contains("choice")) {
      result["errors"].push_back("Answer not included with request.");
      return result;
    }
    std::string choice =
        data["choice"].is_string() ? data["choice"].get<std::string>() : data["choice"].dump();
    if (!data["choice"].is_string() || !HasKey(s.answers, choice)) {
      result["errors"].push_back("No key \"" + choice + "\" in answers table.");
      return result;
    }
    int64_t submissions = old_choice.has_value() ? SubmissionsCount(state) : 0;
    if (!CanVote(s.max_submissions, submissions)) {
      result["errors"].push_back("You have already voted as many times as you are allowed.");
      return result;
    }
    state["choice"] = choice;
    state["submissions_count"] = submissions + 1;
    write = true;
    result["success"] = true;
    result["can_vote"] = CanVote(s.max_submissions, submissions + 1);
    result["submissions_count"] = submissions + 1;
    result["max_submissions"] = s.max_submissions;
    return result;
  });
}

StatusOr<json> BuiltinBlockService::PollResults(const BlockCall& call) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "poll"));
  PollSettings s = PollSettings::From(BlockOf(call));
  json tally = json::object();
  json total = nullptr;
  if (!s.private_results || call.staff) {
    LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
    LARCH_ASSIGN_OR_RETURN(std::vector<StudentModule> rows, AllRows(db_, BlockOf(call).usage_key));
    auto [detail, count] = PollTally(s, rows, PollChoice(state, s));
    tally = detail;
    total = count;
  }
  bool any_img =
      std::any_of(s.answers.begin(), s.answers.end(), [](const Item& a) { return !a.img.empty(); });
  return json{{"question", Paragraphs(s.question)},
              {"tally", tally},
              {"total", total},
              {"feedback", Paragraphs(s.feedback)},
              {"plural", total.is_number() && total.get<int64_t>() > 1},
              {"display_name", s.display_name},
              {"any_img", any_img},
              {"block_id", BlockOf(call).block_id}};
}

namespace {

// SurveyBlock.tally_detail.
std::pair<json, int64_t> SurveyTally(const SurveySettings& s,
                                     const std::vector<StudentModule>& rows,
                                     const std::optional<json>& choices) {
  std::map<std::string, std::map<std::string, int64_t>> counts;
  int64_t total = 0;
  for (const StudentModule& row : rows) {
    std::optional<json> c = SurveyChoices(row.state, s);
    if (!c.has_value()) continue;
    ++total;
    for (const auto& [q, a] : c->items()) ++counts[q][a.get<std::string>()];
  }
  json tally = json::array();
  for (const Item& q : s.questions) {
    json answers = json::array();
    int64_t highest = 0;
    int top = -1;
    for (const Item& a : s.answers) {
      int64_t count = counts[q.key][a.key];
      bool chosen = choices.has_value() && (*choices).value(q.key, "") == a.key;
      if (count > highest) {
        highest = count;
        top = static_cast<int>(answers.size());
      }
      answers.push_back({{"count", count},
                         {"choice", chosen},
                         {"key", a.key},
                         {"top", false},
                         {"percent", total == 0 ? 0 : PyRound(100.0 * count / total)}});
    }
    if (top >= 0) answers[static_cast<size_t>(top)]["top"] = true;
    tally.push_back({{"label", q.label},
                     {"img", q.Img()},
                     {"img_alt", q.ImgAlt()},
                     {"answers", answers},
                     {"key", q.key},
                     {"choice", false}});
  }
  return {tally, total};
}

}  // namespace

StatusOr<json> BuiltinBlockService::SurveyView(const BlockCall& call) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "survey"));
  SurveySettings s = SurveySettings::From(BlockOf(call));
  LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
  std::optional<json> choices = SurveyChoices(state, s);
  int64_t submissions = choices ? SubmissionsCount(state) : 0;
  json questions = ItemsJson(s.questions);
  for (json& q : questions) {
    q["choice"] = choices ? choices->value(q["key"].get<std::string>(), json(nullptr)) : nullptr;
  }
  json answers = json::array();
  for (const Item& a : s.answers) answers.push_back({a.key, a.label});
  json view = {{"display_name", s.display_name},
               {"block_name", s.block_name},
               {"questions", questions},
               {"answers", answers},
               {"choices", choices ? *choices : json(nullptr)},
               {"private_results", s.private_results},
               {"feedback", s.feedback.empty() ? json(false) : json(Paragraphs(s.feedback))},
               {"can_vote", CanVote(s.max_submissions, submissions)},
               {"max_submissions", s.max_submissions},
               {"submissions_count", submissions},
               {"can_view_private_results", call.staff},
               {"block_id", BlockOf(call).block_id}};
  if (choices.has_value() && (!s.private_results || call.staff)) {
    LARCH_ASSIGN_OR_RETURN(std::vector<StudentModule> rows, AllRows(db_, BlockOf(call).usage_key));
    auto [tally, total] = SurveyTally(s, rows, choices);
    view["tally"] = tally;
    view["total"] = total;
  }
  return view;
}

StatusOr<json> BuiltinBlockService::SurveyVote(const BlockCall& call, const json& data) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "survey"));
  SurveySettings s = SurveySettings::From(BlockOf(call));
  return Update(db_, clock_, call, [&](json& state, bool& write) {
    json result = {{"success", true}, {"errors", json::array()}};
    std::optional<json> choices = SurveyChoices(state, s);
    if (choices.has_value() && !s.private_results) {
      result["success"] = false;
      result["errors"].push_back("You have already voted in this poll.");
    }
    int64_t submissions = choices ? SubmissionsCount(state) : 0;
    if (!CanVote(s.max_submissions, submissions)) {
      result["success"] = false;
      result["errors"].push_back("You have already voted as many times as you are allowed.");
    }
    std::set<std::string> given;
    if (data.is_object()) {
      for (const auto& [key, value] : data.items()) given.insert(key);
    }
    std::set<std::string> wanted;
    for (const Item& q : s.questions) wanted.insert(q.key);
    if (given != wanted) {
      result["success"] = false;
      result["errors"].push_back(
          "Not all questions were included, or unknown questions were included. Try refreshing "
          "and trying again.");
    }
    if (data.is_object()) {
      for (const auto& [key, value] : data.items()) {
        if (value.is_string() && HasKey(s.answers, value.get<std::string>())) continue;
        // Upstream formats the two keys the other way round; kept as is.
        result["success"] = false;
        result["errors"].push_back("Found unknown answer '" + key + "' for question key '" +
                                   (value.is_string() ? value.get<std::string>() : value.dump()) +
                                   "'");
      }
    }
    if (result["success"] == false) {
      result["can_vote"] = CanVote(s.max_submissions, submissions);
      return result;
    }
    state["choices"] = data;
    state["submissions_count"] = submissions + 1;
    write = true;
    result["can_vote"] = CanVote(s.max_submissions, submissions + 1);
    result["submissions_count"] = submissions + 1;
    result["max_submissions"] = s.max_submissions;
    return result;
  });
}

StatusOr<json> BuiltinBlockService::SurveyResults(const BlockCall& call) {
  LARCH_RETURN_IF_ERROR(CheckType(call, "survey"));
  SurveySettings s = SurveySettings::From(BlockOf(call));
  json tally = json::object();
  json total = nullptr;
  if (!s.private_results || call.staff) {
    LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
    LARCH_ASSIGN_OR_RETURN(std::vector<StudentModule> rows, AllRows(db_, BlockOf(call).usage_key));
    auto [detail, count] = SurveyTally(s, rows, SurveyChoices(state, s));
    tally = detail;
    total = count;
  }
  json answers = json::array();
  for (const Item& a : s.answers) answers.push_back({{"key", a.key}, {"label", a.label}});
  return json{{"answers", answers},
              {"tally", tally},
              {"total", total},
              {"feedback", Paragraphs(s.feedback)},
              {"plural", total.is_number() && total.get<int64_t>() > 1},
              {"block_name", s.block_name},
              {"block_id", BlockOf(call).block_id}};
}

StatusOr<json> BuiltinBlockService::StudentVoted(const BlockCall& call) {
  if (CheckType(call, "poll").ok()) {
    PollSettings s = PollSettings::From(BlockOf(call));
    LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
    return json{{"voted", PollChoice(state, s).has_value()},
                {"private_results", s.private_results}};
  }
  LARCH_RETURN_IF_ERROR(CheckType(call, "survey"));
  SurveySettings s = SurveySettings::From(BlockOf(call));
  LARCH_ASSIGN_OR_RETURN(json state, OwnState(db_, call));
  return json{{"voted", SurveyChoices(state, s).has_value()},
              {"private_results", s.private_results}};
}

}  // namespace larch::builtin_blocks
