#include "larch/accounts/roles.h"

#include <string>

namespace larch::accounts {
namespace {

constexpr storage::Query kInsertRole{
    "accounts.roles.insert",
    "INSERT INTO course_access_roles (user_id, org, course_id, role) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (user_id, org, course_id, role) DO NOTHING"};
constexpr storage::Query kDeleteRole{
    "accounts.roles.delete",
    "DELETE FROM course_access_roles WHERE user_id = ? AND org = ? AND course_id = ? AND role = ?"};
constexpr storage::Query kHasRole{
    "accounts.roles.has",
    "SELECT 1 FROM course_access_roles WHERE user_id = ? AND role = ? AND "
    "((course_id = ? AND ? <> '') OR (course_id = '' AND org = ?)) LIMIT 1"};
constexpr storage::Query kRolesFor{
    "accounts.roles.for_user",
    "SELECT org, course_id, role FROM course_access_roles WHERE user_id = ? ORDER BY id"};

struct Scope {
  std::string org;
  std::string course_id;
};

// "course-v1:Org+Course+Run" -> course scope with org "Org"; else org-wide.
Scope ParseScope(std::string_view course_id_or_org) {
  constexpr std::string_view kPrefix = "course-v1:";
  if (course_id_or_org.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view rest = course_id_or_org.substr(kPrefix.size());
    return {std::string(rest.substr(0, rest.find('+'))), std::string(course_id_or_org)};
  }
  return {std::string(course_id_or_org), ""};
}

}  // namespace

std::string_view CourseRoleName(CourseRole role) {
  switch (role) {
    case CourseRole::kInstructor:
      return "instructor";
    case CourseRole::kStaff:
      return "staff";
    case CourseRole::kBetaTester:
      return "beta_testers";
  }
  return "staff";
}

StatusOr<CourseRole> ParseCourseRole(std::string_view name) {
  if (name == "instructor") return CourseRole::kInstructor;
  if (name == "staff") return CourseRole::kStaff;
  if (name == "beta_testers") return CourseRole::kBetaTester;
  return InvalidArgumentError("unknown course role " + std::string(name));
}

RoleStore::RoleStore(storage::Database& db) : db_(db) {}

StatusOr<bool> RoleStore::HasRole(int64_t user_id, std::string_view course_id_or_org,
                                  CourseRole role) {
  Scope scope = ParseScope(course_id_or_org);
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      txn->Execute(kHasRole,
                   {storage::Int(user_id), storage::Text(std::string(CourseRoleName(role))),
                    storage::Text(scope.course_id), storage::Text(scope.course_id),
                    storage::Text(scope.org)}));
  return !rs.rows.empty();
}

Status RoleStore::Grant(int64_t user_id, std::string_view course_id_or_org, CourseRole role) {
  Scope scope = ParseScope(course_id_or_org);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(kInsertRole,
                 {storage::Int(user_id), storage::Text(scope.org), storage::Text(scope.course_id),
                  storage::Text(std::string(CourseRoleName(role)))})
        .status();
  });
}

Status RoleStore::Revoke(int64_t user_id, std::string_view course_id_or_org, CourseRole role) {
  Scope scope = ParseScope(course_id_or_org);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(kDeleteRole,
                 {storage::Int(user_id), storage::Text(scope.org), storage::Text(scope.course_id),
                  storage::Text(std::string(CourseRoleName(role)))})
        .status();
  });
}

StatusOr<std::vector<RoleGrant>> RoleStore::RolesFor(int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  return GrantsOf(*txn, user_id);
}

StatusOr<std::vector<RoleGrant>> RoleStore::GrantsOf(storage::Executor& ex, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kRolesFor, {storage::Int(user_id)}));
  std::vector<RoleGrant> out;
  for (const storage::Row& row : rs.rows) {
    auto role = ParseCourseRole(row.GetText(2));
    if (!role.ok()) continue;  // roles of other apps (e.g. "finance_admin")
    out.push_back({row.GetText(0), row.GetText(1), *role});
  }
  return out;
}

}  // namespace larch::accounts
