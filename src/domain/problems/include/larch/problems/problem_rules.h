// The rules of a capa problem block that do not depend on its responses:
// its settings (own and inherited), when it closes, which seed a learner
// gets, and when correctness and answers may be shown. They follow
// edx-platform xmodule/capa_block.py (closed, is_past_due, close_date,
// choose_new_seed, answer_available, correctness_available) and
// xmodule/graders.py ShowCorrectness.
//
// Thread safety: values and pure functions.
#ifndef LARCH_PROBLEMS_PROBLEM_RULES_H_
#define LARCH_PROBLEMS_PROBLEM_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace larch::problems {

// The settings of one problem block: its own fields over the inherited
// ones, with capa_block.py's defaults.
struct ProblemSettings {
  std::optional<int64_t> max_attempts;  // Unset: unlimited.
  std::optional<int64_t> due;           // Micros since the epoch.
  std::optional<int64_t> course_end;
  int64_t graceperiod_micros = 0;
  std::string showanswer = "finished";
  std::string show_correctness = "always";
  // One of always, onreset, never, per_student ("true"/"" read as always,
  // "false" as per_student, as the Randomization field does).
  std::string rerandomize = "never";
  std::optional<double> weight;
  int64_t attempts_before_showanswer_button = 0;
  bool show_reset_button = false;
  bool force_save_button = false;
  int64_t submission_wait_seconds = 0;
  std::string grading_method = "last_score";

  // From the block's `fields` and `inherited` JSON (catalog form) and the
  // course block's fields (for `end`). Values of the wrong type are ignored
  // as Open edX's field parsing would leave them at the default.
  static ProblemSettings FromBlock(const nlohmann::json& fields, const nlohmann::json& inherited,
                                   const nlohmann::json& course_fields);

  // close_date: (due, else the course end) plus the grace period; unset when
  // neither date is.
  std::optional<int64_t> CloseDate() const;
};

// Timedelta's from_json: "1 day 2 hours 3 minutes 4 seconds" (each part
// optional, singular or plural) as micros; nullopt for text that does not
// match.
std::optional<int64_t> ParseTimedelta(std::string_view text);

// The learner's standing on the problem that the rules look at.
struct AttemptState {
  int64_t attempts = 0;
  bool done = false;
  double raw_earned = 0;
  double raw_possible = 0;
};

struct Viewer {
  bool staff = false;
  int64_t now = 0;  // Micros since the epoch.
};

bool IsPastDue(const ProblemSettings& settings, int64_t now);
bool UsedAllAttempts(const ProblemSettings& settings, const AttemptState& state);
// Past max attempts or past the close date.
bool IsClosed(const ProblemSettings& settings, const AttemptState& state, int64_t now);
// raw_earned == raw_possible.
bool IsCorrect(const AttemptState& state);
// ShowCorrectness.correctness_available for the close date.
bool CorrectnessAvailable(const ProblemSettings& settings, const Viewer& viewer);
// answer_available: the showanswer rule.
bool AnswerAvailable(const ProblemSettings& settings, const AttemptState& state,
                     const Viewer& viewer);

// randomization_bin: int(sha256(str(user_id) + usage_key).hexdigest()[:7], 16)
// % 20, the per_student seed.
int64_t RandomizationBin(int64_t user_id, std::string_view usage_key);

// The weighted (earned, possible) capa_block.get_progress shows; nullopt
// when raw_possible is 0 or the weight is 0 (no progress).
struct Progress {
  double earned = 0;
  double possible = 0;
  bool weighted = false;  // Scaled by a weight (Python floats), else raw.
};
std::optional<Progress> WeightedProgress(const ProblemSettings& settings, double raw_earned,
                                         double raw_possible);

}  // namespace larch::problems

#endif  // LARCH_PROBLEMS_PROBLEM_RULES_H_
