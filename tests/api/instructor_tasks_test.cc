// The instructor dashboard's background tasks through the real `larch`
// binary on SQLite and PostgreSQL: the grade report CSV (its columns and
// numbers checked by hand and against the progress API), the profile CSV,
// the report list and downloads, rescore and reset for all learners as
// tasks with their progress, the task list and status, the progress URL
// lookup, and the callers that must be refused (anonymous, a learner, the
// staff of another course, course staff where instructors are needed).
#include <gtest/gtest.h>

#include <chrono>
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

constexpr char kCourse[] = "course-v1:Larch+T+2024";
constexpr char kOther[] = "course-v1:Larch+O+2024";
constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kBlock[] = "block-v1:Larch+T+2024+type@problem+block@";

// A form value: '+' (in every key here) would read as a space.
std::string Enc(std::string value) {
  for (size_t at = value.find('+'); at != std::string::npos; at = value.find('+', at)) {
    value.replace(at, 1, "%2B");
  }
  return value;
}

std::string Numerical(const std::string& answer) {
  return "<numericalresponse answer=\"" + answer +
         "\"><responseparam type=\"tolerance\" default=\"0.01\"/><textline/>"
         "</numericalresponse>";
}

// Two graded Homework subsections (HW One: p1, p2; HW Two: p3), one graded
// Exam (p4) and an ungraded practice (p5). Homework drops its lowest of two
// and weighs 0.5, the Exam 0.5; 50% passes. `p2` is p2's answer.
void WriteCourse(const fs::path& dir, const std::string& number, const std::string& p2 = "4") {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  auto seq = [](const std::string& name, const std::string& title, const std::string& format,
                const std::string& problems) {
    std::string graded = format.empty() ? "" : " graded=\"true\" format=\"" + format + "\"";
    return "<sequential url_name=\"" + name + "\" display_name=\"" + title + "\"" + graded +
           "><vertical url_name=\"v" + name + "\">" + problems + "</vertical></sequential>\n";
  };
  auto problem = [](const std::string& name, const std::string& answer) {
    return "<problem url_name=\"" + name + "\">" + Numerical(answer) + "</problem>";
  };
  std::ofstream(dir / "course.xml")
      << "<course url_name=\"2024\" org=\"Larch\" course=\"" << number << "\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Tasks\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "<chapter url_name=\"ch\" display_name=\"Week 1\">\n"
      << seq("hw1", "HW One", "Homework", problem("p1", "4") + problem("p2", p2))
      << seq("hw2", "HW Two", "Homework", problem("p3", "4"))
      << seq("exam", "Final", "Exam", problem("p4", "4"))
      << seq("practice", "Practice", "", problem("p5", "4")) << "</chapter>\n</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Tasks"}}}};
  std::ofstream(dir / "policies" / "2024" / "grading_policy.json") << json{
      {"GRADER",
       json::array({{{"type", "Homework"},
                     {"min_count", 2},
                     {"drop_count", 1},
                     {"short_label", "HW"},
                     {"weight", 0.5}},
                    {{"type", "Exam"}, {"min_count", 1}, {"drop_count", 0}, {"weight", 0.5}}})},
      {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
}

class InstructorTasksApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
    env_["LARCH_JOB_WORKERS"] = "2";
    Run({"migrate", "--data-dir", dir_.path()});
    for (const char* number : {"T", "O"}) {
      fs::path course = fs::path(dir_.path()) / number;
      WriteCourse(course, number);
      Run({"import-olx", "--data-dir", dir_.path(), course.string()});
    }
    EXPECT_EQ(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_).exit_code, 0);
    EXPECT_EQ(ImportUsers(dir_.path(), kUsers, kPasswordHash, env_).exit_code, 0);
    EXPECT_EQ(CreatePasswordClient(dir_.path(), "script", "script-secret", env_).exit_code, 0);
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    tokens_["admin"] = Token("admin", "Admin-Secret-1");
    for (const std::string& name : kUsers) {
      tokens_[name] = Token(name, kPassword);
      ASSERT_FALSE(tokens_[name].empty()) << name;
    }
    for (const char* name : {"alice", "bob", "carol", "dave"}) {
      auto r = Send(
          "POST", Url("/api/enrollment/v1/enrollment"),
          json{{"course_details", {{"course_id", kCourse}}}}.dump(),
          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_[name]}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }
    // dave leaves: his row stays, "unenrolled".
    auto left =
        Post("dave", "/change_enrollment", "enrollment_action=unenroll&course_id=" + Enc(kCourse));
    ASSERT_TRUE(left.ok());
    ASSERT_EQ(left->status, 200) << left->body;
    Grant(kCourse, "teacher", "instructor");
    Grant(kCourse, "assistant", "staff");
    Grant(kOther, "outsider", "staff");
    // alice: HW One 1/2, HW Two 1/1, Exam 1/1; bob: HW One 1/2; carol nothing.
    Answer("alice", "p1", "4");
    Answer("alice", "p2", "7");
    Answer("alice", "p3", "4");
    Answer("alice", "p4", "4");
    Answer("alice", "p5", "4");
    Answer("bob", "p1", "4");
  }

  void Run(const std::vector<std::string>& args) {
    CommandResult r = RunLarch(args, env_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
  }

  std::string Token(const std::string& username, const std::string& password) {
    json body =
        Json(PasswordGrant(server_->base_url(), "script", "script-secret", username, password));
    return body.is_object() && body.contains("access_token")
               ? body["access_token"].get<std::string>()
               : std::string();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  void Grant(const std::string& course, const std::string& who, const std::string& role) {
    auto r = Post("admin", "/courses/" + course + "/instructor/api/modify_access",
                  "unique_student_identifier=" + who + "&rolename=" + role + "&action=allow");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  void Answer(const std::string& who, const std::string& problem, const std::string& value) {
    auto r = Post(who,
                  "/courses/" + std::string(kCourse) + "/xblock/" + kBlock + problem +
                      "/handler/xmodule_handler/problem_check",
                  "input_" + problem + "_2_1=" + value);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // POST a form as `who` ("" anonymous).
  StatusOr<HttpClientResponse> Post(const std::string& who, const std::string& path,
                                    const std::string& form = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    return Send("POST", Url(path), form, headers);
  }
  StatusOr<HttpClientResponse> Get(const std::string& who, const std::string& path) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    return Send("GET", Url(path), "", headers);
  }
  StatusOr<HttpClientResponse> Api(const std::string& who, const std::string& view,
                                   const std::string& form = "",
                                   const std::string& course = kCourse) {
    return Post(who, "/courses/" + course + "/instructor/api/" + view, form);
  }
  json ApiOk(const std::string& who, const std::string& view, const std::string& form = "") {
    auto r = Api(who, view, form);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << view << ": " << r->body;
    return Json(r);
  }

  // Waits for the course's report list to hold `count` reports.
  json WaitForDownloads(size_t count) {
    json downloads;
    for (int i = 0; i < 300; ++i) {
      downloads = ApiOk("teacher", "list_report_downloads")["downloads"];
      if (downloads.size() >= count) return downloads;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no report after 30 s: " << downloads.dump();
    return downloads;
  }

  // Waits for the problem's newest task to be ready; returns its features.
  json WaitForProblemTask(const std::string& problem) {
    json task;
    for (int i = 0; i < 300; ++i) {
      json tasks = ApiOk("teacher", "list_instructor_tasks",
                         "problem_location_str=" + Enc(std::string(kBlock) + problem))["tasks"];
      if (!tasks.empty()) {
        task = tasks[0];
        if (task["task_state"] == "SUCCESS" || task["task_state"] == "FAILURE") return task;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "task not done after 30 s: " << task.dump();
    return task;
  }

  int64_t UserId(const std::string& username) {
    auto r =
        Get("admin", std::string("/api/grades/v1/gradebook/") + kCourse + "/?username=" + username);
    return Json(r).value("user_id", int64_t{0});
  }

  json Progress(const std::string& username) {
    auto r = Get("admin", std::string("/api/course_home/v1/progress/") + kCourse + "/" +
                              std::to_string(UserId(username)) + "/");
    EXPECT_TRUE(r.ok() && r->status == 200);
    return Json(r);
  }

  inline static const std::vector<std::string> kUsers = {"alice",   "bob",       "carol",   "dave",
                                                         "teacher", "assistant", "outsider"};
  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(InstructorTasksApiTest, GradeReportCsvHasUpstreamsColumnsAndTheProgressNumbers) {
  json created = ApiOk("assistant", "calculate_grades_csv");
  EXPECT_EQ(created, (json{{"status",
                            "The grade report is being created. To view the status of the "
                            "report, see Pending Tasks below."}}));
  json downloads = WaitForDownloads(1);
  ASSERT_EQ(downloads.size(), 1u);
  std::string name = downloads[0]["name"];
  EXPECT_EQ(name.rfind("Larch_T_2024_grade_report_", 0), 0u) << name;
  std::string url = downloads[0]["url"];
  EXPECT_EQ(downloads[0]["link"], "<a href=\"" + url + "\">" + name + "</a>");

  auto csv = Get("teacher", url);
  ASSERT_TRUE(csv.ok());
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->Header("content-disposition"), "attachment; filename=\"" + name + "\"");
  auto id = [&](const char* who) { return std::to_string(UserId(who)); };
  // By hand: alice HW One 1/2 = 0.5, HW Two 1.0, Exam 1.0; Homework drops
  // its lowest: 1.0; grade 0.5 * 1.0 + 0.5 * 1.0 = 1.0. bob HW One 0.5,
  // the rest not attempted; Homework (0.5, 0.0) drops 0.0: 0.5; grade
  // 0.25. carol and dave attempted nothing: 0.0 everywhere.
  std::string expected =
      "Student ID,Email,Username,Grade,Homework 1: HW One,Homework 2: HW Two,Homework (Avg),"
      "Exam,Enrollment Track,Verification Status,Certificate Eligible,Certificate Delivered,"
      "Certificate Type,Enrollment Status\r\n" +
      id("alice") + ",alice@example.com,alice,1.0,0.5,1.0,1.0,1.0,audit,N/A,N,N,N/A,enrolled\r\n" +
      id("bob") +
      ",bob@example.com,bob,0.25,0.5,Not Attempted,0.5,Not Attempted,audit,N/A,N,N,N/A,"
      "enrolled\r\n" +
      id("carol") +
      ",carol@example.com,carol,0.0,Not Attempted,Not Attempted,0.0,Not Attempted,audit,N/A,N,N,"
      "N/A,enrolled\r\n" +
      id("dave") +
      ",dave@example.com,dave,0.0,Not Attempted,Not Attempted,0.0,Not Attempted,audit,N/A,N,N,"
      "N/A,unenrolled\r\n";
  EXPECT_EQ(csv->body, expected);
  // The same numbers as the progress page.
  EXPECT_DOUBLE_EQ(Progress("alice")["course_grade"]["percent"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(Progress("bob")["course_grade"]["percent"].get<double>(), 0.25);

  // The finished task, as the task status view tells it.
  json status = Json(Get("teacher", "/instructor_task_status/?task_id=unknown"));
  EXPECT_EQ(status, json::object());

  // The profile report joins the list, newest first.
  json profile = ApiOk("teacher", "get_students_features/csv");
  EXPECT_EQ(profile["status"],
            "The enrolled learner profile report is being created. To view the status of the "
            "report, see Pending Tasks below.");
  downloads = WaitForDownloads(2);
  ASSERT_EQ(downloads.size(), 2u);
  std::string profile_name = downloads[0]["name"];
  EXPECT_NE(profile_name.find("_student_profile_info_"), std::string::npos) << profile_name;
  auto profile_csv = Get("teacher", downloads[0]["url"]);
  ASSERT_TRUE(profile_csv.ok());
  EXPECT_EQ(profile_csv->body.substr(0, profile_csv->body.find("\r\n")),
            "id,username,name,email,language,location,year_of_birth,gender,level_of_education,"
            "mailing_address,goals,enrollment_mode,last_login,date_joined,external_user_key,city,"
            "country");
  EXPECT_NE(profile_csv->body.find("\r\n" + id("alice") + ",alice,"), std::string::npos);
  EXPECT_EQ(profile_csv->body.find(",dave,"), std::string::npos);  // active learners only
  json named = ApiOk("teacher", "list_report_downloads", "report_name=" + name)["downloads"];
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]["name"], name);
}

TEST_P(InstructorTasksApiTest, ReportsAndTasksRefuseOthers) {
  ApiOk("teacher", "calculate_grades_csv");
  json downloads = WaitForDownloads(1);
  ASSERT_EQ(downloads.size(), 1u);
  std::string url = downloads[0]["url"];
  for (const char* view :
       {"calculate_grades_csv", "get_students_features/csv", "list_report_downloads",
        "list_instructor_tasks", "get_student_progress_url"}) {
    for (const char* who : {"", "alice", "outsider"}) {
      auto r = Api(who, view, "unique_student_identifier=alice");
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 403) << view << " as " << who;
      EXPECT_EQ(r->body, "") << view << " as " << who;
    }
  }
  auto anonymous = Get("", url);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Get("alice", url)->status, 403);
  EXPECT_EQ(Get("outsider", url)->status, 403);
  // Another course's path, or a name that is not the report's, finds nothing.
  std::string other = url;
  other.replace(other.find(kCourse), std::string(kCourse).size(), kOther);
  EXPECT_EQ(Get("admin", other)->status, 404);
  EXPECT_EQ(Get("admin", url + "x")->status, 404);
  EXPECT_EQ(Get("admin", url)->status, 200);
  // Status of a task: anonymous 401, others see nothing.
  EXPECT_EQ(Get("", "/instructor_task_status/?task_id=x")->status, 401);
  // The all-learner forms need an instructor.
  const std::string p2 =
      "problem_to_reset=" + Enc(std::string(kBlock) + "p2") + "&all_students=true";
  for (const char* view : {"rescore_problem", "reset_student_attempts"}) {
    auto r = Api("assistant", view, p2);
    EXPECT_EQ(r->status, 403) << view;
    EXPECT_EQ(r->body, "Requires instructor access.") << view;
  }
}

TEST_P(InstructorTasksApiTest, RescoreAndResetEveryLearnerAsTasks) {
  // p2's answer becomes 7: alice's 7 is now right.
  fs::path course = fs::path(dir_.path()) / "T";
  WriteCourse(course, "T", "7");
  Run({"import-olx", "--data-dir", dir_.path(), course.string()});
  const std::string p2 = "problem_to_reset=" + Enc(std::string(kBlock) + "p2");
  json created = ApiOk("teacher", "rescore_problem", p2 + "&all_students=true");
  EXPECT_EQ(created, (json{{"problem_to_reset", std::string(kBlock) + "p2"}, {"task", "created"}}));
  json task = WaitForProblemTask("p2");
  EXPECT_EQ(task["task_type"], "rescore_problem");
  EXPECT_EQ(task["task_state"], "SUCCESS");
  EXPECT_EQ(task["requester"], "teacher");
  EXPECT_EQ(task["status"], "Complete");
  EXPECT_EQ(task["task_message"], "Problem successfully rescored for 1 students");
  EXPECT_EQ(json::parse(task["task_input"].get<std::string>()),
            (json{{"problem_url", std::string(kBlock) + "p2"}, {"only_if_higher", false}}));
  EXPECT_TRUE(task["duration_sec"].is_number_integer()) << task.dump();
  // The grade follows (alice: HW One 2/2).
  double percent = 0;
  for (int i = 0; i < 100 && percent != 1.0; ++i) {
    json progress = Progress("alice");
    for (const json& section : progress["section_scores"]) {
      for (const json& sub : section["subsections"]) {
        if (sub["display_name"] == "HW One") percent = sub["percent_graded"].get<double>();
      }
    }
    if (percent != 1.0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_DOUBLE_EQ(percent, 1.0);

  json status = Json(
      Get("teacher", "/instructor_task_status/?task_id=" + task["task_id"].get<std::string>()));
  EXPECT_EQ(status["task_id"], task["task_id"]);
  EXPECT_EQ(status["task_state"], "SUCCESS");
  EXPECT_EQ(status["in_progress"], false);
  EXPECT_EQ(status["succeeded"], true);
  EXPECT_EQ(status["message"], "Problem successfully rescored for 1 students");
  EXPECT_EQ(status["task_progress"]["action_name"], "rescored");
  EXPECT_EQ(status["task_progress"]["attempted"], 1);
  EXPECT_EQ(status["task_progress"]["succeeded"], 1);
  EXPECT_EQ(status["task_progress"]["total"], 1);
  // Not for the staff of another course.
  EXPECT_EQ(Json(Get("outsider",
                     "/instructor_task_status/?task_id=" + task["task_id"].get<std::string>())),
            json::object());

  // Reset p1 for everyone: alice and bob have attempts.
  json reset = ApiOk("teacher", "reset_student_attempts",
                     "problem_to_reset=" + Enc(std::string(kBlock) + "p1") + "&all_students=true");
  EXPECT_EQ(reset, (json{{"problem_to_reset", std::string(kBlock) + "p1"},
                         {"task", "created"},
                         {"student", "All Students"}}));
  json reset_task = WaitForProblemTask("p1");
  EXPECT_EQ(reset_task["task_type"], "reset_problem_attempts");
  EXPECT_EQ(reset_task["task_message"], "Problem successfully reset for 2 students");
  // Again: nobody has attempts left.
  ApiOk("teacher", "reset_student_attempts",
        "problem_to_reset=" + Enc(std::string(kBlock) + "p1") + "&all_students=true");
  for (int i = 0; i < 300; ++i) {
    json tasks = ApiOk("teacher", "list_instructor_tasks",
                       "problem_location_str=" + Enc(std::string(kBlock) + "p1"))["tasks"];
    if (tasks.size() == 2 && tasks[0]["task_state"] == "SUCCESS") {
      EXPECT_EQ(tasks[0]["task_message"],
                "Problem failed to be reset for any of 2 students (skipping 2)");
      EXPECT_EQ(tasks[0]["status"], "Incomplete");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Nothing is running now.
  EXPECT_EQ(ApiOk("teacher", "list_instructor_tasks")["tasks"], json::array());

  // Bad input.
  EXPECT_EQ(Api("teacher", "rescore_problem",
                "problem_to_reset=" + Enc(std::string(kBlock) + "nope") + "&all_students=true")
                ->body,
            std::string(kBlock) + "nope not found");
  EXPECT_EQ(Api("teacher", "rescore_problem",
                "problem_to_reset=block-v1:Larch%2BT%2B2024%2Btype@vertical%2Bblock@vhw1&all_"
                "students=true")
                ->body,
            "Specified module block-v1:Larch+T+2024+type@vertical+block@vhw1 of type vertical "
            "does not support rescoring.");
  EXPECT_EQ(Api("teacher", "list_instructor_tasks", "unique_student_identifier=alice")->body,
            "unique_student_identifier must accompany problem_location_str");
  EXPECT_EQ(Api("teacher", "list_instructor_tasks", "unique_student_identifier=nobody")->body,
            "User does not exist.");
}

TEST_P(InstructorTasksApiTest, StudentProgressUrl) {
  json found = ApiOk("assistant", "get_student_progress_url",
                     "unique_student_identifier=alice%40example.com");
  EXPECT_EQ(found,
            (json{{"course_id", kCourse},
                  {"progress_url", std::string("/learning/course/") + kCourse + "/progress/" +
                                       std::to_string(UserId("alice")) + "/"}}));
  auto unknown = Api("assistant", "get_student_progress_url", "unique_student_identifier=nobody");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(unknown->body, "User does not exist.");
  auto missing = Api("assistant", "get_student_progress_url");
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json(missing)["parameters"], json::array({"unique_student_identifier"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, InstructorTasksApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
