#include "larch/olx/olx.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "larch/testing/shared_olx.h"
#include "larch/testing/status_matchers.h"

namespace larch::olx {
namespace {

using ::larch::testing::StatusIs;

namespace fs = std::filesystem;
using nlohmann::json;

fs::path Shared(const std::string& name) { return ::larch::testing::SharedOlxDir() / name; }

// A fresh directory under the test's temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "olx-test-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Entry {
  std::string name;
  std::string content;
  std::string symlink;  // when set, the entry is a symlink to this target
};

void WriteArchive(const fs::path& out, const std::vector<Entry>& entries, bool zip) {
  struct archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
  }
  ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    if (!e.symlink.empty()) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.symlink.c_str());
      archive_entry_set_perm(entry, 0777);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    }
    archive_write_header(a, entry);
    if (e.symlink.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

void WriteTarGz(const fs::path& out, const std::vector<Entry>& entries) {
  WriteArchive(out, entries, /*zip=*/false);
}

// Packs a directory as `prefix/<relative path>` entries.
void TarDirectory(const fs::path& dir, const std::string& prefix, const fs::path& out,
                  bool zip = false) {
  std::vector<Entry> entries;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (!item.is_regular_file()) continue;
    std::ifstream in(item.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    entries.push_back({prefix + fs::relative(item.path(), dir).generic_string(), text.str(), ""});
  }
  WriteArchive(out, entries, zip);
}

keys::UsageKey Key(const std::string& text) { return *keys::UsageKey::Parse(text); }

std::map<std::string, size_t> Counts(const BlockTree& tree) {
  std::map<std::string, size_t> counts;
  for (const auto& [key, block] : tree.blocks) ++counts[block.type];
  return counts;
}

// Everything ReadCourse(WriteCourse(c)) must preserve.
void ExpectSameTree(const BlockTree& a, const BlockTree& b) {
  EXPECT_EQ(a.root, b.root);
  ASSERT_EQ(a.blocks.size(), b.blocks.size());
  for (const auto& [key, block] : a.blocks) {
    const Block* other = b.Find(key);
    ASSERT_NE(other, nullptr) << key.ToString();
    EXPECT_EQ(block.type, other->type);
    EXPECT_EQ(block.url_name, other->url_name);
    EXPECT_EQ(block.parent, other->parent) << key.ToString();
    EXPECT_EQ(block.children, other->children) << key.ToString();
    EXPECT_EQ(block.fields, other->fields) << key.ToString();
    EXPECT_EQ(block.inherited, other->inherited) << key.ToString();
    EXPECT_EQ(block.data, other->data) << key.ToString();
    EXPECT_EQ(block.xml, other->xml) << key.ToString();
    EXPECT_EQ(block.supported, other->supported);
  }
}

void ExpectSameCourse(const Course& a, const Course& b) {
  EXPECT_EQ(a.key, b.key);
  ExpectSameTree(a.tree, b.tree);
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a.grading_policy, b.grading_policy);
  EXPECT_EQ(a.about, b.about);
  EXPECT_EQ(a.info, b.info);
  ASSERT_EQ(a.static_tabs.size(), b.static_tabs.size());
  for (size_t i = 0; i < a.static_tabs.size(); ++i) {
    EXPECT_EQ(a.static_tabs[i].url_slug, b.static_tabs[i].url_slug);
    EXPECT_EQ(a.static_tabs[i].name, b.static_tabs[i].name);
    EXPECT_EQ(a.static_tabs[i].html, b.static_tabs[i].html);
  }
  ASSERT_EQ(a.static_files.size(), b.static_files.size());
  for (size_t i = 0; i < a.static_files.size(); ++i) {
    EXPECT_EQ(a.static_files[i].path, b.static_files[i].path);
    EXPECT_EQ(a.static_files[i].size, b.static_files[i].size);
  }
  EXPECT_EQ(a.assets_json, b.assets_json);
}

struct Expected {
  std::string folder;
  std::string key;
  std::map<std::string, size_t> counts;  // types not listed are not checked
  std::string library;                   // "" when the course ships none
};

