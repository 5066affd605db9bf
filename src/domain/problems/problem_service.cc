#include "larch/problems/problem_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "larch/capa/custom_response.h"
#include "larch/capa/responses.h"
#include "larch/courses/courses.h"
#include "larch/keys/keys.h"
#include "larch/problems/problem_view.h"

namespace larch::problems {
namespace {

using nlohmann::json;
using student_state::StudentModule;
using student_state::StudentStateStore;

// Races lost to other submissions of the same learner before giving up, and
// the back-off between them (random, growing), as RunInTransaction does.
constexpr int kMaxRaces = 32;
constexpr int64_t kRaceBackoffMicros = 200;
constexpr size_t kCacheCapacity = 4096;

// A number as Python would have it in the reply: whole raw scores are ints.
json Number(double value, bool as_float) {
  if (!as_float && std::floor(value) == value && std::fabs(value) < 1e15) {
    return static_cast<int64_t>(value);
  }
  return value;
}

double NPoints(const json& entry) {
  if (!entry.is_object()) return 0;
  auto npoints = entry.find("npoints");
  if (npoints != entry.end() && npoints->is_number()) return npoints->get<double>();
  std::string correctness = entry.value("correctness", "");
  return correctness == "correct" || correctness == "partially-correct" ? 1 : 0;
}

// calculate_score over a correct map.
double Earned(const json& correct_map) {
  double total = 0;
  if (!correct_map.is_object()) return 0;
  for (const auto& [id, entry] : correct_map.items()) total += NPoints(entry);
  return total;
}

json ObjectField(const json& state, const char* name) {
  auto it = state.find(name);
  return it != state.end() && it->is_object() ? *it : json::object();
}

json ArrayField(const json& state, const char* name) {
  auto it = state.find(name);
  return it != state.end() && it->is_array() ? *it : json::array();
}

// The learner's view of one problem during one step.
struct Work {
  const ProblemService::Loaded& loaded;
  const capa::Problem& problem;
  Viewer viewer;
  int64_t user_id = 0;
  std::string usage_key;
  json state;
  double raw_possible = 0;
  // Set for problems that need Python when the sandbox is available.
  capa::PythonRunner* runner = nullptr;
  // Closed by a rule outside the problem (ProblemRequest::closed).
  bool closed_by_rule = false;

  int64_t Seed() const {
    auto it = state.find("seed");
    return it != state.end() && it->is_number_integer() ? it->get<int64_t>() : 1;
  }
  // The problem's script run for this learner's seed (capa_problem
  // _extract_context); the message to show when it cannot run.
  StatusOr<capa::ProblemContext> ScriptContext() const {
    if (runner == nullptr) {
      return UnavailableError("This problem runs Python, which this server cannot run.");
    }
    return loaded.ScriptContext(*runner, Seed(), std::to_string(user_id));
  }

  int64_t Attempts() const {
    auto it = state.find("attempts");
    return it != state.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  }
  bool Done() const { return state.value("done", false) == true; }
  // The stored score, else the one the correct map gives (score_from_lcp).
  std::pair<double, double> Score() const {
    auto it = state.find("score");
    if (it != state.end() && it->is_object() && (*it)["raw_earned"].is_number() &&
        (*it)["raw_possible"].is_number()) {
      return {(*it)["raw_earned"].get<double>(), (*it)["raw_possible"].get<double>()};
    }
    return {Earned(ObjectField(state, "correct_map")), raw_possible};
  }
  AttemptState Attempt() const {
    auto [earned, possible] = Score();
    return AttemptState{Attempts(), Done(), earned, possible};
  }
  const ProblemSettings& settings() const { return loaded.settings; }
  bool Closed() const { return closed_by_rule || IsClosed(settings(), Attempt(), viewer.now); }
  bool CorrectnessShown() const { return CorrectnessAvailable(settings(), viewer); }

