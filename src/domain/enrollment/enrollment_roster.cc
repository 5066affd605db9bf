// EnrollmentService::ListRoster: the keyset pages of a course's active
// learners that the grade listings walk.
#include <algorithm>
#include <string>
#include <vector>

#include "enrollment_internal.h"
#include "larch/accounts/user_store.h"
#include "larch/enrollment/enrollment_service.h"

namespace larch::enrollment {
namespace {

using storage::Int;
using storage::Text;

// The learners the user filters allow, ascending; nullopt when no user
// filter is given. Both filters must hold when both are given.
StatusOr<std::optional<std::vector<int64_t>>> FilteredUserIds(storage::Executor& ex,
                                                              const RosterQuery& query) {
  std::optional<std::vector<int64_t>> ids;
  auto intersect = [&ids](std::vector<int64_t> found) {
    if (!ids.has_value()) {
      ids = std::move(found);
      return;
    }
    std::vector<int64_t> both;
    std::set_intersection(ids->begin(), ids->end(), found.begin(), found.end(),
                          std::back_inserter(both));
    ids = std::move(both);
  };
  if (!query.username_contains.empty()) {
    LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> found,
                           accounts::UserStore::SearchIds(ex, query.username_contains, false));
    intersect(std::move(found));
  }
  if (!query.user_contains.empty()) {
    LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> found,
                           accounts::UserStore::SearchIds(ex, query.user_contains, true));
    intersect(std::move(found));
  }
  return ids;
}

StatusOr<int64_t> Count(storage::Executor& ex, const std::string& sql,
                        const std::vector<storage::SqlValue>& params) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(storage::Query{"enrollment.roster_count", sql.c_str()}, params));
  return rs.rows.empty() ? 0 : rs.rows[0].GetInt(0);
}

// The (enrollment id, user id, mode) rows of the page, ascending. Without a
// user filter the database pages; with one (a search may match any number
// of users) the course's rows are read in id order and kept by membership,
// so no statement grows with the number of matching users.
StatusOr<std::vector<storage::Row>> PageRows(storage::Executor& ex, const RosterQuery& query,
                                             const std::optional<std::vector<int64_t>>& user_ids,
                                             int64_t page_size, RosterPage& page) {
  std::string sql =
      "SELECT id, user_id, mode FROM enrollments WHERE course_key = ? AND is_active = 1";
  std::vector<storage::SqlValue> params{Text(query.course_key)};
  if (!query.mode.empty()) {
    sql += " AND mode = ?";
    params.push_back(Text(query.mode));
  }
  if (user_ids.has_value()) {
    sql += " ORDER BY id ASC";
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"enrollment.roster_filtered", sql.c_str()}, params));
    std::vector<storage::Row> kept;
    for (storage::Row& row : rs.rows) {
      if (std::binary_search(user_ids->begin(), user_ids->end(), row.GetInt(1))) {
        kept.push_back(std::move(row));
      }
    }
    page.filtered = static_cast<int64_t>(kept.size());
    auto after = [&](const storage::Row& row) {
      if (!query.position.has_value()) return true;
      return query.backward ? row.GetInt(0) < *query.position : row.GetInt(0) > *query.position;
    };
    std::vector<storage::Row> in_range;
    for (storage::Row& row : kept) {
      if (after(row)) in_range.push_back(std::move(row));
    }
    const auto n = static_cast<std::ptrdiff_t>(
        std::min<int64_t>(page_size, static_cast<int64_t>(in_range.size())));
    page.more = static_cast<int64_t>(in_range.size()) > page_size;
    if (query.backward) return std::vector<storage::Row>(in_range.end() - n, in_range.end());
    return std::vector<storage::Row>(in_range.begin(), in_range.begin() + n);
  }
  LARCH_ASSIGN_OR_RETURN(page.filtered,
                         Count(ex, "SELECT COUNT(*)" + sql.substr(sql.find(" FROM")), params));
  if (query.position.has_value()) {
    sql += query.backward ? " AND id < ?" : " AND id > ?";
    params.push_back(Int(*query.position));
  }
  sql += query.backward ? " ORDER BY id DESC" : " ORDER BY id ASC";
  sql += " LIMIT " + std::to_string(page_size + 1);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(storage::Query{"enrollment.roster_page", sql.c_str()}, params));
  page.more = static_cast<int64_t>(rs.rows.size()) > page_size;
  if (page.more) rs.rows.resize(static_cast<size_t>(page_size));
  if (query.backward) std::reverse(rs.rows.begin(), rs.rows.end());
  return std::move(rs.rows);
}

}  // namespace

StatusOr<std::vector<Enrollment>> EnrollmentStore::ListForCourse(storage::Executor& ex,
                                                                 std::string_view course_key) {
  static constexpr storage::Query kListForCourse{
      "enrollment.list_for_course",
      "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
      "WHERE course_key = ? ORDER BY user_id ASC"};
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kListForCourse, {Text(std::string(course_key))}));
  std::vector<Enrollment> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) {
    out.push_back(Enrollment{row.GetInt(0), row.GetInt(1), row.GetText(2), row.GetInt(3),
                             row.GetBool(4), row.GetText(5)});
  }
  return out;
}

StatusOr<RosterPage> EnrollmentService::ListRoster(const RosterQuery& query) {
  const int64_t page_size = std::max<int64_t>(1, query.page_size);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<RosterPage> {
        RosterPage page;
        LARCH_ASSIGN_OR_RETURN(
            page.total,
            Count(txn, "SELECT COUNT(*) FROM enrollments WHERE course_key = ? AND is_active = 1",
                  {Text(query.course_key)}));
        LARCH_ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> user_ids,
                               FilteredUserIds(txn, query));
        LARCH_ASSIGN_OR_RETURN(std::vector<storage::Row> rows,
                               PageRows(txn, query, user_ids, page_size, page));
        std::vector<int64_t> ids;
        ids.reserve(rows.size());
        for (const storage::Row& row : rows) ids.push_back(row.GetInt(1));
        LARCH_ASSIGN_OR_RETURN(auto users, accounts::UserStore::FindSummaries(txn, ids));
        for (const storage::Row& row : rows) {
          auto user = users.find(row.GetInt(1));
          if (user == users.end()) continue;  // cascades with its user
          page.entries.push_back(RosterEntry{row.GetInt(0), row.GetInt(1), row.GetText(2),
                                             user->second.username, user->second.email,
                                             user->second.name});
        }
        return page;
      });
}

}  // namespace larch::enrollment
