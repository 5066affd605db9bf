// AggregateCompletion and IsComplete (completion.h): the rules of
// edx-platform's BlockCompletionTransformer (course_api/blocks/transformers/
// block_completion.py) and CompletionService.vertical_is_complete.
#include <string_view>
#include <unordered_map>

#include "larch/completion/completion.h"

namespace larch::completion {
namespace {

bool Shown(const std::vector<bool>& visible, int index) {
  return visible.empty() || visible[static_cast<size_t>(index)];
}

class Marker {
 public:
  Marker(const courses::CourseTree& tree, const std::vector<bool>& visible, std::vector<bool>& done,
         CourseCompletion& out)
      : tree_(tree), visible_(visible), done_(done), out_(out) {}

  // Post-order: a block is complete when its own row says so, or when it
  // has visible children and every one that is not excluded is complete.
  void Mark(int index) {
    const courses::CatalogBlock& block = tree_.blocks[static_cast<size_t>(index)];
    bool any_child = false;
    bool all_complete = true;
    bool resume = index == out_.resume_block;
    for (int child : block.children) {
      if (!Shown(visible_, child)) continue;
      Mark(child);
      any_child = true;
      const courses::CatalogBlock& c = tree_.blocks[static_cast<size_t>(child)];
      if (ModeOf(c.type) != CompletionMode::kExcluded && !out_.complete[child]) {
        all_complete = false;
      }
      if (out_.resume[child]) resume = true;
    }
    out_.complete[index] = done_[index] || (any_child && all_complete);
    out_.resume[index] = resume;
  }

 private:
  const courses::CourseTree& tree_;
  const std::vector<bool>& visible_;
  std::vector<bool>& done_;
  CourseCompletion& out_;
};

// The completable leaves under `index` the learner can see, by value:
// false as soon as one is incomplete.
bool LeavesComplete(const courses::CourseTree& tree, int index, const std::vector<bool>& visible,
                    const std::unordered_map<std::string_view, double>& values) {
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
  switch (ModeOf(block.type)) {
    case CompletionMode::kExcluded:
      return true;
    case CompletionMode::kCompletable: {
      auto it = values.find(block.usage_key);
      return it != values.end() && it->second >= 1.0;
    }
    case CompletionMode::kAggregator:
      break;
  }
  for (int child : block.children) {
    if (Shown(visible, child) && !LeavesComplete(tree, child, visible, values)) return false;
  }
  return true;
}

}  // namespace

CourseCompletion AggregateCompletion(const courses::CourseTree& tree,
                                     const std::vector<bool>& visible,
                                     std::span<const BlockCompletion> rows) {
  CourseCompletion out;
  out.complete.assign(tree.blocks.size(), false);
  out.resume.assign(tree.blocks.size(), false);
  if (tree.root < 0) return out;
  std::vector<bool> done(tree.blocks.size(), false);
  // The latest complete row of the course, in the tree or not (upstream
  // takes the latest of all and marks nothing when it is gone).
  const BlockCompletion* latest = nullptr;
  for (const BlockCompletion& row : rows) {
    if (row.completion < 1.0) continue;
    if (latest == nullptr || row.modified > latest->modified ||
        (row.modified == latest->modified && row.id > latest->id)) {
      latest = &row;
    }
    int index = tree.Find(row.block_key);
    if (index >= 0) done[static_cast<size_t>(index)] = true;
  }
  if (latest != nullptr) {
    int index = tree.Find(latest->block_key);
    if (index >= 0) out.resume_block = index;
  }
  if (!Shown(visible, tree.root)) {
    out.resume_block = -1;
    return out;
  }
  Marker(tree, visible, done, out).Mark(tree.root);
  // A latest block outside the learner's view is no resume block.
  if (out.resume_block >= 0 && !out.resume[static_cast<size_t>(out.resume_block)]) {
    out.resume_block = -1;
  }
  return out;
}

bool IsComplete(const courses::CourseTree& tree, int index, const std::vector<bool>& visible,
                std::span<const BlockCompletion> rows) {
  if (index < 0 || static_cast<size_t>(index) >= tree.blocks.size()) return false;
  std::unordered_map<std::string_view, double> values;
  values.reserve(rows.size());
  for (const BlockCompletion& row : rows) values[row.block_key] = row.completion;
  return LeavesComplete(tree, index, visible, values);
}

}  // namespace larch::completion
