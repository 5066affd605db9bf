// Course modes (Open edX's course_modes app, openedx_apis.md 3.4): the
// tracks a learner can enroll in (audit, honor, verified, ...), their
// validation rules, the default-mode rule used when an enrollment names no
// mode, `modes_for_course` with expiry, and certificate eligibility per mode.
//
// Thread safety: the free functions are pure; CourseModeStore is stateless
// and safe from any thread with its own Executor.
#ifndef LARCH_ENROLLMENT_COURSE_MODES_H_
#define LARCH_ENROLLMENT_COURSE_MODES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::enrollment {

inline constexpr char kModeAudit[] = "audit";
inline constexpr char kModeHonor[] = "honor";
inline constexpr char kModeVerified[] = "verified";
inline constexpr char kModeProfessional[] = "professional";
inline constexpr char kModeNoIdProfessional[] = "no-id-professional";
inline constexpr char kModeCredit[] = "credit";
inline constexpr char kModeMasters[] = "masters";

// One course_modes row (CourseMode). Datetimes are micros since the epoch.
struct CourseMode {
  std::string slug;
  std::string name;  // mode_display_name
  int64_t min_price = 0;
  std::string currency = "usd";
  // The upgrade deadline; nullopt = never expires.
  std::optional<int64_t> expiration_datetime;
  bool expiration_datetime_is_explicit = false;
  // Deprecated comma-separated integers, kept verbatim (the API sends it raw).
  std::string suggested_prices;
  std::optional<std::string> description;
  std::optional<std::string> sku;
  std::optional<std::string> android_sku;
  std::optional<std::string> ios_sku;
  std::optional<std::string> bulk_sku;

  friend bool operator==(const CourseMode&, const CourseMode&) = default;
};

// COURSE_MODE_DEFAULTS: audit, "Audit", price 0, currency usd.
CourseMode DefaultCourseMode();

// True for the slugs Open edX knows (honor, professional, verified, audit,
// no-id-professional, credit, masters, executive-education,
// paid-executive-education, unpaid-executive-education, paid-bootcamp,
// unpaid-bootcamp).
bool IsKnownModeSlug(std::string_view slug);
// AUDIT_MODES, VERIFIED_MODES, CREDIT_MODES membership.
bool IsAuditMode(std::string_view slug);
bool IsVerifiedMode(std::string_view slug);
bool IsCreditMode(std::string_view slug);
// professional and no-id-professional.
bool IsProfessionalMode(std::string_view slug);

// CourseMode.clean(): OK, or kInvalidArgument when the slug is unknown or
// empty, a professional mode has an expiration, or min_price is below the
// slug's minimum (COURSE_ENROLLMENT_MODES: 1 for verified and the
// professional modes, 0 otherwise).
Status ValidateCourseMode(const CourseMode& mode);

// The mode an enrollment gets when none is requested (enrollments api
// `_default_course_mode`): audit when the course offers it, else honor when
// offered, else audit.
std::string DefaultEnrollmentMode(const std::vector<CourseMode>& course_modes);

// CourseMode.is_eligible_for_certificate: false for audit; false for honor
// when honor certificates are disabled unless `certificate_status` is
// "downloadable"; true otherwise.
bool IsEligibleForCertificate(std::string_view slug,
                              const std::optional<std::string>& certificate_status = std::nullopt,
                              bool disable_honor_certificates = false);

class CourseModeStore {
 public:
  // Validates `mode`, lowercases its currency and inserts it, or replaces the
  // row with the same (course, slug, currency). kInvalidArgument from
  // ValidateCourseMode; kFailedPrecondition when the course does not exist.
  static Status Upsert(storage::Executor& ex, std::string_view course_key, CourseMode mode);
  // OK when there was nothing to delete.
  static Status Delete(storage::Executor& ex, std::string_view course_key, std::string_view slug);
  // Every stored mode of the course, in insertion order (possibly empty).
  static StatusOr<std::vector<CourseMode>> AllModes(storage::Executor& ex,
                                                    std::string_view course_key);
  // modes_for_course: the stored modes, without those expired at `now`
  // (expiration < now) unless `include_expired`, without credit when
  // `only_selectable`; [DefaultCourseMode()] when that leaves none.
  static StatusOr<std::vector<CourseMode>> ModesForCourse(storage::Executor& ex,
                                                          std::string_view course_key, int64_t now,
                                                          bool include_expired = false,
                                                          bool only_selectable = true);
  // ModesForCourse (unexpired, selectable, [DefaultCourseMode()] when none)
  // of every course in `course_keys` in one read per few hundred keys
  // (all_and_unexpired_modes_for_courses), keyed by course key; every key
  // asked for is present.
  static StatusOr<std::map<std::string, std::vector<CourseMode>, std::less<>>> ModesForCourses(
      storage::Executor& ex, const std::vector<std::string>& course_keys, int64_t now);
};

}  // namespace larch::enrollment

#endif  // LARCH_ENROLLMENT_COURSE_MODES_H_
