// Course grading: from problem scores to a course grade, as Open edX computes
// it (edx-platform lms/djangoapps/grades scores.py, subsection_grade.py,
// course_grade.py and xmodule/graders.py; docs/formats/grading.md and
// ../shared/reference/olx_format.md sections 6.2, 10 and 11 hold the rules
// and the worked examples this follows).
//
// This header owns the arithmetic only: the grading policy as a course ships
// it (grading_policy.json merged over Open edX's default), the weighting of a
// problem score, the rounding of a subsection percent, the per-assignment-type
// average with min_count and drop_count, the weighted sum, and the final
// percent with its letter grade and pass flag. It reads and writes nothing:
// the course player collects the scores and persists what this returns.
//
// Every function is deterministic in IEEE doubles and reproduces upstream's
// Python float results bit for bit for the same inputs (numpy.around is
// round-half-to-even on the scaled double; the final percent adds 0.05 and
// rounds half away from zero, TNL-6972).
//
// Thread safety: everything here is a pure function or an immutable value.
#ifndef LARCH_GRADING_COURSE_GRADER_H_
#define LARCH_GRADING_COURSE_GRADER_H_

#include <optional>
#include <string>
#include <vector>

#include "larch/common/status.h"
#include "nlohmann/json_fwd.hpp"

namespace larch::grading {

// One GRADER entry (AssignmentFormatGrader), in file order.
struct AssignmentType {
  std::string type;  // Equals, case-sensitively, the subsections' `format`.
  int min_count = 0;
  int drop_count = 0;
  double weight = 0.0;      // Not normalised across entries.
  std::string short_label;  // Empty falls back to `type` (see Label()).

  // "HW" -> the label prefix; empty short_label gives `type`.
  const std::string& LabelPrefix() const { return short_label.empty() ? type : short_label; }
};

// A letter and its lower bound, sorted by cutoff descending.
struct GradeCutoff {
  std::string letter;
  double cutoff = 0.0;
};

struct GradingPolicy {
  std::vector<AssignmentType> graders;
  std::vector<GradeCutoff> cutoffs;  // Descending by cutoff; ties keep name order.

  // Open edX's DEFAULT_GRADING_POLICY (xmodule/course_metadata_utils.py).
  static GradingPolicy Default();

  // grading_policy.json as a course export holds it, merged over the default
  // key by key (a file with only GRADER keeps the default cutoffs; a GRADER
  // list replaces the default list whole). A null or absent document gives
  // the default. An entry without `type`, `min_count` or `drop_count`, a
  // non-numeric count or weight, or a cutoff outside [0, 1] is
  // kInvalidArgument naming the entry (upstream fails the whole grader).
  static StatusOr<GradingPolicy> FromJson(const nlohmann::json& document);

  // The lowest non-zero cutoff, or nullopt when there is none (then nobody
  // passes).
  std::optional<double> PassingCutoff() const;
};

// A (earned, possible) pair. `graded` is false for a problem that does not
// count toward graded totals (weight 0 or no possible points).
struct Score {
  double earned = 0.0;
  double possible = 0.0;
  bool graded = true;
};

// scores.py weighted_score: a weight re-scales the raw score to `weight`
// points; no weight, or raw_possible == 0, keeps the raw pair. A result with
// possible <= 0 is not graded.
Score WeightedScore(double raw_earned, double raw_possible, std::optional<double> weight);

// Decimal places of compute_percent: 4 since openedx-platform#27788 (Sumac
// and later, which Larch follows), 2 in Redwood and earlier.
inline constexpr int kDefaultPercentDecimals = 4;

// compute_percent: round-half-to-even of earned/possible at `decimals`
// places; 0 when possible <= 0.
double ComputePercent(double earned, double possible, int decimals = kDefaultPercentDecimals);

// One subsection (sequential) as the grader sees it, in course order.
struct SubsectionScore {
  std::string usage_key;
  std::string format;  // The assignment type it counts toward; "" if none.
  bool graded = false;
  // Sums over the subsection's graded problem scores.
  double earned = 0.0;
  double possible = 0.0;
};

// One line of an assignment type's breakdown (the progress page's rows).
struct BreakdownEntry {
  std::string label;      // "HW 01"; a single-entry type is labelled by prefix only.
  std::string usage_key;  // Empty for a placeholder ("Unreleased").
  double percent = 0.0;
  bool dropped = false;
};

struct AssignmentTypeGrade {
  std::string type;
  double weight = 0.0;
  double average = 0.0;  // total_with_drops / (n - drop_count).
  std::vector<BreakdownEntry> breakdown;
};

struct CourseGrade {
  double percent = 0.0;               // Whole percent as a fraction: 0.63.
  std::optional<std::string> letter;  // nullopt as upstream's None.
  bool passed = false;
  std::vector<AssignmentTypeGrade> by_type;  // GRADER order.
};

// The course grade for one learner. Subsections that are not graded, or
// have possible == 0, are left out of the grade sheet (a placeholder zero
// stands in for them); formats without a GRADER entry never count.
CourseGrade ComputeCourseGrade(const GradingPolicy& policy,
                               const std::vector<SubsectionScore>& subsections,
                               int decimals = kDefaultPercentDecimals);

// course_grade.py _compute_percent: floor(total*100 + 0.05 + 0.5) / 100 for
// total >= 0 (round half away from zero below 0).
double FinalPercent(double total);

// The first letter whose cutoff `percent` reaches, descending; nullopt if none.
std::optional<std::string> LetterGrade(const GradingPolicy& policy, double percent);

}  // namespace larch::grading

#endif  // LARCH_GRADING_COURSE_GRADER_H_