const std::vector<Expected>& Courses() {
  static const std::vector<Expected> kCourses = {
      {"edx-demo-course-quince",
       "course-v1:edX+DemoX+Demo_Course",
       {{"course", 1},
        {"chapter", 5},
        {"sequential", 10},
        {"vertical", 44},
        {"html", 30},
        {"video", 5},
        {"discussion", 30},
        {"problem", 22},
        {"openassessment", 1}},
       ""},
      {"openedx-demo-course-v2",
       "course-v1:OpenedX+DemoX+DemoCourse",
       {{"course", 1},
        {"chapter", 6},
        {"sequential", 17},
        {"vertical", 58},
        {"html", 266},
        {"video", 11},
        {"problem", 29},
        {"lti", 2},
        {"library_content", 1},
        {"annotatable", 1},
        {"openassessment", 2}},
       "library-v1:OpenedX+DemoRespiratoryQuestions"},
      {"openedx-test-course",
       "course-v1:TestX+Course+1",
       {{"course", 1},
        {"chapter", 2},
        {"sequential", 3},
        {"vertical", 28},
        {"html", 17},
        {"problem", 19},
        {"video", 3},
        {"split_test", 2},
        {"library_content", 2},
        {"lti", 1},
        {"annotatable", 1},
        {"conditional", 0}},
       "library-v1:TestX+ProblemBank"},
      {"oxa-kitchen-sink",
       "course-v1:Microsoft+KS101+course",
       {{"course", 1},
        {"chapter", 4},
        {"sequential", 15},
        {"vertical", 16},
        {"problem", 14},
        {"video", 1},
        {"azure_media_services", 3}},
       ""},
  };
  return kCourses;
}

TEST(OlxReadTest, RealCoursesHaveExactBlockCounts) {
  for (const auto& expected : Courses()) {
    SCOPED_TRACE(expected.folder);
    auto start = std::chrono::steady_clock::now();
    auto course = ReadCourse(Shared(expected.folder) / "course");
    auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(course.ok()) << course.status().ToString();
    std::printf("[olx] read %s: %zu blocks, %zu static files in %.1f ms\n", expected.folder.c_str(),
                course->tree.blocks.size(), course->static_files.size(), elapsed.count());
    EXPECT_EQ(course->key.ToString(), expected.key);
    EXPECT_EQ(course->tree.root.ToString(),
              "block-v1:" + expected.key.substr(10) + "+type@course+block@course");
    auto counts = Counts(course->tree);
    for (const auto& [type, n] : expected.counts) EXPECT_EQ(counts[type], n) << type;
    // Every block but the root has a parent that lists it exactly once.
    for (const auto& [key, block] : course->tree.blocks) {
      if (key == course->tree.root) {
        EXPECT_FALSE(block.parent.has_value());
        continue;
      }
      ASSERT_TRUE(block.parent.has_value()) << key.ToString();
      const Block* parent = course->tree.Find(*block.parent);
      ASSERT_NE(parent, nullptr);
      EXPECT_EQ(std::count(parent->children.begin(), parent->children.end(), key), 1);
    }
    EXPECT_EQ(course->tree.PreOrder().size(), course->tree.blocks.size());
    std::vector<std::string> libs;
    for (const auto& lib : course->ReferencedLibraries()) libs.push_back(lib.ToString());
    if (expected.library.empty()) {
      EXPECT_TRUE(libs.empty());
    } else {
      EXPECT_EQ(libs, std::vector<std::string>{expected.library});
      auto library = ReadLibrary(Shared(expected.folder) / "library");
      ASSERT_TRUE(library.ok()) << library.status().ToString();
      EXPECT_EQ(library->key.ToString(), expected.library);
      EXPECT_GT(library->tree.CountType("problem"), 0u);
      for (const auto& key : library->tree.root_block().children) {
        EXPECT_TRUE(key.in_library());
      }
    }
  }
}

