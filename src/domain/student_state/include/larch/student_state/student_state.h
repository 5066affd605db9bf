// student_state::StudentStateStore: the per-learner state of course blocks,
// as Open edX keeps it in courseware_studentmodule (one row per learner and
// block: the block's user_state fields as JSON, the last published raw
// score) with a courseware_studentmodulehistory row for every write.
//
// This module owns the tables student_modules and student_module_history;
// everything else reads and writes them through the functions below, inside
// the caller's transaction.
//
// Concurrency: every row carries a version. Save writes only when the row
// still has the version the caller read (or, for a new row, when none
// exists yet) and returns kAborted otherwise, so two submissions of one
// learner that race never lose or double each other's work: the loser
// re-reads and redoes its step (Database::RunInTransaction retries
// kAborted; callers that do slow work outside the transaction loop
// themselves).
//
// Thread safety: the functions are stateless; the Executor is the caller's.
#ifndef LARCH_STUDENT_STATE_STUDENT_STATE_H_
#define LARCH_STUDENT_STATE_STUDENT_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::student_state {

struct StudentModule {
  int64_t id = 0;  // 0 until saved.
  int64_t user_id = 0;
  std::string course_key;
  std::string usage_key;
  std::string module_type;  // The block type ("problem", "sequential", ...).
  nlohmann::json state = nlohmann::json::object();
  // The last published raw score; unset until a score is published.
  std::optional<double> grade;
  std::optional<double> max_grade;
  // 0 for a row that is not stored yet.
  int64_t version = 0;
  int64_t created = 0;
  int64_t modified = 0;
};

// One history row: the row as it was after one write.
struct HistoryEntry {
  int64_t version = 0;
  nlohmann::json state;
  std::optional<double> grade;
  std::optional<double> max_grade;
  int64_t created = 0;
};

class StudentStateStore {
 public:
  // The learner's row for the block, or nullopt when there is none. A
  // stored state that is not a JSON object reads as {} (never fails the
  // learner's page). Errors are storage errors.
  static StatusOr<std::optional<StudentModule>> Find(storage::Executor& db, int64_t user_id,
                                                     std::string_view usage_key);

  // Every row of the learner in the course, ordered by usage_key.
  static StatusOr<std::vector<StudentModule>> ListForLearner(storage::Executor& db, int64_t user_id,
                                                             std::string_view course_key);

  // The scores of every learner in the course in one read, ordered by
  // user_id then usage_key: each row without its state (left {}), for
  // course-wide grading (the grade report). Rows without a published
  // score are left out.
  static StatusOr<std::vector<StudentModule>> ListScoresForCourse(storage::Executor& db,
                                                                  std::string_view course_key);

  // Every learner's row for the block, ordered by user_id (the block's
  // results over all learners: poll tallies, word clouds).
  static StatusOr<std::vector<StudentModule>> ListForBlock(storage::Executor& db,
                                                           std::string_view usage_key);

  // Writes `module` (a new row when its version is 0) and appends its
  // history row; returns the row as stored (id, version, timestamps).
  // kAborted when the row changed since it was read (another version, or a
  // row created meanwhile), kFailedPrecondition for an unknown user. `now`
  // is micros since the epoch.
  static StatusOr<StudentModule> Save(storage::Executor& db, const StudentModule& module,
                                      int64_t now);

  // The block's history for the learner, oldest first (empty when none).
  static StatusOr<std::vector<HistoryEntry>> History(storage::Executor& db, int64_t user_id,
                                                     std::string_view usage_key);

  // Removes the learner's row for the block and its history (the
  // instructor's "delete state"); true when there was one.
  static StatusOr<bool> Delete(storage::Executor& db, int64_t user_id, std::string_view usage_key);
};

}  // namespace larch::student_state

#endif  // LARCH_STUDENT_STATE_STUDENT_STATE_H_
