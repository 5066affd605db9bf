// grades::GradeService: a learner's grade in a course, as Open edX's grades
// app computes and persists it (lms/djangoapps/grades: course_grade_factory,
// subsection_grade_factory, scores.py get_score; olx_format.md sections 10
// and 11). It owns persistent_subsection_grades and persistent_course_grades.
//
// Scores come from student_state (the last published raw score of each
// problem, re-weighted with the problem's current weight; an unattempted
// problem is 0 of its max score), the structure from the course tree
// (sequentials in course order, problems in post-order below them), and the
// arithmetic from grading::ComputeCourseGrade with the course's grading
// policy. Only capa problems score so far; other scorable XBlocks are left
// out (see docs/formats/grading.md).
//
// Recalculation runs as the job "grades.recalculate" ({"user_id",
// "course_key"}), enqueued in the transaction that writes a score
// (EnqueueRecalculation), so a grade is never lost when the server dies
// between the score and the grade; the job recomputes from state and is
// idempotent. When the course grade's percent, letter or passing status
// changes it publishes PERSISTENT_GRADE_SUMMARY_CHANGED, and when passing
// status changes COURSE_PASSING_STATUS_UPDATED, after the commit.
//
// Staff overrides (grade_overrides.h) replace a subsection's totals in
// every computation: the course grade, the progress page, the grades API
// and the gradebook all read them through Compute/ComputeMany.
//
// Thread safety: GradeService is thread-safe.
#ifndef LARCH_GRADES_GRADE_SERVICE_H_
#define LARCH_GRADES_GRADE_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/mutex.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/events/event_bus.h"
#include "larch/grades/grade_overrides.h"
#include "larch/grading/course_grader.h"
#include "larch/storage/database.h"
#include "larch/student_state/student_state.h"

namespace larch::grades {

inline constexpr char kRecalculateJob[] = "grades.recalculate";
// How ComputeMany reads the learners' scores and overrides: two statements
// per learner (a page of learners), or the whole course's in one statement
// each (a report over every learner).
enum class ScoreRead { kPerLearner, kWholeCourse };

struct ProblemScore {
  std::string usage_key;
  double earned = 0;
  double possible = 0;
  bool graded = false;
  bool attempted = false;
};

struct SubsectionGrade {
  std::string usage_key;
  std::string display_name;
  std::string format;
  bool graded = false;  // The subsection's `graded` setting.
  std::optional<int64_t> due;
  std::string show_correctness = "always";
  std::vector<ProblemScore> problems;
  // The totals that count: the computed ones with the override's values in
  // their place.
  double earned_all = 0, possible_all = 0;
  double earned_graded = 0, possible_graded = 0;
  double percent_graded = 0;  // compute_percent of the graded totals.
  std::optional<int64_t> first_attempted;
  // The totals from the problem scores alone (what
  // persistent_subsection_grades keeps), and the staff override if any.
  SubsectionTotals computed;
  std::optional<GradeOverride> override;
};

struct SectionGrade {
  std::string usage_key;
  std::string display_name;
  std::vector<SubsectionGrade> subsections;
};

struct CourseGradeReport {
  std::string course_key;
  int64_t course_version = 0;
  grading::GradingPolicy policy;
  std::vector<SectionGrade> sections;
  grading::CourseGrade grade;
  std::optional<int64_t> course_end;
};

struct PersistentCourseGrade {
  int64_t user_id = 0;
  std::string course_key;
  int64_t course_version = 0;
  double percent_grade = 0;
  std::string letter_grade;
  std::optional<int64_t> passed_timestamp;
  int64_t modified = 0;
};

class GradeService {
 public:
  // All must outlive the service; `bus` may be null (no events).
  GradeService(storage::Database& db, courses::CourseCatalog& catalog, const Clock& clock,
               events::EventBus* bus);

  // The learner's grade from their current state, written nowhere.
  // kNotFound for an unknown course.
  StatusOr<CourseGradeReport> Compute(int64_t user_id, std::string_view course_key);

  // The course's grading policy (grading_policy.json over the default).
  // kNotFound for an unknown course.
  StatusOr<grading::GradingPolicy> PolicyFor(std::string_view course_key);

  // Compute for each of `user_ids`, in that order, in one read transaction
  // with the course structure built once (the grade listings' pages; the
  // grade report reads with kWholeCourse).
  StatusOr<std::vector<CourseGradeReport>> ComputeMany(std::string_view course_key,
                                                       const std::vector<int64_t>& user_ids,
                                                       ScoreRead read = ScoreRead::kPerLearner);

  // Compute, then store the subsection and course rows in one transaction
  // and publish the events above when something changed.
  StatusOr<CourseGradeReport> Recalculate(int64_t user_id, std::string_view course_key);

  // Recalculate for each of `user_ids` (`larch compute-grades` passes the
  // course's active learners), a batch of learners per transaction, with
  // the course structure built once. Returns how many were graded.
  StatusOr<int64_t> RecalculateCourse(std::string_view course_key,
                                      const std::vector<int64_t>& user_ids);

  // One requested override (GradebookBulkUpdateView's list items). A field
  // left out takes the subsection's computed total; a given one (a number
  // or null, which lets the computed total stand) is stored as given, as
  // PersistentSubsectionGradeOverride._prepare_override_params does.
  struct OverrideField {
    bool given = false;
    std::optional<double> value;
  };
  struct OverrideRequest {
    int64_t user_id = 0;
    std::string usage_key;
    OverrideField earned_all, possible_all, earned_graded, possible_graded;
    std::optional<std::string> comment;
  };
  // The result of one request: success, else upstream's reason (unknown
  // user, no enrollment, unparsable key, no such subsection in the course).
  struct OverrideOutcome {
    bool success = false;
    std::string reason;
  };