TEST(OlxReadTest, QuinceDetails) {
  auto course = ReadCourse(Shared("edx-demo-course-quince"));  // parent folder works too
  ASSERT_TRUE(course.ok()) << course.status().ToString();
  const Block& root = course->tree.root_block();
  EXPECT_EQ(root.url_name, "Demo_Course");
  EXPECT_EQ(root.fields["display_name"], "Demonstration Course");
  EXPECT_EQ(root.fields["wiki_slug"], "edX.DemoX.Demo_Course");
  // policy.json overrides and adds course fields.
  EXPECT_EQ(root.fields["enrollment_start"], "2013-02-05T00:00:00Z");
  EXPECT_TRUE(root.fields["advanced_modules"].is_array());
  EXPECT_EQ(root.children.front().ToString(),
            "block-v1:edX+DemoX+Demo_Course+type@chapter+block@d8a6192ade314473a78242dfeedfbf5b");

  const Block* seq = course->tree.Find(
      Key("block-v1:edX+DemoX+Demo_Course+type@sequential+block@basic_questions"));
  ASSERT_NE(seq, nullptr);
  EXPECT_EQ(seq->fields["graded"], true);
  EXPECT_EQ(seq->fields["format"], "Homework");

  const Block* problem = course->tree.Find(
      Key("block-v1:edX+DemoX+Demo_Course+type@problem+block@a0effb954cca4759994f1ac9e9434bf4"));
  ASSERT_NE(problem, nullptr);
  EXPECT_TRUE(problem->fields["weight"].is_null());
  EXPECT_EQ(problem->data.rfind("<problem>", 0), 0u);
  EXPECT_NE(problem->xml.find("display_name="), std::string::npos);
  // Inherited from the course (XML attribute and policy).
  EXPECT_EQ(problem->inherited["graceperiod"], "18000 seconds");
  EXPECT_EQ(problem->inherited["showanswer"], "never");  // set on the problem itself
  EXPECT_EQ(course->tree.Find(*problem->parent)->inherited["showanswer"], "attempted");
  EXPECT_EQ(problem->inherited["graded"], true);  // from basic_questions
  EXPECT_EQ(*InheritedFields(course->tree, problem->key), problem->inherited);

  // Discussions are inline (url_name plus attributes); the leftover
  // discussion/*.xml files are orphans.
  size_t inline_discussions = 0;
  for (const auto& [key, block] : course->tree.blocks) {
    if (block.type == "discussion") {
      EXPECT_TRUE(block.inline_definition);
      EXPECT_TRUE(block.fields.contains("discussion_id"));
      ++inline_discussions;
    }
    if (block.type == "html") EXPECT_FALSE(block.fields.contains("filename"));
  }
  EXPECT_EQ(inline_discussions, 30u);
  const Block* html = course->tree.Find(
      Key("block-v1:edX+DemoX+Demo_Course+type@html+block@0a3b4139f51a4917a3aff9d519b1eeb6"));
  ASSERT_NE(html, nullptr);
  EXPECT_NE(html->data.find("<p>"), std::string::npos);
  EXPECT_EQ(html->source_file, "html/0a3b4139f51a4917a3aff9d519b1eeb6.xml");
  const Block* ora = nullptr;
  for (const auto& [key, block] : course->tree.blocks) {
    if (block.type == "openassessment") ora = &block;
  }
  ASSERT_NE(ora, nullptr);
  EXPECT_FALSE(ora->supported);
  EXPECT_NE(ora->xml.find("<rubric"), std::string::npos);

  EXPECT_EQ(course->grading_policy["GRADE_CUTOFFS"]["Pass"], 0.6);
  EXPECT_EQ(EffectiveGradingPolicy(*course)["GRADER"].size(), 2u);
  EXPECT_TRUE(course->about.count("overview"));
  EXPECT_TRUE(course->info.count("updates.html"));
  EXPECT_TRUE(course->info.count("handouts.html"));
  EXPECT_EQ(course->static_tabs.size(), 3u);
  EXPECT_FALSE(course->static_files.empty());
  EXPECT_FALSE(course->assets_json.empty());
  for (const auto& file : course->static_files) {
    EXPECT_EQ(fs::file_size(course->static_dir / file.path), file.size);
  }
}

