// The SQL on `users`; see user_store.h for who calls it.
#include "larch/accounts/user_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "internal.h"
#include "larch/common/strings.h"

namespace larch::accounts {
namespace {

using storage::Int;
using storage::Text;

// Ids or identifiers per IN list: far below SQLite's 32766 bound parameters
// and PostgreSQL's 65535 even when a list is bound twice.
constexpr size_t kChunk = 500;

#define LARCH_USER_COLUMNS                                                                    \
  "id, username, email, password, first_name, last_name, is_active, is_staff, is_superuser, " \
  "date_joined, last_login"

constexpr storage::Query kUserById{"accounts.users.by_id",
                                   "SELECT " LARCH_USER_COLUMNS " FROM users WHERE id = ?"};
constexpr storage::Query kUserByUsername{"accounts.users.by_username",
                                         "SELECT " LARCH_USER_COLUMNS
                                         " FROM users WHERE lower(username) = lower(?)"};
constexpr storage::Query kUserByEmail{"accounts.users.by_email",
                                      "SELECT " LARCH_USER_COLUMNS
                                      " FROM users WHERE lower(email) = lower(?)"};

#undef LARCH_USER_COLUMNS

constexpr storage::Query kUserExists{"accounts.users.exists", "SELECT 1 FROM users WHERE id = ?"};
constexpr storage::Query kSummaryById{
    "accounts.users.summary_by_id",
    "SELECT u.id, u.username, u.email, u.is_active, COALESCE(p.name, '') FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = ?"};
// The head of the chunked summary reads; the IN lists follow.
constexpr char kSummaryColumns[] =
    "SELECT u.id, u.username, u.email, u.is_active, COALESCE(p.name, '') FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE ";
constexpr storage::Query kLoginKeys{"accounts.users.login_keys",
                                    "SELECT id, lower(username), lower(email) FROM users"};

constexpr storage::Query kInsertUser{
    "accounts.users.insert",
    "INSERT INTO users (username, email, password, first_name, last_name, is_active, is_staff, "
    "is_superuser, date_joined, last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
constexpr storage::Query kActivateUser{"accounts.users.activate",
                                       "UPDATE users SET is_active = 1 WHERE id = ?"};
constexpr storage::Query kSetPassword{"accounts.users.set_password",
                                      "UPDATE users SET password = ? WHERE id = ?"};
constexpr storage::Query kLoginSuccess{
    "accounts.users.login", "UPDATE users SET last_login = ?, password = ? WHERE id = ?"};
constexpr storage::Query kRetireUser{"accounts.users.retire",
                                     "UPDATE users SET email = ?, password = ? WHERE id = ?"};
constexpr storage::Query kUpdateImported{
    "accounts.users.update_imported",
    "UPDATE users SET username = ?, email = ?, password = CASE WHEN ? = '' THEN password ELSE ? "
    "END, first_name = ?, last_name = ?, is_active = ?, is_staff = ?, is_superuser = ? "
    "WHERE id = ?"};

// "?, ?, ..." for an IN list of `n` values.
std::string Placeholders(size_t n) {
  std::string out;
  out.reserve(n * 3);
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

UserSummary SummaryFromRow(const storage::Row& row) {
  return UserSummary{row.GetInt(0), row.GetText(1), row.GetText(2), row.GetBool(3), row.GetText(4)};
}

StatusOr<std::optional<User>> FindOne(storage::Executor& ex, const storage::Query& query,
                                      storage::SqlValue key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(query, {std::move(key)}));
  if (rs.rows.empty()) return std::optional<User>();
  return std::optional<User>(internal::UserFromRow(rs.rows[0]));
}

}  // namespace

StatusOr<std::optional<User>> UserStore::FindById(storage::Executor& ex, int64_t id) {
  return FindOne(ex, kUserById, Int(id));
}

StatusOr<std::optional<User>> UserStore::FindByUsername(storage::Executor& ex,
                                                        std::string_view username) {
  return FindOne(ex, kUserByUsername, Text(std::string(username)));
}

StatusOr<std::optional<User>> UserStore::FindByEmail(storage::Executor& ex,
                                                     std::string_view email) {
  return FindOne(ex, kUserByEmail, Text(std::string(email)));
}

StatusOr<bool> UserStore::Exists(storage::Executor& ex, int64_t id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kUserExists, {Int(id)}));
  return !rs.rows.empty();
}

StatusOr<std::optional<UserSummary>> UserStore::FindSummary(storage::Executor& ex, int64_t id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kSummaryById, {Int(id)}));
  if (rs.rows.empty()) return std::optional<UserSummary>();
  return std::optional<UserSummary>(SummaryFromRow(rs.rows[0]));
}

