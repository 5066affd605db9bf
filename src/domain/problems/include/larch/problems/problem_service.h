// problems::ProblemService: a learner's work on one capa problem, the
// use cases behind Open edX's xmodule_handler dispatches (capa_block.py
// handle_ajax): problem_get, problem_check, problem_save, problem_reset and
// problem_show. It reads the problem from the course tree (parsed once per
// course version), the learner's state from student_state, applies the
// problem rules (problem_rules.h), grades with capa, and stores the new
// state and raw score. The reply is the JSON object Open edX's handler
// answers with, including the progress fields handle_ajax adds
// (progress_changed, current_score, total_possible, attempts_used).
//
// Failures that Open edX answers as a 200 {"success": message}
// (ProcessingError: a closed problem, a problem that must be reset, an
// answer capa cannot read, a broken problem) are replies here too, with
// upstream's messages. Status errors are for the caller: kNotFound for an
// unknown dispatch or a block that is not a problem, storage errors as they
// come.
//
// Concurrency: the grading runs outside any transaction; the write checks
// the state's version (student_state.h) and, when another submission of
// the same learner won the race, the whole step is redone on the new state,
// so parallel submissions never lose or double an attempt or a score.
//
// Thread safety: ProblemService is thread-safe.
#ifndef LARCH_PROBLEMS_PROBLEM_SERVICE_H_
#define LARCH_PROBLEMS_PROBLEM_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/capa/custom_response.h"
#include "larch/capa/problem.h"
#include "larch/capa/python_runner.h"
#include "larch/common/clock.h"
#include "larch/common/mutex.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/problems/problem_rules.h"
#include "larch/storage/database.h"
#include "larch/student_state/student_state.h"

namespace larch::problems {

// Upstream's messages (capa_block.py handle_ajax).
inline constexpr char kStateChangedMessage[] =
    "The state of this problem has changed since you loaded this page. Please refresh your page.";
inline constexpr char kGenericErrorMessage[] =
    "We're sorry, there was an error with processing your request. Please try reloading your "
    "page and trying again.";

// A score written by a submission or reset, for what must follow it in the
// same transaction (persistent grades enqueue their job here).
struct ScoreChange {
  int64_t user_id = 0;
  std::string course_key;
  std::string usage_key;
  double raw_earned = 0;
  double raw_possible = 0;
};
using ScoreHook = std::function<Status(storage::Transaction&, const ScoreChange&)>;

struct ProblemRequest {
  int64_t user_id = 0;
  // Course staff or global staff: answers always available (unless never),
  // correctness always shown (unless never).
  bool staff = false;
  std::shared_ptr<const courses::CourseTree> tree;
  int block_index = -1;
  // problem_get, problem_check, problem_save, problem_reset, problem_show.
  std::string dispatch;
  // The POST fields in order (input_<id>, input_<id>[]).
  std::vector<std::pair<std::string, std::string>> form;
  // Closed by a rule outside the problem: a timed exam the learner has not
  // started, has submitted or ran out of time on. The problem then answers
  // as a closed problem does (capa's closed()).
  bool closed = false;
};

// Where problems with Python run. `runner` is asked on the first problem
// that needs it (empty: such problems answer that they cannot be graded);
// A course's static python_lib.zip is read from its blob and kept under
// `data_dir`/cache/assets/<sha256> (a node-local cache, content-addressed so
// it never goes stale).
struct PythonOptions {
  std::function<StatusOr<capa::PythonRunner*>()> runner;
  std::string data_dir;
};

class ProblemService {
 public:
  // All must outlive the service. `on_score` (may be empty) runs inside the
  // transaction that writes a new score.
  ProblemService(storage::Database& db, const Clock& clock, Random& random, ScoreHook on_score = {},
                 PythonOptions python = {});

  // The handler's reply (see above).
  StatusOr<nlohmann::json> Handle(const ProblemRequest& request);

  // The instructor's reset of one learner's state for a block
  // (lms/djangoapps/instructor/enrollment.py reset_student_attempts), in
  // one transaction: the block's descendants first (those without state
  // are skipped), then the block itself. With `delete_module` the rows are
  // deleted and each deleted score runs the score hook (the learner's
  // grade is recalculated from the remaining state); without, each row's
  // "attempts" is set to 0 and scores stay. kNotFound when the block is not
  // in the tree or the learner has no state for it ("Module does not
  // exist." upstream).
  Status ResetStudentAttempts(const courses::CourseTree& tree, int block_index, int64_t user_id,
                              bool delete_module);

  // capa_block.rescore for one learner (the instructor's rescore_problem):
  // grades the learner's last submitted answers again with the problem as
  // it is now, without counting an attempt, and stores the new correctness
  // and score (with `only_if_higher`, the score only when it is higher);
  // the score hook runs when the score changed. Returns whether it did.
  // Errors: kNotFound for a block not in the tree; kUnimplemented for a
  // block that is not a problem; kFailedPrecondition with upstream's
  // message when the learner has not submitted ("Problem must be answered
  // before it can be graded again.") or the answers cannot be graded.
  StatusOr<bool> RescoreProblem(const courses::CourseTree& tree, int block_index, int64_t user_id,
                                bool only_if_higher);

  // The problem as parsed for the course version (kFailedPrecondition with
  // the parse error for a problem that does not build).
  struct Loaded {
    int64_t version = 0;
    StatusOr<capa::Problem> problem = FailedPreconditionError("not loaded");
    ProblemSettings settings;
    // Whether grading needs Python (a script or a customresponse).
    bool needs_python = false;
    // The course version's python_lib.zip, empty when there is none.
    std::string python_lib_zip;

    // The script's context for (seed, anonymous student id), run once: the
    // script is a function of both (capa seeds `random` with the seed), so,
    // as safe_exec's result cache upstream, later requests reuse the run.
    // Failed runs are not kept. Thread-safe.
    StatusOr<capa::ProblemContext> ScriptContext(capa::PythonRunner& runner, int64_t seed,
                                                 const std::string& anonymous_student_id) const;

   private:
    mutable Mutex contexts_mu_;
    mutable std::map<std::pair<int64_t, std::string>, capa::ProblemContext> contexts_
        LARCH_GUARDED_BY(contexts_mu_);
  };
  std::shared_ptr<const Loaded> Load(const courses::CourseTree& tree, int block_index);
  // The local path of the course's python_lib.zip (MaterializeAsset); ""
  // when it has none or it cannot be copied.
  std::string PythonLibZip(const keys::CourseKey& course_key);

 private:
  // One read-grade-write of the learner's state: the reply, or nullopt when
  // another submission changed the state first.
  // One read-grade-write of a rescore: whether the score changed, or
  // nullopt when another submission changed the state first.
  StatusOr<std::optional<bool>> RescoreStep(const courses::CourseTree& tree, int block_index,
                                            const Loaded& loaded, int64_t user_id,
                                            bool only_if_higher);
  StatusOr<std::optional<nlohmann::json>> Step(const ProblemRequest& request, const Loaded& loaded,
                                               const nlohmann::json& answers);

  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  ScoreHook on_score_;
  PythonOptions python_;
  mutable Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Loaded>> cache_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch::problems

#endif  // LARCH_PROBLEMS_PROBLEM_SERVICE_H_
