// special_exams::ExamService: timed exams as edx-proctoring runs them for
// time-limited subsections that are not proctored (edx_proctoring/api.py).
// It owns special_exams (ProctoredExam: one row per time-limited
// sequential, written from the course tree), special_exam_attempts
// (ProctoredExamStudentAttempt: one current attempt per learner and exam)
// and special_exam_allowances (ProctoredExamStudentAllowance, e.g.
// additional_time_granted minutes), migration 0012.
//
// Rules kept from upstream:
//   - Starting sets started_at and fixes allowed_time_limit_mins: the exam's
//     limit plus the learner's additional_time_granted, capped so the exam
//     ends by its due date (_calculate_allowed_mins).
//   - An attempt whose started_at + allowed minutes has passed while it is
//     still incomplete is submitted with completed_at at that instant
//     (_check_for_attempt_timeout with ALLOW_TIMED_OUT_STATE off). Every
//     read applies this, and a durable job scheduled for the end does the
//     same, so a late job never lets a learner work past the limit.
//   - A completed attempt never goes back to an incomplete status
//     (is_state_transition_legal).
//   - Creating an attempt after the due date is refused for timed exams.
//
// Errors carry upstream's exception text: kNotFound for an unknown exam or
// attempt, kAlreadyExists for a second attempt, kPermissionDenied for
// another learner's attempt or a past-due exam, kFailedPrecondition for an
// illegal transition, kInvalidArgument for bad allowance values or
// actions. Storage errors come through as they are.
//
// Thread safety: ExamService is thread-safe.
#ifndef LARCH_SPECIAL_EXAMS_SPECIAL_EXAMS_H_
#define LARCH_SPECIAL_EXAMS_SPECIAL_EXAMS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/mutex.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/storage/database.h"

namespace larch::special_exams {

// ProctoredExamStudentAttemptStatus values Larch uses.
inline constexpr char kCreated[] = "created";
inline constexpr char kStarted[] = "started";
inline constexpr char kReadyToSubmit[] = "ready_to_submit";
inline constexpr char kSubmitted[] = "submitted";
inline constexpr char kDeclined[] = "declined";
inline constexpr char kError[] = "error";

// The allowance key of extra minutes (ProctoredExamStudentAllowance).
inline constexpr char kAdditionalTimeGranted[] = "additional_time_granted";

// The job that submits an attempt when its time is up (payload
// {"attempt_id": n}).
inline constexpr char kExpireJobKind[] = "special_exams.expire_attempt";

// is_incomplete_status / is_completed_status of upstream.
bool IsIncompleteStatus(std::string_view status);
bool IsCompletedStatus(std::string_view status);

struct Exam {
  int64_t id = 0;
  std::string course_key;
  std::string content_id;  // The sequential's usage key.
  std::optional<std::string> external_id;
  std::string exam_name;
  int64_t time_limit_mins = 0;
  std::optional<int64_t> due_date;  // Micros.
  bool is_proctored = false;
  bool is_practice_exam = false;
  bool is_active = true;
  bool hide_after_due = false;
  std::optional<std::string> backend;
  std::string exam_review_rules;
};

struct Attempt {
  int64_t id = 0;
  int64_t exam_id = 0;
  int64_t user_id = 0;
  std::string status;
  std::string attempt_code;
  std::optional<std::string> external_id;
  std::optional<int64_t> started_at;
  std::optional<int64_t> completed_at;
  std::optional<int64_t> allowed_time_limit_mins;
  bool taking_as_proctored = false;
  bool is_sample_attempt = false;
  bool is_status_acknowledged = false;
  std::optional<int64_t> time_remaining_seconds;
  int64_t created = 0;
  int64_t modified = 0;

  // When the time is up; nullopt before the start.
  std::optional<int64_t> ExpiresAt() const;
  // get_time_remaining_for_attempt: whole seconds left at `now` (0 before
  // the start and after the end).
  int64_t SecondsRemaining(int64_t now) const;
};

struct Allowance {
  int64_t id = 0;
  int64_t exam_id = 0;
  int64_t user_id = 0;
  std::string key;
  std::string value;
  int64_t created = 0;
  int64_t modified = 0;
};

// An attempt with its exam (get_active_exams_for_user's items).
struct ExamAttempt {
  Exam exam;
  Attempt attempt;
  std::vector<Allowance> allowances;
};

// What a learner may do with a sequence's content now.
struct SequenceGate {
  // The sequence is an active timed exam.
  bool exam = false;
  // Units may be rendered (staff, no exam, or a started attempt with time
  // left, or a submitted exam past its due date that is not hidden).
  bool content_open = true;
  // Problems may be submitted (staff, no exam, or a started attempt with
  // time left).
  bool submissions_open = true;
  // The current attempt's status, empty without one.
  std::string status;
};

class ExamService {
 public:
  // All must outlive the service; `random` makes the attempt codes.
  ExamService(storage::Database& db, const Clock& clock, Random& random);

