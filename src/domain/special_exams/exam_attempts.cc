// ExamService's attempts, allowances, the expiry job's use case and the
// sequence gate (special_exams.h).
#include <algorithm>
#include <charconv>
#include <utility>

#include <nlohmann/json.hpp>

#include "exam_store.h"
#include "larch/common/strings.h"
#include "larch/special_exams/special_exams.h"
#include "larch/storage/job_store.h"

namespace larch::special_exams {
namespace {

using internal::ExamStore;
using storage::Transaction;
using storage::TxnMode;

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string Ids(int64_t exam_id, int64_t user_id) {
  return "exam_id=" + std::to_string(exam_id) + " and user_id=" + std::to_string(user_id);
}

}  // namespace

Status ExamService::Transition(const Attempt& attempt, std::string_view to) {
  if (IsCompletedStatus(attempt.status) && IsIncompleteStatus(to)) {
    return FailedPreconditionError(
        "A status transition from \"" + attempt.status + "\" to \"" + std::string(to) +
        "\" was attempted on " + Ids(attempt.exam_id, attempt.user_id) + ". This is not allowed!");
  }
  Attempt next = attempt;
  next.status = std::string(to);
  int64_t now = clock_.NowMicros();
  bool starting = to == kStarted && !attempt.started_at.has_value();
  if (starting) {
    LARCH_ASSIGN_OR_RETURN(Exam exam, GetExam(attempt.exam_id));
    LARCH_ASSIGN_OR_RETURN(int64_t minutes, AllowedMinutes(exam, attempt.user_id));
    next.started_at = now;
    next.allowed_time_limit_mins = minutes;
  } else if (to == kSubmitted) {
    next.completed_at = now;
  } else if (to == kError) {
    next.time_remaining_seconds = attempt.SecondsRemaining(now);
  }
  if (IsCompletedStatus(to) && !next.completed_at.has_value()) next.completed_at = now;
  return db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
    LARCH_ASSIGN_OR_RETURN(bool changed, ExamStore::UpdateAttempt(txn, next, attempt.status, now));
    if (!changed) {
      return FailedPreconditionError("attempt_id=" + std::to_string(attempt.id) +
                                     " changed while it was being updated");
    }
    if (!starting) return OkStatus();
    storage::NewJob job;
    job.kind = kExpireJobKind;
    job.payload = nlohmann::json{{"attempt_id", attempt.id}}.dump();
    job.idempotency_key = std::string(kExpireJobKind) + ":" + std::to_string(attempt.id);
    // A second after the end, so the job finds the time up.
    job.run_at = *next.ExpiresAt() + 1'000'000;
    job.max_attempts = 20;
    return storage::EnqueueJob(txn, job, now).status();
  });
}

StatusOr<int64_t> ExamService::CreateAttempt(int64_t exam_id, int64_t user_id, bool start_clock) {
  LARCH_ASSIGN_OR_RETURN(Exam exam, GetExam(exam_id));
  if (!exam.is_practice_exam && PassedDue(exam)) {
    return PermissionDeniedError("user_id=" + std::to_string(user_id) +
                                 " attempted to create an attempt for expired exam with exam_id=" +
                                 std::to_string(exam_id) + " in course_id=" + exam.course_key);
  }
  Attempt attempt;
  attempt.exam_id = exam_id;
  attempt.user_id = user_id;
  attempt.status = kCreated;
  {
    // Random sources need not be thread-safe.
    MutexLock lock(mu_);
    attempt.attempt_code = Upper(random_.Uuid4());
  }
  int64_t now = clock_.NowMicros();
  StatusOr<int64_t> id = storage::RunWithResult(db_, TxnMode::kReadWrite, [&](Transaction& txn) {
    return ExamStore::InsertAttempt(txn, attempt, now);
  });
  if (!id.ok()) {
    if (id.status().code() != StatusCode::kAlreadyExists) return id.status();
    return AlreadyExistsError("Cannot create new exam attempt for " + Ids(exam_id, user_id) +
                              " in course_id=" + exam.course_key + " because it already exists!");
  }
  if (start_clock) {
    attempt.id = *id;
    LARCH_RETURN_IF_ERROR(Transition(attempt, kStarted));
  }
  return *id;
}

StatusOr<int64_t> ExamService::ApplyAction(int64_t attempt_id, int64_t user_id,
                                           std::string_view action) {
  LARCH_ASSIGN_OR_RETURN(Attempt attempt, GetAttempt(attempt_id));
  if (attempt.user_id != user_id) {
    return PermissionDeniedError("user_id=" + std::to_string(user_id) +
                                 " attempted to update attempt_id=" + std::to_string(attempt_id) +
                                 " but does not have access to it. (action=" + std::string(action) +
                                 ")");
  }
  if (action == "ping") return attempt_id;
  if (action == "start") {
    if (attempt.started_at.has_value() && attempt.status == kStarted) {
      return FailedPreconditionError("Cannot start exam attempt for " +
                                     Ids(attempt.exam_id, user_id) +
                                     " because it has already started!");
    }
    LARCH_RETURN_IF_ERROR(Transition(attempt, kStarted));
  } else if (action == "stop") {
    LARCH_RETURN_IF_ERROR(Transition(attempt, kReadyToSubmit));
  } else if (action == "submit") {
    LARCH_RETURN_IF_ERROR(Transition(attempt, kSubmitted));
  } else if (action == "decline") {
    LARCH_RETURN_IF_ERROR(Transition(attempt, kDeclined));
  } else if (action == "error") {
    if (attempt.status != kSubmitted) LARCH_RETURN_IF_ERROR(Transition(attempt, kError));
  } else {
    return InvalidArgumentError("The action \"" + std::string(action) +
                                "\" is not supported for timed exams.");
  }
  return attempt_id;
}

