// bookmarks SQL on both backends: create once (a second create returns the
// first row), find, newest-first pages for one course or all with their
// count, the per-course limit of the service, delete, and an unknown user.
#include <gtest/gtest.h>

#include <string>

#include "backend_fixture.h"
#include "larch/bookmarks/bookmarks.h"
#include "larch/common/clock.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"

namespace larch::bookmarks {
namespace {

using ::larch::testing::StatusIs;

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kOther[] = "course-v1:edX+Other+2026";

std::string Usage(const std::string& course, int i) {
  return "block-v1:" + course.substr(10) + "+type@html+block@b" + std::to_string(i);
}

class BookmarksConformance : public storage::testing::BackendTest {
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

  StatusOr<Bookmark> Create(int64_t user, const std::string& course, int i, int64_t now) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return BookmarkStore::Create(t, {0, user, course, Usage(course, i), "html", 0, 0}, now);
    });
  }
  StatusOr<BookmarkPage> List(int64_t user, const std::string& course, int64_t limit,
                              int64_t offset) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
      return BookmarkStore::List(t, user, course, limit, offset);
    });
  }

  int64_t alice_ = 0;
  int64_t bob_ = 0;
};

TEST_P(BookmarksConformance, CreateIsIdempotentAndListsNewestFirst) {
  LARCH_ASSERT_OK_AND_ASSIGN(Bookmark first, Create(alice_, kCourse, 1, 100));
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.created, 100);
  LARCH_ASSERT_OK_AND_ASSIGN(Bookmark again, Create(alice_, kCourse, 1, 500));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.created, 100);
  LARCH_ASSERT_OK(Create(alice_, kCourse, 2, 200).status());
  LARCH_ASSERT_OK(Create(alice_, kOther, 3, 300).status());
  LARCH_ASSERT_OK(Create(bob_, kCourse, 4, 400).status());

  LARCH_ASSERT_OK_AND_ASSIGN(BookmarkPage all, List(alice_, "", 10, 0));
  EXPECT_EQ(all.count, 3);
  ASSERT_EQ(all.bookmarks.size(), 3u);
  EXPECT_EQ(all.bookmarks[0].usage_key, Usage(kOther, 3));
  EXPECT_EQ(all.bookmarks[2].usage_key, Usage(kCourse, 1));
  LARCH_ASSERT_OK_AND_ASSIGN(BookmarkPage course, List(alice_, kCourse, 1, 1));
  EXPECT_EQ(course.count, 2);
  ASSERT_EQ(course.bookmarks.size(), 1u);
  EXPECT_EQ(course.bookmarks[0].usage_key, Usage(kCourse, 1));
}

TEST_P(BookmarksConformance, DeleteAndFindArePerLearner) {
  LARCH_ASSERT_OK(Create(alice_, kCourse, 1, 100).status());
  auto find = [&](int64_t user) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
      return BookmarkStore::Find(t, user, Usage(kCourse, 1));
    });
  };
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Bookmark> bobs, find(bob_));
  EXPECT_FALSE(bobs.has_value());
  auto remove = [&](int64_t user) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return BookmarkStore::Delete(t, user, Usage(kCourse, 1));
    });
  };
  LARCH_ASSERT_OK_AND_ASSIGN(bool deleted, remove(bob_));
  EXPECT_FALSE(deleted);
  LARCH_ASSERT_OK_AND_ASSIGN(deleted, remove(alice_));
  EXPECT_TRUE(deleted);
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Bookmark> gone, find(alice_));
  EXPECT_FALSE(gone.has_value());
}

TEST_P(BookmarksConformance, ServiceStopsAtTheCourseLimit) {
  BookmarkService service(db(), *SystemClock::Default());
  for (int i = 0; i < kMaxBookmarksPerCourse; ++i) {
    LARCH_ASSERT_OK(service.Create(alice_, kCourse, Usage(kCourse, i), "html").status());
  }
  EXPECT_THAT(service.Create(alice_, kCourse, Usage(kCourse, 1000), "html"),
              StatusIs(StatusCode::kResourceExhausted));
  // An existing bookmark is still returned; other courses are not limited.
  LARCH_ASSERT_OK(service.Create(alice_, kCourse, Usage(kCourse, 5), "html").status());
  LARCH_ASSERT_OK(service.Create(alice_, kOther, Usage(kOther, 1), "html").status());
  EXPECT_THAT(service.Delete(bob_, Usage(kCourse, 5)), StatusIs(StatusCode::kNotFound));
}

TEST_P(BookmarksConformance, UnknownUserIsRefused) {
  EXPECT_THAT(Create(alice_ + bob_ + 1000, kCourse, 1, 100),
              StatusIs(StatusCode::kFailedPrecondition));
}

LARCH_INSTANTIATE_BACKEND_SUITE(BookmarksConformance);

}  // namespace
}  // namespace larch::bookmarks
