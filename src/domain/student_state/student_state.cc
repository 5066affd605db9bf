#include "larch/student_state/student_state.h"

#include <utility>

namespace larch::student_state {
namespace {

using nlohmann::json;
using storage::Query;
using storage::Row;
using storage::SqlValue;

constexpr Query kFind{"student_state.find",
                      "SELECT id, user_id, course_key, usage_key, module_type, state, grade, "
                      "max_grade, version, created, modified FROM student_modules "
                      "WHERE user_id = ? AND usage_key = ?"};
constexpr Query kListForLearner{
    "student_state.list_for_learner",
    "SELECT id, user_id, course_key, usage_key, module_type, state, grade, max_grade, version, "
    "created, modified FROM student_modules WHERE course_key = ? AND user_id = ? "
    "ORDER BY usage_key"};
constexpr Query kListScoresForCourse{
    "student_state.list_scores_for_course",
    "SELECT id, user_id, course_key, usage_key, module_type, grade, max_grade, version, "
    "created, modified FROM student_modules WHERE course_key = ? AND grade IS NOT NULL "
    "AND max_grade IS NOT NULL ORDER BY user_id, usage_key"};
constexpr Query kListForBlock{
    "student_state.list_for_block",
    "SELECT id, user_id, course_key, usage_key, module_type, state, grade, max_grade, version, "
    "created, modified FROM student_modules WHERE usage_key = ? ORDER BY user_id"};
// ON CONFLICT DO NOTHING: a row created meanwhile returns no id, which is
// the conflict Save reports as kAborted (a unique violation would abort a
// PostgreSQL transaction).
constexpr Query kInsert{
    "student_state.insert",
    "INSERT INTO student_modules (user_id, course_key, usage_key, module_type, state, grade, "
    "max_grade, version, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
    "ON CONFLICT (user_id, usage_key) DO NOTHING RETURNING id"};
constexpr Query kUpdate{"student_state.update",
                        "UPDATE student_modules SET state = ?, grade = ?, max_grade = ?, "
                        "version = version + 1, modified = ? WHERE id = ? AND version = ?"};
constexpr Query kInsertHistory{"student_state.insert_history",
                               "INSERT INTO student_module_history (student_module_id, version, "
                               "state, grade, max_grade, created) VALUES (?, ?, ?, ?, ?, ?)"};
constexpr Query kHistory{"student_state.history",
                         "SELECT h.version, h.state, h.grade, h.max_grade, h.created "
                         "FROM student_module_history h JOIN student_modules m "
                         "ON m.id = h.student_module_id WHERE m.user_id = ? AND m.usage_key = ? "
                         "ORDER BY h.version"};
constexpr Query kDeleteHistory{
    "student_state.delete_history",
    "DELETE FROM student_module_history WHERE student_module_id IN "
    "(SELECT id FROM student_modules WHERE user_id = ? AND usage_key = ?)"};
constexpr Query kDelete{"student_state.delete",
                        "DELETE FROM student_modules WHERE user_id = ? AND usage_key = ?"};

json ParseState(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_object() ? value : json::object();
}

std::optional<double> OptionalDouble(const Row& row, size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return row.GetDouble(i);
}

SqlValue DoubleOrNull(const std::optional<double>& value) {
  if (!value) return nullptr;
  return *value;
}

StudentModule FromRow(const Row& row) {
  StudentModule m;
  m.id = row.GetInt(0);
  m.user_id = row.GetInt(1);
  m.course_key = row.GetText(2);
  m.usage_key = row.GetText(3);
  m.module_type = row.GetText(4);
  m.state = ParseState(row.GetText(5));
  m.grade = OptionalDouble(row, 6);
  m.max_grade = OptionalDouble(row, 7);
  m.version = row.GetInt(8);
  m.created = row.GetInt(9);
  m.modified = row.GetInt(10);
  return m;
}

}  // namespace

StatusOr<std::optional<StudentModule>> StudentStateStore::Find(storage::Executor& db,
                                                               int64_t user_id,
                                                               std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kFind, {storage::Int(user_id), std::string(usage_key)}));
  if (rs.empty()) return std::optional<StudentModule>();
  return std::optional<StudentModule>(FromRow(rs.rows[0]));
}

