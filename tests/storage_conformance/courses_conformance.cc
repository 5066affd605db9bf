// Courses SQL on both backends: the import transaction (upsert, batched
// block inserts, FTS / tsvector search rows, FOR UPDATE on PostgreSQL), atomic
// replace, reads back (tree, overview filter, asset lookup by name).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "larch/courses/courses.h"
#include "larch/testing/status_matchers.h"

namespace larch::courses {
namespace {

using ::larch::testing::StatusIs;

namespace fs = std::filesystem;

fs::path SharedOlx(const std::string& name) {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return fs::path(env && *env ? env : LARCH_SHARED_OLX) / name;
}

class CoursesConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    char tmpl[] = "/tmp/larch-courses-conf-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    data_dir_ = tmpl;
  }
  void TearDown() override {
    if (!data_dir_.empty()) fs::remove_all(data_dir_);
    BackendTest::TearDown();
  }

  std::map<std::string, int64_t> Counts(const std::string& context) {
    auto counts = storage::RunWithResult(
        db(), storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return CourseStore::CountBlocks(txn, context); });
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? *counts : std::map<std::string, int64_t>{};
  }

  int64_t CountRows(const storage::Query& query, const std::string& key) {
    auto rs = storage::RunWithResult(
        db(), storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return txn.Execute(query, {storage::Text(key)}); });
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() && !rs->empty() ? rs->rows[0].GetInt(0) : -1;
  }

  fs::path data_dir_;
};

constexpr storage::Query kCountCourseSearch{
    "test.count_course_search", "SELECT COUNT(*) FROM course_search WHERE course_key = ?"};
constexpr storage::Query kCountBlockSearch{
    "test.count_block_search", "SELECT COUNT(*) FROM block_search WHERE course_key = ?"};
// Blobs beside those the course's assets use (`?` is the course key).
constexpr storage::Query kCountLooseBlobs{
    "test.count_loose_blobs",
    "SELECT COUNT(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM course_assets a "
    "WHERE a.sha256 = b.sha256 AND a.course_key = ?)"};
constexpr storage::Query kCountCourseBlobs{
    "test.count_course_blobs",
    "SELECT COUNT(DISTINCT sha256) FROM course_assets WHERE course_key = ?"};

TEST_P(CoursesConformance, ImportStoresExactBlockCountsAndReplacesAtomically) {
  CourseImporter importer(db(), clock());
  auto demo = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  std::map<std::string, int64_t> want = {
      {"chapter", 5},  {"course", 1},      {"discussion", 30}, {"html", 30}, {"openassessment", 1},
      {"problem", 22}, {"sequential", 10}, {"vertical", 44},   {"video", 5}};
  EXPECT_EQ(Counts("course-v1:edX+DemoX+Demo_Course"), want);
  EXPECT_EQ(CountRows(kCountCourseSearch, "course-v1:edX+DemoX+Demo_Course"), 1);
  EXPECT_GT(CountRows(kCountBlockSearch, "course-v1:edX+DemoX+Demo_Course"), 100);

  auto test_course = importer.Import(SharedOlx("openedx-test-course") / "course");
  ASSERT_TRUE(test_course.ok()) << test_course.status().ToString();
  EXPECT_EQ(Counts("course-v1:TestX+Course+1"), test_course->block_counts);

  // A failing re-import leaves version 1 in place; a good one replaces it.
  ImportOptions failing;
  failing.before_commit_for_test = [] { return AbortedError("injected"); };
  EXPECT_THAT(importer.Import(SharedOlx("edx-demo-course-quince") / "course", failing),
              StatusIs(StatusCode::kAborted));
  auto version = storage::RunWithResult(
      db(), storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::GetVersion(txn, demo->course_key); });
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
  EXPECT_EQ(Counts("course-v1:edX+DemoX+Demo_Course"), want);
  // The course's files are blobs in the database, each stored once.
  const std::string demo_key = "course-v1:edX+DemoX+Demo_Course";
  const int64_t demo_blobs = CountRows(kCountCourseBlobs, demo_key);
  EXPECT_GT(demo_blobs, 0);
  const int64_t other_blobs = CountRows(kCountLooseBlobs, demo_key);
  auto again = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(CountRows(kCountCourseBlobs, demo_key), demo_blobs);
  EXPECT_EQ(CountRows(kCountLooseBlobs, demo_key), other_blobs);
  EXPECT_EQ(Counts("course-v1:edX+DemoX+Demo_Course"), want);
  EXPECT_EQ(CountRows(kCountCourseSearch, "course-v1:edX+DemoX+Demo_Course"), 1);
}

