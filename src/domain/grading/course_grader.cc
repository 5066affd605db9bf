#include "larch/grading/course_grader.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace larch::grading {
namespace {

// No course has more assignments of one type; a bigger count is a typo or an
// attack on memory (min_count placeholders are allocated).
constexpr double kMaxCount = 1000;

// A JSON number, or a string holding one (policies written by hand use both);
// nullopt for anything else.
std::optional<double> NumberOf(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(parsed)) {
    return std::nullopt;
  }
  return parsed;
}

StatusOr<int> CountOf(const nlohmann::json& entry, const char* key, std::size_t index) {
  const auto it = entry.find(key);
  if (it == entry.end()) {
    return InvalidArgumentError("GRADER entry " + std::to_string(index) + " has no " + key);
  }
  const std::optional<double> number = NumberOf(*it);
  if (!number || *number < 0 || *number > kMaxCount) {
    return InvalidArgumentError("GRADER entry " + std::to_string(index) + ": " + key +
                                " is not a count");
  }
  return static_cast<int>(*number);  // int(float(x)), as upstream reads it.
}

StatusOr<AssignmentType> ParseGrader(const nlohmann::json& entry, std::size_t index) {
  if (!entry.is_object()) {
    return InvalidArgumentError("GRADER entry " + std::to_string(index) + " is not an object");
  }
  AssignmentType grader;
  const auto type = entry.find("type");
  if (type == entry.end() || !type->is_string()) {
    return InvalidArgumentError("GRADER entry " + std::to_string(index) + " has no type");
  }
  grader.type = type->get<std::string>();
  LARCH_ASSIGN_OR_RETURN(grader.min_count, CountOf(entry, "min_count", index));
  LARCH_ASSIGN_OR_RETURN(grader.drop_count, CountOf(entry, "drop_count", index));
  if (const auto weight = entry.find("weight"); weight != entry.end() && !weight->is_null()) {
    const std::optional<double> number = NumberOf(*weight);
    if (!number) {
      return InvalidArgumentError("GRADER entry " + std::to_string(index) +
                                  ": weight is not a number");
    }
    grader.weight = *number;
  }
  if (const auto label = entry.find("short_label"); label != entry.end() && label->is_string()) {
    grader.short_label = label->get<std::string>();
  }
  return grader;
}

StatusOr<std::vector<GradeCutoff>> ParseCutoffs(const nlohmann::json& cutoffs) {
  if (!cutoffs.is_object()) return InvalidArgumentError("GRADE_CUTOFFS is not an object");
  std::vector<GradeCutoff> out;
  for (const auto& [letter, value] : cutoffs.items()) {
    const std::optional<double> number = NumberOf(value);
    if (!number || *number < 0 || *number > 1) {
      return InvalidArgumentError("GRADE_CUTOFFS: " + letter + " is not a fraction");
    }
    out.push_back({letter, *number});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const GradeCutoff& a, const GradeCutoff& b) { return a.cutoff > b.cutoff; });
  return out;
}

std::string Label(const std::string& prefix, std::size_t index) {
  char number[16];
  std::snprintf(number, sizeof(number), "%02zu", index + 1);  // starting_index 1.
  return prefix + " " + number;
}

// total_with_drops: the average after dropping the `drop_count` lowest
// entries (a stable sort descending, so among ties the later index drops).
double AverageWithDrops(std::vector<BreakdownEntry>& breakdown, int drop_count) {
  std::vector<std::size_t> order(breakdown.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return breakdown[a].percent > breakdown[b].percent;
  });
  if (drop_count > 0) {
    const std::size_t drops = std::min(order.size(), static_cast<std::size_t>(drop_count));
    for (std::size_t i = order.size() - drops; i < order.size(); ++i) {
      breakdown[order[i]].dropped = true;
    }
  }
  double sum = 0.0;
  for (const BreakdownEntry& entry : breakdown) {
    if (!entry.dropped) sum += entry.percent;
  }
  const auto kept = static_cast<long>(breakdown.size()) - drop_count;
  return kept > 0 ? sum / static_cast<double>(kept) : sum;
}

AssignmentTypeGrade GradeType(const AssignmentType& grader,
                              const std::vector<const SubsectionScore*>& sheet, int decimals) {
  AssignmentTypeGrade grade{grader.type, grader.weight, 0.0, {}};
  const std::size_t n = std::max(static_cast<std::size_t>(grader.min_count), sheet.size());
  for (std::size_t i = 0; i < n; ++i) {
    BreakdownEntry entry;
    entry.label = Label(grader.LabelPrefix(), i);
    if (i < sheet.size()) {
      entry.usage_key = sheet[i]->usage_key;
      entry.percent = ComputePercent(sheet[i]->earned, sheet[i]->possible, decimals);
    }
    grade.breakdown.push_back(std::move(entry));
  }
  grade.average = AverageWithDrops(grade.breakdown, grader.drop_count);
  if (grade.breakdown.size() == 1) grade.breakdown.front().label = grader.LabelPrefix();
  return grade;
}

}  // namespace

