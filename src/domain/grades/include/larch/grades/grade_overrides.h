// grades::OverrideStore: staff overrides of a learner's subsection grade, as
// Open edX keeps them in PersistentSubsectionGradeOverride (one per
// persistent subsection grade, each of the four totals nullable) with a
// django-simple-history row for every write (lms/djangoapps/grades/models.py).
// It owns persistent_subsection_grade_overrides and
// persistent_subsection_grade_override_history (migration 0010); the
// grades the overrides replace are GradeService's (grade_service.h), which
// applies them wherever a grade is computed and offers the use cases
// (OverrideSubsectionGrades, ClearOverride, GetSubsectionGrade).
//
// Thread safety: the functions are stateless; the Executor is the caller's.
#ifndef LARCH_GRADES_GRADE_OVERRIDES_H_
#define LARCH_GRADES_GRADE_OVERRIDES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::grades {

// GradeOverrideFeatureEnum: the feature that wrote an override.
inline constexpr char kGradebookFeature[] = "GRADEBOOK";
inline constexpr char kProctoringFeature[] = "PROCTORING";

// The four totals of a subsection grade (AggregatedScore earned/possible
// over all problems and over graded ones).
struct SubsectionTotals {
  double earned_all = 0;
  double possible_all = 0;
  double earned_graded = 0;
  double possible_graded = 0;
};

struct GradeOverride {
  int64_t id = 0;
  int64_t grade_id = 0;   // persistent_subsection_grades.id
  std::string usage_key;  // The subsection (read back with the grade).
  // Unset: the computed total stands.
  std::optional<double> earned_all;
  std::optional<double> possible_all;
  std::optional<double> earned_graded;
  std::optional<double> possible_graded;
  std::optional<std::string> system;  // kGradebookFeature, ...
  std::optional<std::string> reason;  // The staff member's comment.
  int64_t created = 0;
  int64_t modified = 0;

  // `computed` with each set value in place of its total
  // (CreateSubsectionGrade._aggregated_score_from_model).
  SubsectionTotals Apply(const SubsectionTotals& computed) const;
};

// One history row: the override as it was after a write ('+' created,
// '~' changed) or before its deletion ('-').
struct OverrideHistoryEntry {
  int64_t history_id = 0;
  GradeOverride values;
  int64_t history_date = 0;
  std::string history_type;
  std::optional<int64_t> history_user_id;  // Unset once that user is gone.
};

class OverrideStore {
 public:
  // The learner's overrides in the course, by subsection usage key.
  static StatusOr<std::map<std::string, GradeOverride, std::less<>>> ListForLearner(
      storage::Executor& ex, int64_t user_id, std::string_view course_key);

  // Every learner's overrides in the course in one read: user id ->
  // subsection usage key -> override.
  static StatusOr<std::map<int64_t, std::map<std::string, GradeOverride, std::less<>>>>
  ListForCourse(storage::Executor& ex, std::string_view course_key);

  // The learner's override of the subsection, nullopt when there is none.
  static StatusOr<std::optional<GradeOverride>> Find(storage::Executor& ex, int64_t user_id,
                                                     std::string_view usage_key);

  // Creates or updates the override of the subsection grade `grade_id`
  // with `values` (its value fields, system and reason; ids and timestamps
  // are the store's) and appends the history row by `actor_id`. Returns the
  // override as stored. kFailedPrecondition for an unknown grade row.
  static StatusOr<GradeOverride> Save(storage::Executor& ex, int64_t grade_id,
                                      const GradeOverride& values, int64_t actor_id, int64_t now);

  // Deletes the learner's override of the subsection, with a '-' history
  // row by `actor_id`; false when there was none.
  static StatusOr<bool> Delete(storage::Executor& ex, int64_t user_id, std::string_view usage_key,
                               int64_t actor_id, int64_t now);

  // The history of the override of grade `grade_id`, oldest first.
  static StatusOr<std::vector<OverrideHistoryEntry>> History(storage::Executor& ex,
                                                             int64_t grade_id);
};

}  // namespace larch::grades

#endif  // LARCH_GRADES_GRADE_OVERRIDES_H_