TEST_P(CoursesConformance, ReadsBackTreeOverviewsAndAssets) {
  CourseImporter importer(db(), clock());
  auto imported = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_TRUE(importer.Import(SharedOlx("oxa-kitchen-sink") / "course").ok());
  auto course = olx::ReadCourse(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(course.ok());
  Status s = db().RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(olx::BlockTree tree,
                           CourseStore::LoadTree(txn, "course-v1:edX+DemoX+Demo_Course"));
    EXPECT_EQ(tree.PreOrder(), course->tree.PreOrder());
    const olx::Block* chapter = course->tree.Find(course->tree.root_block().children[0]);
    LARCH_ASSIGN_OR_RETURN(olx::Block block, CourseStore::GetBlock(txn, chapter->key));
    EXPECT_EQ(block.children, chapter->children);
    EXPECT_EQ(block.fields, chapter->fields);

    LARCH_ASSIGN_OR_RETURN(auto all, CourseStore::ListOverviews(txn));
    EXPECT_EQ(all.size(), 2u);
    LARCH_ASSIGN_OR_RETURN(auto edx, CourseStore::ListOverviews(txn, {std::string("EDX")}));
    EXPECT_EQ(edx.size(), 1u);
    if (!edx.empty()) {
      EXPECT_EQ(edx[0].key.ToString(), "course-v1:edX+DemoX+Demo_Course");
      EXPECT_DOUBLE_EQ(edx[0].lowest_passing_grade.value_or(0), 0.6);
    }
    LARCH_ASSIGN_OR_RETURN(CourseAsset asset, CourseStore::FindAsset(txn, imported->course_key,
                                                                     "images_course_image.jpg"));
    EXPECT_EQ(asset.path, "images/course_image.jpg");
    EXPECT_EQ(asset.content_type, "image/jpeg");
    EXPECT_EQ(CourseStore::FindAsset(txn, imported->course_key, "nope.png").status().code(),
              StatusCode::kNotFound);
    LARCH_ASSIGN_OR_RETURN(auto texts, CourseStore::ListTexts(txn, imported->course_key, "about"));
    EXPECT_FALSE(texts.empty());
    return OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_P(CoursesConformance, LibraryImportReplaces) {
  CourseImporter importer(db(), clock());
  auto first = importer.ImportLibrary(SharedOlx("openedx-demo-course-v2") / "library");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = importer.ImportLibrary(SharedOlx("openedx-demo-course-v2") / "library");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(Counts(first->context_key), first->block_counts);
}

// Two runs of one export share every blob. Imports and re-imports of both
// at once (on PostgreSQL truly concurrent: one re-import collects blobs the
// other is reusing) all succeed, and no blob is lost or left over.
TEST_P(CoursesConformance, ConcurrentImportsShareBlobsSafely) {
  const fs::path course = SharedOlx("edx-demo-course-quince") / "course";
  auto second_db = Open(url());
  ASSERT_TRUE(second_db.ok()) << second_db.status().ToString();
  storage::Database* handles[] = {&db(), second_db->get()};
  for (int round = 0; round < 3; ++round) {
    std::vector<Status> results(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        CourseImporter importer(*handles[i], clock());
        ImportOptions options;
        options.target_course_key =
            *keys::CourseKey::Parse("course-v1:edX+DemoX+Run" + std::to_string(i));
        results[static_cast<size_t>(i)] = importer.Import(course, options).status();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const Status& s : results) EXPECT_THAT(s, larch::testing::IsOk()) << "round " << round;
  }
  const int64_t used = CountRows(kCountCourseBlobs, "course-v1:edX+DemoX+Run0");
  EXPECT_EQ(CountRows(kCountCourseBlobs, "course-v1:edX+DemoX+Run1"), used);
  EXPECT_EQ(CountRows(kCountLooseBlobs, "course-v1:edX+DemoX+Run0"), 0);
  // Every asset's blob is whole.
  auto assets =
      storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return CourseStore::ListAssets(txn, *keys::CourseKey::Parse("course-v1:edX+DemoX+Run1"));
      });
  ASSERT_TRUE(assets.ok());
  ASSERT_FALSE(assets->empty());
  for (const CourseAsset& asset : *assets) {
    auto bytes = ReadAssetContent(db(), asset, uint64_t{1} << 30);
    ASSERT_TRUE(bytes.ok()) << asset.path << ": " << bytes.status().ToString();
    EXPECT_EQ(storage::Sha256Hex(*bytes), asset.sha256) << asset.path;
  }
}

LARCH_INSTANTIATE_BACKEND_SUITE(CoursesConformance);

}  // namespace
}  // namespace larch::courses
