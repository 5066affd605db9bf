#include "larch/courses/courses.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/course_import_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
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
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
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

TEST_F(CoursesTest, ReimportReplacesAndMovesStaticFiles) {
  fs::path data = dir_ / "data";
  CourseImporter importer(*db_, clock_, data.string());
  auto first = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_GT(first->static_files, 0);
  auto key = first->course_key;
  EXPECT_TRUE(fs::is_directory(StaticDirFor(data, key, 1)));
  auto before = Dump(*db_, key.ToString());
  clock_.AdvanceSeconds(60);
  auto second = importer.Import(SharedOlx("edx-demo-course-quince") / "course");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
  EXPECT_FALSE(fs::exists(StaticDirFor(data, key, 1).parent_path()));
  EXPECT_TRUE(fs::is_directory(StaticDirFor(data, key, 2)));
  auto overview = Overview(*db_, key.ToString());
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->version, 2);
  EXPECT_EQ(overview->updated_at, clock_.NowMicros());
  EXPECT_LT(overview->created_at, overview->updated_at);
}

TEST_F(CoursesTest, FailedImportLeavesThePreviousVersionIntact) {
  fs::path data = dir_ / "data";
  CourseImporter importer(*db_, clock_, data.string());
  auto first = importer.Import(SharedOlx("openedx-test-course") / "course");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto key = first->course_key;
  auto before = Dump(*db_, key.ToString());
  ASSERT_FALSE(before.empty());
  std::vector<fs::path> files_before;
  for (const auto& e : fs::recursive_directory_iterator(data)) files_before.push_back(e.path());

  ImportOptions failing;
  bool called = false;
  failing.before_commit_for_test = [&] {
    called = true;
    // Inside the import: the new version's files exist, the rows are written.
    EXPECT_TRUE(fs::exists(StaticDirFor(data, key, 2)));
    return UnavailableError("disk went away");
  };
  auto second = importer.Import(SharedOlx("openedx-test-course") / "course", failing);
  EXPECT_TRUE(called);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
  auto overview = Overview(*db_, key.ToString());
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->version, 1);
  std::vector<fs::path> files_after;
  for (const auto& e : fs::recursive_directory_iterator(data)) files_after.push_back(e.path());
  EXPECT_EQ(files_after, files_before);

  // A broken export fails before touching anything.
  fs::path broken = dir_ / "broken";
  fs::create_directories(broken);
  std::ofstream(broken / "course.xml") << "<course url_name=\"1\" org=\"TestX\" course=\"Course\"";
  EXPECT_EQ(importer.Import(broken).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Dump(*db_, key.ToString()), before);
}

TEST_F(CoursesTest, ImportsATarGz) {
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
  auto result = importer.Import(SharedOlx("openedx-test-course") / "test-course.tar.gz");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->course_key.ToString(), "course-v1:TestX+Course+1");
  EXPECT_EQ(Counts(*db_, "course-v1:TestX+Course+1")["split_test"], 2);
}

TEST_F(CoursesTest, ImportsIntoAnotherRun) {
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
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
  CourseImportService service(*db_, clock_, (dir_ / "data").string(), [&](const keys::CourseKey&) {
    ++hooked;
    return OkStatus();
  });
  EXPECT_EQ(service.RunImportJob(nlohmann::json::array()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service.RunImportJob({{"course_key", "course-v1:TestX+Course+1"}}).code(),
            StatusCode::kInvalidArgument);
  Status outside = service.RunImportJob(
      {{"course_key", "course-v1:TestX+Course+1"},
       {"archive", (SharedOlx("openedx-test-course") / "test-course.tar.gz").string()}});
  EXPECT_EQ(outside.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outside.message(), "courses.import archive outside the imports folder");
  EXPECT_EQ(hooked, 0);
  EXPECT_TRUE(fs::exists(SharedOlx("openedx-test-course") / "test-course.tar.gz"));
}

TEST_F(CoursesTest, ImportJobImportsIntoTheRunDropsTheUploadAndRunsTheHook) {
  const fs::path upload = dir_ / "data" / "imports" / "task-1";
  fs::create_directories(upload);
  fs::copy_file(SharedOlx("openedx-test-course") / "test-course.tar.gz", upload / "a.tar.gz");
  std::vector<std::string> hooked;
  CourseImportService service(*db_, clock_, (dir_ / "data").string(),
                              [&](const keys::CourseKey& key) {
                                hooked.push_back(key.ToString());
                                return UnavailableError("milestones down");
                              });
  Status s = service.RunImportJob(
      {{"course_key", "course-v1:TestX+Course+2026"}, {"archive", (upload / "a.tar.gz").string()}});
  // The hook's error is the job's error.
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(hooked, std::vector<std::string>{"course-v1:TestX+Course+2026"});
  EXPECT_EQ(Counts(*db_, "course-v1:TestX+Course+2026")["split_test"], 2);
  EXPECT_FALSE(fs::exists(upload));
}

TEST_F(CoursesTest, FailedImportJobDropsTheUploadAndSkipsTheHook) {
  const fs::path upload = dir_ / "data" / "imports" / "task-2";
  fs::create_directories(upload);
  { std::ofstream(upload / "a.tar.gz") << "not a tarball"; }
  int hooked = 0;
  CourseImportService service(*db_, clock_, (dir_ / "data").string(), [&](const keys::CourseKey&) {
    ++hooked;
    return OkStatus();
  });
  Status s = service.RunImportJob(
      {{"course_key", "course-v1:TestX+Course+1"}, {"archive", (upload / "a.tar.gz").string()}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(hooked, 0);
  EXPECT_FALSE(fs::exists(upload));
  EXPECT_TRUE(Counts(*db_, "course-v1:TestX+Course+1").empty());
}

TEST_F(CoursesTest, ExportRoundTripGivesIdenticalRows) {
  for (const char* folder : {"openedx-test-course", "edx-demo-course-quince", "oxa-kitchen-sink"}) {
    SCOPED_TRACE(folder);
    fs::path data_a = dir_ / folder / "data-a";
    CourseImporter a(*db_, clock_, data_a.string());
    auto imported = a.Import(SharedOlx(folder) / "course");
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    fs::path out = dir_ / folder / "export";
    ASSERT_TRUE(ExportCourse(*db_, data_a, imported->course_key, out).ok());
    other_ = OpenDb(dir_ / folder / "b.db");
    ASSERT_NE(other_, nullptr);
    CourseImporter b(*other_, clock_, (dir_ / folder / "data-b").string());
    auto again = b.Import(out);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ExpectSameRows(Dump(*other_, again->course_key.ToString()),
                   Dump(*db_, imported->course_key.ToString()));
    other_.reset();
  }
}

TEST_F(CoursesTest, ImportsALibrary) {
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
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
  CourseImporter importer(*db_, clock_, (dir_ / "data").string());
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

TEST_F(CoursesTest, FindAssetByPathOrAssetName) {
  fs::path data = dir_ / "data";
  CourseImporter importer(*db_, clock_, data.string());
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
    EXPECT_EQ(static_cast<int64_t>(
                  fs::file_size(StaticDirFor(data, result->course_key, 1) / found->path)),
              found->size);
  }
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
