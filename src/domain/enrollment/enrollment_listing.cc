#include "larch/enrollment/enrollment_service.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "enrollment_internal.h"
#include "larch/accounts/user_store.h"
#include "larch/common/strings.h"

namespace larch::enrollment {

using internal::EnrollmentFromRow;
using internal::LoadUser;
using internal::Placeholders;
using internal::UserRow;
using storage::Int;
using storage::Text;

namespace {

constexpr storage::Query kUserEnrollments{
    "enrollment.user_enrollments",
    "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
    "WHERE user_id = ? ORDER BY created, id"};

constexpr storage::Query kActiveCourseKeys{
    "enrollment.active_course_keys",
    "SELECT course_key FROM enrollments WHERE user_id = ? AND is_active = 1 ORDER BY course_key"};
constexpr storage::Query kHasEnrollment{
    "enrollment.has_enrollment",
    "SELECT 1 FROM enrollments WHERE user_id = ? AND course_key = ? LIMIT 1"};

constexpr storage::Query kActiveNewestFirst{
    "enrollment.active_newest_first",
    "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
    "WHERE user_id = ? AND is_active = 1 ORDER BY created DESC, id DESC"};

// The organization of a course key: "course-v1:ORG+..." or "ORG/...".
std::string OrgOf(std::string_view key) {
  constexpr std::string_view kPrefix = "course-v1:";
  if (key.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view rest = key.substr(kPrefix.size());
    return std::string(rest.substr(0, rest.find('+')));
  }
  return std::string(key.substr(0, key.find('/')));
}

// Ids of the users the filter names: usernames and emails are exact (as the
// listing's IN lists always were), both lists must match when both are
// given. One batch read through UserStore's case-insensitive lookup, then
// the exact comparison here.
StatusOr<std::vector<int64_t>> MatchingUserIds(storage::Executor& ex,
                                               const EnrollmentFilter& filter) {
  std::vector<std::string> lowered;
  lowered.reserve(filter.usernames.size() + filter.emails.size());
  for (const std::string& v : filter.usernames) lowered.push_back(AsciiLower(v));
  for (const std::string& v : filter.emails) lowered.push_back(AsciiLower(v));
  LARCH_ASSIGN_OR_RETURN(std::vector<accounts::UserSummary> found,
                         accounts::UserStore::FindSummariesByLogin(ex, lowered));
  const std::set<std::string> usernames(filter.usernames.begin(), filter.usernames.end());
  const std::set<std::string> emails(filter.emails.begin(), filter.emails.end());
  std::vector<int64_t> ids;
  for (const accounts::UserSummary& u : found) {
    if (!usernames.empty() && usernames.count(u.username) == 0) continue;
    if (!emails.empty() && emails.count(u.email) == 0) continue;
    ids.push_back(u.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// The course filters, the keyset cursor, the order and the limit (one row
// more than the page, to tell whether there is more).
void AppendCourseAndCursor(const EnrollmentFilter& filter,
                           const std::optional<EnrollmentCursor>& cursor, int64_t page_size,
                           std::string& sql, std::vector<storage::SqlValue>& params) {
  if (filter.course_key.has_value()) {
    sql += " AND e.course_key = ?";
    params.push_back(Text(*filter.course_key));
  }
  if (!filter.course_key_substrings.empty()) {
    sql += " AND (";
    for (size_t i = 0; i < filter.course_key_substrings.size(); ++i) {
      sql += i == 0 ? "" : " OR ";
      sql += "lower(e.course_key) LIKE ? ESCAPE '\\'";
      params.push_back(Text(LikeContainsPattern(filter.course_key_substrings[i])));
    }
    sql += ")";
  }
  const bool reverse = cursor.has_value() && cursor->reverse;
  if (cursor.has_value()) {
    sql += reverse ? " AND (e.created > ? OR (e.created = ? AND e.id > ?))"
                   : " AND (e.created < ? OR (e.created = ? AND e.id < ?))";
    params.push_back(Int(cursor->created));
    params.push_back(Int(cursor->created));
    params.push_back(Int(cursor->id));
  }
  sql += reverse ? " ORDER BY e.created ASC, e.id ASC" : " ORDER BY e.created DESC, e.id DESC";
  sql += " LIMIT " + std::to_string(page_size + 1);
}

}  // namespace

StatusOr<std::vector<Enrollment>> EnrollmentStore::ListActiveNewestFirst(storage::Executor& ex,
                                                                         int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kActiveNewestFirst, {Int(user_id)}));
  std::vector<Enrollment> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) out.push_back(internal::EnrollmentFromRow(row));
  return out;
}

StatusOr<std::vector<std::string>> EnrollmentStore::ActiveCourseKeys(storage::Executor& ex,
                                                                     int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kActiveCourseKeys, {Int(user_id)}));
  std::vector<std::string> keys;
  keys.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) keys.push_back(row.GetText(0));
  return keys;
}

