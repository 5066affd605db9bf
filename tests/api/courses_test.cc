// `larch import-olx` / `larch export-olx` on the real edX Demo course and the
// /asset-v1: and /c4x/ URLs serving its static files.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

fs::path DemoCourse() { return SharedOlx() / "edx-demo-course-quince" / "course"; }

constexpr const char* kDemoLine =
    "Imported course-v1:edX+DemoX+Demo_Course version 1: 148 blocks (chapter 5, course 1, "
    "discussion 30, html 30, openassessment 1, problem 22, sequential 10, vertical 44, video 5), "
    "89 static files";

TEST(CoursesCli, ImportOlxStoresTheDemoCourseAndServesItsAssets) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult imported =
      RunLarch({"import-olx", "--data-dir", dir.path(), DemoCourse().string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_TRUE(Contains(imported.output, kDemoLine)) << imported.output;

  CommandResult again = RunLarch({"import-olx", "--data-dir", dir.path(), DemoCourse().string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(Contains(again.output, "course-v1:edX+DemoX+Demo_Course version 2: 148 blocks"))
      << again.output;

  auto server = LarchProcess::Serve({"--data-dir", dir.path()}, {{"LARCH_ACCESS_LOG", "off"}});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::string base = (*server)->base_url();
  std::string image = ReadFile(DemoCourse() / "static" / "images" / "course_image.jpg");
  ASSERT_FALSE(image.empty());
  auto asset =
      Get(base + "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_course_image.jpg");
  ASSERT_TRUE(asset.ok()) << asset.status().ToString();
  EXPECT_EQ(asset->status, 200);
  EXPECT_EQ(asset->body, image);
  EXPECT_EQ(asset->Header("content-type"), "image/jpeg");
  auto c4x = Get(base + "/c4x/edX/DemoX/asset/images_course_image.jpg");
  ASSERT_TRUE(c4x.ok());
  EXPECT_EQ(c4x->status, 200);
  EXPECT_EQ(c4x->body, image);
  auto missing = Get(base + "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@no_such.png");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  auto other_course =
      Get(base + "/asset-v1:edX+Other+Run+type@asset+block@images_course_image.jpg");
  ASSERT_TRUE(other_course.ok());
  EXPECT_EQ(other_course->status, 404);
  EXPECT_EQ(*(*server)->Stop(SIGTERM), 0);
}

TEST(CoursesCli, ExportOlxRoundTripsThroughImport) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  ASSERT_EQ(RunLarch({"import-olx", "--data-dir", dir.path(), DemoCourse().string()}).exit_code, 0);
  std::string out = dir.path() + "/export";
  CommandResult exported =
      RunLarch({"export-olx", "--data-dir", dir.path(), "course-v1:edX+DemoX+Demo_Course", out});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(fs::exists(out + "/course.xml"));
  EXPECT_EQ(ReadFile(out + "/static/images/course_image.jpg"),
            ReadFile(DemoCourse() / "static" / "images" / "course_image.jpg"));

  TempDir fresh;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", fresh.path()}).exit_code, 0);
  CommandResult reimported = RunLarch({"import-olx", "--data-dir", fresh.path(), out});
  ASSERT_EQ(reimported.exit_code, 0) << reimported.output;
  EXPECT_TRUE(Contains(reimported.output, kDemoLine)) << reimported.output;
}

TEST(CoursesCli, ImportAndExportErrorsAreOneLine) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult missing = RunLarch({"import-olx", "--data-dir", dir.path(), dir.path() + "/nope"});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(Contains(missing.output, "larch: ")) << missing.output;
  CommandResult bad_key = RunLarch({"export-olx", "--data-dir", dir.path(), "bogus", "/tmp/x"});
  EXPECT_EQ(bad_key.exit_code, 2) << bad_key.output;
  CommandResult unknown = RunLarch(
      {"export-olx", "--data-dir", dir.path(), "course-v1:No+Such+Run", dir.path() + "/out"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_TRUE(Contains(unknown.output, "not found")) << unknown.output;
  EXPECT_EQ(RunLarch({"import-olx", "--data-dir", dir.path()}).exit_code, 2);
}

}  // namespace
}  // namespace larch::testing
