#include "certificate_store.h"

namespace larch::certificates::internal {
namespace {

using storage::Int;
using storage::Query;
using storage::Text;

#define LARCH_CERT_COLUMNS                                                                        \
  "id, user_id, course_key, verify_uuid, grade, status, mode, name, download_url, error_reason, " \
  "created_at, modified_at"

constexpr Query kFind{"certificates.find",
                      "SELECT " LARCH_CERT_COLUMNS
                      " FROM generated_certificates WHERE user_id = ? AND course_key = ?"};
constexpr Query kFindByUuid{"certificates.find_by_uuid",
                            "SELECT " LARCH_CERT_COLUMNS
                            " FROM generated_certificates WHERE verify_uuid = ?"};
constexpr Query kInCourse{"certificates.in_course",
                          "SELECT " LARCH_CERT_COLUMNS
                          " FROM generated_certificates WHERE course_key = ?"};
constexpr Query kForUser{"certificates.for_user",
                         "SELECT " LARCH_CERT_COLUMNS
                         " FROM generated_certificates WHERE user_id = ? "
                         "AND status NOT IN ('audit_passing', 'audit_notpassing') "
                         "ORDER BY created_at, id"};
constexpr Query kAllOfUser{"certificates.all_of_user",
                           "SELECT " LARCH_CERT_COLUMNS
                           " FROM generated_certificates WHERE user_id = ?"};
constexpr Query kInsert{
    "certificates.insert",
    "INSERT INTO generated_certificates (user_id, course_key, verify_uuid, grade, status, mode, "
    "name, download_url, error_reason, created_at, modified_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, course_key) DO NOTHING RETURNING id"};
constexpr Query kUpdate{
    "certificates.update",
    "UPDATE generated_certificates SET grade = ?, status = ?, mode = ?, name = ?, "
    "download_url = ?, error_reason = ?, modified_at = ? WHERE id = ?"};
constexpr Query kAddHistory{
    "certificates.add_history",
    "INSERT INTO certificate_history (certificate_id, history_type, status, mode, grade, name, "
    "source, history_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Query kHistory{"certificates.history",
                         "SELECT history_type, status, mode, grade, name, source, history_date "
                         "FROM certificate_history WHERE certificate_id = ? ORDER BY id"};
constexpr Query kAllowlisted{
    "certificates.allowlisted",
    "SELECT user_id FROM certificate_allowlist WHERE course_key = ? AND allowlist = 1"};
constexpr Query kUpsertAllowlist{
    "certificates.upsert_allowlist",
    "INSERT INTO certificate_allowlist (user_id, course_key, allowlist, notes, created_at, "
    "modified_at) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (course_key, user_id) DO UPDATE SET "
    "allowlist = 1, notes = excluded.notes, modified_at = excluded.modified_at"};
constexpr Query kDeleteAllowlist{
    "certificates.delete_allowlist",
    "DELETE FROM certificate_allowlist WHERE user_id = ? AND course_key = ?"};
constexpr Query kFindAllowlist{"certificates.find_allowlist",
                               "SELECT id, notes, created_at FROM certificate_allowlist "
                               "WHERE user_id = ? AND course_key = ? AND allowlist = 1"};
constexpr Query kInvalidated{"certificates.invalidated",
                             "SELECT DISTINCT c.user_id FROM certificate_invalidations i "
                             "JOIN generated_certificates c ON c.id = i.certificate_id "
                             "WHERE c.course_key = ? AND i.active = 1"};
constexpr Query kAddInvalidation{
    "certificates.add_invalidation",
    "INSERT INTO certificate_invalidations (certificate_id, invalidated_by, notes, active, "
    "created_at, modified_at) VALUES (?, ?, ?, 1, ?, ?) RETURNING id"};
constexpr Query kDeactivate{"certificates.deactivate_invalidations",
                            "UPDATE certificate_invalidations SET active = 0, modified_at = ? "
                            "WHERE certificate_id = ? AND active = 1"};

Certificate FromRow(const storage::Row& row) {
  Certificate c;
  c.id = row.GetInt(0);
  c.user_id = row.GetInt(1);
  c.course_key = row.GetText(2);
  c.verify_uuid = row.GetText(3);
  c.grade = row.GetText(4);
  c.status = row.GetText(5);
  c.mode = row.GetText(6);
  c.name = row.GetText(7);
  c.download_url = row.GetText(8);
  c.error_reason = row.GetText(9);
  c.created = row.GetInt(10);
  c.modified = row.GetInt(11);
  return c;
}

StatusOr<std::optional<Certificate>> First(StatusOr<storage::ResultSet> rs) {
  if (!rs.ok()) return rs.status();
  if (rs->empty()) return std::optional<Certificate>();
  return std::optional<Certificate>(FromRow(rs->rows[0]));
}

StatusOr<std::set<int64_t>> UserIds(StatusOr<storage::ResultSet> rs) {
  if (!rs.ok()) return rs.status();
  std::set<int64_t> out;
  for (const storage::Row& row : rs->rows) out.insert(row.GetInt(0));
  return out;
}

}  // namespace

StatusOr<std::optional<Certificate>> CertificateStore::Find(storage::Executor& ex, int64_t user_id,
                                                            std::string_view course_key) {
  return First(ex.Execute(kFind, {Int(user_id), Text(std::string(course_key))}));
}

StatusOr<std::optional<Certificate>> CertificateStore::FindByUuid(storage::Executor& ex,
                                                                  std::string_view verify_uuid) {
  return First(ex.Execute(kFindByUuid, {Text(std::string(verify_uuid))}));
}

StatusOr<std::map<int64_t, Certificate>> CertificateStore::InCourse(storage::Executor& ex,
                                                                    std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kInCourse, {Text(std::string(course_key))}));
  std::map<int64_t, Certificate> out;
  for (const storage::Row& row : rs.rows) {
    Certificate c = FromRow(row);
    out.emplace(c.user_id, std::move(c));
  }
  return out;
}

