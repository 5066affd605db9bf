// completion SQL on both backends: a new row, a changed value that moves
// `modified`, an unchanged value that keeps it, values outside 0..1
// refused, a batch that stores all or nothing, the per-course listing and
// the latest row (the resume block), and an unknown user.
#include <gtest/gtest.h>

#include <vector>

#include "backend_fixture.h"
#include "larch/common/clock.h"
#include "larch/completion/completion.h"
#include "larch/completion/completion_service.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"

namespace larch::completion {
namespace {

using ::larch::testing::StatusIs;

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kOther[] = "course-v1:edX+Other+2026";
constexpr char kHtml[] = "block-v1:edX+DemoX+Demo_Course+type@html+block@h1";
constexpr char kProblem[] = "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1";
constexpr char kVideo[] = "block-v1:edX+DemoX+Demo_Course+type@video+block@v1";

class CompletionConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto alice = enrollment::InsertUserForTest(db(), "alice", "alice@example.com");
    ASSERT_TRUE(alice.ok()) << alice.status().ToString();
    alice_ = *alice;
    auto bob = enrollment::InsertUserForTest(db(), "bob", "bob@example.com");
    ASSERT_TRUE(bob.ok()) << bob.status().ToString();
    bob_ = *bob;
  }

  StatusOr<BlockCompletion> Submit(int64_t user, const char* course, const CompletionEntry& entry,
                                   int64_t now) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return CompletionStore::Submit(t, user, course, entry, now);
    });
  }
  Status Batch(const std::vector<CompletionEntry>& entries, int64_t now) {
    return db().RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return CompletionStore::SubmitBatch(t, alice_, kCourse, entries, now);
    });
  }
  StatusOr<std::vector<BlockCompletion>> List(int64_t user, const char* course) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
      return CompletionStore::ListForCourse(t, user, course);
    });
  }
  StatusOr<std::optional<BlockCompletion>> Latest(int64_t user, const char* course) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
      return CompletionStore::Latest(t, user, course);
    });
  }

  int64_t alice_ = 0;
  int64_t bob_ = 0;
};

TEST_P(CompletionConformance, SubmitCreatesThenUpdatesOnlyOnChange) {
  LARCH_ASSERT_OK_AND_ASSIGN(BlockCompletion created,
                             Submit(alice_, kCourse, {kProblem, "problem", 0.5}, 100));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.block_type, "problem");
  EXPECT_DOUBLE_EQ(created.completion, 0.5);
  EXPECT_EQ(created.created, 100);
  EXPECT_EQ(created.modified, 100);

  LARCH_ASSERT_OK_AND_ASSIGN(BlockCompletion changed,
                             Submit(alice_, kCourse, {kProblem, "problem", 1.0}, 200));
  EXPECT_EQ(changed.id, created.id);
  EXPECT_DOUBLE_EQ(changed.completion, 1.0);
  EXPECT_EQ(changed.created, 100);
  EXPECT_EQ(changed.modified, 200);

  // The same value again keeps the row as it was.
  LARCH_ASSERT_OK_AND_ASSIGN(BlockCompletion same,
                             Submit(alice_, kCourse, {kProblem, "problem", 1.0}, 300));
  EXPECT_EQ(same.modified, 200);
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<BlockCompletion> rows, List(alice_, kCourse));
  ASSERT_EQ(rows.size(), 1u);
}

TEST_P(CompletionConformance, ValuesOutsideZeroToOneAreRefused) {
  EXPECT_THAT(Submit(alice_, kCourse, {kHtml, "html", 1.5}, 100),
              StatusIs(StatusCode::kInvalidArgument, "1.5 must be between 0.0 and 1.0"));
  EXPECT_THAT(Submit(alice_, kCourse, {kHtml, "html", -0.25}, 100),
              StatusIs(StatusCode::kInvalidArgument));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<BlockCompletion> rows, List(alice_, kCourse));
  EXPECT_TRUE(rows.empty());
}

TEST_P(CompletionConformance, BatchStoresAllOrNothing) {
  EXPECT_THAT(Batch({{kHtml, "html", 1.0}, {kVideo, "video", 2.0}}, 100),
              StatusIs(StatusCode::kInvalidArgument));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<BlockCompletion> rows, List(alice_, kCourse));
  EXPECT_TRUE(rows.empty());

  LARCH_ASSERT_OK(Batch({{kVideo, "video", 1.0}, {kHtml, "html", 1.0}}, 100));
  LARCH_ASSERT_OK_AND_ASSIGN(rows, List(alice_, kCourse));
  ASSERT_EQ(rows.size(), 2u);
  // Ordered by block key.
  EXPECT_EQ(rows[0].block_key, kHtml);
  EXPECT_EQ(rows[1].block_key, kVideo);
}

TEST_P(CompletionConformance, ListAndLatestArePerLearnerAndCourse) {
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<BlockCompletion> none, Latest(alice_, kCourse));
  EXPECT_FALSE(none.has_value());
  LARCH_ASSERT_OK(Submit(alice_, kCourse, {kHtml, "html", 1.0}, 100).status());
  LARCH_ASSERT_OK(Submit(alice_, kCourse, {kProblem, "problem", 1.0}, 300).status());
  LARCH_ASSERT_OK(Submit(alice_, kCourse, {kVideo, "video", 1.0}, 200).status());
  LARCH_ASSERT_OK(Submit(bob_, kCourse, {kVideo, "video", 1.0}, 900).status());
  LARCH_ASSERT_OK(
      Submit(alice_, kOther, {"block-v1:edX+Other+2026+type@html+block@x", "html", 1.0}, 950)
          .status());

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<BlockCompletion> latest, Latest(alice_, kCourse));
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->block_key, kProblem);
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<BlockCompletion> rows, List(alice_, kCourse));
  EXPECT_EQ(rows.size(), 3u);
  LARCH_ASSERT_OK_AND_ASSIGN(rows, List(bob_, kCourse));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].block_key, kVideo);

  // A changed value makes its block the latest.
  LARCH_ASSERT_OK(Submit(alice_, kCourse, {kHtml, "html", 0.0}, 400).status());
  LARCH_ASSERT_OK_AND_ASSIGN(latest, Latest(alice_, kCourse));
  EXPECT_EQ(latest->block_key, kHtml);
}

TEST_P(CompletionConformance, ServiceKeepsTheSequencePosition) {
  CompletionService service(db(), *SystemClock::Default());
  const char* seq = "block-v1:edX+DemoX+Demo_Course+type@sequential+block@s1";
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<int64_t> none, service.Position(alice_, seq));
  EXPECT_FALSE(none.has_value());
  LARCH_ASSERT_OK(service.SetPosition(alice_, kCourse, seq, 3).status());
  LARCH_ASSERT_OK(service.SetPosition(alice_, kCourse, seq, 2).status());
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<int64_t> position, service.Position(alice_, seq));
  EXPECT_EQ(position, 2);
  LARCH_ASSERT_OK_AND_ASSIGN(none, service.Position(bob_, seq));
  EXPECT_FALSE(none.has_value());
}

TEST_P(CompletionConformance, UnknownUserIsRefused) {
  EXPECT_THAT(Submit(alice_ + bob_ + 1000, kCourse, {kHtml, "html", 1.0}, 100),
              StatusIs(StatusCode::kFailedPrecondition));
}

LARCH_INSTANTIATE_BACKEND_SUITE(CompletionConformance);

}  // namespace
}  // namespace larch::completion
