#include "larch/completion/completion_service.h"

#include <string>

#include "larch/student_state/student_state.h"

namespace larch::completion {

using storage::RunWithResult;
using storage::Transaction;
using storage::TxnMode;
using student_state::StudentModule;
using student_state::StudentStateStore;

StatusOr<BlockCompletion> CompletionService::Submit(int64_t user_id, std::string_view course_key,
                                                    const CompletionEntry& entry) {
  int64_t now = clock_.NowMicros();
  return RunWithResult(db_, TxnMode::kReadWrite, [&](Transaction& txn) {
    return CompletionStore::Submit(txn, user_id, course_key, entry, now);
  });
}

Status CompletionService::SubmitBatch(int64_t user_id, std::string_view course_key,
                                      std::span<const CompletionEntry> entries) {
  int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
    return CompletionStore::SubmitBatch(txn, user_id, course_key, entries, now);
  });
}

StatusOr<std::vector<BlockCompletion>> CompletionService::ForCourse(int64_t user_id,
                                                                    std::string_view course_key) {
  return RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
    return CompletionStore::ListForCourse(txn, user_id, course_key);
  });
}

StatusOr<std::optional<BlockCompletion>> CompletionService::Latest(int64_t user_id,
                                                                   std::string_view course_key) {
  return RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) {
    return CompletionStore::Latest(txn, user_id, course_key);
  });
}

StatusOr<int64_t> CompletionService::SetPosition(int64_t user_id, std::string_view course_key,
                                                 std::string_view usage_key, int64_t position) {
  int64_t now = clock_.NowMicros();
  // A racing write of the same row is kAborted, which the transaction
  // retries on the new row.
  return RunWithResult(db_, TxnMode::kReadWrite, [&](Transaction& txn) -> StatusOr<int64_t> {
    LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> found,
                           StudentStateStore::Find(txn, user_id, usage_key));
    StudentModule module;
    if (found) {
      module = std::move(*found);
    } else {
      module.user_id = user_id;
      module.course_key = std::string(course_key);
      module.usage_key = std::string(usage_key);
      module.module_type = "sequential";
    }
    module.state["position"] = position;
    LARCH_RETURN_IF_ERROR(StudentStateStore::Save(txn, module, now).status());
    return position;
  });
}

StatusOr<std::optional<int64_t>> CompletionService::Position(int64_t user_id,
                                                             std::string_view usage_key) {
  return RunWithResult(db_, TxnMode::kReadOnly,
                       [&](Transaction& txn) -> StatusOr<std::optional<int64_t>> {
                         LARCH_ASSIGN_OR_RETURN(std::optional<StudentModule> found,
                                                StudentStateStore::Find(txn, user_id, usage_key));
                         if (!found || !found->state.contains("position") ||
                             !found->state["position"].is_number_integer()) {
                           return std::optional<int64_t>();
                         }
                         return std::optional<int64_t>(found->state["position"].get<int64_t>());
                       });
}

}  // namespace larch::completion