  // GradebookBulkUpdateView.post in one transaction: writes each valid
  // override by `actor_id` with `feature` as its system (the subsection's
  // persistent grade is created first when missing), then recalculates and
  // stores the course grade of every learner it touched, publishing the
  // grade events after the commit. One outcome per request, in order.
  // kNotFound for an unknown course; storage errors roll everything back.
  StatusOr<std::vector<OverrideOutcome>> OverrideSubsectionGrades(
      int64_t actor_id, std::string_view course_key, const std::vector<OverrideRequest>& requests,
      std::string_view feature = kGradebookFeature);

  // PersistentSubsectionGradeOverride.delete_override: removes the
  // learner's override of the subsection (with its '-' history row) and
  // recalculates their grade, in one transaction. False when there was
  // none. kNotFound for an unknown course.
  StatusOr<bool> ClearOverride(int64_t actor_id, int64_t user_id, std::string_view course_key,
                               std::string_view usage_key);

  // What SubsectionGradeView shows of one learner's subsection.
  struct SubsectionGradeView {
    // False when the block is not a subsection of the course (upstream's
    // SubsectionUnavailableToUserException); the totals are then zeros.
    bool available = false;
    SubsectionTotals original;  // From the problem scores, without the override.
    std::optional<GradeOverride> override;
    std::vector<OverrideHistoryEntry> history;  // Oldest first; empty without override.
  };
  // kNotFound for an unknown course; an unknown user reads as a learner
  // without state (callers check the user).
  StatusOr<SubsectionGradeView> GetSubsectionGrade(int64_t user_id, std::string_view course_key,
                                                   std::string_view usage_key);

  // The stored course grade, nullopt before the first recalculation.
  StatusOr<std::optional<PersistentCourseGrade>> GetCourseGrade(int64_t user_id,
                                                                std::string_view course_key);

  // The learner's stored course grades in every course, in the caller's
  // transaction (one read), keyed by course key.
  static StatusOr<std::map<std::string, PersistentCourseGrade, std::less<>>> CourseGradesOf(
      storage::Executor& ex, int64_t user_id);

  // Every stored course grade of the course, in the caller's transaction
  // (one read), keyed by user id.
  static StatusOr<std::map<int64_t, PersistentCourseGrade>> CourseGradesIn(
      storage::Executor& ex, std::string_view course_key);

  // Adds the recalculation job for (user, course) in the caller's
  // transaction (the problems::ScoreHook), or merges into the one already
  // queued for them (a coalescing job: it has not started, so it will see
  // this change).
  static Status EnqueueRecalculation(storage::Transaction& txn, int64_t user_id,
                                     std::string_view course_key, int64_t now);

  // The scorable structure of one course version, built once per version.
  struct ScorableProblem {
    int block_index = -1;
    double max_score = 0;
    std::optional<double> weight;
    bool graded = false;  // The problem's inherited `graded`.
  };
  struct Structure {
    int64_t version = 0;
    // (chapter index, its sequential indexes in course order).
    std::vector<std::pair<int, std::vector<int>>> chapters;
    std::map<int, std::vector<ScorableProblem>> problems_by_sequential;
    // Each sequential's own settings, read once per version.
    struct SequentialSettings {
      std::string format;
      bool graded = false;
      std::optional<int64_t> due;
      std::string show_correctness = "always";
    };
    std::map<int, SequentialSettings> sequential_settings;
    grading::GradingPolicy policy;
    std::optional<int64_t> course_end;
  };

 private:
  StatusOr<std::shared_ptr<const Structure>> StructureFor(const courses::CourseTree& tree);
  StatusOr<CourseGradeReport> ComputeFrom(const courses::CourseTree& tree,
                                          const Structure& structure, storage::Executor& ex,
                                          int64_t user_id);
  // The grade from the learner's rows (`modules`: at least the scored ones)
  // and overrides (moved out of `overrides`).
  static CourseGradeReport Assemble(const courses::CourseTree& tree, const Structure& structure,
                                    const std::vector<student_state::StudentModule>& modules,
                                    std::map<std::string, GradeOverride, std::less<>>& overrides);
  // Writes `report` for the learner in `txn`; returns the events to publish.
  StatusOr<std::vector<std::pair<std::string, nlohmann::json>>> Persist(
      storage::Transaction& txn, int64_t user_id, const CourseGradeReport& report, int64_t now);
  // The subsection's persistent grade row (created or refreshed from
  // `sub`'s computed totals) in `txn`; returns its id.
  static StatusOr<int64_t> UpsertSubsection(storage::Transaction& txn, int64_t user_id,
                                            std::string_view course_key, const SubsectionGrade& sub,
                                            int64_t now);
  // One request of OverrideSubsectionGrades in `txn`; `reports` caches each
  // learner's grade computed in this transaction.
  StatusOr<OverrideOutcome> OverrideOne(storage::Transaction& txn, const courses::CourseTree& tree,
                                        const Structure& structure, int64_t actor_id,
                                        const OverrideRequest& request, std::string_view feature,
                                        std::map<int64_t, CourseGradeReport>& reports, int64_t now);
  void PublishAll(const std::vector<std::pair<std::string, nlohmann::json>>& events);

  storage::Database& db_;
  courses::CourseCatalog& catalog_;
  const Clock& clock_;
  events::EventBus* bus_;
  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<const Structure>, std::less<>> structures_
      LARCH_GUARDED_BY(mu_);
};

}  // namespace larch::grades

#endif  // LARCH_GRADES_GRADE_SERVICE_H_