  std::string Html() const {
    ViewState view;
    view.student_answers = ObjectField(state, "student_answers");
    view.correct_map = ObjectField(state, "correct_map");
    view.show_correctness = CorrectnessShown();
    return RenderProblemHtml(problem, view);
  }
};

struct Outcome {
  json reply = json::object();
  bool write = false;
  bool score_changed = false;
};

void SetScore(json& state, double earned, double possible) {
  state["score"] = {{"raw_earned", earned}, {"raw_possible", possible}};
}

// GradingMethodHandler over the score history (the new score appended).
std::pair<double, double> ApplyGradingMethod(const std::string& method, const json& history,
                                             double max_score) {
  std::vector<std::pair<double, double>> scores;
  for (const json& entry : history) {
    if (!entry.is_object()) continue;
    scores.emplace_back(entry.value("raw_earned", 0.0), entry.value("raw_possible", 0.0));
  }
  if (scores.empty()) return {0, max_score};
  if (method == "first_score") return scores.front();
  if (method == "highest_score") {
    std::pair<double, double> best = scores.front();
    for (const auto& s : scores) best = std::max(best, s);
    return best;
  }
  if (method == "average_score") {
    double total = 0;
    for (const auto& s : scores) total += s.first;
    double average = std::round(total / static_cast<double>(scores.size()) * 100) / 100;
    return {average, max_score};
  }
  return scores.back();
}

// capa_block.pretty_print_seconds: "1 hour 2 minutes 3 seconds", "0 seconds".
std::string PrettySeconds(int64_t seconds) {
  std::string out;
  auto part = [&out](int64_t n, const char* unit) {
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + ' ' + unit + (n == 1 ? "" : "s");
  };
  int64_t hours = seconds / 3600;
  int64_t minutes = seconds % 3600 / 60;
  int64_t rest = seconds % 60;
  if (hours > 0) part(hours, "hour");
  if (minutes > 0) part(minutes, "minute");
  if (rest > 0 || (hours == 0 && minutes == 0)) part(rest, "second");
  return out;
}

// capa's grade_answers: the correct map of `answers`, or the message to
// show when they cannot be graded (kFailedPrecondition).
StatusOr<json> GradeAnswers(const Work& w, const json& answers) {
  capa::Answers given = ToCapaAnswers(answers);
  capa::ProblemContext context;
  if (w.loaded.needs_python) {
    StatusOr<capa::ProblemContext> ran = w.ScriptContext();
    if (!ran.ok()) return FailedPreconditionError(std::string(ran.status().message()));
    context = std::move(*ran);
  }
  json correct_map = json::object();
  for (const capa::Response& response : w.problem.responses) {
    StatusOr<std::vector<capa::InputGrade>> grades =
        w.loaded.needs_python ? capa::GradeResponse(response, given, context, w.runner)
                              : capa::GradeResponse(response, given);
    if (!grades.ok()) return FailedPreconditionError(std::string(grades.status().message()));
    for (const capa::InputGrade& grade : *grades) {
      correct_map[grade.input_id] = {
          {"correctness", std::string(capa::CorrectnessName(grade.correctness))},
          {"npoints", grade.npoints ? json(*grade.npoints) : json(nullptr)},
          {"msg", grade.message},
          {"hint", ""},
          {"hintmode", nullptr},
          {"queuestate", nullptr},
          {"answervariable", nullptr}};
    }
  }
  return correct_map;
}

Outcome Check(Work& w, const json& answers) {
  Outcome out;
  if (w.Closed() || (w.Done() && w.settings().rerandomize == "always")) {
    out.reply = {{"success", kStateChangedMessage}};
    return out;
  }
  if (w.settings().submission_wait_seconds > 0) {
    auto last = w.state.find("last_submission_time");
    StatusOr<int64_t> last_time = last != w.state.end() && last->is_string()
                                      ? ParseIso8601(last->get_ref<const std::string&>())
                                      : StatusOr<int64_t>(NotFoundError("none"));
    if (last_time.ok()) {
      int64_t waited = (w.viewer.now - *last_time) / 1'000'000;
      if (waited < w.settings().submission_wait_seconds) {
        int64_t remaining = w.settings().submission_wait_seconds - waited;
        out.reply = {
            {"success", "You must wait at least " +
                            PrettySeconds(w.settings().submission_wait_seconds) +
                            " between submissions. " + PrettySeconds(remaining) + " remaining."},
            {"html", ""}};
        return out;
      }
    }
  }
  StatusOr<json> graded = GradeAnswers(w, answers);
  if (!graded.ok()) {
    out.reply = {{"success", std::string(graded.status().message())}};
    return out;
  }
  json correct_map = std::move(*graded);
  json& state = w.state;
  state["attempts"] = w.Attempts() + 1;
  state["done"] = true;
  state["correct_map"] = correct_map;
  state["student_answers"] = answers;
  state["has_saved_answers"] = false;
  json score = {{"raw_earned", Earned(correct_map)}, {"raw_possible", w.raw_possible}};
  // Only a grading method other than the last score reads the attempts
  // before this one. Keeping them for every problem would grow each state
  // (and each student_module_history row, a copy of it) with every
  // attempt; the history table keeps every version anyway.
  const std::string& method = w.settings().grading_method;
  if (method != "last_score" && !method.empty()) {
    for (const auto& [field, entry] :
         {std::pair<const char*, const json*>{"student_answers_history", &answers},
          {"correct_map_history", &correct_map},
          {"score_history", &score}}) {
      json history = ArrayField(state, field);
      history.push_back(*entry);
      state[field] = std::move(history);
    }
    auto [earned, possible] = ApplyGradingMethod(method, state["score_history"], w.raw_possible);
    SetScore(state, earned, possible);
  } else {
    SetScore(state, score["raw_earned"].get<double>(), w.raw_possible);
  }
  state["last_submission_time"] = FormatIso8601(w.viewer.now);
  std::string success = "correct";
  for (const auto& [id, entry] : correct_map.items()) {
    std::string c = entry.value("correctness", "");
    if (c != "correct" && c != "partially-correct") success = "incorrect";
  }
  if (!w.CorrectnessShown()) success = "submitted";
  out.reply = {{"success", success}, {"contents", w.Html()}};
  out.write = true;
  out.score_changed = true;
  return out;
}

Outcome Save(Work& w, const json& answers) {
  Outcome out;
  bool survey = w.settings().max_attempts.has_value() && *w.settings().max_attempts == 0;
  if (w.Closed() && !survey) {
    out.reply = {{"success", false}, {"msg", "Problem is closed."}};
    return out;
  }
  if (w.Done() && w.settings().rerandomize == "always") {
    out.reply = {{"success", false}, {"msg", "Problem needs to be reset prior to save."}};
    return out;
  }
  w.state["student_answers"] = answers;
  w.state["has_saved_answers"] = true;
  std::string msg = survey ? "Your answers have been saved."
                           : "Your answers have been saved but not graded. Click 'Submit' to "
                             "grade them.";
  out.reply = {{"success", true}, {"msg", msg}, {"html", w.Html()}};
  out.write = true;
  return out;
}

Outcome Reset(Work& w, Random& random) {
  Outcome out;
  if (w.Closed()) {
    out.reply = {{"success", false},
                 {"msg", "You cannot select Reset for a problem that is closed."}};
    return out;
  }
  if (!w.Done()) {
    out.reply = {{"success", false},
                 {"msg", "You must submit an answer before you can select Reset."}};
    return out;
  }
  const std::string& r = w.settings().rerandomize;
  if (r == "always" || r == "onreset") {
    w.state["seed"] = static_cast<int64_t>(random.Uniform(1000));
  }
  w.state["done"] = false;
  w.state["correct_map"] = json::object();
  w.state["student_answers"] = json::object();
  w.state["input_state"] = json::object();
  w.state["has_saved_answers"] = false;
  SetScore(w.state, 0, w.raw_possible);
  out.reply = {{"success", true}, {"html", w.Html()}};
  out.write = true;
  out.score_changed = true;
  return out;
}

Outcome Show(Work& w) {
  Outcome out;
  if (!AnswerAvailable(w.settings(), w.Attempt(), w.viewer)) {
    out.reply = {{"success", kStateChangedMessage}};
    return out;
  }
  capa::ScriptContext variables;
  if (w.loaded.needs_python) {
    StatusOr<capa::ProblemContext> ran = w.ScriptContext();
    if (ran.ok()) variables = ran->variables;
  }
  StatusOr<json> answers = ShownAnswers(w.problem, variables);
  if (!answers.ok()) {
    out.reply = {{"success", kGenericErrorMessage}};
    return out;
  }
  out.reply = {{"answers", *answers},
               {"correct_status_html",
                "<span class=\"status correct\" data-tooltip=\"Correct\"><span "
                "class=\"sr\">Correct</span></span>"}};
  return out;
}

void AddProgress(const Work& before, const Work& after, json& reply) {
  auto [b_earned, b_possible] = before.Score();
  auto [a_earned, a_possible] = after.Score();
  std::optional<Progress> p_before = WeightedProgress(before.settings(), b_earned, b_possible);
  std::optional<Progress> p_after = WeightedProgress(after.settings(), a_earned, a_possible);
  bool changed_progress = p_before.has_value() != p_after.has_value() ||
                          (p_before && (p_before->earned != p_after->earned ||
                                        p_before->possible != p_after->possible));
  reply["progress_changed"] = changed_progress || before.Attempts() != after.Attempts();
  bool weighted = p_after && p_after->weighted;
  json score = p_after ? Number(p_after->earned, weighted) : json(0);
  json total = p_after ? Number(p_after->possible, weighted) : json(0);
  reply["current_score"] = after.CorrectnessShown() ? score : json(nullptr);
  reply["total_possible"] = total;
  reply["attempts_used"] = after.Attempts();
}

}  // namespace

ProblemService::ProblemService(storage::Database& db, const Clock& clock, Random& random,
                               ScoreHook on_score, PythonOptions python)
    : db_(db),
      clock_(clock),
      random_(random),
      on_score_(std::move(on_score)),
      python_(std::move(python)) {}

StatusOr<capa::ProblemContext> ProblemService::Loaded::ScriptContext(
    capa::PythonRunner& runner, int64_t seed, const std::string& anonymous_student_id) const {
  constexpr size_t kMaxContexts = 2048;
  std::pair<int64_t, std::string> key{seed, anonymous_student_id};
  {
    MutexLock lock(contexts_mu_);
    auto it = contexts_.find(key);
    if (it != contexts_.end()) return it->second;
  }
  if (!problem.ok()) return problem.status();
  LARCH_ASSIGN_OR_RETURN(
      capa::ProblemContext context,
      capa::RunProblemScript(*problem, runner, seed, anonymous_student_id, python_lib_zip));
  MutexLock lock(contexts_mu_);
  if (contexts_.size() >= kMaxContexts) contexts_.clear();
  contexts_.emplace(std::move(key), context);
  return context;
}

std::string ProblemService::PythonLibZip(const keys::CourseKey& course_key) {
  StatusOr<courses::CourseAsset> asset =
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return courses::CourseStore::FindAsset(txn, course_key, "python_lib.zip");
      });
  if (!asset.ok()) return "";
  StatusOr<std::filesystem::path> local = courses::MaterializeAsset(
      db_, *asset, std::filesystem::path(python_.data_dir) / "cache" / "assets");
  // Without its copy the script runs without the library, as for a course
  // that has none; its import errors say what is missing.
  return local.ok() ? local->string() : "";
}

