// word_cloud (xmodule/word_cloud_block.py): each learner's words are their
// student_state row; all_words and top_words are counted over every row.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "larch/builtin_blocks/builtin_blocks.h"
#include "larch/common/strings.h"
#include "larch/student_state/student_state.h"

namespace larch::builtin_blocks {
namespace {

using courses::CatalogBlock;
using nlohmann::json;
using student_state::StudentModule;
using student_state::StudentStateStore;

int64_t IntField(const CatalogBlock& block, const char* name, int64_t fallback) {
  auto it = block.fields.find(name);
  if (it == block.fields.end()) return fallback;
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

// pretty_bool: True, "True", "true", "T", "t", "1".
bool PrettyBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) return value.get<int64_t>() == 1;
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return s == "True" || s == "true" || s == "T" || s == "t" || s == "1";
}

std::string GoodWord(std::string_view word) {
  size_t begin = 0;
  size_t end = word.size();
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (begin < end && space(word[begin])) ++begin;
  while (end > begin && space(word[end - 1])) --end;
  return AsciiLower(word.substr(begin, end - begin));
}

std::vector<std::string> Words(const json& state) {
  std::vector<std::string> out;
  auto it = state.find("student_words");
  if (it == state.end() || !it->is_array()) return out;
  for (const json& w : *it) {
    if (w.is_string()) out.push_back(w.get<std::string>());
  }
  return out;
}

bool Submitted(const json& state) { return state.value("submitted", false) == true; }

// get_state over every learner's words (all_words in first-seen order, as
// upstream's dict grows).
json State(const CatalogBlock& block, const json& own, const std::vector<StudentModule>& rows) {
  if (!Submitted(own)) {
    return json{{"status", "success"},
                {"submitted", false},
                {"display_student_percents", false},
                {"student_words", json::object()},
                {"total_count", 0},
                {"top_words", json::object()}};
  }
  std::vector<std::pair<std::string, int64_t>> all;
  std::map<std::string, size_t> index;
  for (const StudentModule& row : rows) {
    if (!Submitted(row.state)) continue;
    for (const std::string& word : Words(row.state)) {
      auto [it, added] = index.emplace(word, all.size());
      if (added) all.emplace_back(word, 0);
      ++all[it->second].second;
    }
  }
  int64_t total = 0;
  for (const auto& [word, count] : all) total += count;
  json student_words = json::object();
  for (const std::string& word : Words(own)) {
    auto it = index.find(word);
    student_words[word] = it == index.end() ? 0 : all[it->second].second;
  }
  // top_dict: the num_top_words most frequent (stable on ties).
  std::vector<std::pair<std::string, int64_t>> top = all;
  std::stable_sort(top.begin(), top.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  int64_t limit = std::max<int64_t>(1, IntField(block, "num_top_words", 250));
  if (static_cast<int64_t>(top.size()) > limit) top.resize(static_cast<size_t>(limit));
  // prepare_words: sorted by the lower-cased word; the last takes what the
  // rounded others leave of 100.
  std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
    return AsciiLower(a.first) < AsciiLower(b.first);
  });
  json prepared = json::array();
  int64_t percents = 0;
  for (size_t i = 0; i < top.size(); ++i) {
    int64_t percent = 0;
    if (i + 1 == top.size()) {
      percent = 100 - percents;
    } else {
      percent = static_cast<int64_t>(
          std::nearbyint(100.0 * static_cast<double>(top[i].second) / static_cast<double>(total)));
      percents += percent;
    }
    prepared.push_back({{"text", top[i].first}, {"size", top[i].second}, {"percent", percent}});
  }
  auto shown = block.fields.find("display_student_percents");
  return json{{"status", "success"},
              {"submitted", true},
              {"display_student_percents", shown == block.fields.end() ? true : PrettyBool(*shown)},
              {"student_words", student_words},
              {"total_count", total},
              {"top_words", prepared}};
}

const CatalogBlock* WordCloud(const BlockCall& call) {
  if (!call.tree || call.block_index < 0 ||
      static_cast<size_t>(call.block_index) >= call.tree->blocks.size()) {
    return nullptr;
  }
  const CatalogBlock& block = call.tree->blocks[static_cast<size_t>(call.block_index)];
  return block.type == "word_cloud" ? &block : nullptr;
}

}  // namespace

json BuiltinBlockService::WordCloudSettings(const CatalogBlock& block) {
  auto name = block.fields.find("display_name");
  auto instructions = block.fields.find("instructions");
  return json{
      {"display_name",
       name != block.fields.end() && name->is_string() ? *name : json("Word cloud")},
      {"instructions",
       instructions != block.fields.end() && instructions->is_string() ? *instructions : json("")},
      {"num_inputs", std::clamp<int64_t>(IntField(block, "num_inputs", 5), 1, 100)}};
}

StatusOr<json> BuiltinBlockService::WordCloudState(const BlockCall& call) {
  const CatalogBlock* block = WordCloud(call);
  if (block == nullptr) return InvalidArgumentError("not a word cloud");
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<json> {
        LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> own,
                               StudentStateStore::Find(txn, call.user_id, block->usage_key));
        json state = own.has_value() ? own->state : json::object();
        std::vector<StudentModule> rows;
        if (Submitted(state)) {
          LARCH_ASSIGN_OR_RETURN(rows, StudentStateStore::ListForBlock(txn, block->usage_key));
        }
        return State(*block, state, rows);
      });
}

StatusOr<json> BuiltinBlockService::WordCloudSubmit(const BlockCall& call,
                                                    const std::vector<std::string>& words) {
  const CatalogBlock* block = WordCloud(call);
  if (block == nullptr) return InvalidArgumentError("not a word cloud");
  json cleaned = json::array();
  for (const std::string& raw : words) {
    std::string word = GoodWord(raw);
    if (!word.empty()) cleaned.push_back(word);
  }
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<json> {
        LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> own,
                               StudentStateStore::Find(txn, call.user_id, block->usage_key));
        StudentModule module;
        if (own.has_value()) {
          module = std::move(*own);
        } else {
          module.user_id = call.user_id;
          module.course_key = call.tree->course_key;
          module.usage_key = block->usage_key;
          module.module_type = block->type;
        }
        if (Submitted(module.state)) {
          return json{{"status", "fail"}, {"error", "You have already posted your data."}};
        }
        module.state["submitted"] = true;
        module.state["student_words"] = cleaned;
        LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, module, clock_.NowMicros()).status());
        LARCH_ASSIGN_OR_RETURN(std::vector<StudentModule> rows,
                               StudentStateStore::ListForBlock(txn, block->usage_key));
        return State(*block, module.state, rows);
      });
}

}  // namespace larch::builtin_blocks