TEST(OlxReadTest, TestCourseIgnoresDraftsAndOrphans) {
  auto course = ReadCourse(Shared("openedx-test-course") / "course");
  ASSERT_TRUE(course.ok()) << course.status().ToString();
  // Drafts carry parent_url; a draft-only block must not be published.
  fs::path root_dir = Shared("openedx-test-course") / "course";
  size_t draft_only = 0;
  for (const char* type : {"vertical", "html"}) {
    for (const auto& entry : fs::directory_iterator(root_dir / "drafts" / type)) {
      if (entry.path().extension() != ".xml") continue;
      if (fs::exists(root_dir / type / entry.path().filename())) continue;
      ++draft_only;
      std::string id = entry.path().stem().string();
      EXPECT_EQ(course->tree.Find(
                    Key("block-v1:TestX+Course+1+type@" + std::string(type) + "+block@" + id)),
                nullptr)
          << id;
    }
  }
  EXPECT_GT(draft_only, 0u);
  for (const auto& [key, block] : course->tree.blocks) {
    EXPECT_FALSE(block.fields.contains("parent_url")) << key.ToString();
  }
  EXPECT_EQ(course->tree.CountType("conditional"), 0u);
  // user_partitions is a JSON attribute on the course and inherited below.
  const Block& root = course->tree.root_block();
  ASSERT_TRUE(root.fields["user_partitions"].is_array());
  const Block* any_leaf = course->tree.Find(course->tree.PreOrder().back());
  EXPECT_EQ(any_leaf->inherited["user_partitions"], root.fields["user_partitions"]);
  for (const auto& [key, block] : course->tree.blocks) {
    if (block.type == "library_content") {
      EXPECT_EQ(block.fields["source_library_id"], "library-v1:TestX+ProblemBank");
      EXPECT_FALSE(block.children.empty());
    }
    if (block.type == "split_test") EXPECT_EQ(block.children.size(), 3u);
  }
  auto library = ReadLibrary(Shared("openedx-test-course") / "library");
  ASSERT_TRUE(library.ok());
  const Block& lib_root = library->tree.root_block();
  EXPECT_EQ(lib_root.key.ToString(), "lib-block-v1:TestX+ProblemBank+type@library+block@library");
  EXPECT_EQ(lib_root.children.size(), 12u);
  EXPECT_TRUE(lib_root.fields["xqa_key"].is_null());  // XBlock-option element, none="true"
  EXPECT_EQ(lib_root.fields["advanced_modules"], json::array());
  EXPECT_EQ(lib_root.fields["start"], "2030-01-01T00:00:00Z");  // quoted JSON date
}

TEST(OlxReadTest, ZipReadsLikeTheFolder) {
  auto folder = ReadCourse(Shared("openedx-test-course") / "course");
  ASSERT_TRUE(folder.ok());
  TempDir tmp;
  TarDirectory(Shared("openedx-test-course") / "course", "course/", tmp.path() / "c.zip",
               /*zip=*/true);
  auto zipped = ReadCourse(tmp.path() / "c.zip");
  ASSERT_TRUE(zipped.ok()) << zipped.status().ToString();
  ExpectSameCourse(*folder, *zipped);
}

