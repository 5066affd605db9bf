// Capa problems through the real `larch` binary on SQLite and PostgreSQL:
// a learner enrolls in the edX Demo course and a small course of our own,
// answers through the xmodule_handler URL the unit iframe posts to, and gets
// Open edX's replies; the callers and blocks that must be refused are
// refused (anonymous, not enrolled, not started, staff-only, past due, out
// of attempts, no CSRF token on a session); parallel submissions of one
// learner all count, once.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backends.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kOwn[] = "course-v1:Larch+P+2024";
constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kStateChanged[] =
    "The state of this problem has changed since you loaded this page. Please refresh your page.";

std::string Block(const std::string& course, const std::string& type, const std::string& id) {
  return "block-v1:" + course.substr(std::string("course-v1:").size()) + "+type@" + type +
         "+block@" + id;
}

std::string HandlerPath(const std::string& course, const std::string& id,
                        const std::string& dispatch) {
  return "/courses/" + course + "/xblock/" + Block(course, "problem", id) +
         "/handler/xmodule_handler/" + dispatch;
}

constexpr char kNumerical[] =
    "<numericalresponse answer=\"4\"><responseparam type=\"tolerance\" default=\"0.01\"/>"
    "<textline/></numericalresponse>";

// One chapter open since 2020 (num: one attempt; late: due in 2021;
// staffonly), one opening in 2099 (hidden).
void WriteOwnCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"P\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Problems\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"s\" display_name=\"Homework\">\n"
         "      <vertical url_name=\"u\" display_name=\"Unit\">\n"
         "        <problem url_name=\"num\" max_attempts=\"1\" showanswer=\"attempted\">"
      << kNumerical
      << "</problem>\n"
         "        <problem url_name=\"late\" due=\"&quot;2021-01-01T00:00:00+00:00&quot;\">"
      << kNumerical
      << "</problem>\n"
         "        <problem url_name=\"staffonly\" visible_to_staff_only=\"true\">"
      << kNumerical
      << "</problem>\n"
         "        <problem url_name=\"many\">"
      << kNumerical
      << "</problem>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"future\" display_name=\"Later\" "
         "start=\"&quot;2099-01-01T00:00:00+00:00&quot;\">\n"
         "    <sequential url_name=\"fs\"><vertical url_name=\"fu\">"
         "<problem url_name=\"hidden\">"
      << kNumerical
      << "</problem></vertical></sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Problems"}}}};
}

class CoursewareApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path own = fs::path(dir_.path()) / "own";
    WriteOwnCourse(own);
    Run({"import-olx", "--data-dir", dir_.path(), own.string()});
    Run({"import-olx", "--data-dir", dir_.path(),
         (SharedOlx() / "edx-demo-course-quince" / "course").string()});
    Expect(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_), "createsuperuser");
    Expect(ImportUsers(dir_.path(), {"learner", "outsider"}, kPasswordHash, env_), "import-users");
    Expect(CreatePasswordClient(dir_.path(), "script", "script-secret", env_), "oauth client");
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    admin_ = Token("admin", "Admin-Secret-1");
    learner_ = Token("learner", kPassword);
    outsider_ = Token("outsider", kPassword);
    ASSERT_FALSE(learner_.empty());
    for (const char* course : {kDemo, kOwn}) {
      auto r =
          Send("POST", Url("/api/enrollment/v1/enrollment"),
               json{{"course_details", {{"course_id", course}}}}.dump(),
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner_}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }

  static void Expect(const CommandResult& r, const char* what) {
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.output;
  }

  CommandResult Run(const std::vector<std::string>& args) {
    CommandResult r = RunLarch(args, env_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
    return r;
  }

  std::string Token(const std::string& username, const std::string& password) {
    json body =
        Json(PasswordGrant(server_->base_url(), "script", "script-secret", username, password));
    return body.is_object() && body.contains("access_token")
               ? body["access_token"].get<std::string>()
               : std::string();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  StatusOr<HttpClientResponse> Post(const std::string& path, const std::string& form,
                                    const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Send("POST", Url(path), form, headers);
  }

  // The reply of a call that must succeed.
  json Call(const std::string& course, const std::string& id, const std::string& dispatch,
            const std::string& form = "", const std::string& token = "") {
    auto r = Post(HandlerPath(course, id, dispatch), form, token.empty() ? learner_ : token);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << dispatch << ": " << r->body;
    return Json(r);
  }

  int Status(const std::string& course, const std::string& id, const std::string& dispatch,
             const std::string& token) {
    auto r = Post(HandlerPath(course, id, dispatch), "", token);
    return r.ok() ? r->status : -1;
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
  std::string outsider_;
};

TEST_P(CoursewareApiTest, DemoCourseProblemsGradeAndRemember) {
  const std::string text = "0d759dee4f9d459c8956136dbde55f02";
  const std::string input = "input_" + text + "_2_1";
  json get = Call(kDemo, text, "problem_get");
  EXPECT_NE(get["html"].get<std::string>().find("name=\"" + input + "\""), std::string::npos)
      << get.dump();
  EXPECT_EQ(get["total_possible"], 1);

  json wrong = Call(kDemo, text, "problem_check", input + "=Spain");
  EXPECT_EQ(wrong["success"], "incorrect");
  EXPECT_EQ(wrong["current_score"], 0);
  json right = Call(kDemo, text, "problem_check", input + "=france");
  EXPECT_EQ(right["success"], "correct") << right.dump();
  EXPECT_EQ(right["current_score"], 1);
  EXPECT_EQ(right["attempts_used"], 2);
  EXPECT_EQ(right["progress_changed"], true);
  // showanswer="always": the answer and the solution.
  json shown = Call(kDemo, text, "problem_show");
  EXPECT_EQ(shown["answers"][text + "_2_1"], "France");
  EXPECT_NE(shown["answers"][text + "_solution_1"].get<std::string>().find("wikipedia"),
            std::string::npos);
  // The state is kept: a new problem_get shows the answer and its status.
  std::string html = Call(kDemo, text, "problem_get")["html"];
  EXPECT_NE(html.find("value=\"france\""), std::string::npos) << html;
  EXPECT_NE(html.find("status correct"), std::string::npos) << html;

  // A numerical problem with showanswer="never": staff cannot see it either.
  json wheels = Call(kDemo, "ex_practice_limited_checks", "problem_check",
                     "input_ex_practice_limited_checks_2_1=4");
  EXPECT_EQ(wheels["success"], "correct");
  EXPECT_EQ(Call(kDemo, "ex_practice_limited_checks", "problem_show")["success"], kStateChanged);
}

TEST_P(CoursewareApiTest, AttemptsDueDatesAndSaveFollowUpstream) {
  json first = Call(kOwn, "num", "problem_check", "input_num_2_1=5");
  EXPECT_EQ(first["success"], "incorrect");
  // max_attempts="1": closed now, with upstream's message and no new attempt.
  json again = Call(kOwn, "num", "problem_check", "input_num_2_1=4");
  EXPECT_EQ(again["success"], kStateChanged);
  EXPECT_EQ(again["attempts_used"], 1);
  EXPECT_EQ(again["current_score"], 0);
  json save = Call(kOwn, "num", "problem_save", "input_num_2_1=4");
  EXPECT_EQ(save["success"], false);
  EXPECT_EQ(save["msg"], "Problem is closed.");
  json reset = Call(kOwn, "num", "problem_reset");
  EXPECT_EQ(reset["msg"], "You cannot select Reset for a problem that is closed.");
  // showanswer="attempted" after one attempt.
  EXPECT_EQ(Call(kOwn, "num", "problem_show")["answers"]["num_2_1"], "4");

  EXPECT_EQ(Call(kOwn, "late", "problem_check", "input_late_2_1=4")["success"], kStateChanged);
  json saved = Call(kOwn, "many", "problem_save", "input_many_2_1=3");
  EXPECT_EQ(saved["success"], true);
  EXPECT_NE(saved["html"].get<std::string>().find("value=\"3\""), std::string::npos);
}

TEST_P(CoursewareApiTest, RefusedCallersAndBlocks) {
  const std::string path = HandlerPath(kOwn, "many", "problem_check");
  auto anonymous = Post(path, "input_many_2_1=4", "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 403);
  EXPECT_EQ(anonymous->body, "Unauthenticated");
  // Not enrolled: the block does not exist for them.
  EXPECT_EQ(Status(kOwn, "many", "problem_get", outsider_), 404);
  // Not started, staff-only: 404 for the learner, open to staff.
  EXPECT_EQ(Status(kOwn, "hidden", "problem_get", learner_), 404);
  EXPECT_EQ(Status(kOwn, "staffonly", "problem_get", learner_), 404);
  EXPECT_EQ(Status(kOwn, "hidden", "problem_get", admin_), 200);
  EXPECT_EQ(Status(kOwn, "staffonly", "problem_get", admin_), 200);
  // Unknown dispatch, block, course, or a block of another course.
  EXPECT_EQ(Status(kOwn, "many", "problem_explode", learner_), 404);
  EXPECT_EQ(Status(kOwn, "nope", "problem_get", learner_), 404);
  EXPECT_EQ(Status("course-v1:No+Such+Course", "many", "problem_get", learner_), 404);
  auto cross = Post("/courses/" + std::string(kDemo) + "/xblock/" + Block(kOwn, "problem", "many") +
                        "/handler/xmodule_handler/problem_get",
                    "", learner_);
  EXPECT_EQ(cross->status, 404);
  // A bad form is upstream's generic ProcessingError reply (nothing but
  // "success"), and not an attempt.
  json bad = Call(kOwn, "many", "problem_check", "broken=1");
  EXPECT_EQ(bad.size(), 1u) << bad.dump();
  EXPECT_NE(bad["success"].get<std::string>().find("We're sorry"), std::string::npos);
  EXPECT_EQ(Call(kOwn, "many", "problem_get")["attempts_used"], 0);
}

TEST_P(CoursewareApiTest, SessionCallersNeedTheCsrfToken) {
  std::map<std::string, std::string> jar;
  auto keep = [&jar](const StatusOr<HttpClientResponse>& r) {
    if (!r.ok()) return;
    for (const auto& [name, value] : r->headers) {
      if (name != "set-cookie") continue;
      size_t eq = value.find('=');
      size_t semi = value.find(';');
      jar[value.substr(0, eq)] =
          value.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
    }
  };
  auto cookies = [&jar] {
    std::string out;
    for (const auto& [k, v] : jar) out += (out.empty() ? "" : "; ") + k + "=" + v;
    return out;
  };
  keep(Get(Url("/api/user/v1/account/login_session/")));
  keep(Send("POST", Url("/api/user/v1/account/login_session/"),
            "email=learner%40example.com&password=" + std::string(kPassword),
            {{"Content-Type", "application/x-www-form-urlencoded"},
             {"Cookie", cookies()},
             {"X-CSRFToken", jar["csrftoken"]}}));
  ASSERT_TRUE(jar.count("sessionid")) << "login failed";
  const std::string path = HandlerPath(kOwn, "many", "problem_check");
  auto without =
      Send("POST", Url(path), "input_many_2_1=4",
           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookies()}});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->status, 403);
  auto with = Send("POST", Url(path), "input_many_2_1=4",
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Cookie", cookies()},
                    {"X-CSRFToken", jar["csrftoken"]}});
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->status, 200) << with->body;
  EXPECT_EQ(Json(with)["success"], "correct");
}

