#include "larch/grades/grade_overrides.h"

#include <utility>

namespace larch::grades {
namespace {

using storage::Query;
using storage::Row;
using storage::SqlValue;

constexpr Query kListForLearner{
    "grades.list_overrides",
    "SELECT o.id, o.grade_id, g.usage_key, o.earned_all_override, o.possible_all_override, "
    "o.earned_graded_override, o.possible_graded_override, o.system, o.override_reason, "
    "o.created, o.modified FROM persistent_subsection_grade_overrides o "
    "JOIN persistent_subsection_grades g ON g.id = o.grade_id "
    "WHERE g.user_id = ? AND g.course_key = ?"};
constexpr Query kListForCourse{
    "grades.list_course_overrides",
    "SELECT o.id, o.grade_id, g.usage_key, o.earned_all_override, o.possible_all_override, "
    "o.earned_graded_override, o.possible_graded_override, o.system, o.override_reason, "
    "o.created, o.modified, g.user_id FROM persistent_subsection_grade_overrides o "
    "JOIN persistent_subsection_grades g ON g.id = o.grade_id WHERE g.course_key = ?"};
constexpr Query kFind{
    "grades.find_override",
    "SELECT o.id, o.grade_id, g.usage_key, o.earned_all_override, o.possible_all_override, "
    "o.earned_graded_override, o.possible_graded_override, o.system, o.override_reason, "
    "o.created, o.modified FROM persistent_subsection_grade_overrides o "
    "JOIN persistent_subsection_grades g ON g.id = o.grade_id "
    "WHERE g.user_id = ? AND g.usage_key = ?"};
constexpr Query kFindByGrade{
    "grades.find_override_by_grade",
    "SELECT o.id, o.grade_id, g.usage_key, o.earned_all_override, o.possible_all_override, "
    "o.earned_graded_override, o.possible_graded_override, o.system, o.override_reason, "
    "o.created, o.modified FROM persistent_subsection_grade_overrides o "
    "JOIN persistent_subsection_grades g ON g.id = o.grade_id WHERE o.grade_id = ?"};
constexpr Query kGradeExists{"grades.subsection_grade_usage",
                             "SELECT usage_key FROM persistent_subsection_grades WHERE id = ?"};
constexpr Query kInsert{
    "grades.insert_override",
    "INSERT INTO persistent_subsection_grade_overrides (grade_id, earned_all_override, "
    "possible_all_override, earned_graded_override, possible_graded_override, system, "
    "override_reason, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
constexpr Query kUpdate{
    "grades.update_override",
    "UPDATE persistent_subsection_grade_overrides SET earned_all_override = ?, "
    "possible_all_override = ?, earned_graded_override = ?, possible_graded_override = ?, "
    "system = ?, override_reason = ?, modified = ? WHERE id = ?"};
constexpr Query kDelete{"grades.delete_override",
                        "DELETE FROM persistent_subsection_grade_overrides WHERE id = ?"};
constexpr Query kInsertHistory{
    "grades.insert_override_history",
    "INSERT INTO persistent_subsection_grade_override_history (override_id, grade_id, "
    "earned_all_override, possible_all_override, earned_graded_override, "
    "possible_graded_override, system, override_reason, created, modified, history_date, "
    "history_type, history_user_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Query kHistory{
    "grades.override_history",
    "SELECT h.override_id, h.grade_id, g.usage_key, h.earned_all_override, "
    "h.possible_all_override, h.earned_graded_override, h.possible_graded_override, h.system, "
    "h.override_reason, h.created, h.modified, h.history_id, h.history_date, h.history_type, "
    "h.history_user_id FROM persistent_subsection_grade_override_history h "
    "LEFT JOIN persistent_subsection_grades g ON g.id = h.grade_id "
    "WHERE h.grade_id = ? ORDER BY h.history_date, h.history_id"};

std::optional<double> OptionalDouble(const Row& row, size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return row.GetDouble(i);
}

SqlValue DoubleOrNull(const std::optional<double>& value) {
  if (!value) return nullptr;
  return *value;
}

// Columns 0..10 of the SELECTs above.
GradeOverride FromRow(const Row& row) {
  GradeOverride o;
  o.id = row.GetInt(0);
  o.grade_id = row.GetInt(1);
  o.usage_key = row.IsNull(2) ? "" : row.GetText(2);
  o.earned_all = OptionalDouble(row, 3);
  o.possible_all = OptionalDouble(row, 4);
  o.earned_graded = OptionalDouble(row, 5);
  o.possible_graded = OptionalDouble(row, 6);
  o.system = row.GetOptionalText(7);
  o.reason = row.GetOptionalText(8);
  o.created = row.GetInt(9);
  o.modified = row.GetInt(10);
  return o;
}

Status AppendHistory(storage::Executor& ex, const GradeOverride& o, const char* type,
                     int64_t actor_id, int64_t now) {
  return ex
      .Execute(kInsertHistory,
               {storage::Int(o.id), storage::Int(o.grade_id), DoubleOrNull(o.earned_all),
                DoubleOrNull(o.possible_all), DoubleOrNull(o.earned_graded),
                DoubleOrNull(o.possible_graded), storage::OptionalText(o.system),
                storage::OptionalText(o.reason), storage::Int(o.created), storage::Int(o.modified),
                storage::Int(now), std::string(type),
                actor_id > 0 ? storage::Int(actor_id) : storage::Null()})
      .status();
}

}  // namespace

SubsectionTotals GradeOverride::Apply(const SubsectionTotals& computed) const {
  SubsectionTotals out = computed;
  if (earned_all) out.earned_all = *earned_all;
  if (possible_all) out.possible_all = *possible_all;
  if (earned_graded) out.earned_graded = *earned_graded;
  if (possible_graded) out.possible_graded = *possible_graded;
  return out;
}

StatusOr<std::map<std::string, GradeOverride, std::less<>>> OverrideStore::ListForLearner(
    storage::Executor& ex, int64_t user_id, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kListForLearner, {storage::Int(user_id), std::string(course_key)}));
  std::map<std::string, GradeOverride, std::less<>> out;
  for (const Row& row : rs.rows) {
    GradeOverride o = FromRow(row);
    std::string key = o.usage_key;
    out.emplace(std::move(key), std::move(o));
  }
  return out;
}