TEST(OlxRekeyTest, MovesEveryKeyToTheNewRun) {
  auto course = ReadCourse(Shared("edx-demo-course-quince") / "course");
  ASSERT_TRUE(course.ok());
  size_t blocks = course->tree.blocks.size();
  auto counts = Counts(course->tree);
  course->tree.blocks.at(course->tree.root).fields["entrance_exam_id"] =
      "block-v1:edX+DemoX+Demo_Course+type@chapter+block@intro";
  auto run = keys::CourseKey::Parse("course-v1:edX+DemoX+2026_T1");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(RekeyCourse(*course, *run).ok());
  EXPECT_EQ(course->key, *run);
  EXPECT_EQ(course->tree.root.ToString(), "block-v1:edX+DemoX+2026_T1+type@course+block@course");
  EXPECT_EQ(course->tree.blocks.size(), blocks);
  EXPECT_EQ(Counts(course->tree), counts);
  for (const auto& [key, block] : course->tree.blocks) {
    EXPECT_EQ(key.course_key(), *run);
    EXPECT_EQ(block.key, key);
    if (block.parent.has_value()) {
      EXPECT_EQ(block.parent->course_key(), *run);
      EXPECT_NE(course->tree.Find(*block.parent), nullptr);
    }
    for (const auto& child : block.children) EXPECT_NE(course->tree.Find(child), nullptr);
  }
  EXPECT_EQ(course->tree.root_block().fields["entrance_exam_id"],
            "block-v1:edX+DemoX+2026_T1+type@chapter+block@intro");
}

TEST(OlxReadTest, TarballReadsLikeTheFolder) {
  auto folder = ReadCourse(Shared("openedx-test-course") / "course");
  ASSERT_TRUE(folder.ok());
  auto upstream = ReadCourse(Shared("openedx-test-course") / "test-course.tar.gz");
  ASSERT_TRUE(upstream.ok()) << upstream.status().ToString();
  ExpectSameCourse(*folder, *upstream);

  TempDir tmp;
  auto quince = ReadCourse(Shared("edx-demo-course-quince") / "course");
  ASSERT_TRUE(quince.ok());
  TarDirectory(Shared("edx-demo-course-quince") / "course", "course/", tmp.path() / "q.tar.gz");
  auto packed = ReadCourse(tmp.path() / "q.tar.gz");
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  ExpectSameCourse(*quince, *packed);
  // Static files stay readable while the Course lives.
  ASSERT_FALSE(packed->static_files.empty());
  EXPECT_TRUE(fs::exists(packed->static_dir / packed->static_files.front().path));
  fs::path scratch_static = packed->static_dir;
  packed = InvalidArgumentError("released");
  EXPECT_FALSE(fs::exists(scratch_static));
}

TEST(OlxWriteTest, RoundTripsAllFourCourses) {
  for (const auto& expected : Courses()) {
    SCOPED_TRACE(expected.folder);
    auto course = ReadCourse(Shared(expected.folder) / "course");
    ASSERT_TRUE(course.ok()) << course.status().ToString();
    TempDir tmp;
    Status written = WriteCourse(*course, tmp.path() / "out");
    ASSERT_TRUE(written.ok()) << written.ToString();
    auto again = ReadCourse(tmp.path() / "out");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ExpectSameCourse(*course, *again);
    // The export itself is stable: writing the re-read course gives the same files.
    ASSERT_TRUE(WriteCourse(*again, tmp.path() / "out2").ok());
    auto third = ReadCourse(tmp.path() / "out2");
    ASSERT_TRUE(third.ok());
    ExpectSameCourse(*again, *third);
  }
}

std::map<std::string, std::string> MiniCourse() {
  return {
      {"course.xml", R"(<course url_name="run1" org="Org" course="Num"/>)"},
      {"course/run1.xml",
       R"(<course display_name="Mini"><chapter url_name="secret:magic"/><wiki slug="w"/></course>)"},
      {"chapter/secret/magic.xml",
       R"(<chapter display_name="Ch" due="&quot;2016-01-01T00:00:00+00:00&quot;">
  <sequential display_name="Inline seq" graded="true" weight="1.0">
    <vertical><html>Hello <b>world</b></html><problem filename="p1" weight="2"/></vertical>
  </sequential>
</chapter>)"},
      {"problem/p1.xml", R"(<problem weight="1" max_attempts="null"><p>Q</p></problem>)"},
      {"policies/run1/policy.json",
       R"({"course/run1": {"start": "2020-01-01T00:00:00Z", "tabs": [{"type": "static_tab", "url_slug": "faq", "name": "FAQ"}]},
           "chapter/secret:magic": {"display_name": "From policy"}})"},
      {"tabs/faq.html", "<p>faq</p>"},
      {"static/images/a.png", "png!"},
  };
}

