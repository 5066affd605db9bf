#include "larch/courses/courses.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/course_import_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "larch/testing/shared_olx.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::courses {
namespace {

namespace fs = std::filesystem;

fs::path SharedOlx(const std::string& name) { return ::larch::testing::SharedOlxDir() / name; }

class CoursesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, larch::testing::MakeTempDir("larch-courses-test"));
    db_ = OpenDb(dir_ / "a.db");
    ASSERT_NE(db_, nullptr);
  }
  void TearDown() override {
    db_.reset();
    other_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<storage::Database> OpenDb(const fs::path& file) {
    auto db = larch::testing::OpenMigratedDatabase("sqlite://" + file.string(), clock_);
    EXPECT_THAT(db, larch::testing::IsOk());
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::map<std::string, int64_t> Counts(storage::Database& db, const std::string& context) {
    auto counts = storage::RunWithResult(
        db, storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return CourseStore::CountBlocks(txn, context); });
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? *counts : std::map<std::string, int64_t>{};
  }

  StatusOr<CourseOverview> Overview(storage::Database& db, const std::string& key) {
    return storage::RunWithResult(db, storage::TxnMode::kReadOnly,
                                  [&](storage::Transaction& txn) -> StatusOr<CourseOverview> {
                                    LARCH_ASSIGN_OR_RETURN(auto k, keys::CourseKey::Parse(key));
                                    return CourseStore::GetOverview(txn, k);
                                  });
  }

  // Every stored row of a course, as text, for round-trip comparisons.
  // source_file and inline_definition record how the export was laid out
  // (olx::WriteCourse writes a bare inline <done url_name=.../> as a pointer
  // file), not what the course is, so they are left out.
  std::vector<std::string> Dump(storage::Database& db, const std::string& key) {
    static constexpr storage::Query kBlocks{
        "test.blocks",
        "SELECT usage_key, block_type, url_name, parent_key, position, fields, inherited, "
        "attributes, data, xml, supported FROM course_blocks "
        "WHERE context_key = ? ORDER BY usage_key"};
    static constexpr storage::Query kTexts{
        "test.texts",
        "SELECT kind, name, position, title, content FROM course_texts WHERE course_key = ? "
        "ORDER BY kind, name"};
    static constexpr storage::Query kAssets{
        "test.assets",
        "SELECT path, content_type, size, locked FROM course_assets WHERE course_key = ? "
        "ORDER BY path"};
    std::vector<std::string> out;
    Status s = db.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
      for (const storage::Query* q : {&kBlocks, &kTexts, &kAssets}) {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(*q, {storage::Text(key)}));
        for (const storage::Row& row : rs.rows) {
          std::string line = q->name;
          for (size_t i = 0; i < row.size(); ++i) line += "|" + row.GetText(i);
          out.push_back(line);
        }
      }
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  int64_t Scalar(storage::Database& db, const char* sql) {
    auto n = storage::RunWithResult(
        db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
          LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(storage::Query{"test.n", sql}));
          return rs.rows[0].GetInt(0);
        });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  // Blobs stored, and blobs the course assets refer to: equal when nothing
  // is left over.
  int64_t BlobCount() { return Scalar(*db_, "SELECT COUNT(*) FROM blobs"); }
  int64_t ReferencedBlobs() {
    return Scalar(*db_, "SELECT COUNT(DISTINCT sha256) FROM course_assets");
  }

  // A copy of shared course `folder` whose first static file has new bytes.
  fs::path ChangedCopy(const std::string& folder, std::string* changed = nullptr) {
    fs::path copy = dir_ / (folder + "-changed");
    fs::copy(SharedOlx(folder) / "course", copy, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(copy / "static")) {
      if (!entry.is_regular_file()) continue;
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
      std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << "new content";
      if (changed != nullptr) *changed = fs::relative(entry.path(), copy / "static").string();
      break;
    }
    return copy;
  }

  FakeClock clock_{1'700'000'000'000'000};
  fs::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<storage::Database> other_;
};