TEST_P(CoursewareApiTest, ParallelSubmissionsAllCountOnce) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = Post(HandlerPath(kOwn, "many", "problem_check"), "input_many_2_1=4", learner_);
        if (!r.ok() || r->status != 200 || Json(r)["success"] != "correct") ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Call(kOwn, "many", "problem_get")["attempts_used"], kThreads * kEach);
}

// The progress tab reads the scores: 1/11 in basic_questions (Homework) and
// 1/6 in workflow (Exam) give round(0.0909/2*0.75 + 0.1667*0.25) = 0.08.
TEST_P(CoursewareApiTest, ProgressReportsTheGradeOpenEdxWouldGive) {
  const std::string text = "0d759dee4f9d459c8956136dbde55f02";
  Call(kDemo, text, "problem_check", "input_" + text + "_2_1=France");
  Call(kDemo, "ex_practice_limited_checks", "problem_check",
       "input_ex_practice_limited_checks_2_1=4");
  auto r = Get(Url(std::string("/api/course_home/v1/progress/") + kDemo),
               {{"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Json(r);
  EXPECT_DOUBLE_EQ(body["course_grade"]["percent"].get<double>(), 0.08) << body["course_grade"];
  EXPECT_TRUE(body["course_grade"]["letter_grade"].is_null());
  EXPECT_EQ(body["course_grade"]["is_passing"], false);
  EXPECT_EQ(body["user_has_passing_grade"], false);
  EXPECT_EQ(body["username"], "learner");
  EXPECT_EQ(body["enrollment_mode"], "audit");
  EXPECT_EQ(body["grading_policy"]["grade_range"]["Pass"], 0.6);
  json basic;
  for (const json& section : body["section_scores"]) {
    for (const json& sub : section["subsections"]) {
      std::string key = sub["block_key"];
      if (key.size() > 15 && key.substr(key.size() - 15) == "basic_questions") basic = sub;
    }
  }
  ASSERT_TRUE(basic.is_object()) << body["section_scores"].dump();
  EXPECT_EQ(basic["num_points_earned"].dump(), "1.0");
  EXPECT_EQ(basic["num_points_possible"].dump(), "11.0");
  EXPECT_DOUBLE_EQ(basic["percent_graded"].get<double>(), 0.0909);
  EXPECT_EQ(basic["assignment_type"], "Homework");
  EXPECT_EQ(basic["has_graded_assignment"], true);

  // Who may read it.
  const std::string path = std::string("/api/course_home/v1/progress/") + kDemo;
  EXPECT_EQ(Get(Url(path))->status, 401);
  auto outsider = Get(Url(path), {{"Authorization", "Bearer " + outsider_}});
  EXPECT_EQ(outsider->status, 401);
  EXPECT_EQ(Json(outsider), "User not enrolled.");
  json me =
      Json(Get(Url("/api/user/v1/accounts/learner"), {{"Authorization", "Bearer " + learner_}}));
  json admin =
      Json(Get(Url("/api/user/v1/accounts/admin"), {{"Authorization", "Bearer " + admin_}}));
  ASSERT_TRUE(me.contains("id")) << me.dump();
  std::string learner_id = std::to_string(me["id"].get<int64_t>());
  std::string admin_id = std::to_string(admin["id"].get<int64_t>());
  EXPECT_EQ(
      Get(Url(path + "/" + admin_id + "/"), {{"Authorization", "Bearer " + learner_}})->status,
      404);
  auto staff_view =
      Get(Url(path + "/" + learner_id + "/"), {{"Authorization", "Bearer " + admin_}});
  ASSERT_EQ(staff_view->status, 200) << staff_view->body;
  EXPECT_EQ(Json(staff_view)["username"], "learner");
  EXPECT_DOUBLE_EQ(Json(staff_view)["course_grade"]["percent"].get<double>(), 0.08);
  EXPECT_EQ(Get(Url(std::string("/api/course_home/progress/course-v1:No+Such+Run/")),
                {{"Authorization", "Bearer " + learner_}})
                ->status,
            404);
}

// A customresponse whose cfn is the problem's own Python, graded in the
// sandbox: kitchen-sink's "enter two integers that sum to 10 / 20".
TEST_P(CoursewareApiTest, PythonCustomResponseIsGradedInTheSandbox) {
  const std::string kitchen = "course-v1:Microsoft+KS101+course";
  Run({"import-olx", "--data-dir", dir_.path(),
       (SharedOlx() / "oxa-kitchen-sink" / "course").string()});
  auto enrolled =
      Send("POST", Url("/api/enrollment/v1/enrollment"),
           json{{"course_details", {{"course_id", kitchen}}}}.dump(),
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(enrolled.ok());
  ASSERT_EQ(enrolled->status, 200) << enrolled->body;
  const std::string id = "8c9ee892599b456fa9892a00b077d942";
  const std::string in = "input_" + id;
  json wrong = Call(kitchen, id, "problem_check",
                    in + "_2_1=1&" + in + "_2_2=1&" + in + "_3_1=11&" + in + "_3_2=9");
  EXPECT_EQ(wrong["success"], "incorrect") << wrong.dump();
  // A cfn returning a bool marks every input of its response: 0 + 2 of 4.
  EXPECT_EQ(wrong["current_score"], 2);
  EXPECT_EQ(wrong["total_possible"], 4);
  json right = Call(kitchen, id, "problem_check",
                    in + "_2_1=3&" + in + "_2_2=7&" + in + "_3_1=11&" + in + "_3_2=9");
  EXPECT_EQ(right["success"], "correct") << right.dump();
  EXPECT_EQ(right["current_score"], 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, CoursewareApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
