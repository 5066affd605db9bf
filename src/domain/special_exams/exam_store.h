// The SQL on special_exams, special_exam_attempts and
// special_exam_allowances (private to the module; ExamService is the API).
//
// Thread safety: stateless; the Executor is the caller's.
#ifndef LARCH_SPECIAL_EXAMS_EXAM_STORE_H_
#define LARCH_SPECIAL_EXAMS_EXAM_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/special_exams/special_exams.h"
#include "larch/storage/database.h"

namespace larch::special_exams::internal {

class ExamStore {
 public:
  // Every exam of the course, active or not.
  static StatusOr<std::vector<Exam>> ListExams(storage::Executor& ex, std::string_view course_key);
  static StatusOr<std::optional<Exam>> FindExam(storage::Executor& ex, int64_t id);
  static StatusOr<std::optional<Exam>> FindExamByContent(storage::Executor& ex,
                                                         std::string_view course_key,
                                                         std::string_view content_id);
  // Inserts or updates (by course and content id) the exam's settings.
  static Status UpsertExam(storage::Executor& ex, const Exam& exam, int64_t now);
  static Status SetExamActive(storage::Executor& ex, int64_t id, bool active, int64_t now);

  static StatusOr<std::optional<Attempt>> FindAttempt(storage::Executor& ex, int64_t id);
  static StatusOr<std::optional<Attempt>> FindCurrentAttempt(storage::Executor& ex, int64_t exam_id,
                                                             int64_t user_id);
  // The new id; kAlreadyExists when the learner has an attempt at the exam.
  static StatusOr<int64_t> InsertAttempt(storage::Executor& ex, const Attempt& attempt,
                                         int64_t now);
  // Writes status, started_at, completed_at, allowed_time_limit_mins and
  // time_remaining_seconds of `attempt` when its status is still
  // `expected_status`; returns whether a row changed.
  static StatusOr<bool> UpdateAttempt(storage::Executor& ex, const Attempt& attempt,
                                      std::string_view expected_status, int64_t now);
  // The learner's started, not completed attempts (optionally in a course).
  static StatusOr<std::vector<Attempt>> ListActiveAttempts(
      storage::Executor& ex, int64_t user_id, const std::optional<std::string>& course);

  static Status UpsertAllowance(storage::Executor& ex, const Allowance& allowance, int64_t now);
  static Status DeleteAllowance(storage::Executor& ex, int64_t exam_id, int64_t user_id,
                                std::string_view key);
  static StatusOr<std::vector<Allowance>> ListAllowances(storage::Executor& ex, int64_t exam_id,
                                                         int64_t user_id);
  static StatusOr<std::vector<Allowance>> ListCourseAllowances(storage::Executor& ex,
                                                               std::string_view course_key);
};

}  // namespace larch::special_exams::internal

#endif  // LARCH_SPECIAL_EXAMS_EXAM_STORE_H_