StatusOr<std::map<int64_t, std::map<std::string, GradeOverride, std::less<>>>>
OverrideStore::ListForCourse(storage::Executor& ex, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kListForCourse, {std::string(course_key)}));
  std::map<int64_t, std::map<std::string, GradeOverride, std::less<>>> out;
  for (const Row& row : rs.rows) {
    GradeOverride o = FromRow(row);
    std::string key = o.usage_key;
    out[row.GetInt(11)].emplace(std::move(key), std::move(o));
  }
  return out;
}

StatusOr<std::optional<GradeOverride>> OverrideStore::Find(storage::Executor& ex, int64_t user_id,
                                                           std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kFind, {storage::Int(user_id), std::string(usage_key)}));
  if (rs.empty()) return std::optional<GradeOverride>();
  return std::optional<GradeOverride>(FromRow(rs.rows[0]));
}

StatusOr<GradeOverride> OverrideStore::Save(storage::Executor& ex, int64_t grade_id,
                                            const GradeOverride& values, int64_t actor_id,
                                            int64_t now) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet grade,
                         ex.Execute(kGradeExists, {storage::Int(grade_id)}));
  if (grade.empty()) {
    return FailedPreconditionError("no subsection grade " + std::to_string(grade_id));
  }
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet old,
                         ex.Execute(kFindByGrade, {storage::Int(grade_id)}));
  GradeOverride stored = values;
  stored.grade_id = grade_id;
  stored.usage_key = grade.rows[0].GetText(0);
  stored.modified = now;
  const char* type = "~";
  if (old.empty()) {
    type = "+";
    stored.created = now;
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet inserted,
        ex.Execute(kInsert,
                   {storage::Int(grade_id), DoubleOrNull(stored.earned_all),
                    DoubleOrNull(stored.possible_all), DoubleOrNull(stored.earned_graded),
                    DoubleOrNull(stored.possible_graded), storage::OptionalText(stored.system),
                    storage::OptionalText(stored.reason), storage::Int(now), storage::Int(now)}));
    if (inserted.empty()) return InternalError("override insert returned no id");
    stored.id = inserted.rows[0].GetInt(0);
  } else {
    GradeOverride before = FromRow(old.rows[0]);
    stored.id = before.id;
    stored.created = before.created;
    LARCH_RETURN_IF_ERROR(
        ex.Execute(kUpdate,
                   {DoubleOrNull(stored.earned_all), DoubleOrNull(stored.possible_all),
                    DoubleOrNull(stored.earned_graded), DoubleOrNull(stored.possible_graded),
                    storage::OptionalText(stored.system), storage::OptionalText(stored.reason),
                    storage::Int(now), storage::Int(stored.id)})
            .status());
  }
  LARCH_RETURN_IF_ERROR(AppendHistory(ex, stored, type, actor_id, now));
  return stored;
}

StatusOr<bool> OverrideStore::Delete(storage::Executor& ex, int64_t user_id,
                                     std::string_view usage_key, int64_t actor_id, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(std::optional<GradeOverride> found, Find(ex, user_id, usage_key));
  if (!found) return false;
  LARCH_RETURN_IF_ERROR(AppendHistory(ex, *found, "-", actor_id, now));
  LARCH_RETURN_IF_ERROR(ex.Execute(kDelete, {storage::Int(found->id)}).status());
  return true;
}

StatusOr<std::vector<OverrideHistoryEntry>> OverrideStore::History(storage::Executor& ex,
                                                                   int64_t grade_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kHistory, {storage::Int(grade_id)}));
  std::vector<OverrideHistoryEntry> out;
  out.reserve(rs.rows.size());
  for (const Row& row : rs.rows) {
    OverrideHistoryEntry entry;
    entry.values = FromRow(row);
    entry.history_id = row.GetInt(11);
    entry.history_date = row.GetInt(12);
    entry.history_type = row.GetText(13);
    entry.history_user_id = row.GetOptionalInt(14);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace larch::grades