StatusOr<std::vector<int64_t>> UserStore::SearchIds(storage::Executor& ex, std::string_view text,
                                                    bool or_email) {
  static constexpr storage::Query kByUsername{
      "accounts.users.search_username",
      "SELECT id FROM users WHERE lower(username) LIKE ? ESCAPE '\\' ORDER BY id"};
  static constexpr storage::Query kByUsernameOrEmail{
      "accounts.users.search_username_email",
      "SELECT id FROM users WHERE lower(username) LIKE ? ESCAPE '\\' "
      "OR lower(email) LIKE ? ESCAPE '\\' ORDER BY id"};
  const std::string pattern = LikeContainsPattern(text);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         or_email ? ex.Execute(kByUsernameOrEmail, {Text(pattern), Text(pattern)})
                                  : ex.Execute(kByUsername, {Text(pattern)}));
  std::vector<int64_t> ids;
  ids.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) ids.push_back(row.GetInt(0));
  return ids;
}

StatusOr<std::unordered_map<int64_t, UserSummary>> UserStore::FindSummaries(
    storage::Executor& ex, std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_map<int64_t, UserSummary> out;
  out.reserve(ids.size());
  for (size_t begin = 0; begin < ids.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - begin);
    const std::string sql = std::string(kSummaryColumns) + "u.id IN (" + Placeholders(n) + ")";
    std::vector<storage::SqlValue> params;
    params.reserve(n);
    for (size_t i = begin; i < begin + n; ++i) params.push_back(Int(ids[i]));
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"accounts.users.summaries_by_id", sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) {
      UserSummary u = SummaryFromRow(row);
      const int64_t id = u.id;
      out.emplace(id, std::move(u));
    }
  }
  return out;
}

StatusOr<std::vector<UserSummary>> UserStore::FindSummariesByLogin(
    storage::Executor& ex, const std::vector<std::string>& lowered) {
  std::vector<UserSummary> out;
  for (size_t begin = 0; begin < lowered.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, lowered.size() - begin);
    const std::string list = Placeholders(n);
    std::string sql(kSummaryColumns);
    sql += "lower(u.username) IN (";
    sql += list;
    sql += ") OR lower(u.email) IN (";
    sql += list;
    sql += ")";
    std::vector<storage::SqlValue> params;
    params.reserve(n * 2);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = begin; i < begin + n; ++i) params.push_back(Text(lowered[i]));
    }
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"accounts.users.summaries_by_login", sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) out.push_back(SummaryFromRow(row));
  }
  return out;
}

StatusOr<std::vector<UserLoginKeys>> UserStore::ListLoginKeys(storage::Executor& ex) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kLoginKeys));
  std::vector<UserLoginKeys> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) {
    out.push_back(UserLoginKeys{row.GetInt(0), row.GetText(1), row.GetText(2)});
  }
  return out;
}

StatusOr<int64_t> UserStore::Insert(storage::Executor& ex, const User& u) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kInsertUser, {Text(u.username), Text(u.email), Text(u.password),
                               Text(u.first_name), Text(u.last_name), storage::Bool(u.is_active),
                               storage::Bool(u.is_staff), storage::Bool(u.is_superuser),
                               Int(u.date_joined), storage::OptionalInt(u.last_login)}));
  if (rs.rows.empty()) return InternalError("INSERT users returned no id");
  return rs.rows[0].GetInt(0);
}

Status UserStore::Activate(storage::Executor& ex, int64_t id) {
  return ex.Execute(kActivateUser, {Int(id)}).status();
}

Status UserStore::SetPassword(storage::Executor& ex, int64_t id, std::string_view encoded) {
  return ex.Execute(kSetPassword, {Text(std::string(encoded)), Int(id)}).status();
}

Status UserStore::RecordLogin(storage::Executor& ex, int64_t id, int64_t now,
                              std::string_view encoded) {
  return ex.Execute(kLoginSuccess, {Int(now), Text(std::string(encoded)), Int(id)}).status();
}

Status UserStore::Retire(storage::Executor& ex, int64_t id, std::string_view retired_email,
                         std::string_view unusable_password) {
  return ex
      .Execute(kRetireUser,
               {Text(std::string(retired_email)), Text(std::string(unusable_password)), Int(id)})
      .status();
}

Status UserStore::UpdateImported(storage::Executor& ex, int64_t id, const ImportedUserFields& f) {
  return ex
      .Execute(kUpdateImported,
               {Text(f.username), Text(f.email), Text(f.password), Text(f.password),
                Text(f.first_name), Text(f.last_name), storage::Bool(f.is_active),
                storage::Bool(f.is_staff), storage::Bool(f.is_superuser), Int(id)})
      .status();
}

}  // namespace larch::accounts