StatusOr<bool> EnrollmentStore::HasEnrollment(storage::Executor& ex, int64_t user_id,
                                              std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kHasEnrollment, {Int(user_id), std::string(course_key)}));
  return !rs.empty();
}

StatusOr<std::optional<Enrollment>> EnrollmentStore::Find(storage::Executor& ex, int64_t user_id,
                                                          std::string_view course_key) {
  return internal::LoadEnrollment(ex, user_id, course_key);
}

StatusOr<EnrollmentPage> EnrollmentService::ListEnrollments(
    const EnrollmentFilter& filter, int64_t page_size,
    const std::optional<EnrollmentCursor>& cursor) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<EnrollmentPage> {
        std::string sql =
            "SELECT e.id, e.created, e.mode, e.is_active, e.user_id, e.course_key "
            "FROM enrollments e WHERE 1 = 1";
        std::vector<storage::SqlValue> params;
        if (!filter.usernames.empty() || !filter.emails.empty()) {
          LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> ids, MatchingUserIds(txn, filter));
          if (ids.empty()) return EnrollmentPage{};
          sql += " AND e.user_id IN (" + Placeholders(ids.size()) + ")";
          for (int64_t id : ids) params.push_back(Int(id));
        }
        AppendCourseAndCursor(filter, cursor, page_size, sql, params);
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(storage::Query{"enrollment.list_enrollments", sql.c_str()}, params));
        EnrollmentPage page;
        page.more = static_cast<int64_t>(rs.rows.size()) > page_size;
        if (page.more && page_size >= 0) {
          rs.rows.erase(rs.rows.begin() + static_cast<std::ptrdiff_t>(page_size), rs.rows.end());
        }
        // The page's usernames in one batch read of the users' owner.
        std::vector<int64_t> user_ids;
        user_ids.reserve(rs.rows.size());
        for (const storage::Row& row : rs.rows) user_ids.push_back(row.GetInt(4));
        LARCH_ASSIGN_OR_RETURN(auto users, accounts::UserStore::FindSummaries(txn, user_ids));
        for (const storage::Row& row : rs.rows) {
          auto user = users.find(row.GetInt(4));
          // Enrollments go with their user (ON DELETE CASCADE); one without
          // is left out, as the inner join that listed them used to.
          if (user == users.end()) continue;
          page.items.push_back(EnrollmentListItem{row.GetInt(0), row.GetInt(1), row.GetText(2),
                                                  row.GetBool(3), user->second.username,
                                                  row.GetText(5)});
        }
        if (cursor.has_value() && cursor->reverse) {
          std::reverse(page.items.begin(), page.items.end());
        }
        return page;
      });
}

StatusOr<std::vector<std::string>> EnrollmentService::UnenrollFromAllCourses(
    int64_t user_id, std::optional<int64_t> actor_user_id) {
  std::vector<PendingEvent> pending;
  auto orgs = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<std::string>> {
        pending.clear();
        LARCH_ASSIGN_OR_RETURN(std::optional<UserRow> user, LoadUser(txn, user_id));
        if (!user.has_value()) {
          return NotFoundError("no user with id " + std::to_string(user_id))
              .WithErrorCode("user-not-found");
        }
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kUserEnrollments, {Int(user_id)}));
        std::vector<std::string> out;
        for (const storage::Row& row : rs.rows) {
          Enrollment e = EnrollmentFromRow(row);
          out.push_back(OrgOf(e.course_key));
          if (!e.is_active) continue;
          LARCH_RETURN_IF_ERROR(
              UpdateInTxn(txn, user_id, e.course_key, std::nullopt, false, actor_user_id, pending)
                  .status());
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
      });
  if (orgs.ok()) Publish(pending);
  return orgs;
}

StatusOr<std::vector<int64_t>> EnrollmentService::ActiveUserIds(std::string_view course_key) {
  static constexpr storage::Query kActiveUsers{
      "enrollment.active_user_ids",
      "SELECT user_id FROM enrollments WHERE course_key = ? AND is_active = 1 ORDER BY user_id"};
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                                [&](storage::Transaction& txn) -> StatusOr<std::vector<int64_t>> {
                                  LARCH_ASSIGN_OR_RETURN(
                                      storage::ResultSet rs,
                                      txn.Execute(kActiveUsers, {std::string(course_key)}));
                                  std::vector<int64_t> out;
                                  out.reserve(rs.size());
                                  for (const storage::Row& row : rs.rows)
                                    out.push_back(row.GetInt(0));
                                  return out;
                                });
}

}  // namespace larch::enrollment
