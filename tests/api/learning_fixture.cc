#include "learning_fixture.h"

#include <fstream>
#include <utility>

#include "api_users.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kPassword[] = "password";  // kPasswordHash

constexpr char kProblem[] =
    "<problem url_name=\"p1\" display_name=\"Add\"><numericalresponse answer=\"4\">"
    "<textline/></numericalresponse></problem>";

void WriteOwnCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  fs::create_directories(dir / "tabs");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"L\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Learning\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\" "
         "end=\"&quot;2030-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"hw\" display_name=\"Homework\" graded=\"true\" "
         "format=\"Homework\" due=\"&quot;2025-06-01T00:00:00+00:00&quot;\">\n"
         "      <vertical url_name=\"u1\" display_name=\"Numbers\">"
      << kProblem
      << "</vertical>\n"
         "      <vertical url_name=\"u2\" display_name=\"Watch\"><video url_name=\"v1\" "
         "youtube_id_1_0=\"3_yD_cEKoCk\"/></vertical>\n"
         "      <vertical url_name=\"secret\" display_name=\"Staff notes\" "
         "visible_to_staff_only=\"true\"><html url_name=\"sh\">secret</html></vertical>\n"
         "    </sequential>\n"
         "    <sequential url_name=\"open\" display_name=\"Reading\" "
         "due=\"&quot;2026-01-01T00:00:00+00:00&quot;\">\n"
         "      <vertical url_name=\"r1\"><html url_name=\"h1\">Read me</html></vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"future\" display_name=\"Later\" "
         "start=\"&quot;2099-01-01T00:00:00+00:00&quot;\">\n"
         "    <sequential url_name=\"fs\" display_name=\"Final\" graded=\"true\" format=\"Exam\" "
         "due=\"&quot;2099-02-01T00:00:00+00:00&quot;\">"
         "<vertical url_name=\"fu\" display_name=\"Final unit\"/></sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"hidden\" display_name=\"Staff\" visible_to_staff_only=\"true\">\n"
         "    <sequential url_name=\"hs\" display_name=\"Hidden\"/>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "tabs" / "faq.html") << "<p>FAQ</p>";
  json tabs = json::array({{{"type", "courseware"}, {"name", "Courseware"}},
                           {{"type", "course_info"}, {"name", "Course Info"}},
                           {{"type", "progress"}, {"name", "Progress"}},
                           {{"type", "static_tab"}, {"name", "FAQ"}, {"url_slug", "faq"}}});
  std::ofstream(dir / "policies" / "2024" / "policy.json") << json{
      {"course/2024", {{"display_name", "Learning"}, {"tabs", tabs}, {"show_calculator", true}}}};
}

void WriteLateCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2099");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2099\" org=\"Larch\" course=\"Z\"/>\n";
  std::ofstream(dir / "course" / "2099.xml")
      << "<course display_name=\"Not yet\" start=\"&quot;2099-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"c\"><sequential url_name=\"s\"><vertical url_name=\"v\" "
         "display_name=\"V\"/>"
         "</sequential></chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2099" / "policy.json")
      << json{{"course/2099", {{"display_name", "Not yet"}}}};
}

}  // namespace

std::string LearnBlock(const std::string& course, const std::string& type, const std::string& id) {
  return "block-v1:" + course.substr(std::string("course-v1:").size()) + "+type@" + type +
         "+block@" + id;
}

void LearningApiTest::SetUp() {
  backend_ = std::make_unique<TestBackend>(GetParam());
  if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
  env_ = backend_->env();
  env_["LARCH_ACCESS_LOG"] = "off";
  Run({"migrate", "--data-dir", dir_.path()});
  fs::path own = fs::path(dir_.path()) / "own";
  WriteOwnCourse(own);
  fs::path late = fs::path(dir_.path()) / "late";
  WriteLateCourse(late);
  Run({"import-olx", "--data-dir", dir_.path(), own.string()});
  Run({"import-olx", "--data-dir", dir_.path(), late.string()});
  Run({"import-olx", "--data-dir", dir_.path(),
       (SharedOlx() / "edx-demo-course-quince" / "course").string()});
  EXPECT_EQ(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_).exit_code, 0);
  EXPECT_EQ(ImportUsers(dir_.path(), {"learner", "outsider"}, kPasswordHash, env_).exit_code, 0);
  EXPECT_EQ(CreatePasswordClient(dir_.path(), "script", "script-secret", env_).exit_code, 0);
  auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  server_ = std::move(p).value();
  admin_ = Token("admin", "Admin-Secret-1");
  learner_ = Token("learner", kPassword);
  outsider_ = Token("outsider", kPassword);
  ASSERT_FALSE(learner_.empty());
  ASSERT_FALSE(admin_.empty());
  for (const char* course : {kLearnDemo, kOwn, kLate}) Enroll(course, learner_);
}

CommandResult LearningApiTest::Run(const std::vector<std::string>& args) {
  CommandResult r = RunLarch(args, env_);
  EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
  return r;
}

std::string LearningApiTest::Token(const std::string& username, const std::string& password) {
  json body =
      Json(PasswordGrant(server_->base_url(), "script", "script-secret", username, password));
  return body.is_object() && body.contains("access_token") ? body["access_token"].get<std::string>()
                                                           : std::string();
}

StatusOr<HttpClientResponse> LearningApiTest::Get(const std::string& path,
                                                  const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return Send("GET", Url(path), "", headers);
}

json LearningApiTest::Ok(const std::string& path, const std::string& token) {
  auto r = Get(path, token);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return json();
  EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  return Json(r);
}

int LearningApiTest::StatusOf(const std::string& path, const std::string& token) {
  auto r = Get(path, token);
  return r.ok() ? r->status : -1;
}

void LearningApiTest::Enroll(const std::string& course, const std::string& token) {
  auto r = Send("POST", Url("/api/enrollment/v1/enrollment"),
                json{{"course_details", {{"course_id", course}}}}.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << course << ": " << r->body;
}

}  // namespace larch::testing
