#include "exam_store.h"

#include <utility>

namespace larch::special_exams::internal {
namespace {

using storage::Query;
using storage::Row;
using storage::SqlValue;

#define LARCH_EXAM_SELECT                                                                       \
  "SELECT id, course_key, content_id, external_id, exam_name, time_limit_mins, due_date, "      \
  "is_proctored, is_practice_exam, is_active, hide_after_due, backend, exam_review_rules FROM " \
  "special_exams "
#define LARCH_ATTEMPT_SELECT                                                                   \
  "SELECT id, exam_id, user_id, status, attempt_code, external_id, started_at, completed_at, " \
  "allowed_time_limit_mins, taking_as_proctored, is_sample_attempt, is_status_acknowledged, "  \
  "time_remaining_seconds, created, modified FROM special_exam_attempts "

constexpr Query kListExams{"special_exams.list_exams",
                           LARCH_EXAM_SELECT "WHERE course_key = ? ORDER BY id"};
constexpr Query kFindExam{"special_exams.find_exam", LARCH_EXAM_SELECT "WHERE id = ?"};
constexpr Query kFindExamByContent{"special_exams.find_exam_by_content",
                                   LARCH_EXAM_SELECT "WHERE course_key = ? AND content_id = ?"};
constexpr Query kUpsertExam{
    "special_exams.upsert_exam",
    "INSERT INTO special_exams (course_key, content_id, exam_name, time_limit_mins, due_date, "
    "is_proctored, is_practice_exam, is_active, hide_after_due, exam_review_rules, created, "
    "modified) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (course_key, content_id) "
    "DO UPDATE SET exam_name = excluded.exam_name, time_limit_mins = excluded.time_limit_mins, "
    "due_date = excluded.due_date, is_proctored = excluded.is_proctored, is_practice_exam = "
    "excluded.is_practice_exam, is_active = 1, hide_after_due = excluded.hide_after_due, "
    "exam_review_rules = excluded.exam_review_rules, modified = excluded.modified"};
constexpr Query kSetExamActive{"special_exams.set_exam_active",
                               "UPDATE special_exams SET is_active = ?, modified = ? WHERE id = ?"};

constexpr Query kFindAttempt{"special_exams.find_attempt", LARCH_ATTEMPT_SELECT "WHERE id = ?"};
constexpr Query kFindCurrentAttempt{"special_exams.find_current_attempt",
                                    LARCH_ATTEMPT_SELECT "WHERE exam_id = ? AND user_id = ?"};
constexpr Query kInsertAttempt{
    "special_exams.insert_attempt",
    "INSERT INTO special_exam_attempts (exam_id, user_id, status, attempt_code, "
    "taking_as_proctored, is_sample_attempt, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (exam_id, user_id) DO NOTHING RETURNING id"};
constexpr Query kUpdateAttempt{
    "special_exams.update_attempt",
    "UPDATE special_exam_attempts SET status = ?, started_at = ?, completed_at = ?, "
    "allowed_time_limit_mins = ?, time_remaining_seconds = ?, modified = ? "
    "WHERE id = ? AND status = ?"};
constexpr Query kListActiveAttempts{
    "special_exams.list_active_attempts",
    "SELECT a.id, a.exam_id, a.user_id, a.status, a.attempt_code, a.external_id, a.started_at, "
    "a.completed_at, a.allowed_time_limit_mins, a.taking_as_proctored, a.is_sample_attempt, "
    "a.is_status_acknowledged, a.time_remaining_seconds, a.created, a.modified "
    "FROM special_exam_attempts a JOIN special_exams e ON e.id = a.exam_id "
    "WHERE a.user_id = ? AND a.started_at IS NOT NULL AND a.completed_at IS NULL "
    "AND (? = '' OR e.course_key = ?) ORDER BY a.id"};

constexpr Query kUpsertAllowance{
    "special_exams.upsert_allowance",
    "INSERT INTO special_exam_allowances (exam_id, user_id, allowance_key, value, created, "
    "modified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (exam_id, user_id, allowance_key) DO UPDATE "
    "SET value = excluded.value, modified = excluded.modified"};
constexpr Query kDeleteAllowance{
    "special_exams.delete_allowance",
    "DELETE FROM special_exam_allowances WHERE exam_id = ? AND user_id = ? AND allowance_key = ?"};
constexpr Query kListAllowances{
    "special_exams.list_allowances",
    "SELECT id, exam_id, user_id, allowance_key, value, created, modified FROM "
    "special_exam_allowances WHERE exam_id = ? AND user_id = ? ORDER BY id"};
constexpr Query kListCourseAllowances{
    "special_exams.list_course_allowances",
    "SELECT a.id, a.exam_id, a.user_id, a.allowance_key, a.value, a.created, a.modified FROM "
    "special_exam_allowances a JOIN special_exams e ON e.id = a.exam_id WHERE e.course_key = ? "
    "ORDER BY a.exam_id, a.user_id, a.id"};

#undef LARCH_EXAM_SELECT
#undef LARCH_ATTEMPT_SELECT

Exam ExamFromRow(const Row& row) {
  Exam e;
  e.id = row.GetInt(0);
  e.course_key = row.GetText(1);
  e.content_id = row.GetText(2);
  e.external_id = row.GetOptionalText(3);
  e.exam_name = row.GetText(4);
  e.time_limit_mins = row.GetInt(5);
  e.due_date = row.GetOptionalInt(6);
  e.is_proctored = row.GetBool(7);
  e.is_practice_exam = row.GetBool(8);
  e.is_active = row.GetBool(9);
  e.hide_after_due = row.GetBool(10);
  e.backend = row.GetOptionalText(11);
  e.exam_review_rules = row.GetText(12);
  return e;
}

Attempt AttemptFromRow(const Row& row) {
  Attempt a;
  a.id = row.GetInt(0);
  a.exam_id = row.GetInt(1);
  a.user_id = row.GetInt(2);
  a.status = row.GetText(3);
  a.attempt_code = row.GetText(4);
  a.external_id = row.GetOptionalText(5);
  a.started_at = row.GetOptionalInt(6);
  a.completed_at = row.GetOptionalInt(7);
  a.allowed_time_limit_mins = row.GetOptionalInt(8);
  a.taking_as_proctored = row.GetBool(9);
  a.is_sample_attempt = row.GetBool(10);
  a.is_status_acknowledged = row.GetBool(11);
  a.time_remaining_seconds = row.GetOptionalInt(12);
  a.created = row.GetInt(13);
  a.modified = row.GetInt(14);
  return a;
}

Allowance AllowanceFromRow(const Row& row) {
  return Allowance{row.GetInt(0),  row.GetInt(1), row.GetInt(2), row.GetText(3),
                   row.GetText(4), row.GetInt(5), row.GetInt(6)};
}

template <typename T, typename F>
StatusOr<std::optional<T>> First(StatusOr<storage::ResultSet> rs, F from_row) {
  if (!rs.ok()) return rs.status();
  if (rs->rows.empty()) return std::optional<T>();
  return std::optional<T>(from_row(rs->rows.front()));
}

template <typename T, typename F>
StatusOr<std::vector<T>> All(StatusOr<storage::ResultSet> rs, F from_row) {
  if (!rs.ok()) return rs.status();
  std::vector<T> out;
  out.reserve(rs->rows.size());
  for (const Row& row : rs->rows) out.push_back(from_row(row));
  return out;
}

}  // namespace

StatusOr<std::vector<Exam>> ExamStore::ListExams(storage::Executor& ex,
                                                 std::string_view course_key) {
  return All<Exam>(ex.Execute(kListExams, {std::string(course_key)}), ExamFromRow);
}

StatusOr<std::optional<Exam>> ExamStore::FindExam(storage::Executor& ex, int64_t id) {
  return First<Exam>(ex.Execute(kFindExam, {id}), ExamFromRow);
}

StatusOr<std::optional<Exam>> ExamStore::FindExamByContent(storage::Executor& ex,
                                                           std::string_view course_key,
                                                           std::string_view content_id) {
  return First<Exam>(
      ex.Execute(kFindExamByContent, {std::string(course_key), std::string(content_id)}),
      ExamFromRow);
}

Status ExamStore::UpsertExam(storage::Executor& ex, const Exam& e, int64_t now) {
  return ex
      .Execute(kUpsertExam, {e.course_key, e.content_id, e.exam_name, e.time_limit_mins,
                             storage::OptionalInt(e.due_date), storage::Bool(e.is_proctored),
                             storage::Bool(e.is_practice_exam), storage::Bool(e.hide_after_due),
                             e.exam_review_rules, now, now})
      .status();
}

Status ExamStore::SetExamActive(storage::Executor& ex, int64_t id, bool active, int64_t now) {
  return ex.Execute(kSetExamActive, {storage::Bool(active), now, id}).status();
}

StatusOr<std::optional<Attempt>> ExamStore::FindAttempt(storage::Executor& ex, int64_t id) {
  return First<Attempt>(ex.Execute(kFindAttempt, {id}), AttemptFromRow);
}

StatusOr<std::optional<Attempt>> ExamStore::FindCurrentAttempt(storage::Executor& ex,
                                                               int64_t exam_id, int64_t user_id) {
  return First<Attempt>(ex.Execute(kFindCurrentAttempt, {exam_id, user_id}), AttemptFromRow);
}

StatusOr<int64_t> ExamStore::InsertAttempt(storage::Executor& ex, const Attempt& a, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kInsertAttempt, {a.exam_id, a.user_id, a.status, a.attempt_code,
                                  storage::Bool(a.taking_as_proctored),
                                  storage::Bool(a.is_sample_attempt), now, now}));
  if (rs.rows.empty()) return AlreadyExistsError("attempt exists");
  return rs.rows.front().GetInt(0);
}