// Row-by-row comparison that prints only the first few differing rows
// (whole dumps are megabytes).
void ExpectSameRows(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  EXPECT_EQ(got.size(), want.size());
  int shown = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()) && shown < 3; ++i) {
    if (got[i] == want[i]) continue;
    size_t at = 0;
    while (at < got[i].size() && at < want[i].size() && got[i][at] == want[i][at]) ++at;
    size_t from = at > 80 ? at - 80 : 0;
    ADD_FAILURE() << "row " << i << " differs at " << at << "\n got: " << got[i].substr(from, 240)
                  << "\nwant: " << want[i].substr(from, 240);
    ++shown;
  }
}

struct SharedCourse {
  const char* folder;
  const char* key;
};

TEST_F(CoursesTest, ImportsTheFourSharedCoursesWithExactBlockCounts) {
  CourseImporter importer(*db_, clock_);
  for (const SharedCourse& c :
       {SharedCourse{"edx-demo-course-quince", "course-v1:edX+DemoX+Demo_Course"},
        SharedCourse{"openedx-demo-course-v2", "course-v1:OpenedX+DemoX+DemoCourse"},
        SharedCourse{"openedx-test-course", "course-v1:TestX+Course+1"},
        SharedCourse{"oxa-kitchen-sink", "course-v1:Microsoft+KS101+course"}}) {
    SCOPED_TRACE(c.folder);
    auto course = olx::ReadCourse(SharedOlx(c.folder) / "course");
    ASSERT_TRUE(course.ok()) << course.status().ToString();
    auto result = importer.Import(SharedOlx(c.folder) / "course");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->course_key.ToString(), c.key);
    EXPECT_EQ(result->version, 1);
    std::map<std::string, int64_t> expected;
    for (const auto& [key, block] : course->tree.blocks) ++expected[block.type];
    EXPECT_EQ(Counts(*db_, c.key), expected);
    EXPECT_EQ(result->blocks, static_cast<int64_t>(course->tree.blocks.size()));
    auto tree = storage::RunWithResult(
        *db_, storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return CourseStore::LoadTree(txn, c.key); });
    ASSERT_TRUE(tree.ok()) << tree.status().ToString();
    EXPECT_EQ(tree->root, course->tree.root);
    EXPECT_EQ(tree->PreOrder(), course->tree.PreOrder());
  }
  // The README's counts, read back from the database.
  std::map<std::string, int64_t> demo = Counts(*db_, "course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(demo["chapter"], 5);
  EXPECT_EQ(demo["sequential"], 10);
  EXPECT_EQ(demo["vertical"], 44);
  EXPECT_EQ(demo["html"], 30);
  EXPECT_EQ(demo["video"], 5);
  EXPECT_EQ(demo["discussion"], 30);
  EXPECT_EQ(demo["problem"], 22);
  EXPECT_EQ(demo["openassessment"], 1);
  std::map<std::string, int64_t> v2 = Counts(*db_, "course-v1:OpenedX+DemoX+DemoCourse");
  EXPECT_EQ(v2["chapter"], 6);
  EXPECT_EQ(v2["sequential"], 17);
  EXPECT_EQ(v2["vertical"], 58);
  EXPECT_EQ(v2["html"], 266);
  EXPECT_EQ(v2["problem"], 29);
  std::map<std::string, int64_t> ks = Counts(*db_, "course-v1:Microsoft+KS101+course");
  EXPECT_EQ(ks["problem"], 14);
  EXPECT_EQ(ks["azure_media_services"], 3);

  auto overviews = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::ListOverviews(txn); });
  ASSERT_TRUE(overviews.ok());
  EXPECT_EQ(overviews->size(), 4u);
}