std::shared_ptr<const ProblemService::Loaded> ProblemService::Load(const courses::CourseTree& tree,
                                                                   int block_index) {
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(block_index)];
  {
    MutexLock lock(mu_);
    auto it = cache_.find(block.usage_key);
    if (it != cache_.end() && it->second->version == tree.version) return it->second;
  }
  auto loaded = std::make_shared<Loaded>();
  loaded->version = tree.version;
  loaded->problem = capa::ParseProblem(block.data, block.block_id);
  static const json kEmpty = json::object();
  const json& course_fields =
      tree.root >= 0 ? tree.blocks[static_cast<size_t>(tree.root)].fields : kEmpty;
  loaded->settings = ProblemSettings::FromBlock(block.fields, block.inherited, course_fields);
  if (loaded->problem.ok()) {
    loaded->needs_python = !loaded->problem->python_script.empty();
    for (const capa::Response& response : loaded->problem->responses) {
      if (response.tag == "customresponse") loaded->needs_python = true;
    }
  }
  StatusOr<keys::CourseKey> course_key = keys::CourseKey::Parse(tree.course_key);
  if (loaded->needs_python && course_key.ok() && !python_.data_dir.empty()) {
    loaded->python_lib_zip = PythonLibZip(*course_key);
  }
  MutexLock lock(mu_);
  if (cache_.size() >= kCacheCapacity) cache_.clear();
  cache_[block.usage_key] = loaded;
  return loaded;
}

