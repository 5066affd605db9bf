#include "larch/problems/problem_rules.h"

#include <openssl/sha.h>

#include <cctype>
#include <cstdlib>
#include <string>

#include "larch/common/clock.h"

namespace larch::problems {
namespace {

using nlohmann::json;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kRandomizationBins = 20;

// The block's own value, else the inherited one; null and "null" are unset.
const json* Setting(const json& fields, const json& inherited, const char* name) {
  for (const json* source : {&fields, &inherited}) {
    if (!source->is_object()) continue;
    auto it = source->find(name);
    if (it == source->end() || it->is_null()) continue;
    if (it->is_string() && it->get_ref<const std::string&>() == "null") continue;
    return &*it;
  }
  return nullptr;
}

std::optional<double> AsNumber(const json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  if (!value->is_string()) return std::nullopt;
  const std::string& text = value->get_ref<const std::string&>();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return std::nullopt;
  return parsed;
}

std::optional<int64_t> AsInt(const json* value) {
  std::optional<double> number = AsNumber(value);
  if (!number || *number < -1e15 || *number > 1e15) return std::nullopt;
  return static_cast<int64_t>(*number);
}

std::optional<bool> AsBool(const json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
  }
  return std::nullopt;
}

std::optional<int64_t> AsTime(const json* value) {
  if (value == nullptr || !value->is_string()) return std::nullopt;
  StatusOr<int64_t> parsed = ParseIso8601(value->get_ref<const std::string&>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

std::string AsString(const json* value, std::string fallback) {
  if (value == nullptr || !value->is_string()) return fallback;
  return value->get<std::string>();
}

}  // namespace

ProblemSettings ProblemSettings::FromBlock(const json& fields, const json& inherited,
                                           const json& course_fields) {
  static const json kEmpty = json::object();
  ProblemSettings s;
  s.max_attempts = AsInt(Setting(fields, inherited, "max_attempts"));
  if (s.max_attempts && *s.max_attempts < 0) s.max_attempts.reset();
  s.due = AsTime(Setting(fields, inherited, "due"));
  s.course_end = AsTime(Setting(course_fields, kEmpty, "end"));
  if (const json* grace = Setting(fields, inherited, "graceperiod"); grace && grace->is_string()) {
    s.graceperiod_micros = ParseTimedelta(grace->get_ref<const std::string&>()).value_or(0);
  }
  s.showanswer = AsString(Setting(fields, inherited, "showanswer"), s.showanswer);
  s.show_correctness = AsString(Setting(fields, inherited, "show_correctness"), s.show_correctness);
  if (const json* r = Setting(fields, inherited, "rerandomize")) {
    if (r->is_boolean()) {
      s.rerandomize = r->get<bool>() ? "always" : "per_student";
    } else if (r->is_string()) {
      const std::string& text = r->get_ref<const std::string&>();
      s.rerandomize = text.empty() || text == "true" ? "always"
                      : text == "false"              ? "per_student"
                                                     : text;
    }
  }
  s.weight = AsNumber(Setting(fields, inherited, "weight"));
  s.attempts_before_showanswer_button =
      AsInt(Setting(fields, inherited, "attempts_before_showanswer_button")).value_or(0);
  s.show_reset_button = AsBool(Setting(fields, inherited, "show_reset_button")).value_or(false);
  s.force_save_button = AsBool(Setting(fields, inherited, "force_save_button")).value_or(false);
  s.submission_wait_seconds =
      AsInt(Setting(fields, inherited, "submission_wait_seconds")).value_or(0);
  s.grading_method = AsString(Setting(fields, inherited, "grading_method"), s.grading_method);
  return s;
}

std::optional<int64_t> ProblemSettings::CloseDate() const {
  std::optional<int64_t> date = due ? due : course_end;
  if (!date) return std::nullopt;
  return *date + graceperiod_micros;
}

std::optional<int64_t> ParseTimedelta(std::string_view text) {
  // Parts in the order days, hours, minutes, seconds, each "<n> <unit>[s]",
  // separated by at most one space, every part optional.
  static constexpr const char* kUnits[] = {"day", "hour", "minute", "second"};
  static constexpr int64_t kSeconds[] = {86'400, 3'600, 60, 1};
  size_t pos = 0;
  int64_t total = 0;
  int next_unit = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t digits = pos;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
      ++digits;
    }
    if (digits == pos || digits - pos > 12 || digits >= text.size() || text[digits] != ' ') {
      return std::nullopt;
    }
    int64_t value = std::stoll(std::string(text.substr(pos, digits - pos)));
    pos = digits + 1;
    bool matched = false;
    for (int unit = next_unit; unit < 4 && !matched; ++unit) {
      std::string_view name = kUnits[unit];
      if (text.substr(pos, name.size()) != name) continue;
      pos += name.size();
      if (pos < text.size() && text[pos] == 's') ++pos;
      total += value * kSeconds[unit];
      next_unit = unit + 1;
      matched = true;
    }
    if (!matched) return std::nullopt;
  }
  return total * kMicrosPerSecond;
}

