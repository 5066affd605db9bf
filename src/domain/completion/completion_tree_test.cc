// The aggregation rules of completion.h over a small hand-built tree:
// leaves complete at 1.0 only, aggregators when every visible child that is
// not excluded is complete, empty aggregators never, hidden blocks not
// counted, and resume_block on the path to the latest complete block.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "larch/completion/completion.h"

namespace larch::completion {
namespace {

// course > chapter > seq > {v1 > {html, problem, discussion}, v2 > {video}},
// plus an empty vertical v3 under seq.
class CompletionTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add("course", "course", -1);
    Add("chapter", "ch", 0);
    Add("sequential", "seq", 1);
    Add("vertical", "v1", 2);
    Add("html", "html", 3);
    Add("problem", "problem", 3);
    Add("discussion", "disc", 3);
    Add("vertical", "v2", 2);
    Add("video", "video", 7);
    Add("vertical", "v3", 2);
    tree_.root = 0;
  }

  void Add(const std::string& type, const std::string& id, int parent) {
    courses::CatalogBlock block;
    block.type = type;
    block.block_id = id;
    block.usage_key = Key(id);
    block.parent = parent;
    int index = static_cast<int>(tree_.blocks.size());
    if (parent >= 0) tree_.blocks[static_cast<size_t>(parent)].children.push_back(index);
    tree_.index[block.usage_key] = index;
    tree_.blocks.push_back(block);
  }

  static std::string Key(const std::string& id) { return "block-v1:o+c+r+type@x+block@" + id; }

  void Row(const std::string& id, double value, int64_t modified) {
    BlockCompletion row;
    row.id = static_cast<int64_t>(rows_.size()) + 1;
    row.block_key = Key(id);
    row.completion = value;
    row.modified = modified;
    rows_.push_back(row);
  }

  int At(const std::string& id) const { return tree_.Find(Key(id)); }

  courses::CourseTree tree_;
  std::vector<BlockCompletion> rows_;
};

TEST_F(CompletionTreeTest, ModesFollowTheBlockType) {
  EXPECT_EQ(ModeOf("vertical"), CompletionMode::kAggregator);
  EXPECT_EQ(ModeOf("discussion"), CompletionMode::kExcluded);
  EXPECT_EQ(ModeOf("html"), CompletionMode::kCompletable);
  EXPECT_TRUE(CompletableByViewing("html"));
  EXPECT_FALSE(CompletableByViewing("problem"));
  EXPECT_FALSE(CompletableByViewing("video"));
  EXPECT_FALSE(CompletableByViewing("discussion"));
  EXPECT_FALSE(CompletableByViewing("vertical"));
}

TEST_F(CompletionTreeTest, NothingDoneNothingComplete) {
  CourseCompletion c = AggregateCompletion(tree_, {}, rows_);
  for (bool complete : c.complete) EXPECT_FALSE(complete);
  EXPECT_EQ(c.resume_block, -1);
}

TEST_F(CompletionTreeTest, PartialValuesAreNotComplete) {
  Row("html", 1.0, 10);
  Row("problem", 0.5, 20);
  CourseCompletion c = AggregateCompletion(tree_, {}, rows_);
  EXPECT_TRUE(c.complete[At("html")]);
  EXPECT_FALSE(c.complete[At("problem")]);
  EXPECT_FALSE(c.complete[At("v1")]);
  // The latest complete row is the html, not the later partial problem.
  EXPECT_EQ(c.resume_block, At("html"));
  EXPECT_TRUE(c.resume[At("v1")]);
  EXPECT_TRUE(c.resume[At("course")]);
  EXPECT_FALSE(c.resume[At("v2")]);
}

TEST_F(CompletionTreeTest, VerticalCompleteWithoutItsDiscussion) {
  Row("html", 1.0, 10);
  Row("problem", 1.0, 20);
  CourseCompletion c = AggregateCompletion(tree_, {}, rows_);
  EXPECT_TRUE(c.complete[At("v1")]);
  EXPECT_FALSE(c.complete[At("disc")]);
  // v2 (video not done) and the empty v3 keep the sequence open.
  EXPECT_FALSE(c.complete[At("v2")]);
  EXPECT_FALSE(c.complete[At("v3")]);
  EXPECT_FALSE(c.complete[At("seq")]);
  EXPECT_EQ(c.resume_block, At("problem"));
}

TEST_F(CompletionTreeTest, HiddenBlocksDoNotCount) {
  Row("html", 1.0, 10);
  Row("problem", 1.0, 20);
  Row("video", 1.0, 30);
  std::vector<bool> visible(tree_.blocks.size(), true);
  visible[static_cast<size_t>(At("v3"))] = false;
  CourseCompletion c = AggregateCompletion(tree_, visible, rows_);
  EXPECT_TRUE(c.complete[At("seq")]);
  EXPECT_TRUE(c.complete[At("course")]);
  // With v3 shown (and empty) the course is not complete.
  EXPECT_FALSE(AggregateCompletion(tree_, {}, rows_).complete[At("course")]);
  // A hidden latest block is no resume block.
  visible[static_cast<size_t>(At("v2"))] = false;
  c = AggregateCompletion(tree_, visible, rows_);
  EXPECT_EQ(c.resume_block, -1);
  EXPECT_FALSE(c.complete[At("video")]);
}

TEST_F(CompletionTreeTest, IsCompleteLooksAtTheCompletableLeaves) {
  EXPECT_FALSE(IsComplete(tree_, At("v1"), {}, rows_));
  Row("html", 1.0, 10);
  EXPECT_FALSE(IsComplete(tree_, At("v1"), {}, rows_));
  Row("problem", 1.0, 20);
  EXPECT_TRUE(IsComplete(tree_, At("v1"), {}, rows_));
  // No completable leaf: vacuously complete, as vertical_is_complete.
  EXPECT_TRUE(IsComplete(tree_, At("v3"), {}, rows_));
  EXPECT_FALSE(IsComplete(tree_, -1, {}, rows_));
}

}  // namespace
}  // namespace larch::completion