TEST_F(CoursesTest, OverviewFieldsComeFromPolicyAboutAndGrading) {
  CourseImporter importer(*db_, clock_);
  ASSERT_TRUE(importer.Import(SharedOlx("edx-demo-course-quince") / "course").ok());
  ASSERT_TRUE(importer.Import(SharedOlx("openedx-demo-course-v2") / "course").ok());
  auto demo = Overview(*db_, "course-v1:edX+DemoX+Demo_Course");
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  EXPECT_FALSE(demo->display_name.empty());
  ASSERT_TRUE(demo->start.has_value());
  EXPECT_EQ(FormatIso8601(*demo->start).substr(0, 10), "2013-02-05");
  EXPECT_FALSE(demo->self_paced);
  ASSERT_TRUE(demo->lowest_passing_grade.has_value());
  EXPECT_DOUBLE_EQ(*demo->lowest_passing_grade, 0.6);
  EXPECT_EQ(demo->grading_policy["GRADER"].size(), 2u);
  EXPECT_TRUE(demo->overview_html.has_value());
  EXPECT_EQ(
      demo->course_image.value_or("").rfind("/asset-v1:edX+DemoX+Demo_Course+type@asset+block@", 0),
      0u);
  EXPECT_TRUE(demo->advanced.contains("pre_requisite_courses"));
  EXPECT_EQ(demo->version, 1);
  EXPECT_EQ(demo->created_at, clock_.NowMicros());

  auto v2 = Overview(*db_, "course-v1:OpenedX+DemoX+DemoCourse");
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(v2->self_paced);
  EXPECT_EQ(FormatIso8601(v2->start.value_or(0)).substr(0, 10), "2020-01-01");
  EXPECT_DOUBLE_EQ(v2->lowest_passing_grade.value_or(0), 0.5);

  EXPECT_EQ(Overview(*db_, "course-v1:No+Such+Course").status().code(), StatusCode::kNotFound);
}

TEST_F(CoursesTest, ReimportSharesUnchangedBlobsAndCollectsReplacedOnes) {
  CourseImporter importer(*db_, clock_);
  auto first = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_GT(first->static_files, 0);
  auto key = first->course_key;
  // The files are blobs in the database; nothing goes to a data folder.
  EXPECT_EQ(BlobCount(), ReferencedBlobs());
  EXPECT_GT(BlobCount(), 0);
  EXPECT_FALSE(fs::exists(dir_ / "data"));
  const int64_t blobs = BlobCount();
  const int64_t chunks = Scalar(*db_, "SELECT COUNT(*) FROM blob_chunks");
  auto before = Dump(*db_, key.ToString());
  clock_.AdvanceSeconds(60);
  auto second = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
  // Unchanged content is stored once.
  EXPECT_EQ(BlobCount(), blobs);
  EXPECT_EQ(Scalar(*db_, "SELECT COUNT(*) FROM blob_chunks"), chunks);
  auto overview = Overview(*db_, key.ToString());
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->version, 2);
  EXPECT_EQ(overview->updated_at, clock_.NowMicros());
  EXPECT_LT(overview->created_at, overview->updated_at);

  // A changed file gets a new blob and the old one is collected (the test
  // course has a single static file).
  auto small = importer.Import(SharedOlx("openedx-test-course") / "course");
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  key = small->course_key;
  std::string changed;
  fs::path copy = ChangedCopy("openedx-test-course", &changed);
  auto old_asset = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::FindAsset(txn, key, changed); });
  ASSERT_TRUE(old_asset.ok()) << changed;
  auto third = importer.Import(copy);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(BlobCount(), ReferencedBlobs());
  auto new_asset = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::FindAsset(txn, key, changed); });
  ASSERT_TRUE(new_asset.ok());
  EXPECT_EQ(new_asset->sha256, storage::Sha256Hex("new content"));
  EXPECT_EQ(new_asset->size, 11);
  auto gone = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return storage::FindBlob(txn, old_asset->sha256); });
  ASSERT_TRUE(gone.ok());
  // Collected unless another file of the course has the same bytes.
  auto assets = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::ListAssets(txn, key); });
  ASSERT_TRUE(assets.ok());
  bool still_used = std::any_of(assets->begin(), assets->end(), [&](const CourseAsset& a) {
    return a.sha256 == old_asset->sha256;
  });
  EXPECT_FALSE(still_used);
  EXPECT_FALSE(gone->has_value()) << "the replaced file's blob is collected";
}