bool IsPastDue(const ProblemSettings& settings, int64_t now) {
  std::optional<int64_t> close = settings.CloseDate();
  return close.has_value() && now > *close;
}

bool UsedAllAttempts(const ProblemSettings& settings, const AttemptState& state) {
  return settings.max_attempts.has_value() && state.attempts >= *settings.max_attempts;
}

bool IsClosed(const ProblemSettings& settings, const AttemptState& state, int64_t now) {
  return UsedAllAttempts(settings, state) || IsPastDue(settings, now);
}

bool IsCorrect(const AttemptState& state) { return state.raw_earned == state.raw_possible; }

bool CorrectnessAvailable(const ProblemSettings& settings, const Viewer& viewer) {
  const std::string& show = settings.show_correctness;
  if (show == "never" || show == "never_but_include_grade") return false;
  if (viewer.staff) return true;
  if (show == "past_due") {
    std::optional<int64_t> close = settings.CloseDate();
    return !close.has_value() || *close < viewer.now;
  }
  return true;
}

bool AnswerAvailable(const ProblemSettings& settings, const AttemptState& state,
                     const Viewer& viewer) {
  if (!CorrectnessAvailable(settings, viewer)) return false;
  const std::string& rule = settings.showanswer;
  if (rule.empty() || rule == "never") return false;
  if (viewer.staff) return true;
  bool past_due = IsPastDue(settings, viewer.now);
  bool closed = IsClosed(settings, state, viewer.now);
  if (rule == "attempted") return state.attempts > 0 || past_due;
  if (rule == "answered") return IsCorrect(state);
  if (rule == "closed") return closed;
  if (rule == "finished") return closed || IsCorrect(state);
  if (rule == "correct_or_past_due") return IsCorrect(state) || past_due;
  if (rule == "past_due") return past_due;
  if (rule == "after_attempts") {
    int64_t required = settings.attempts_before_showanswer_button;
    if (settings.max_attempts && *settings.max_attempts != 0 &&
        required >= *settings.max_attempts) {
      required = *settings.max_attempts;
    }
    return state.attempts >= required;
  }
  if (rule == "always") return true;
  if (rule == "after_all_attempts") return UsedAllAttempts(settings, state);
  if (rule == "after_all_attempts_or_correct") {
    return UsedAllAttempts(settings, state) || IsCorrect(state);
  }
  if (rule == "attempted_no_past_due") return state.attempts > 0;
  return false;
}

int64_t RandomizationBin(int64_t user_id, std::string_view usage_key) {
  std::string input = std::to_string(user_id);
  input.append(usage_key);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  // The first 7 hex digits are the first 28 bits of the digest.
  int64_t prefix = (static_cast<int64_t>(digest[0]) << 20) |
                   (static_cast<int64_t>(digest[1]) << 12) |
                   (static_cast<int64_t>(digest[2]) << 4) | (digest[3] >> 4);
  return prefix % kRandomizationBins;
}

std::optional<Progress> WeightedProgress(const ProblemSettings& settings, double raw_earned,
                                         double raw_possible) {
  if (raw_possible <= 0) return std::nullopt;
  if (settings.weight.has_value()) {
    if (*settings.weight == 0) return std::nullopt;
    return Progress{raw_earned * *settings.weight / raw_possible, *settings.weight, true};
  }
  return Progress{raw_earned, raw_possible, false};
}

}  // namespace larch::problems
