// completion::CompletionService: the use cases over a learner's completion
// and courseware position, each one transaction:
//   - Submit / SubmitBatch: the completion-batch API, publish_completion and
//     the complete-on-view reports (a batch stores all of its values or none);
//   - ForCourse / Latest: what the outline aggregates and where the learner
//     resumes (completion.h);
//   - SetPosition: the sequential's goto_position, kept in the sequential's
//     student state ({"position": n}) through student_state, that table's
//     owner.
// Access rules are the caller's (the route layer checks who may act for
// whom).
//
// Thread safety: CompletionService is thread-safe.
#ifndef LARCH_COMPLETION_COMPLETION_SERVICE_H_
#define LARCH_COMPLETION_COMPLETION_SERVICE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/completion/completion.h"
#include "larch/storage/database.h"

namespace larch::completion {

class CompletionService {
 public:
  // Both must outlive the service.
  CompletionService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // CompletionStore::Submit / SubmitBatch in a transaction of their own.
  StatusOr<BlockCompletion> Submit(int64_t user_id, std::string_view course_key,
                                   const CompletionEntry& entry);
  Status SubmitBatch(int64_t user_id, std::string_view course_key,
                     std::span<const CompletionEntry> entries);

  // The learner's rows of the course (one indexed read).
  StatusOr<std::vector<BlockCompletion>> ForCourse(int64_t user_id, std::string_view course_key);
  // The learner's latest modified row of the course, nullopt when none.
  StatusOr<std::optional<BlockCompletion>> Latest(int64_t user_id, std::string_view course_key);

  // Stores `position` (1-based) as the learner's position in the
  // sequential `usage_key`; returns the position stored.
  StatusOr<int64_t> SetPosition(int64_t user_id, std::string_view course_key,
                                std::string_view usage_key, int64_t position);
  // The stored position, nullopt when none.
  StatusOr<std::optional<int64_t>> Position(int64_t user_id, std::string_view usage_key);

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace larch::completion

#endif  // LARCH_COMPLETION_COMPLETION_SERVICE_H_
