#include "larch/instructor_tasks/task_store.h"

#include <utility>

namespace larch::instructor_tasks {
namespace {

using storage::Int;
using storage::OptionalInt;
using storage::OptionalText;
using storage::Query;
using storage::Row;
using storage::Text;

#define LARCH_TASK_SELECT                                                                      \
  "SELECT id, course_key, task_type, task_key, task_input, task_id, task_state, task_output, " \
  "checkpoint, requester, created, updated FROM instructor_tasks "

constexpr Query kInsert{
    "instructor_tasks.insert",
    "INSERT INTO instructor_tasks (course_key, task_type, task_key, task_input, task_id, "
    "task_state, task_output, checkpoint, requester, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
constexpr Query kFind{"instructor_tasks.find", LARCH_TASK_SELECT "WHERE task_id = ?"};
constexpr Query kListRunning{"instructor_tasks.list_running", LARCH_TASK_SELECT
                             "WHERE course_key = ? AND task_state NOT IN ('SUCCESS', 'FAILURE') "
                             "ORDER BY id DESC"};
constexpr Query kListWithKey{"instructor_tasks.list_with_key", LARCH_TASK_SELECT
                             "WHERE course_key = ? AND task_key = ? ORDER BY id DESC"};
constexpr Query kIsRunning{
    "instructor_tasks.is_running",
    "SELECT COUNT(*) FROM instructor_tasks WHERE course_key = ? AND task_type = ? AND "
    "task_key = ? AND task_state NOT IN ('SUCCESS', 'FAILURE')"};
constexpr Query kUpdate{"instructor_tasks.update",
                        "UPDATE instructor_tasks SET task_state = ?, task_output = ?, "
                        "checkpoint = ?, updated = ? WHERE task_id = ?"};
#undef LARCH_TASK_SELECT

constexpr Query kDeleteReport{"instructor_reports.delete_named",
                              "DELETE FROM instructor_reports WHERE course_key = ? AND name = ?"};
constexpr Query kInsertReport{
    "instructor_reports.insert",
    "INSERT INTO instructor_reports (course_key, name, task_id, content, created) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id"};
constexpr Query kListReports{"instructor_reports.list",
                             "SELECT id, course_key, name, task_id, created FROM "
                             "instructor_reports WHERE course_key = ? ORDER BY created DESC, id "
                             "DESC"};
constexpr Query kGetReport{"instructor_reports.get",
                           "SELECT id, course_key, name, task_id, created, content FROM "
                           "instructor_reports WHERE course_key = ? AND id = ?"};

Task TaskFrom(const Row& row) {
  Task t;
  t.id = row.GetInt(0);
  t.course_key = row.GetText(1);
  t.task_type = row.GetText(2);
  t.task_key = row.GetText(3);
  t.task_input = row.GetText(4);
  t.task_id = row.GetText(5);
  t.task_state = row.GetText(6);
  t.task_output = row.GetOptionalText(7);
  t.checkpoint = row.GetOptionalInt(8);
  t.requester = row.GetText(9);
  t.created = row.GetInt(10);
  t.updated = row.GetInt(11);
  return t;
}

StatusOr<std::vector<Task>> Tasks(StatusOr<storage::ResultSet> rs) {
  if (!rs.ok()) return rs.status();
  std::vector<Task> out;
  out.reserve(rs->rows.size());
  for (const Row& row : rs->rows) out.push_back(TaskFrom(row));
  return out;
}

Report ReportFrom(const Row& row) {
  Report r;
  r.id = row.GetInt(0);
  r.course_key = row.GetText(1);
  r.name = row.GetText(2);
  r.task_id = row.GetText(3);
  r.created = row.GetInt(4);
  if (row.size() > 5) r.content = row.GetText(5);
  return r;
}

}  // namespace

bool IsReady(std::string_view state) { return state == kSuccess || state == kFailure; }

StatusOr<Task> TaskStore::Insert(storage::Executor& ex, const Task& task, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kInsert, {Text(task.course_key), Text(task.task_type), Text(task.task_key),
                           Text(task.task_input), Text(task.task_id), Text(task.task_state),
                           OptionalText(task.task_output), OptionalInt(task.checkpoint),
                           Text(task.requester), Int(now), Int(now)}));
  Task out = task;
  out.id = rs.rows.empty() ? 0 : rs.rows[0].GetInt(0);
  out.created = now;
  out.updated = now;
  return out;
}

StatusOr<std::optional<Task>> TaskStore::Find(storage::Executor& ex, std::string_view task_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kFind, {Text(std::string(task_id))}));
  if (rs.rows.empty()) return std::optional<Task>();
  return std::optional<Task>(TaskFrom(rs.rows[0]));
}

StatusOr<std::vector<Task>> TaskStore::ListRunning(storage::Executor& ex,
                                                   std::string_view course_key) {
  return Tasks(ex.Execute(kListRunning, {Text(std::string(course_key))}));
}

StatusOr<std::vector<Task>> TaskStore::ListWithKey(storage::Executor& ex,
                                                   std::string_view course_key,
                                                   std::string_view task_key) {
  return Tasks(
      ex.Execute(kListWithKey, {Text(std::string(course_key)), Text(std::string(task_key))}));
}

StatusOr<bool> TaskStore::IsRunning(storage::Executor& ex, std::string_view course_key,
                                    std::string_view task_type, std::string_view task_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kIsRunning, {Text(std::string(course_key)), Text(std::string(task_type)),
                              Text(std::string(task_key))}));
  return !rs.rows.empty() && rs.rows[0].GetInt(0) > 0;
}

Status TaskStore::Update(storage::Executor& ex, std::string_view task_id, std::string_view state,
                         const std::optional<std::string>& output,
                         const std::optional<int64_t>& checkpoint, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kUpdate, {Text(std::string(state)), OptionalText(output), OptionalInt(checkpoint),
                           Int(now), Text(std::string(task_id))}));
  if (rs.rows_affected == 0) return NotFoundError("no instructor task " + std::string(task_id));
  return OkStatus();
}

StatusOr<int64_t> ReportStore::Put(storage::Executor& ex, const Report& report) {
  LARCH_RETURN_IF_ERROR(
      ex.Execute(kDeleteReport, {Text(report.course_key), Text(report.name)}).status());
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kInsertReport, {Text(report.course_key), Text(report.name), Text(report.task_id),
                                 Text(report.content), Int(report.created)}));
  return rs.rows.empty() ? int64_t{0} : rs.rows[0].GetInt(0);
}

StatusOr<std::vector<Report>> ReportStore::List(storage::Executor& ex,
                                                std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kListReports, {Text(std::string(course_key))}));
  std::vector<Report> out;
  out.reserve(rs.rows.size());
  for (const Row& row : rs.rows) out.push_back(ReportFrom(row));
  return out;
}

StatusOr<std::optional<Report>> ReportStore::Get(storage::Executor& ex, std::string_view course_key,
                                                 int64_t id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kGetReport, {Text(std::string(course_key)), Int(id)}));
  if (rs.rows.empty()) return std::optional<Report>();
  return std::optional<Report>(ReportFrom(rs.rows[0]));
}

}  // namespace larch::instructor_tasks