  // Writes the exams of `tree` (each sequential with is_time_limited, in a
  // course whose enable_timed_exams or enable_proctored_exams is true): new
  // ones are added, existing ones updated (name, limit, due date,
  // hide_after_due, proctored/practice flags, review rules), and exams of
  // sequentials that are gone or no longer timed are made inactive. Runs
  // once per course version in this process; later calls are free.
  Status SyncCourse(const courses::CourseTree& tree);

  // The course's active exams (after SyncCourse of `tree`).
  StatusOr<std::vector<Exam>> ActiveExams(const courses::CourseTree& tree);
  // Whether the course has active exams: ActiveExams without the read, from
  // what SyncCourse keeps per course version (so free after the first call).
  StatusOr<bool> HasExams(const courses::CourseTree& tree);
  // The exam of a sequential; nullopt when it is none (or inactive).
  StatusOr<std::optional<Exam>> ExamForContent(const courses::CourseTree& tree,
                                               std::string_view content_id);
  // kNotFound when there is no such exam.
  StatusOr<Exam> GetExam(int64_t exam_id);

  // The learner's current attempt at the exam, timed out attempts
  // submitted first; nullopt when none.
  StatusOr<std::optional<Attempt>> CurrentAttempt(int64_t exam_id, int64_t user_id);
  // kNotFound when there is no such attempt.
  StatusOr<Attempt> GetAttempt(int64_t attempt_id);

  // create_exam_attempt (+ start_exam_attempt with `start_clock`): the new
  // attempt's id. kNotFound for an unknown exam, kPermissionDenied past the
  // due date, kAlreadyExists when the learner already has one (also when a
  // parallel request created it first).
  StatusOr<int64_t> CreateAttempt(int64_t exam_id, int64_t user_id, bool start_clock);

  // The learner's action on their attempt (StudentProctoredExamAttempt.put):
  // "start", "stop" (ready_to_submit), "submit", "error", "decline", or
  // "ping" (no change). Returns the attempt id. kNotFound for an unknown
  // attempt, kPermissionDenied for another learner's, kFailedPrecondition
  // for an illegal transition or a started attempt started again,
  // kInvalidArgument for other actions.
  StatusOr<int64_t> ApplyAction(int64_t attempt_id, int64_t user_id, std::string_view action);

  // The learner's attempts that started and are not completed, optionally
  // in one course (get_active_exams_for_user).
  StatusOr<std::vector<ExamAttempt>> ActiveAttempts(int64_t user_id,
                                                    std::optional<std::string> course_key);

  // _calculate_allowed_mins at `now` for a learner who has not started.
  StatusOr<int64_t> AllowedMinutes(const Exam& exam, int64_t user_id);
  // is_exam_passed_due (the exam's own due date only).
  bool PassedDue(const Exam& exam) const;

  // add_allowance_for_user: kNotFound for an unknown exam,
  // kInvalidArgument for an unknown key or a value that is not a
  // non-negative whole number of minutes.
  Status AddAllowance(int64_t exam_id, int64_t user_id, std::string_view key,
                      std::string_view value);
  // remove_allowance_for_user; removing a missing allowance is OK.
  Status RemoveAllowance(int64_t exam_id, int64_t user_id, std::string_view key);
  // Every allowance of the course's exams, by exam then user.
  StatusOr<std::vector<Allowance>> CourseAllowances(std::string_view course_key);
  StatusOr<std::vector<Allowance>> AllowancesFor(int64_t exam_id, int64_t user_id);

  // Submits the attempt when its time is up (the job's use case). OK when
  // it was submitted now or is already complete; kUnavailable when its
  // time is not up yet (the job is retried later).
  Status ExpireAttempt(int64_t attempt_id);

  // The gate of the sequence at `index` for the learner (see SequenceGate).
  StatusOr<SequenceGate> GateFor(const courses::CourseTree& tree, int index, int64_t user_id,
                                 bool staff);

 private:
  // Submits `attempt` in the database when its time is up; returns it as
  // stored afterwards.
  StatusOr<Attempt> Settle(Attempt attempt);
  // Moves the attempt to `to` in one transaction (is_state_transition_legal;
  // the start stamps started_at and the allowed minutes and schedules the
  // expiry job).
  Status Transition(const Attempt& attempt, std::string_view to);

  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  Mutex mu_;
  // Per course: the version last synced and its timed sequentials, so the
  // gate of an ordinary sequence costs no query.
  struct Synced {
    int64_t version = 0;
    std::set<std::string, std::less<>> timed;
  };
  std::map<std::string, Synced, std::less<>> synced_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch::special_exams

#endif  // LARCH_SPECIAL_EXAMS_SPECIAL_EXAMS_H_