TEST(OlxReadTest, LegacyFormsFromMemory) {
  auto course = ReadCourseFromFiles(MiniCourse());
  ASSERT_TRUE(course.ok()) << course.status().ToString();
  const Block& root = course->tree.root_block();
  EXPECT_EQ(root.fields["wiki_slug"], "w");
  EXPECT_EQ(root.fields["start"], "2020-01-01T00:00:00Z");
  ASSERT_EQ(root.children.size(), 1u);
  const Block* chapter = course->tree.Find(root.children[0]);
  ASSERT_NE(chapter, nullptr);
  EXPECT_EQ(chapter->key.ToString(), "block-v1:Org+Num+run1+type@chapter+block@secret:magic");
  EXPECT_EQ(chapter->fields["display_name"], "From policy");  // policy beats XML
  EXPECT_EQ(chapter->fields["due"], "2016-01-01T00:00:00+00:00");
  const Block* seq = course->tree.Find(chapter->children.at(0));
  EXPECT_EQ(seq->url_name, "Inline_seq");  // from display_name
  EXPECT_EQ(seq->inherited["due"], "2016-01-01T00:00:00+00:00");
  EXPECT_EQ(seq->inherited["start"], "2020-01-01T00:00:00Z");
  const Block* vertical = course->tree.Find(seq->children.at(0));
  EXPECT_EQ(vertical->url_name.rfind("vertical_", 0), 0u);  // sha1 fallback
  ASSERT_EQ(vertical->children.size(), 2u);
  const Block* html = course->tree.Find(vertical->children[0]);
  EXPECT_EQ(html->data, "Hello <b>world</b>");
  const Block* problem = course->tree.Find(vertical->children[1]);
  EXPECT_EQ(problem->fields["weight"], 2);  // element attribute beats the file's
  EXPECT_TRUE(problem->fields["max_attempts"].is_null());
  EXPECT_EQ(problem->inherited["graded"], true);
  EXPECT_EQ(problem->data, "<problem><p>Q</p></problem>");
  ASSERT_EQ(course->static_tabs.size(), 1u);
  EXPECT_EQ(course->static_tabs[0].name, "FAQ");
  ASSERT_EQ(course->static_files.size(), 1u);
  EXPECT_EQ(course->static_files[0].path, "images/a.png");
  EXPECT_EQ(course->static_files[0].size, 4u);
}

TEST(OlxWriteTest, RoundTripsLegacyInlineForms) {
  auto course = ReadCourseFromFiles(MiniCourse());
  ASSERT_TRUE(course.ok());
  TempDir tmp;
  ASSERT_TRUE(WriteCourse(*course, tmp.path()).ok());
  // Containers and html become pointers; ':' in url_names maps to folders.
  EXPECT_TRUE(fs::exists(tmp.path() / "chapter" / "secret" / "magic.xml"));
  EXPECT_TRUE(fs::exists(tmp.path() / "sequential" / "Inline_seq.xml"));
  auto again = ReadCourse(tmp.path());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ExpectSameTree(course->tree, again->tree);
  EXPECT_EQ(course->policy, again->policy);
}

