// Private to the enrollment module: the rows, loaders, queries and event
// payloads shared by the service's files (enrollment_service.cc: enroll and
// update; enrollment_batch.cc: batch and bulk; enrollment_allowances.cc;
// enrollment_listing.cc).
//
// Thread safety: free functions over the caller's Executor.
#ifndef LARCH_ENROLLMENT_ENROLLMENT_INTERNAL_H_
#define LARCH_ENROLLMENT_ENROLLMENT_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larch/accounts/user_store.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_data.h"
#include "larch/storage/database.h"

namespace larch::enrollment {

// One pending openedx-event, published after the transaction commits.
struct EnrollmentService::PendingEvent {
  const char* type;
  events::CourseEnrollmentData data;
};

namespace internal {

inline constexpr storage::Query kHasAllowance{
    "enrollment.has_allowance",
    "SELECT auto_enroll FROM enrollment_allowed WHERE lower(email) = lower(?) AND course_key = ?"};

inline constexpr storage::Query kUpsertAllowance{
    "enrollment.upsert_allowance",
    "INSERT INTO enrollment_allowed (email, course_key, auto_enroll, created) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (email, course_key) DO UPDATE SET auto_enroll = excluded.auto_enroll"};

inline constexpr storage::Query kDeleteAllowance{
    "enrollment.delete_allowance",
    "DELETE FROM enrollment_allowed WHERE lower(email) = lower(?) AND course_key = ?"};

// A learner or actor as the events print them, from accounts::UserStore.
using UserRow = accounts::UserSummary;

Enrollment EnrollmentFromRow(const storage::Row& row);
// The course and the user come from their owners' stores, in the caller's
// transaction; nullopt when the row does not exist.
inline StatusOr<std::optional<CourseInfo>> LoadCourse(storage::Executor& ex, std::string_view key) {
  return courses::CourseStore::FindEnrollmentInfo(ex, key);
}
inline StatusOr<std::optional<UserRow>> LoadUser(storage::Executor& ex, int64_t user_id) {
  return accounts::UserStore::FindSummary(ex, user_id);
}
StatusOr<std::optional<Enrollment>> LoadEnrollment(storage::Executor& ex, int64_t user_id,
                                                   std::string_view key);
// A student_courseenrollment_history row ("+" created, "~" changed).
Status InsertHistory(storage::Executor& ex, const Enrollment& e, int64_t now, const char* type,
                     std::optional<int64_t> actor);
// Stand-ins for a course or user deleted after the enrollment.
CourseInfo CourseStub(std::string_view key);
UserRow UserStub(int64_t id);
// kNotFound "course-not-found".
Status CourseNotFound(std::string_view key);
// `rows` copies of `tuple` joined by ", " (a multi-row VALUES list).
std::string ValuesList(size_t rows, std::string_view tuple);
// Placeholders "?, ?, ..." for an IN list of `n` values.
std::string Placeholders(size_t n);
events::CourseEnrollmentData EventData(const UserRow& user, const CourseInfo& course,
                                       const Enrollment& e, const std::optional<UserRow>& actor);

}  // namespace internal
}  // namespace larch::enrollment

#endif  // LARCH_ENROLLMENT_ENROLLMENT_INTERNAL_H_
