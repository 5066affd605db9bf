// Prerequisite courses and entrance exams through the real `larch` binary on
// SQLite and PostgreSQL: `import-olx` records the milestones of tiny OLX
// courses, the Blocks API (v1 and v2 alike, as upstream's milestones
// transformer) removes what a learner may not open, staff bypass the gate, the staff-only milestone
// endpoint fulfils, and with the flags off nothing is gated.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kA[] = "course-v1:Larch+A+2024";
constexpr char kB[] = "course-v1:Larch+B+2024";
constexpr char kE[] = "course-v1:Larch+E+2024";
constexpr char kPassword[] = "Learner-Secret-1";

std::string Block(const std::string& course, const std::string& type, const std::string& id) {
  return "block-v1:" + course.substr(std::string("course-v1:").size()) + "+type@" + type +
         "+block@" + id;
}

std::string Query(std::string key) {
  std::string out;
  for (char ch : key) out += ch == '+' ? std::string("%2B") : std::string(1, ch);
  return out;
}

// Django's pbkdf2_sha256 hash, so import-users can give the learner a
// password.
std::string DjangoHash(const std::string& password) {
  const std::string salt = "larchsalt";
  const int iterations = 1000;
  unsigned char key[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof(key), key);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, key, sizeof(key));
  return "pbkdf2_sha256$" + std::to_string(iterations) + "$" + salt + "$" +
         std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// A two-chapter course: "exam" (with an html block linking a static file)
// and "week1", with `policy` as its policy.json settings.
void WriteCourse(const fs::path& dir, const std::string& number, const json& policy) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml")
      << "<course url_name=\"2024\" org=\"Larch\" course=\"" << number << "\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Course " << number
      << "\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"exam\" display_name=\"Entrance Exam\">\n"
         "    <sequential url_name=\"exam_seq\" display_name=\"Exam\">\n"
         "      <vertical url_name=\"exam_unit\" display_name=\"Exam unit\">\n"
         "        <html url_name=\"exam_html\" display_name=\"Question\">"
         "<p><img src=\"/static/images/x.png\"/></p></html>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"week1\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"w1_seq\" display_name=\"Lesson\">\n"
         "      <vertical url_name=\"w1_unit\" display_name=\"Unit\">\n"
         "        <html url_name=\"w1_html\" display_name=\"Text\"><p>Hello</p></html>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  json settings = policy;
  settings["display_name"] = "Course " + number;
  std::ofstream(dir / "policies" / "2024" / "policy.json") << json{{"course/2024", settings}};
}

class MilestonesApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path olx = fs::path(dir_.path()) / "olx";
    WriteCourse(olx / "A", "A", json::object());
    WriteCourse(olx / "B", "B", json{{"pre_requisite_courses", {kA}}});
    WriteCourse(olx / "E", "E",
                json{{"entrance_exam_enabled", true},
                     {"entrance_exam_id", Block(kE, "chapter", "exam")},
                     {"entrance_exam_minimum_score_pct", 0.5}});
    for (const char* name : {"A", "B", "E"}) {
      CommandResult r = Run({"import-olx", "--data-dir", dir_.path(), (olx / name).string()});
      if (std::string(name) == "B") {
        EXPECT_NE(r.output.find(std::string("Requires prerequisite course ") + kA),
                  std::string::npos)
            << r.output;
      }
      if (std::string(name) == "E") {
        EXPECT_NE(r.output.find("Requires entrance exam " + Block(kE, "chapter", "exam")),
                  std::string::npos)
            << r.output;
      }
    }
    Run({"createsuperuser", "--data-dir", dir_.path(), "--username", "admin", "--email",
         "admin@example.com", "--password", "Admin-Secret-1"});
    fs::path users = fs::path(dir_.path()) / "users.csv";
    std::ofstream(users) << "username,email,password,is_active\nlearner,learner@example.com,"
                         << DjangoHash(kPassword) << ",true\n";
    Run({"import-users", "--data-dir", dir_.path(), users.string()});
    Run({"create-oauth-client", "--data-dir", dir_.path(), "--name", "script", "--client-id",
         "script", "--client-secret", "script-secret", "--grant-type", "password"});
  }

  CommandResult Run(const std::vector<std::string>& args) {
    CommandResult r = RunLarch(args, env_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
    return r;
  }

  void Start(bool flags_on) {
    std::map<std::string, std::string> env = env_;
    if (flags_on) {
      env["LARCH_FEATURES__MILESTONES_APP"] = "true";
      env["LARCH_FEATURES__ENABLE_PREREQUISITE_COURSES"] = "true";
      env["LARCH_FEATURES__ENTRANCE_EXAMS"] = "true";
      env["LARCH_FEATURES__ENABLE_COURSEWARE_SEARCH"] = "true";
    }
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    admin_ = Token("admin", "Admin-Secret-1");
    learner_ = Token("learner", kPassword);
    ASSERT_FALSE(admin_.empty());
    ASSERT_FALSE(learner_.empty());
  }

  std::string Token(const std::string& username, const std::string& password) {
    auto r = PasswordGrant(server_->base_url(), "script", "script-secret", username, password);
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    json body = Json(r);
    return body.is_object() && body.contains("access_token")
               ? body["access_token"].get<std::string>()
               : std::string();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  // The learner's (or `username`'s, asked by `token`) blocks of `course`.
  json Blocks(const std::string& version, const std::string& course, const std::string& token,
              const std::string& username, const std::string& extra = "") {
    auto r = Get(Url("/api/courses/" + version + "/blocks/?course_id=" + Query(course) +
                     "&username=" + username + "&depth=all" + extra),
                 {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    json body = Json(r);
    return body.is_object() ? body["blocks"] : json::object();
  }

  StatusOr<HttpClientResponse> Fulfil(const std::string& course, const json& body,
                                      const std::string& token) {
    return Send("POST", Url("/api/larch/v1/milestones/" + course + "/fulfill/"), body.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  }

  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
};

TEST_P(MilestonesApiTest, PrerequisiteDeniesContentUntilFulfilled) {
  Start(true);
  if (HasFatalFailure()) return;
  const std::string fields = "&requested_fields=children,graded,format,contains_gated_content";
  json v2 = Blocks("v2", kB, learner_, "learner", fields);
  ASSERT_EQ(v2.size(), 1u) << "only the course root stays: " << v2.dump();
  const json& course = v2[Block(kB, "course", "course")];
  EXPECT_FALSE(course.contains("authorization_denial_reason")) << course.dump();
  EXPECT_EQ(course["contains_gated_content"], true);
  EXPECT_FALSE(course.contains("children")) << course.dump();
  EXPECT_FALSE(v2.contains(Block(kB, "chapter", "week1")));
  EXPECT_FALSE(v2.contains(Block(kB, "html", "w1_html")));

  json v1 = Blocks("v1", kB, learner_, "learner");
  ASSERT_EQ(v1.size(), 1u) << "v1 removes them too: " << v1.dump();
  EXPECT_TRUE(v1.contains(Block(kB, "course", "course")));
  // Staff asking for the learner's view get the learner's gate ...
  EXPECT_EQ(Blocks("v1", kB, admin_, "learner").size(), 1u);
  // ... and their own view is never gated.
  json staff = Blocks("v2", kB, admin_, "admin");
  EXPECT_EQ(staff.size(), 9u);
  EXPECT_FALSE(staff[Block(kB, "chapter", "week1")].contains("authorization_denial_reason"));

  auto show = Get(Url(std::string("/api/larch/v1/milestones/") + kB + "/?username=learner"),
                  {{"Authorization", "Bearer " + admin_}});
  ASSERT_TRUE(show.ok());
  ASSERT_EQ(show->status, 200) << show->body;
  EXPECT_EQ(Json(show)["gated"], true);
  EXPECT_EQ(Json(show)["unfulfilled"][0]["prerequisite_course"], kA);
  // The milestone endpoints are for global staff only.
  EXPECT_EQ(Get(Url(std::string("/api/larch/v1/milestones/") + kB + "/"),
                {{"Authorization", "Bearer " + learner_}})
                ->status,
            403);
  json completion{{"username", "learner"}, {"kind", "course_completion"}};
  EXPECT_EQ(Fulfil(kA, completion, learner_)->status, 403);
  EXPECT_EQ(Send("POST", Url(std::string("/api/larch/v1/milestones/") + kA + "/fulfill/"),
                 completion.dump(), {{"Content-Type", "application/json"}})
                ->status,
            401);

  // Completing A (what its certificate does) opens B.
  auto done = Fulfil(kA, completion, admin_);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(Json(done)["fulfilled"], 1);
  EXPECT_EQ(Blocks("v1", kB, learner_, "learner").size(), 9u);
  v2 = Blocks("v2", kB, learner_, "learner", fields);
  EXPECT_FALSE(v2[Block(kB, "chapter", "week1")].contains("authorization_denial_reason"));
  EXPECT_FALSE(v2[Block(kB, "course", "course")].contains("contains_gated_content"));
  EXPECT_EQ(Fulfil(kA, json{{"username", "nobody"}, {"kind", "course_completion"}}, admin_)->status,
            404);
}

TEST_P(MilestonesApiTest, EntranceExamLeavesOnlyTheExamChapterOpen) {
  Start(true);
  if (HasFatalFailure()) return;
  json v1 = Blocks("v1", kE, learner_, "learner", "&student_view_data=html");
  EXPECT_EQ(v1.size(), 5u) << v1.dump();
  EXPECT_TRUE(v1.contains(Block(kE, "html", "exam_html")));
  EXPECT_FALSE(v1.contains(Block(kE, "chapter", "week1")));
  EXPECT_FALSE(v1.contains(Block(kE, "html", "w1_html")));
  // html student_view_data links to the course's assets, not /static/.
  EXPECT_EQ(v1[Block(kE, "html", "exam_html")]["student_view_data"]["html"],
            "<p><img src=\"/asset-v1:Larch+E+2024+type@asset+block@images_x.png\"/></p>")
      << v1.dump();

  json v2 = Blocks("v2", kE, learner_, "learner", "&nav_depth=1&requested_fields=children");
  ASSERT_EQ(v2.size(), 5u) << v2.dump();
  EXPECT_TRUE(v2.contains(Block(kE, "chapter", "exam")));
  EXPECT_FALSE(v2.contains(Block(kE, "chapter", "week1")));
  EXPECT_FALSE(v2.contains(Block(kE, "sequential", "w1_seq")));
  // nav_depth=1: the course lists its open chapters, each chapter everything
  // below.
  EXPECT_EQ(v2[Block(kE, "course", "course")]["descendants"], json({Block(kE, "chapter", "exam")}));
  EXPECT_EQ(v2[Block(kE, "chapter", "exam")]["descendants"],
            json({Block(kE, "sequential", "exam_seq"), Block(kE, "vertical", "exam_unit"),
                  Block(kE, "html", "exam_html")}));
  EXPECT_FALSE(v2[Block(kE, "sequential", "exam_seq")].contains("descendants"));
  // The blocks of a denied chapter asked for directly are hidden in v1 too.
  auto inside = Get(Url("/api/courses/v1/blocks/" + Block(kE, "chapter", "week1") +
                        "?username=learner&depth=all"),
                    {{"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(Json(inside)["blocks"].size(), 0u) << inside->body;

  // Courseware search hides the closed chapters too.
  auto enrolled =
      Send("POST", Url("/api/enrollment/v1/enrollment"),
           json{{"course_details", {{"course_id", kE}}}}.dump(),
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(enrolled.ok());
  ASSERT_EQ(enrolled->status, 200) << enrolled->body;
  auto search = [&] {
    auto r = Send("POST", Url(std::string("/search/") + kE), "search_string=Hello",
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Bearer " + learner_}});
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r);
  };
  EXPECT_EQ(search()["total"], 0) << search().dump();

  auto passed = Fulfil(kE, json{{"username", "learner"}, {"kind", "entrance_exam"}}, admin_);
  ASSERT_TRUE(passed.ok());
  ASSERT_EQ(passed->status, 200) << passed->body;
  EXPECT_EQ(Blocks("v1", kE, learner_, "learner").size(), 9u);
  EXPECT_EQ(search()["total"], 1) << search().dump();
  EXPECT_EQ(Fulfil(kA, json{{"username", "learner"}, {"kind", "entrance_exam"}}, admin_)->status,
            404)
      << "A has no entrance exam";
}

TEST_P(MilestonesApiTest, FlagsOffGateNothing) {
  Start(false);
  if (HasFatalFailure()) return;
  json b = Blocks("v2", kB, learner_, "learner");
  EXPECT_EQ(b.size(), 9u);
  EXPECT_FALSE(b[Block(kB, "chapter", "week1")].contains("authorization_denial_reason"));
  EXPECT_EQ(Blocks("v1", kE, learner_, "learner").size(), 9u);
  auto show = Get(Url(std::string("/api/larch/v1/milestones/") + kB + "/?username=learner"),
                  {{"Authorization", "Bearer " + admin_}});
  ASSERT_TRUE(show.ok());
  EXPECT_EQ(Json(show)["required"].size(), 1u) << "milestones are recorded even with flags off";
  EXPECT_EQ(Json(show)["gated"], false);
}

INSTANTIATE_TEST_SUITE_P(Backends, MilestonesApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace larch::testing