namespace {

Outcome Dispatch(std::string_view dispatch, Work& work, const json& answers, Random& random) {
  if (dispatch == "problem_check") return Check(work, answers);
  if (dispatch == "problem_save") return Save(work, answers);
  if (dispatch == "problem_reset") return Reset(work, random);
  if (dispatch == "problem_show") return Show(work);
  Outcome outcome;
  outcome.reply = {{"html", work.Html()}};
  return outcome;
}

}  // namespace

StatusOr<json> ProblemService::Handle(const ProblemRequest& request) {
  static const std::set<std::string, std::less<>> kDispatches = {
      "problem_get", "problem_check", "problem_save", "problem_reset", "problem_show"};
  if (kDispatches.count(request.dispatch) == 0) {
    return NotFoundError(request.dispatch + " is not a known capa action");
  }
  if (!request.tree || request.block_index < 0 ||
      static_cast<size_t>(request.block_index) >= request.tree->blocks.size()) {
    return NotFoundError("no such block");
  }
  const courses::CatalogBlock& block =
      request.tree->blocks[static_cast<size_t>(request.block_index)];
  if (block.type != "problem") return NotFoundError(block.usage_key + " is not a problem");
  std::shared_ptr<const Loaded> loaded = Load(*request.tree, request.block_index);
  if (!loaded->problem.ok()) return json{{"success", kGenericErrorMessage}};
  json answers = json::object();
  if (request.dispatch == "problem_check" || request.dispatch == "problem_save") {
    StatusOr<json> parsed = AnswersFromForm(request.form);
    if (!parsed.ok()) return json{{"success", kGenericErrorMessage}};
    answers = std::move(*parsed);
  }
  for (int race = 0; race < kMaxRaces; ++race) {
    LARCH_ASSIGN_OR_RETURN(std::optional<json> reply, Step(request, *loaded, answers));
    if (reply.has_value()) return std::move(*reply);
    int64_t window = kRaceBackoffMicros << std::min(race, 6);
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(window))) + 1));
  }
  return AbortedError("the problem state kept changing; try again");
}

