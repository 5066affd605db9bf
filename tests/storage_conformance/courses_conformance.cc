// Courses SQL on both backends: the import transaction (upsert, batched
// block inserts, FTS / tsvector search rows, FOR UPDATE on PostgreSQL), atomic
// replace, reads back (tree, overview filter, asset lookup by name).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

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

TEST_P(CoursesConformance, ImportStoresExactBlockCountsAndReplacesAtomically) {
  CourseImporter importer(db(), clock(), data_dir_.string());
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
  EXPECT_FALSE(fs::exists(StaticDirFor(data_dir_, demo->course_key, 2)));
  auto again = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(Counts("course-v1:edX+DemoX+Demo_Course"), want);
  EXPECT_EQ(CountRows(kCountCourseSearch, "course-v1:edX+DemoX+Demo_Course"), 1);
}

TEST_P(CoursesConformance, ReadsBackTreeOverviewsAndAssets) {
  CourseImporter importer(db(), clock(), data_dir_.string());
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
  CourseImporter importer(db(), clock(), data_dir_.string());
  auto first = importer.ImportLibrary(SharedOlx("openedx-demo-course-v2") / "library");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = importer.ImportLibrary(SharedOlx("openedx-demo-course-v2") / "library");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(Counts(first->context_key), first->block_counts);
}

LARCH_INSTANTIATE_BACKEND_SUITE(CoursesConformance);

}  // namespace
}  // namespace larch::courses
