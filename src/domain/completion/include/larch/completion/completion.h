// completion: how far each learner got through each block of a course, as
// openedx/completion keeps it (completion_blockcompletion: one row per
// learner and block, a float from 0.0 to 1.0), and what follows from it:
// which aggregate blocks (vertical, sequential, chapter, course) are
// complete and which block a learner resumes at.
//
// This module owns the table block_completions; everything else reads and
// writes it through CompletionStore, inside the caller's transaction, and
// aggregates with AggregateCompletion (completion_tree.cc).
//
// Rules, as upstream:
//   - a block's completion mode comes from its type (XBlockCompletionMode):
//     course/chapter/sequential/vertical and the content containers are
//     aggregators, discussion is excluded, everything else is completable;
//   - html-style leaves complete on view (publish_completion), problems when
//     a score is published, video by its own publish_completion;
//   - a leaf is complete when its completion is 1.0; an aggregator when it
//     has children and every child that is not excluded is complete (only
//     the children the learner can see count: the caller prunes the tree);
//   - a submission that does not change the value keeps `modified`, so the
//     latest modified row is the learner's last progress (the resume block).
//
// Thread safety: the functions are stateless; the Executor is the caller's.
#ifndef LARCH_COMPLETION_COMPLETION_H_
#define LARCH_COMPLETION_COMPLETION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/storage/database.h"

namespace larch::completion {

enum class CompletionMode { kCompletable, kAggregator, kExcluded };

// The mode of a block type (XBlockCompletionMode.get_mode).
CompletionMode ModeOf(std::string_view block_type);
// Whether viewing a block of this type completes it (completable, not
// scored, no custom completion: html and the like, not problem or video).
bool CompletableByViewing(std::string_view block_type);

struct BlockCompletion {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string course_key;
  std::string block_key;
  std::string block_type;
  double completion = 0;
  int64_t created = 0;
  int64_t modified = 0;
};

// One value to store for one block.
struct CompletionEntry {
  std::string block_key;
  std::string block_type;
  double completion = 0;
};

class CompletionStore {
 public:
  // Stores `entry` for the learner (a new row, or a new value; an unchanged
  // value keeps the row as it is) and returns the row. kInvalidArgument when
  // the value is outside 0.0..1.0 (or not a number), kFailedPrecondition for
  // an unknown user. `now` is micros since the epoch.
  static StatusOr<BlockCompletion> Submit(storage::Executor& db, int64_t user_id,
                                          std::string_view course_key, const CompletionEntry& entry,
                                          int64_t now);
  // Submit for each entry, in order; stops at the first error (the caller's
  // transaction then rolls all of them back). Every value is checked first.
  static Status SubmitBatch(storage::Executor& db, int64_t user_id, std::string_view course_key,
                            std::span<const CompletionEntry> entries, int64_t now);
  // Every row of the learner in the course, ordered by block_key (one
  // indexed read).
  static StatusOr<std::vector<BlockCompletion>> ListForCourse(storage::Executor& db,
                                                              int64_t user_id,
                                                              std::string_view course_key);
  // The learner's latest modified row in the course (get_latest_block_
  // completed), nullopt when there is none.
  static StatusOr<std::optional<BlockCompletion>> Latest(storage::Executor& db, int64_t user_id,
                                                         std::string_view course_key);
  // Latest for every course the learner has rows in, in one read (the
  // dashboard's resume buttons), keyed by course key.
  static StatusOr<std::map<std::string, BlockCompletion, std::less<>>> LatestPerCourse(
      storage::Executor& db, int64_t user_id);
};

// A learner's completion over one course tree, by block index.
struct CourseCompletion {
  // Whether each block is complete (see the rules above); false for blocks
  // pruned from the learner's view.
  std::vector<bool> complete;
  // The blocks on the path from the root to the latest complete block (the
  // outline's resume_block), empty of true values when there is none.
  std::vector<bool> resume;
  // Index of the latest complete visible block, -1 when none.
  int resume_block = -1;
};

// Aggregates `rows` (the learner's rows of the course) over `tree`.
// `visible[i]` false removes block i and its subtree from the learner's
// view; an empty `visible` shows everything. Rows of blocks not in the tree
// are ignored.
CourseCompletion AggregateCompletion(const courses::CourseTree& tree,
                                     const std::vector<bool>& visible,
                                     std::span<const BlockCompletion> rows);

// Whether block `index` is complete for the learner: AggregateCompletion
// restricted to the subtree of `index` (the sequential's get_completion).
bool IsComplete(const courses::CourseTree& tree, int index, const std::vector<bool>& visible,
                std::span<const BlockCompletion> rows);

}  // namespace larch::completion

#endif  // LARCH_COMPLETION_COMPLETION_H_