namespace {

// The block's descendants in post-order, without the block.
void Descendants(const courses::CourseTree& tree, int index, std::vector<int>& out) {
  for (int child : tree.blocks[static_cast<size_t>(index)].children) {
    Descendants(tree, child, out);
    out.push_back(child);
  }
}

}  // namespace

Status ProblemService::ResetStudentAttempts(const courses::CourseTree& tree, int block_index,
                                            int64_t user_id, bool delete_module) {
  if (block_index < 0 || static_cast<size_t>(block_index) >= tree.blocks.size()) {
    return NotFoundError("no such block");
  }
  std::vector<int> blocks;
  Descendants(tree, block_index, blocks);
  blocks.push_back(block_index);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    int64_t now = clock_.NowMicros();
    for (int index : blocks) {
      const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
      LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> module,
                             StudentStateStore::Find(txn, user_id, block.usage_key));
      if (!module.has_value()) {
        if (index == block_index) return NotFoundError("Module does not exist.");
        continue;
      }
      if (!delete_module) {
        module->state["attempts"] = 0;
        LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, *module, now).status());
        continue;
      }
      LARCH_RETURN_IF_ERROR(StudentStateStore::Delete(txn, user_id, block.usage_key).status());
      if (module->grade.has_value() && on_score_) {
        LARCH_RETURN_IF_ERROR(on_score_(txn, ScoreChange{user_id, tree.course_key, block.usage_key,
                                                         0, module->max_grade.value_or(0)}));
      }
    }
    return OkStatus();
  });
}

StatusOr<bool> ProblemService::RescoreProblem(const courses::CourseTree& tree, int block_index,
                                              int64_t user_id, bool only_if_higher) {
  if (block_index < 0 || static_cast<size_t>(block_index) >= tree.blocks.size()) {
    return NotFoundError("no such block");
  }
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(block_index)];
  if (block.type != "problem") {
    return UnimplementedError("Specified module " + block.usage_key + " of type " + block.type +
                              " does not support rescoring.");
  }
  std::shared_ptr<const Loaded> loaded = Load(tree, block_index);
  if (!loaded->problem.ok()) return FailedPreconditionError(kGenericErrorMessage);
  for (int race = 0; race < kMaxRaces; ++race) {
    LARCH_ASSIGN_OR_RETURN(std::optional<bool> changed,
                           RescoreStep(tree, block_index, *loaded, user_id, only_if_higher));
    if (changed.has_value()) return *changed;
    int64_t window = kRaceBackoffMicros << std::min(race, 6);
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(window))) + 1));
  }
  return AbortedError("the problem state kept changing; try again");
}

