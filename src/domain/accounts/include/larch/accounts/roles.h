// Course access roles (Open edX's CourseAccessRole): instructor, staff and
// beta tester per course, or per organization when course_id is empty.
// The courses work builds permissions on top of this.
//
// Thread safety: RoleStore is thread-safe.
#ifndef LARCH_ACCOUNTS_ROLES_H_
#define LARCH_ACCOUNTS_ROLES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::accounts {

enum class CourseRole { kInstructor, kStaff, kBetaTester };

// "instructor", "staff", "beta_testers" (Open edX's role names).
std::string_view CourseRoleName(CourseRole role);
// kInvalidArgument for other names.
StatusOr<CourseRole> ParseCourseRole(std::string_view name);

struct RoleGrant {
  std::string org;        // empty for a course grant without org
  std::string course_id;  // empty for an org-wide grant
  CourseRole role;
};

class RoleStore {
 public:
  explicit RoleStore(storage::Database& db);

  // True when the user has `role` for `course_id` (a course key), or for the
  // org of that course key ("course-v1:Org+..."), or, when
  // `course_id_or_org` is not a course key, org-wide for that org.
  StatusOr<bool> HasRole(int64_t user_id, std::string_view course_id_or_org, CourseRole role);
  // Idempotent. `course_id_or_org` as in HasRole: a course key grants on that
  // course (org taken from the key), anything else grants org-wide.
  // kFailedPrecondition for an unknown user.
  Status Grant(int64_t user_id, std::string_view course_id_or_org, CourseRole role);
  // OK when the grant did not exist.
  Status Revoke(int64_t user_id, std::string_view course_id_or_org, CourseRole role);
  StatusOr<std::vector<RoleGrant>> RolesFor(int64_t user_id);
  // RolesFor in the caller's transaction.
  static StatusOr<std::vector<RoleGrant>> GrantsOf(storage::Executor& ex, int64_t user_id);

 private:
  storage::Database& db_;
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_ROLES_H_