StatusOr<std::vector<ExamAttempt>> ExamService::ActiveAttempts(
    int64_t user_id, std::optional<std::string> course_key) {
  LARCH_ASSIGN_OR_RETURN(std::vector<Attempt> attempts,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::ListActiveAttempts(txn, user_id, course_key);
                         }));
  std::vector<ExamAttempt> out;
  for (Attempt& attempt : attempts) {
    LARCH_ASSIGN_OR_RETURN(Attempt settled, Settle(std::move(attempt)));
    if (settled.completed_at.has_value()) continue;
    LARCH_ASSIGN_OR_RETURN(Exam exam, GetExam(settled.exam_id));
    LARCH_ASSIGN_OR_RETURN(std::vector<Allowance> allowances, AllowancesFor(exam.id, user_id));
    out.push_back(ExamAttempt{std::move(exam), std::move(settled), std::move(allowances)});
  }
  return out;
}

Status ExamService::AddAllowance(int64_t exam_id, int64_t user_id, std::string_view key,
                                 std::string_view value) {
  LARCH_ASSIGN_OR_RETURN(Exam exam, GetExam(exam_id));
  if (key != kAdditionalTimeGranted) {
    return InvalidArgumentError("The allowance key \"" + std::string(key) +
                                "\" is not supported for timed exams.");
  }
  int64_t minutes = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), minutes);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || minutes < 0) {
    return InvalidArgumentError("allowance_value \"" + std::string(value) +
                                "\" should be non-negative integer value.");
  }
  if (!exam.is_active) {
    return FailedPreconditionError("Attempted to add allowance for inactive exam_id=" +
                                   std::to_string(exam_id));
  }
  Allowance allowance{0, exam_id, user_id, std::string(key), std::to_string(minutes), 0, 0};
  int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
    return ExamStore::UpsertAllowance(txn, allowance, now);
  });
}

Status ExamService::RemoveAllowance(int64_t exam_id, int64_t user_id, std::string_view key) {
  LARCH_RETURN_IF_ERROR(GetExam(exam_id).status());
  return db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
    return ExamStore::DeleteAllowance(txn, exam_id, user_id, key);
  });
}

StatusOr<std::vector<Allowance>> ExamService::CourseAllowances(std::string_view course_key) {
  return storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
    return ExamStore::ListCourseAllowances(txn, course_key);
  });
}

StatusOr<std::vector<Allowance>> ExamService::AllowancesFor(int64_t exam_id, int64_t user_id) {
  return storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
    return ExamStore::ListAllowances(txn, exam_id, user_id);
  });
}

Status ExamService::ExpireAttempt(int64_t attempt_id) {
  StatusOr<Attempt> attempt = GetAttempt(attempt_id);
  // A deleted attempt has nothing left to expire.
  if (!attempt.ok()) {
    return attempt.status().code() == StatusCode::kNotFound ? OkStatus() : attempt.status();
  }
  if (!IsIncompleteStatus(attempt->status) || !attempt->started_at.has_value()) return OkStatus();
  return UnavailableError("attempt_id=" + std::to_string(attempt_id) + " has time left");
}

StatusOr<SequenceGate> ExamService::GateFor(const courses::CourseTree& tree, int index,
                                            int64_t user_id, bool staff) {
  SequenceGate gate;
  if (index < 0 || static_cast<size_t>(index) >= tree.blocks.size()) return gate;
  LARCH_RETURN_IF_ERROR(SyncCourse(tree));
  {
    MutexLock lock(mu_);
    auto it = synced_.find(tree.course_key);
    if (it == synced_.end() ||
        !it->second.timed.contains(tree.blocks[static_cast<size_t>(index)].usage_key)) {
      return gate;
    }
  }
  LARCH_ASSIGN_OR_RETURN(std::optional<Exam> exam,
                         ExamForContent(tree, tree.blocks[static_cast<size_t>(index)].usage_key));
  // Proctored exams are not run here; they stay open as ordinary content.
  if (!exam.has_value() || exam->is_proctored) return gate;
  gate.exam = true;
  if (staff) return gate;
  LARCH_ASSIGN_OR_RETURN(std::optional<Attempt> attempt, CurrentAttempt(exam->id, user_id));
  gate.status = attempt.has_value() ? attempt->status : "";
  bool running = attempt.has_value() && attempt->status == kStarted && !PassedDue(*exam) &&
                 attempt->SecondsRemaining(clock_.NowMicros()) > 0;
  gate.submissions_open = running;
  // _get_timed_exam_view: a submitted exam past its due date shows the
  // answers read-only unless it hides after the due date.
  bool review = attempt.has_value() && attempt->status == kSubmitted && !exam->hide_after_due &&
                PassedDue(*exam);
  gate.content_open = running || review;
  return gate;
}

}  // namespace larch::special_exams