StatusOr<bool> ExamStore::UpdateAttempt(storage::Executor& ex, const Attempt& a,
                                        std::string_view expected_status, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kUpdateAttempt, {a.status, storage::OptionalInt(a.started_at),
                                  storage::OptionalInt(a.completed_at),
                                  storage::OptionalInt(a.allowed_time_limit_mins),
                                  storage::OptionalInt(a.time_remaining_seconds), now, a.id,
                                  std::string(expected_status)}));
  return rs.rows_affected > 0;
}

StatusOr<std::vector<Attempt>> ExamStore::ListActiveAttempts(
    storage::Executor& ex, int64_t user_id, const std::optional<std::string>& course) {
  std::string key = course.value_or("");
  return All<Attempt>(ex.Execute(kListActiveAttempts, {user_id, key, key}), AttemptFromRow);
}

Status ExamStore::UpsertAllowance(storage::Executor& ex, const Allowance& a, int64_t now) {
  return ex.Execute(kUpsertAllowance, {a.exam_id, a.user_id, a.key, a.value, now, now}).status();
}

Status ExamStore::DeleteAllowance(storage::Executor& ex, int64_t exam_id, int64_t user_id,
                                  std::string_view key) {
  return ex.Execute(kDeleteAllowance, {exam_id, user_id, std::string(key)}).status();
}

StatusOr<std::vector<Allowance>> ExamStore::ListAllowances(storage::Executor& ex, int64_t exam_id,
                                                           int64_t user_id) {
  return All<Allowance>(ex.Execute(kListAllowances, {exam_id, user_id}), AllowanceFromRow);
}

StatusOr<std::vector<Allowance>> ExamStore::ListCourseAllowances(storage::Executor& ex,
                                                                 std::string_view course_key) {
  return All<Allowance>(ex.Execute(kListCourseAllowances, {std::string(course_key)}),
                        AllowanceFromRow);
}

}  // namespace larch::special_exams::internal
