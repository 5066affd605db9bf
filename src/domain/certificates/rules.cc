// The generation rules of generation_handler.py, without side effects.
#include <charconv>
#include <cstdio>

#include "larch/certificates/certificates.h"
#include "larch/enrollment/course_modes.h"

namespace larch::certificates {

bool IsPassingStatus(std::string_view s) {
  return s == status::kDownloadable || s == status::kGenerating;
}

bool IsEligibleMode(std::string_view mode, bool disable_honor_certificates) {
  return enrollment::IsEligibleForCertificate(mode, std::nullopt, disable_honor_certificates);
}

std::string PythonFloat(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string out = ec == std::errc() ? std::string(buf, end) : std::to_string(value);
  if (out.find_first_of("e.") == std::string::npos && out.find("inf") == std::string::npos &&
      out.find("nan") == std::string::npos) {
    out += ".0";
  } else if (out.find('e') != std::string::npos) {
    // Grades are rounded to hundredths; tiny values print as fixed digits.
    std::snprintf(buf, sizeof(buf), "%.6f", value);
    out = buf;
  }
  return out;
}

namespace {

Decision Keep(const char* reason) { return Decision{"", reason, false}; }

Decision Revoke(const LearnerFacts& learner, const char* new_status, const char* reason) {
  if (learner.existing->status == new_status) return Keep("unchanged");
  return Decision{new_status, reason, IsPassingStatus(learner.existing->status)};
}

}  // namespace

Decision Decide(const CourseFacts& course, const LearnerFacts& learner, Trigger trigger) {
  const std::optional<Certificate>& existing = learner.existing;
  if (trigger == Trigger::kGradeFailed) {
    // handle_course_grade_now_failed: an allowlisted learner keeps theirs.
    if (!existing.has_value() || !IsPassingStatus(existing->status)) return Keep("unchanged");
    if (learner.allowlisted) return Keep("allowlisted");
    // The job runs after the event: a grade that passes again by then keeps it.
    if (learner.passing) return Keep("already_downloadable");
    return Revoke(learner, status::kNotPassing, "not_passing");
  }
  if (!learner.mode.has_value()) return Keep("not_enrolled");
  if (!course.html_certificates_enabled) return Keep("html_certificates_disabled");
  if (learner.invalidated) {
    if (!existing.has_value()) return Keep("invalidated");
    return Revoke(learner, status::kUnavailable, "invalidated");
  }
  const std::string& mode = *learner.mode;
  const bool downloadable = existing.has_value() && existing->status == status::kDownloadable;
  if (mode == "audit") {
    // Audit learners never get a certificate; the record says how they did.
    if (downloadable) return Keep("already_downloadable");
    const char* audit = learner.passing ? status::kAuditPassing : status::kAuditNotPassing;
    if (existing.has_value() && existing->status == audit) return Keep("unchanged");
    return Decision{audit, "ineligible_mode", false};
  }
  const bool eligible = IsEligibleMode(mode, course.disable_honor_certificates);
  if (!eligible && !downloadable) return Keep("ineligible_mode");
  if (downloadable) {
    // _is_mode_now_eligible: regenerate only when the mode became eligible.
    const bool was_eligible = IsEligibleMode(existing->mode, course.disable_honor_certificates);
    if (!eligible || was_eligible) return Keep("already_downloadable");
  }
  if (learner.allowlisted || learner.passing) return Decision{status::kDownloadable, "generated"};
  if (existing.has_value()) return Revoke(learner, status::kNotPassing, "not_passing");
  return Keep("not_passing");
}

}  // namespace larch::certificates