TEST_F(CoursesTest, FailedImportLeavesThePreviousVersionIntact) {
  CourseImporter importer(*db_, clock_);
  auto first = importer.Import(SharedOlx("openedx-test-course") / "course");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto key = first->course_key;
  auto before = Dump(*db_, key.ToString());
  ASSERT_FALSE(before.empty());
  const int64_t blobs_before = BlobCount();

  ImportOptions failing;
  bool called = false;
  failing.before_commit_for_test = [&] {
    called = true;
    return UnavailableError("disk went away");
  };
  // The changed file's new blob is written in the import's transaction and
  // rolled back with it.
  auto second = importer.Import(ChangedCopy("openedx-test-course"), failing);
  EXPECT_TRUE(called);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
  auto overview = Overview(*db_, key.ToString());
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->version, 1);
  EXPECT_EQ(BlobCount(), blobs_before);
  EXPECT_EQ(BlobCount(), ReferencedBlobs());

  // A broken export fails before touching anything.
  fs::path broken = dir_ / "broken";
  fs::create_directories(broken);
  std::ofstream(broken / "course.xml") << "<course url_name=\"1\" org=\"TestX\" course=\"Course\"";
  EXPECT_EQ(importer.Import(broken).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
}

TEST_F(CoursesTest, ImportsATarGz) {
  CourseImporter importer(*db_, clock_);
  auto result = importer.Import(SharedOlx("openedx-test-course") / "test-course.tar.gz");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->course_key.ToString(), "course-v1:TestX+Course+1");
  EXPECT_EQ(Counts(*db_, "course-v1:TestX+Course+1")["split_test"], 2);
}

TEST_F(CoursesTest, ImportsIntoAnotherRun) {
  CourseImporter importer(*db_, clock_);
  ImportOptions options;
  options.target_course_key = *keys::CourseKey::Parse("course-v1:TestX+Course+2026");
  auto result = importer.Import(SharedOlx("openedx-test-course") / "course", options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->course_key.ToString(), "course-v1:TestX+Course+2026");
  EXPECT_EQ(Counts(*db_, "course-v1:TestX+Course+2026")["split_test"], 2);
  EXPECT_TRUE(Counts(*db_, "course-v1:TestX+Course+1").empty());
}