GradingPolicy GradingPolicy::Default() {
  GradingPolicy policy;
  policy.graders = {
      {"Homework", 12, 2, 0.15, "HW"},
      {"Lab", 12, 2, 0.15, ""},
      {"Midterm Exam", 1, 0, 0.3, "Midterm"},
      {"Final Exam", 1, 0, 0.4, "Final"},
  };
  policy.cutoffs = {{"Pass", 0.5}};
  return policy;
}

StatusOr<GradingPolicy> GradingPolicy::FromJson(const nlohmann::json& document) {
  GradingPolicy policy = Default();
  if (document.is_null()) return policy;
  if (!document.is_object()) return InvalidArgumentError("grading policy is not an object");
  if (const auto graders = document.find("GRADER"); graders != document.end()) {
    if (!graders->is_array()) return InvalidArgumentError("GRADER is not a list");
    policy.graders.clear();
    for (std::size_t i = 0; i < graders->size(); ++i) {
      LARCH_ASSIGN_OR_RETURN(AssignmentType grader, ParseGrader((*graders)[i], i));
      policy.graders.push_back(std::move(grader));
    }
  }
  if (const auto cutoffs = document.find("GRADE_CUTOFFS"); cutoffs != document.end()) {
    LARCH_ASSIGN_OR_RETURN(policy.cutoffs, ParseCutoffs(*cutoffs));
  }
  return policy;
}

std::optional<double> GradingPolicy::PassingCutoff() const {
  std::optional<double> lowest;
  for (const GradeCutoff& cutoff : cutoffs) {
    if (cutoff.cutoff > 0 && (!lowest || cutoff.cutoff < *lowest)) lowest = cutoff.cutoff;
  }
  return lowest;
}

Score WeightedScore(double raw_earned, double raw_possible, std::optional<double> weight) {
  Score score{raw_earned, raw_possible, true};
  if (weight.has_value() && raw_possible != 0) {
    score.earned = raw_earned * *weight / raw_possible;
    score.possible = *weight;
  }
  score.graded = score.possible > 0;
  return score;
}

double ComputePercent(double earned, double possible, int decimals) {
  if (possible <= 0) return 0.0;
  const double scale = std::pow(10.0, decimals);
  // numpy.around: rint (half to even under the default rounding mode).
  return std::nearbyint(earned / possible * scale) / scale;
}

double FinalPercent(double total) {
  const double x = total * 100.0 + 0.05;
  const double rounded = x >= 0 ? std::floor(x + 0.5) : std::ceil(x - 0.5);
  return rounded / 100.0;
}

std::optional<std::string> LetterGrade(const GradingPolicy& policy, double percent) {
  for (const GradeCutoff& cutoff : policy.cutoffs) {
    if (percent >= cutoff.cutoff) return cutoff.letter;
  }
  return std::nullopt;
}

CourseGrade ComputeCourseGrade(const GradingPolicy& policy,
                               const std::vector<SubsectionScore>& subsections, int decimals) {
  // The grade sheet: graded subsections with something to score, by format,
  // in course order, the first of a duplicated usage key kept.
  std::map<std::string, std::vector<const SubsectionScore*>> sheet;
  std::vector<std::string> seen;
  for (const SubsectionScore& subsection : subsections) {
    if (!subsection.graded || subsection.possible <= 0) continue;
    if (std::find(seen.begin(), seen.end(), subsection.usage_key) != seen.end()) continue;
    seen.push_back(subsection.usage_key);
    sheet[subsection.format].push_back(&subsection);
  }
  CourseGrade grade;
  double total = 0.0;
  static const std::vector<const SubsectionScore*> kNone;
  for (const AssignmentType& grader : policy.graders) {
    const auto it = sheet.find(grader.type);
    AssignmentTypeGrade type_grade =
        GradeType(grader, it == sheet.end() ? kNone : it->second, decimals);
    total += type_grade.average * grader.weight;
    grade.by_type.push_back(std::move(type_grade));
  }
  grade.percent = FinalPercent(total);
  grade.letter = LetterGrade(policy, grade.percent);
  const std::optional<double> pass = policy.PassingCutoff();
  grade.passed = pass.has_value() && grade.percent >= *pass;
  return grade;
}

}  // namespace larch::grading