StatusOr<std::optional<bool>> ProblemService::RescoreStep(const courses::CourseTree& tree,
                                                          int block_index, const Loaded& loaded,
                                                          int64_t user_id, bool only_if_higher) {
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(block_index)];
  StatusOr<std::optional<StudentModule>> found =
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return StudentStateStore::Find(txn, user_id, block.usage_key);
      });
  if (!found.ok()) return found.status();
  constexpr char kNotAnswered[] = "Problem must be answered before it can be graded again.";
  if (!found->has_value()) return FailedPreconditionError(kNotAnswered);
  StudentModule module = std::move(**found);
  Viewer viewer{true, clock_.NowMicros()};
  Work work{loaded,
            *loaded.problem,
            viewer,
            user_id,
            block.usage_key,
            module.state,
            static_cast<double>(loaded.problem->MaxScore())};
  if (!work.Done()) return FailedPreconditionError(kNotAnswered);
  if (loaded.needs_python && python_.runner) {
    StatusOr<capa::PythonRunner*> runner = python_.runner();
    if (runner.ok()) work.runner = *runner;
  }
  LARCH_ASSIGN_OR_RETURN(json correct_map,
                         GradeAnswers(work, ObjectField(work.state, "student_answers")));
  double earned = Earned(correct_map);
  double old_earned = module.grade.value_or(0);
  work.state["correct_map"] = correct_map;
  bool publish = !only_if_higher || earned > old_earned;
  if (publish) {
    SetScore(work.state, earned, work.raw_possible);
    module.grade = earned;
    module.max_grade = work.raw_possible;
  }
  module.state = work.state;
  Status written = db_.RunInTransaction(
      storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) {
        LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, module, viewer.now).status());
        if (publish && on_score_) {
          LARCH_RETURN_IF_ERROR(on_score_(
              txn,
              ScoreChange{user_id, tree.course_key, module.usage_key, earned, work.raw_possible}));
        }
        return OkStatus();
      },
      storage::RetryPolicy{1, 0});
  if (written.ok()) return std::optional<bool>(publish);
  if (written.code() == StatusCode::kAborted) return std::optional<bool>();
  return written;
}

StatusOr<std::optional<json>> ProblemService::Step(const ProblemRequest& request,
                                                   const Loaded& loaded, const json& answers) {
  const courses::CatalogBlock& block =
      request.tree->blocks[static_cast<size_t>(request.block_index)];
  const capa::Problem& problem = *loaded.problem;
  StatusOr<std::optional<StudentModule>> found =
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return StudentStateStore::Find(txn, request.user_id, block.usage_key);
      });
  if (!found.ok()) return found.status();
  StudentModule module;
  if (found->has_value()) {
    module = std::move(**found);
  } else {
    module.user_id = request.user_id;
    module.course_key = request.tree->course_key;
    module.usage_key = block.usage_key;
    module.module_type = block.type;
  }
  Viewer viewer{request.staff, clock_.NowMicros()};
  Work before{loaded,
              problem,
              viewer,
              request.user_id,
              block.usage_key,
              module.state,
              static_cast<double>(problem.MaxScore())};
  before.closed_by_rule = request.closed;
  if (loaded.needs_python && python_.runner) {
    StatusOr<capa::PythonRunner*> runner = python_.runner();
    if (runner.ok()) before.runner = *runner;
  }
  Work after = before;
  if (!after.state.contains("seed")) {
    const std::string& r = loaded.settings.rerandomize;
    after.state["seed"] = r == "never"         ? int64_t{1}
                          : r == "per_student" ? RandomizationBin(request.user_id, block.usage_key)
                                               : static_cast<int64_t>(random_.Uniform(1000));
  }
  Outcome outcome = Dispatch(request.dispatch, after, answers, random_);
  AddProgress(before, after, outcome.reply);
  if (!outcome.write) return std::optional<json>(std::move(outcome.reply));
  module.state = after.state;
  if (outcome.score_changed) {
    auto [earned, possible] = after.Score();
    module.grade = earned;
    module.max_grade = possible;
  }
  Status written = db_.RunInTransaction(
      storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) {
        LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, module, viewer.now).status());
        if (outcome.score_changed && on_score_) {
          LARCH_RETURN_IF_ERROR(
              on_score_(txn, ScoreChange{request.user_id, module.course_key, module.usage_key,
                                         *module.grade, *module.max_grade}));
        }
        return OkStatus();
      },
      storage::RetryPolicy{1, 0});
  if (written.ok()) return std::optional<json>(std::move(outcome.reply));
  if (written.code() == StatusCode::kAborted) return std::optional<json>();
  return written;
}

}  // namespace larch::problems