TEST_F(CoursesTest, ImportJobRejectsBadPayloadsWithoutCallingTheHook) {
  int hooked = 0;
  std::unique_ptr<storage::FileStore> files = storage::NewDatabaseFileStore(*db_, clock_);
  LARCH_ASSERT_OK(files->Put("elsewhere/a.tar.gz", "x", "").status());
  CourseImportService service(*db_, clock_, *files, [&](const keys::CourseKey&) {
    ++hooked;
    return OkStatus();
  });
  EXPECT_THAT(service.RunImportJob(nlohmann::json::array()),
              larch::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service.RunImportJob({{"course_key", "course-v1:TestX+Course+1"}}),
              larch::testing::StatusIs(StatusCode::kInvalidArgument));
  // Local paths, names outside imports/ and names escaping it are refused
  // before anything is read or deleted.
  for (const std::string archive :
       {(SharedOlx("openedx-test-course") / "test-course.tar.gz").string(),
        std::string("elsewhere/a.tar.gz"), std::string("imports/../elsewhere/a.tar.gz"),
        std::string("imports//a.tar.gz"), std::string("imports")}) {
    Status outside =
        service.RunImportJob({{"course_key", "course-v1:TestX+Course+1"}, {"archive", archive}});
    EXPECT_THAT(outside, larch::testing::StatusIs(StatusCode::kInvalidArgument)) << archive;
    EXPECT_EQ(outside.message(), "courses.import archive outside the imports folder") << archive;
  }
  LARCH_ASSERT_OK(files->Put("imports/t/a.tar.gz", "x", "").status());
  EXPECT_THAT(
      service.RunImportJob({{"course_key", "not a key"}, {"archive", "imports/t/a.tar.gz"}}),
      larch::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(hooked, 0);
  EXPECT_TRUE(fs::exists(SharedOlx("openedx-test-course") / "test-course.tar.gz"));
  LARCH_EXPECT_OK(files->Stat("elsewhere/a.tar.gz").status());
}

TEST_F(CoursesTest, ImportJobRunsOnAnotherProcessImportsIntoTheRunAndDropsTheUpload) {
  // The upload was stored by one process (this handle)...
  std::unique_ptr<storage::FileStore> files = storage::NewDatabaseFileStore(*db_, clock_);
  LARCH_ASSERT_OK(files
                      ->PutFile("imports/task-1/a.tar.gz",
                                SharedOlx("openedx-test-course") / "test-course.tar.gz", "")
                      .status());
  // ...and the job runs in another one: its own handle on the same database.
  other_ = OpenDb(dir_ / "a.db");
  ASSERT_NE(other_, nullptr);
  std::unique_ptr<storage::FileStore> other_files = storage::NewDatabaseFileStore(*other_, clock_);
  std::vector<std::string> hooked;
  CourseImportService service(*other_, clock_, *other_files, [&](const keys::CourseKey& key) {
    hooked.push_back(key.ToString());
    return UnavailableError("milestones down");
  });
  Status s = service.RunImportJob(
      {{"course_key", "course-v1:TestX+Course+2026"}, {"archive", "imports/task-1/a.tar.gz"}});
  // The hook's error is the job's error.
  EXPECT_THAT(s, larch::testing::StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(hooked, std::vector<std::string>{"course-v1:TestX+Course+2026"});
  EXPECT_EQ(Counts(*db_, "course-v1:TestX+Course+2026")["split_test"], 2);
  EXPECT_THAT(files->Stat("imports/task-1/a.tar.gz"),
              larch::testing::StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(Scalar(*db_, "SELECT COUNT(*) FROM stored_files"), 0);
  // Only the course's assets keep blobs; the archive's is collected.
  EXPECT_EQ(BlobCount(), ReferencedBlobs());
}

TEST_F(CoursesTest, FailedImportJobDropsTheUploadAndSkipsTheHook) {
  std::unique_ptr<storage::FileStore> files = storage::NewDatabaseFileStore(*db_, clock_);
  LARCH_ASSERT_OK(files->Put("imports/task-2/a.tar.gz", "not a tarball", "").status());
  int hooked = 0;
  CourseImportService service(*db_, clock_, *files, [&](const keys::CourseKey&) {
    ++hooked;
    return OkStatus();
  });
  Status s = service.RunImportJob(
      {{"course_key", "course-v1:TestX+Course+1"}, {"archive", "imports/task-2/a.tar.gz"}});
  EXPECT_THAT(s, larch::testing::StatusIs(StatusCode::kInvalidArgument));
  // The author sees the uploaded file's name, not a server path.
  EXPECT_EQ(s.message().find("/tmp"), std::string::npos) << s.message();
  EXPECT_EQ(hooked, 0);
  EXPECT_THAT(files->Stat("imports/task-2/a.tar.gz"),
              larch::testing::StatusIs(StatusCode::kNotFound));
  EXPECT_TRUE(Counts(*db_, "course-v1:TestX+Course+1").empty());
  EXPECT_EQ(BlobCount(), 0);

  // An upload that is not (any more) in the store.
  EXPECT_THAT(service.RunImportJob({{"course_key", "course-v1:TestX+Course+1"},
                                    {"archive", "imports/task-3/gone.tar.gz"}}),
              larch::testing::StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(hooked, 0);
}

TEST_F(CoursesTest, ExportRoundTripGivesIdenticalRows) {
  for (const char* folder : {"openedx-test-course", "edx-demo-course-quince", "oxa-kitchen-sink"}) {
    SCOPED_TRACE(folder);
    CourseImporter a(*db_, clock_);
    auto imported = a.Import(SharedOlx(folder) / "course");
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    fs::path out = dir_ / folder / "export";
    LARCH_ASSERT_OK(ExportCourse(*db_, imported->course_key, out));
    other_ = OpenDb(dir_ / folder / "b.db");
    ASSERT_NE(other_, nullptr);
    CourseImporter b(*other_, clock_);
    auto again = b.Import(out);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ExpectSameRows(Dump(*other_, again->course_key.ToString()),
                   Dump(*db_, imported->course_key.ToString()));
    other_.reset();
  }
}

TEST_F(CoursesTest, ImportsALibrary) {
  CourseImporter importer(*db_, clock_);
  auto result = importer.ImportLibrary(SharedOlx("openedx-test-course") / "library");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->context_key, "library-v1:TestX+ProblemBank");
  EXPECT_GT(Counts(*db_, "library-v1:TestX+ProblemBank")["problem"], 0);
  auto again = importer.ImportLibrary(SharedOlx("openedx-test-course") / "library");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(Counts(*db_, "library-v1:TestX+ProblemBank"), result->block_counts);
}

TEST_F(CoursesTest, CatalogTreeReloadsOnlyWhenTheVersionChanges) {
  CourseImporter importer(*db_, clock_);
  auto result = importer.Import(SharedOlx("oxa-kitchen-sink") / "course");
  ASSERT_TRUE(result.ok());
  CourseCatalog catalog(*db_);
  const std::string key = result->course_key.ToString();
  auto t1 = catalog.GetTree(key);
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  auto t2 = catalog.GetTree(key);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(t1->get(), t2->get());
  EXPECT_EQ(catalog.tree_loads_for_test(), 1);
  EXPECT_EQ((*t1)->blocks.size(), static_cast<size_t>(result->blocks));
  ASSERT_TRUE(importer.Import(SharedOlx("oxa-kitchen-sink") / "course").ok());
  auto t3 = catalog.GetTree(key);
  ASSERT_TRUE(t3.ok());
  EXPECT_NE(t3->get(), t1->get());
  EXPECT_EQ(catalog.tree_loads_for_test(), 2);
  auto missing = catalog.GetTree("course-v1:No+Such+Run");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(CoursesTest, FindAssetByPathOrAssetNameAndReadItsBlob) {
  CourseImporter importer(*db_, clock_);
  auto result = importer.Import(SharedOlx("openedx-demo-course-v2") / "course");
  ASSERT_TRUE(result.ok());
  auto assets = storage::RunWithResult(
      *db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) { return CourseStore::ListAssets(txn, result->course_key); });
  ASSERT_TRUE(assets.ok());
  ASSERT_EQ(static_cast<int64_t>(assets->size()), result->static_files);
  const CourseAsset& first = assets->front();
  for (const std::string& name : {first.path, keys::AssetNameForStaticPath(first.path)}) {
    auto found =
        storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
          return CourseStore::FindAsset(txn, result->course_key, name);
        });
    ASSERT_TRUE(found.ok()) << name;
    EXPECT_EQ(found->path, first.path);
    const fs::path source = SharedOlx("openedx-demo-course-v2") / "course" / "static" / first.path;
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(source)), found->size);
    EXPECT_EQ(found->sha256, storage::Sha256HexOfFile(source).value());
    EXPECT_EQ(found->modified_at, clock_.NowMicros());
  }
  const fs::path source = SharedOlx("openedx-demo-course-v2") / "course" / "static" / first.path;
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LARCH_ASSERT_OK_AND_ASSIGN(std::string content, ReadAssetContent(*db_, first, 1 << 30));
  EXPECT_EQ(content, bytes);
  EXPECT_THAT(ReadAssetContent(*db_, first, static_cast<uint64_t>(first.size) - 1),
              larch::testing::StatusIs(StatusCode::kResourceExhausted));
  // A node-local copy for code that needs a path, made once.
  LARCH_ASSERT_OK_AND_ASSIGN(fs::path local, MaterializeAsset(*db_, first, dir_ / "cache"));
  EXPECT_EQ(local, dir_ / "cache" / first.sha256);
  std::ifstream copied(local, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(copied)), std::istreambuf_iterator<char>()),
            bytes);
  LARCH_ASSERT_OK_AND_ASSIGN(fs::path again, MaterializeAsset(*db_, first, dir_ / "cache"));
  EXPECT_EQ(again, local);
  CourseAsset legacy = first;
  legacy.sha256.clear();
  EXPECT_THAT(MaterializeAsset(*db_, legacy, dir_ / "cache"),
              larch::testing::StatusIs(StatusCode::kNotFound));
}

