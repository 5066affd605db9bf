#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "exam_store.h"
#include "larch/common/strings.h"
#include "larch/special_exams/special_exams.h"
#include "larch/storage/job_store.h"

namespace larch::special_exams {
namespace {

using internal::ExamStore;
using nlohmann::json;
using storage::Transaction;
using storage::TxnMode;

constexpr int64_t kMinuteMicros = 60'000'000;

const json* Setting(const courses::CatalogBlock& block, const char* name) {
  for (const json* source : {&block.fields, &block.inherited}) {
    auto it = source->find(name);
    if (it != source->end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

bool SettingTrue(const courses::CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name);
  if (value == nullptr) return false;
  if (value->is_boolean()) return value->get<bool>();
  return value->is_string() && (*value == "true" || *value == "True");
}

std::optional<int64_t> SettingInt(const courses::CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number()) return static_cast<int64_t>(value->get<double>());
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size()) return out;
  }
  return std::nullopt;
}

std::optional<int64_t> SettingTime(const courses::CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  StatusOr<int64_t> parsed = ParseIso8601(value->get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// The exam a time-limited sequential describes (create_exam's arguments as
// Studio's register_special_exams passes them).
Exam ExamOf(const courses::CourseTree& tree, const courses::CatalogBlock& block) {
  Exam exam;
  exam.course_key = tree.course_key;
  exam.content_id = block.usage_key;
  exam.exam_name = block.display_name.empty() ? block.block_id : block.display_name;
  exam.time_limit_mins =
      std::max<int64_t>(SettingInt(block, "default_time_limit_minutes").value_or(0), 0);
  exam.due_date = SettingTime(block, "due");
  exam.is_proctored = SettingTrue(block, "is_proctored_enabled");
  exam.is_practice_exam =
      SettingTrue(block, "is_practice_exam") || SettingTrue(block, "is_onboarding_exam");
  exam.hide_after_due = SettingTrue(block, "hide_after_due");
  const json* rules = Setting(block, "exam_review_rules");
  exam.exam_review_rules = rules != nullptr && rules->is_string() ? rules->get<std::string>() : "";
  return exam;
}

Status NotFoundAttempt(int64_t attempt_id) {
  return NotFoundError("Attempted to get attempt_id=" + std::to_string(attempt_id) +
                       " but this attempt does not exist.");
}

Status NotFoundExam(int64_t exam_id) {
  return NotFoundError("Attempted to get exam_id=" + std::to_string(exam_id) +
                       ", but this exam does not exist.");
}

}  // namespace

bool IsIncompleteStatus(std::string_view status) {
  static const std::set<std::string_view> kIncomplete = {
      "eligible",       "created", "download_software_clicked",
      "ready_to_start", "started", "ready_to_submit"};
  return kIncomplete.contains(status);
}

bool IsCompletedStatus(std::string_view status) {
  static const std::set<std::string_view> kCompleted = {"declined",
                                                        "timed_out",
                                                        "submitted",
                                                        "second_review_required",
                                                        "verified",
                                                        "rejected",
                                                        "error",
                                                        "onboarding_missing",
                                                        "onboarding_pending",
                                                        "onboarding_failed",
                                                        "onboarding_expired"};
  return kCompleted.contains(status);
}

std::optional<int64_t> Attempt::ExpiresAt() const {
  if (!started_at.has_value()) return std::nullopt;
  return *started_at + allowed_time_limit_mins.value_or(0) * kMinuteMicros;
}

int64_t Attempt::SecondsRemaining(int64_t now) const {
  std::optional<int64_t> end = ExpiresAt();
  if (!end.has_value() || *end <= now) return 0;
  return (*end - now) / 1'000'000;
}

ExamService::ExamService(storage::Database& db, const Clock& clock, Random& random)
    : db_(db), clock_(clock), random_(random) {}

Status ExamService::SyncCourse(const courses::CourseTree& tree) {
  {
    MutexLock lock(mu_);
    auto it = synced_.find(tree.course_key);
    if (it != synced_.end() && it->second.version == tree.version) return OkStatus();
  }
  std::set<std::string, std::less<>> timed;
  int64_t now = clock_.NowMicros();
  LARCH_RETURN_IF_ERROR(db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
    timed.clear();
    // register_special_exams: only courses with timed (or proctored) exams
    // enabled have exams.
    bool enabled =
        tree.root >= 0 &&
        (SettingTrue(tree.blocks[static_cast<size_t>(tree.root)], "enable_timed_exams") ||
         SettingTrue(tree.blocks[static_cast<size_t>(tree.root)], "enable_proctored_exams"));
    for (const courses::CatalogBlock& block : tree.blocks) {
      if (!enabled) break;
      if (block.type != "sequential" || !SettingTrue(block, "is_time_limited")) continue;
      timed.insert(block.usage_key);
      LARCH_RETURN_IF_ERROR(ExamStore::UpsertExam(txn, ExamOf(tree, block), now));
    }
    LARCH_ASSIGN_OR_RETURN(std::vector<Exam> exams, ExamStore::ListExams(txn, tree.course_key));
    for (const Exam& exam : exams) {
      if (exam.is_active && !timed.contains(exam.content_id)) {
        LARCH_RETURN_IF_ERROR(ExamStore::SetExamActive(txn, exam.id, false, now));
      }
    }
    return OkStatus();
  }));
  MutexLock lock(mu_);
  synced_[tree.course_key] = Synced{tree.version, std::move(timed)};
  return OkStatus();
}