StatusOr<std::vector<StudentModule>> StudentStateStore::ListForLearner(
    storage::Executor& db, int64_t user_id, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      db.Execute(kListForLearner, {std::string(course_key), storage::Int(user_id)}));
  std::vector<StudentModule> out;
  out.reserve(rs.size());
  for (const Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<std::vector<StudentModule>> StudentStateStore::ListScoresForCourse(
    storage::Executor& db, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kListScoresForCourse, {std::string(course_key)}));
  std::vector<StudentModule> out;
  out.reserve(rs.size());
  for (const Row& row : rs.rows) {
    StudentModule m;
    m.id = row.GetInt(0);
    m.user_id = row.GetInt(1);
    m.course_key = row.GetText(2);
    m.usage_key = row.GetText(3);
    m.module_type = row.GetText(4);
    m.grade = row.GetDouble(5);
    m.max_grade = row.GetDouble(6);
    m.version = row.GetInt(7);
    m.created = row.GetInt(8);
    m.modified = row.GetInt(9);
    out.push_back(std::move(m));
  }
  return out;
}

StatusOr<std::vector<StudentModule>> StudentStateStore::ListForBlock(storage::Executor& db,
                                                                     std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kListForBlock, {std::string(usage_key)}));
  std::vector<StudentModule> out;
  out.reserve(rs.size());
  for (const Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<StudentModule> StudentStateStore::Save(storage::Executor& db, const StudentModule& module,
                                                int64_t now) {
  StudentModule out = module;
  std::string state = module.state.is_object() ? module.state.dump() : std::string("{}");
  if (module.version == 0) {
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        db.Execute(kInsert,
                   {storage::Int(module.user_id), module.course_key, module.usage_key,
                    module.module_type, state, DoubleOrNull(module.grade),
                    DoubleOrNull(module.max_grade), storage::Int(now), storage::Int(now)}));
    if (rs.empty())
      return AbortedError("student state of " + module.usage_key + " was created meanwhile");
    out.id = rs.rows[0].GetInt(0);
    out.version = 1;
    out.created = now;
  } else {
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        db.Execute(kUpdate,
                   {state, DoubleOrNull(module.grade), DoubleOrNull(module.max_grade),
                    storage::Int(now), storage::Int(module.id), storage::Int(module.version)}));
    if (rs.rows_affected != 1) {
      return AbortedError("student state of " + module.usage_key + " changed meanwhile");
    }
    out.version = module.version + 1;
  }
  out.modified = now;
  LARCH_RETURN_IF_ERROR(
      db.Execute(kInsertHistory,
                 {storage::Int(out.id), storage::Int(out.version), state,
                  DoubleOrNull(module.grade), DoubleOrNull(module.max_grade), storage::Int(now)})
          .status());
  return out;
}

StatusOr<std::vector<HistoryEntry>> StudentStateStore::History(storage::Executor& db,
                                                               int64_t user_id,
                                                               std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kHistory, {storage::Int(user_id), std::string(usage_key)}));
  std::vector<HistoryEntry> out;
  out.reserve(rs.size());
  for (const Row& row : rs.rows) {
    out.push_back(HistoryEntry{row.GetInt(0), ParseState(row.GetText(1)), OptionalDouble(row, 2),
                               OptionalDouble(row, 3), row.GetInt(4)});
  }
  return out;
}

StatusOr<bool> StudentStateStore::Delete(storage::Executor& db, int64_t user_id,
                                         std::string_view usage_key) {
  LARCH_RETURN_IF_ERROR(
      db.Execute(kDeleteHistory, {storage::Int(user_id), std::string(usage_key)}).status());
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         db.Execute(kDelete, {storage::Int(user_id), std::string(usage_key)}));
  return rs.rows_affected > 0;
}

}  // namespace larch::student_state