TEST(OlxReadTest, ErrorsNameFileAndLine) {
  auto files = MiniCourse();
  files["chapter/secret/magic.xml"] = "<chapter>\n  <sequential>\n</chapter>";
  auto bad = ReadCourseFromFiles(files);
  ASSERT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("chapter/secret/magic.xml:3"), std::string::npos)
      << bad.status().message();

  files = MiniCourse();
  files["course/run1.xml"] = "<course>\n\n  <chapter url_name=\"gone\"/>\n</course>";
  auto missing = ReadCourseFromFiles(files);
  ASSERT_THAT(missing, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(missing.status().message().find("course/run1.xml:3"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("chapter/gone.xml"), std::string::npos);

  files = MiniCourse();
  files["chapter/loop.xml"] = R"(<chapter><vertical url_name="v"/></chapter>)";
  files["vertical/v.xml"] = R"(<vertical><chapter url_name="loop"/></vertical>)";
  files["course/run1.xml"] = R"(<course><chapter url_name="loop"/></course>)";
  auto loop = ReadCourseFromFiles(files);
  ASSERT_THAT(loop, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(loop.status().message().find("cycle"), std::string::npos) << loop.status().message();

  files = MiniCourse();
  files["course/run1.xml"] = R"(<course><chapter url_name="..:..:etc:passwd"/></course>)";
  EXPECT_EQ(ReadCourseFromFiles(files).status().code(), StatusCode::kInvalidArgument);

  files = MiniCourse();
  files["policies/run1/policy.json"] = "{not json";
  EXPECT_EQ(ReadCourseFromFiles(files).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadCourse("/nonexistent/olx").status().code(), StatusCode::kNotFound);
}

class ArchiveTest : public ::testing::Test {
 protected:
  // Reads `entries` as an archive with TMPDIR pointed at a private folder,
  // then checks that no scratch directory was left behind.
  StatusOr<Course> Read(const std::vector<Entry>& entries, const ReadOptions& options = {}) {
    fs::path archive = tmp_.path() / "in.tar.gz";
    WriteTarGz(archive, entries);
    fs::path scratch_parent = tmp_.path() / "scratch";
    fs::create_directories(scratch_parent);
    const char* old = std::getenv("TMPDIR");
    std::string saved = old ? old : "";
    setenv("TMPDIR", scratch_parent.c_str(), 1);
    auto course = ReadCourse(archive, options);
    if (old) {
      setenv("TMPDIR", saved.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    if (!course.ok()) EXPECT_TRUE(fs::is_empty(scratch_parent)) << "scratch dir left behind";
    return course;
  }
  std::vector<Entry> Good() {
    std::vector<Entry> entries;
    for (const auto& [name, text] : MiniCourse()) entries.push_back({"./course/" + name, text, ""});
    return entries;
  }
  TempDir tmp_;
};

TEST_F(ArchiveTest, ReadsAGoodArchive) {
  auto course = Read(Good());
  ASSERT_TRUE(course.ok()) << course.status().ToString();
  EXPECT_EQ(course->key.ToString(), "course-v1:Org+Num+run1");
}

TEST_F(ArchiveTest, RejectsHostileEntries) {
  for (const std::string& name : {"../evil.txt", "course/../../evil.txt", "/etc/evil.txt"}) {
    auto entries = Good();
    entries.push_back({name, "x", ""});
    auto course = Read(entries);
    ASSERT_THAT(course, StatusIs(StatusCode::kInvalidArgument)) << name;
    EXPECT_EQ(course.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(course.status().message().find(name), std::string::npos) << course.status().message();
  }
  auto entries = Good();
  entries.push_back({"course/static/link", "", "../../../etc/passwd"});
  auto linked = Read(entries);
  ASSERT_THAT(linked, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(linked.status().message().find("course/static/link"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp_.path() / "evil.txt"));
}

TEST_F(ArchiveTest, EnforcesLimits) {
  ReadOptions few;
  few.max_archive_entries = 3;
  auto too_many = Read(Good(), few);
  ASSERT_THAT(too_many, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(too_many.status().message().find("entries"), std::string::npos);

  auto entries = Good();
  entries.push_back({"course/static/zeros.bin", std::string(3 << 20, '\0'), ""});
  ReadOptions small;
  small.max_uncompressed_bytes = 1 << 20;
  auto too_big = Read(entries, small);
  ASSERT_THAT(too_big, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(too_big.status().message().find("course/static/zeros.bin"), std::string::npos);

  ReadOptions ratio;
  ratio.ratio_check_min_bytes = 1 << 20;
  ratio.max_compression_ratio = 50;
  auto bomb = Read(entries, ratio);
  ASSERT_THAT(bomb, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(bomb.status().message().find("zip bomb"), std::string::npos);
}

}  // namespace
}  // namespace larch::olx
