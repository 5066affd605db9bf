// Feeds arbitrary bytes, as a course's grading_policy.json, through the
// depth-checked JSON parse and GradingPolicy::FromJson, then grades a small
// fixed set of subsections with whatever policy came out (large counts and
// odd weights must neither crash nor allocate without bound).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/json.h"
#include "larch/grading/course_grader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<nlohmann::json> parsed = larch::ParseJson(text);
  if (!parsed.ok()) return 0;
  larch::StatusOr<larch::grading::GradingPolicy> policy =
      larch::grading::GradingPolicy::FromJson(*parsed);
  if (!policy.ok()) return 0;
  const std::vector<larch::grading::SubsectionScore> subsections = {
      {"a", "Homework", true, 8, 11}, {"b", "Homework", true, 2, 5}, {"c", "Exam", true, 5, 6}};
  (void)larch::grading::ComputeCourseGrade(*policy, subsections);
  return 0;
}