StatusOr<std::vector<Exam>> ExamService::ActiveExams(const courses::CourseTree& tree) {
  LARCH_RETURN_IF_ERROR(SyncCourse(tree));
  LARCH_ASSIGN_OR_RETURN(std::vector<Exam> exams,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::ListExams(txn, tree.course_key);
                         }));
  std::erase_if(exams, [](const Exam& e) { return !e.is_active; });
  return exams;
}

StatusOr<bool> ExamService::HasExams(const courses::CourseTree& tree) {
  LARCH_RETURN_IF_ERROR(SyncCourse(tree));
  MutexLock lock(mu_);
  auto it = synced_.find(tree.course_key);
  return it != synced_.end() && !it->second.timed.empty();
}

StatusOr<std::optional<Exam>> ExamService::ExamForContent(const courses::CourseTree& tree,
                                                          std::string_view content_id) {
  LARCH_RETURN_IF_ERROR(SyncCourse(tree));
  LARCH_ASSIGN_OR_RETURN(std::optional<Exam> exam,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::FindExamByContent(txn, tree.course_key, content_id);
                         }));
  if (exam.has_value() && !exam->is_active) return std::optional<Exam>();
  return exam;
}

StatusOr<Exam> ExamService::GetExam(int64_t exam_id) {
  LARCH_ASSIGN_OR_RETURN(std::optional<Exam> exam,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::FindExam(txn, exam_id);
                         }));
  if (!exam.has_value()) return NotFoundExam(exam_id);
  return *exam;
}

StatusOr<Attempt> ExamService::Settle(Attempt attempt) {
  std::optional<int64_t> end = attempt.ExpiresAt();
  int64_t now = clock_.NowMicros();
  if (!end.has_value() || !IsIncompleteStatus(attempt.status) || now <= *end) return attempt;
  std::string from = attempt.status;
  Attempt submitted = attempt;
  submitted.status = kSubmitted;
  submitted.completed_at = *end;
  LARCH_ASSIGN_OR_RETURN(bool changed,
                         storage::RunWithResult(db_, TxnMode::kReadWrite, [&](Transaction& txn) {
                           return ExamStore::UpdateAttempt(txn, submitted, from, now);
                         }));
  if (changed) return submitted;
  // Another request moved it first: read what it wrote.
  LARCH_ASSIGN_OR_RETURN(std::optional<Attempt> stored,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::FindAttempt(txn, attempt.id);
                         }));
  if (!stored.has_value()) return NotFoundAttempt(attempt.id);
  return *stored;
}

StatusOr<std::optional<Attempt>> ExamService::CurrentAttempt(int64_t exam_id, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(std::optional<Attempt> attempt,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::FindCurrentAttempt(txn, exam_id, user_id);
                         }));
  if (!attempt.has_value()) return attempt;
  LARCH_ASSIGN_OR_RETURN(Attempt settled, Settle(*attempt));
  return std::optional<Attempt>(std::move(settled));
}

StatusOr<Attempt> ExamService::GetAttempt(int64_t attempt_id) {
  LARCH_ASSIGN_OR_RETURN(std::optional<Attempt> attempt,
                         storage::RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
                           return ExamStore::FindAttempt(txn, attempt_id);
                         }));
  if (!attempt.has_value()) return NotFoundAttempt(attempt_id);
  return Settle(*attempt);
}

bool ExamService::PassedDue(const Exam& exam) const {
  return exam.due_date.has_value() && clock_.NowMicros() > *exam.due_date;
}

StatusOr<int64_t> ExamService::AllowedMinutes(const Exam& exam, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(std::vector<Allowance> allowances, AllowancesFor(exam.id, user_id));
  int64_t minutes = exam.time_limit_mins;
  for (const Allowance& allowance : allowances) {
    if (allowance.key != kAdditionalTimeGranted) continue;
    int64_t extra = 0;
    auto [end, ec] = std::from_chars(allowance.value.data(),
                                     allowance.value.data() + allowance.value.size(), extra);
    if (ec == std::errc()) minutes += extra;
  }
  if (exam.due_date.has_value()) {
    int64_t now = clock_.NowMicros();
    if (now + minutes * kMinuteMicros > *exam.due_date) {
      minutes = std::max<int64_t>((*exam.due_date - now) / kMinuteMicros, 0);
    }
  }
  return minutes;
}

}  // namespace larch::special_exams