TEST(TranscriptTextTest, KeepsTheSpokenLinesOnly) {
  EXPECT_EQ(
      TranscriptText("\xEF\xBB\xBF"
                     "0\r\n00:00:00,000 --> 00:00:00,650\r\n\r\n1\n"
                     "00:00:00,650 --> 00:00:03,920\nERIC: Hi, and welcome\nto the course.\n\n"
                     "2\n00:00:03,920 --> 00:00:07,450\n42 ways\n",
                     TranscriptFormat::kSrt),
      "ERIC: Hi, and welcome to the course. 42 ways");
  EXPECT_EQ(TranscriptText(R"({"start": [0, 10], "end": [10, 20], "text": ["Hello", "world"]})",
                           TranscriptFormat::kSjson),
            "Hello world");
  EXPECT_EQ(TranscriptText("{not json", TranscriptFormat::kSjson), "");
  EXPECT_EQ(TranscriptText(R"({"text": "no list"})", TranscriptFormat::kSjson), "");
  EXPECT_EQ(TranscriptText("", TranscriptFormat::kSrt), "");
}

TEST(SjsonToSrtTest, WritesOneNumberedCuePerTriple) {
  EXPECT_EQ(SjsonToSrt(R"({"start": [0, 3723004], "end": [650, 3725000],
                           "text": ["Hello", "world"]})"),
            "1\n00:00:00,000 --> 00:00:00,650\nHello\n\n"
            "2\n01:02:03,004 --> 01:02:05,000\nworld\n\n");
  EXPECT_EQ(SjsonToSrt(R"({"start": [0], "end": [1], "text": [3]})"), "");
  EXPECT_EQ(SjsonToSrt(R"({"start": [0, 1], "end": [1], "text": ["a", "b"]})"),
            "1\n00:00:00,000 --> 00:00:00,001\na\n\n");
  EXPECT_EQ(SjsonToSrt("{not json"), "");
  EXPECT_EQ(SjsonToSrt(R"({"start": 1, "end": [], "text": []})"), "");
}