StatusOr<std::vector<Certificate>> CertificateStore::ForUser(storage::Executor& ex,
                                                             int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kForUser, {Int(user_id)}));
  std::vector<Certificate> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<std::vector<Certificate>> CertificateStore::AllOfUser(storage::Executor& ex,
                                                               int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kAllOfUser, {Int(user_id)}));
  std::vector<Certificate> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<int64_t> CertificateStore::Insert(storage::Executor& ex, const Certificate& c) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kInsert, {Int(c.user_id), Text(c.course_key), Text(c.verify_uuid), Text(c.grade),
                           Text(c.status), Text(c.mode), Text(c.name), Text(c.download_url),
                           Text(c.error_reason), Int(c.created), Int(c.modified)}));
  if (rs.empty()) {
    return AbortedError("certificate of user " + std::to_string(c.user_id) + " in " + c.course_key +
                        " was created concurrently");
  }
  return rs.rows[0].GetInt(0);
}

Status CertificateStore::Update(storage::Executor& ex, const Certificate& c) {
  return ex
      .Execute(kUpdate, {Text(c.grade), Text(c.status), Text(c.mode), Text(c.name),
                         Text(c.download_url), Text(c.error_reason), Int(c.modified), Int(c.id)})
      .status();
}

Status CertificateStore::AddHistory(storage::Executor& ex, const Certificate& c,
                                    std::string_view history_type, std::string_view source) {
  return ex
      .Execute(kAddHistory,
               {Int(c.id), Text(std::string(history_type)), Text(c.status), Text(c.mode),
                Text(c.grade), Text(c.name), Text(std::string(source)), Int(c.modified)})
      .status();
}

StatusOr<std::vector<HistoryEntry>> CertificateStore::History(storage::Executor& ex,
                                                              int64_t certificate_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kHistory, {Int(certificate_id)}));
  std::vector<HistoryEntry> out;
  for (const storage::Row& row : rs.rows) {
    out.push_back(HistoryEntry{row.GetText(0), row.GetText(1), row.GetText(2), row.GetText(3),
                               row.GetText(4), row.GetText(5), row.GetInt(6)});
  }
  return out;
}

StatusOr<std::set<int64_t>> CertificateStore::AllowlistedUsers(storage::Executor& ex,
                                                               std::string_view course_key) {
  return UserIds(ex.Execute(kAllowlisted, {Text(std::string(course_key))}));
}

Status CertificateStore::UpsertAllowlist(storage::Executor& ex, int64_t user_id,
                                         std::string_view course_key, std::string_view notes,
                                         int64_t now) {
  return ex
      .Execute(kUpsertAllowlist, {Int(user_id), Text(std::string(course_key)),
                                  Text(std::string(notes)), Int(now), Int(now)})
      .status();
}

StatusOr<bool> CertificateStore::DeleteAllowlist(storage::Executor& ex, int64_t user_id,
                                                 std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kDeleteAllowlist, {Int(user_id), Text(std::string(course_key))}));
  return rs.rows_affected > 0;
}

StatusOr<std::optional<AllowlistEntry>> CertificateStore::FindAllowlist(
    storage::Executor& ex, int64_t user_id, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kFindAllowlist, {Int(user_id), Text(std::string(course_key))}));
  if (rs.empty()) return std::optional<AllowlistEntry>();
  const storage::Row& row = rs.rows[0];
  return std::optional<AllowlistEntry>(AllowlistEntry{
      row.GetInt(0), user_id, std::string(course_key), row.GetText(1), row.GetInt(2)});
}

StatusOr<std::set<int64_t>> CertificateStore::InvalidatedUsers(storage::Executor& ex,
                                                               std::string_view course_key) {
  return UserIds(ex.Execute(kInvalidated, {Text(std::string(course_key))}));
}

StatusOr<int64_t> CertificateStore::AddInvalidation(storage::Executor& ex, int64_t certificate_id,
                                                    int64_t by, std::string_view notes,
                                                    int64_t now) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kAddInvalidation,
                 {Int(certificate_id),
                  storage::OptionalInt(by > 0 ? std::optional<int64_t>(by) : std::nullopt),
                  Text(std::string(notes)), Int(now), Int(now)}));
  if (rs.empty()) return InternalError("certificate invalidation insert returned no id");
  return rs.rows[0].GetInt(0);
}

StatusOr<bool> CertificateStore::DeactivateInvalidations(storage::Executor& ex,
                                                         int64_t certificate_id, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kDeactivate, {Int(now), Int(certificate_id)}));
  return rs.rows_affected > 0;
}

}  // namespace larch::certificates::internal