TEST(RewriteStaticUrlsTest, RewritesQuotedStaticUrlsOnly) {
  auto key = *keys::CourseKey::Parse("course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(
      RewriteStaticUrls("<img src=\"/static/images/a.png\"> /static/x '/static/b.pdf?x=1'", key),
      "<img src=\"/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_a.png\"> "
      "/static/x '/asset-v1:edX+DemoX+Demo_Course+type@asset+block@b.pdf?x=1'");
}

TEST(PublicImportMessageTest, HidesServerPathsKeepsArchivePaths) {
  fs::path archive = "/srv/larch/data/imports/6f1c/course.tar.gz";
  EXPECT_EQ(PublicImportMessage("/srv/larch/data/imports/6f1c/course.tar.gz: no course.xml found",
                                archive),
            "course.tar.gz: no course.xml found");
  EXPECT_EQ(PublicImportMessage("/tmp/larch-olx-Ab12Cd/course/problem/p1.xml:7: bad XML", archive),
            "course/problem/p1.xml:7: bad XML");
  EXPECT_EQ(PublicImportMessage("cannot write /srv/larch/data/static/x.png: disk full", archive),
            "cannot write x.png: disk full");
  EXPECT_EQ(PublicImportMessage("chapter/c1.xml:3: nesting too deep", archive),
            "chapter/c1.xml:3: nesting too deep");
}

}  // namespace
}  // namespace larch::courses
