// Timed exams through the real `larch` binary on SQLite and PostgreSQL
// (issue 10 item 6): the edx-proctoring endpoints the learning MFE calls,
// the exam's units gated until the learner starts, problems refused once
// the exam is over, expiry capped by the due date, extra time for one
// learner, the roles that are refused, and ENABLE_SPECIAL_EXAMS off.
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
#include "larch/common/clock.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kCourse[] = "course-v1:Larch+TE+2024";
constexpr char kOtherCourse[] = "course-v1:Larch+OT+2024";
constexpr char kBase[] = "/api/edx_proctoring/v1/proctored_exam";
constexpr char kStateChanged[] =
    "The state of this problem has changed since you loaded this page. Please refresh your page.";

std::string Key(const std::string& type, const std::string& id) {
  return std::string("block-v1:Larch+TE+2024+type@") + type + "+block@" + id;
}

// kCourse (timed exams enabled): sequential "exam" (30 minutes) with unit
// "eu" holding problem "ep"; sequential "quick" (30 minutes, due in 50 s,
// so its clock is capped to 0 minutes) with unit "qu" holding problem "qp";
// sequential "plain" with unit "pu".
void WriteCourse(const fs::path& dir, const std::string& number, bool timed) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml")
      << "<course url_name=\"2024\" org=\"Larch\" course=\"" << number << "\"/>\n";
  std::string soon = FormatIso8601(SystemClock::Default()->NowMicros() + 50'000'000);
  auto problem = [](const std::string& id) {
    return "<problem url_name=\"" + id +
           "\" display_name=\"Add\"><numericalresponse answer=\"4\">"
           "<textline/></numericalresponse></problem>";
  };
  std::string limit = timed ? " is_time_limited=\"true\" default_time_limit_minutes=\"30\"" : "";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Timed\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"exam\" display_name=\"Midterm\" graded=\"true\" "
         "format=\"Exam\""
      << limit << "><vertical url_name=\"eu\">" << problem("ep")
      << "</vertical></sequential>\n"
         "    <sequential url_name=\"quick\" display_name=\"Quiz\" due=\"&quot;"
      << soon << "&quot;\"" << limit << "><vertical url_name=\"qu\">" << problem("qp")
      << "</vertical></sequential>\n"
         "    <sequential url_name=\"plain\" display_name=\"Reading\"><vertical url_name=\"pu\">"
         "<html url_name=\"h\">Read me</html></vertical></sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Timed"}, {"enable_timed_exams", timed}}}};
}

// A query value as URLSearchParams writes it ("+" and "@" escaped).
std::string Encoded(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '+') {
      out += "%2B";
    } else if (c == '@') {
      out += "%40";
    } else {
      out += c;
    }
  }
  return out;
}

class SpecialExamsApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
    env_["LARCH_FEATURES__ENABLE_SPECIAL_EXAMS"] = "true";
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path timed = fs::path(dir_.path()) / "timed";
    WriteCourse(timed, "TE", true);
    fs::path other = fs::path(dir_.path()) / "other";
    WriteCourse(other, "OT", false);
    Run({"import-olx", "--data-dir", dir_.path(), timed.string()});
    Run({"import-olx", "--data-dir", dir_.path(), other.string()});
    EXPECT_EQ(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_).exit_code, 0);
    EXPECT_EQ(ImportUsers(dir_.path(), {"learner", "bob", "teacher", "otherstaff", "outsider"},
                          kPasswordHash, env_)
                  .exit_code,
              0);
    EXPECT_EQ(CreatePasswordClient(dir_.path(), "script", "script-secret", env_).exit_code, 0);
    StartServer();
    for (const char* name : {"learner", "bob"}) {
      auto r = Call(name, "POST", "/api/enrollment/v1/enrollment",
                    json{{"course_details", {{"course_id", kCourse}}}}.dump());
      ASSERT_EQ(r.first, 200) << r.second;
    }
    Grant(kCourse, "teacher");
    Grant(kOtherCourse, "otherstaff");
  }

  void StartServer() {
    server_.reset();
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    tokens_["admin"] = Token("admin", "Admin-Secret-1");
    for (const char* name : {"learner", "bob", "teacher", "otherstaff", "outsider"}) {
      tokens_[name] = Token(name, kPassword);
      ASSERT_FALSE(tokens_[name].empty()) << name;
    }
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

  // `method` on `path` as `who` ("" anonymous) with a JSON body; {status, body}.
  std::pair<int, std::string> Call(const std::string& who, const std::string& method,
                                   const std::string& path, const std::string& body = "",
                                   const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    auto r = Send(method, Url(path), body, headers);
    EXPECT_TRUE(r.ok()) << path;
    if (!r.ok()) return {-1, ""};
    return {r->status, r->body};
  }

  json Ok(const std::string& who, const std::string& method, const std::string& path,
          const std::string& body = "") {
    auto [status, text] = Call(who, method, path, body);
    EXPECT_EQ(status, 200) << method << " " << path << ": " << text;
    return text.empty() ? json() : json::parse(text, nullptr, false);
  }

  void Grant(const std::string& course, const std::string& who) {
    auto r = Call("admin", "POST", "/courses/" + course + "/instructor/api/modify_access",
                  "unique_student_identifier=" + who + "&rolename=staff&action=allow",
                  "application/x-www-form-urlencoded");
    ASSERT_EQ(r.first, 200) << r.second;
  }

  // The exam block's data for `who` (the MFE's fetchExamAttemptsData).
  json ExamData(const std::string& who, const std::string& sequence) {
    return Ok(who, "GET",
              std::string(kBase) + "/attempt/course_id/" + kCourse +
                  "?content_id=" + Encoded(Key("sequential", sequence)) + "&is_learning_mfe=true");
  }

  json Check(const std::string& who, const std::string& problem) {
    auto r = Call(who, "POST",
                  "/courses/" + std::string(kCourse) + "/xblock/" + Key("problem", problem) +
                      "/handler/xmodule_handler/problem_check",
                  "input_" + problem + "_2_1=4", "application/x-www-form-urlencoded");
    EXPECT_EQ(r.first, 200) << r.second;
    return json::parse(r.second, nullptr, false);
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(SpecialExamsApiTest, LearnerStartsWorksAndSubmitsATimedExam) {
  json meta = Ok("learner", "GET", std::string("/api/courseware/course/") + kCourse);
  EXPECT_EQ(meta["is_mfe_special_exams_enabled"], true);
  EXPECT_EQ(meta["is_mfe_proctored_exams_enabled"], false);
  json sequence = Ok("learner", "GET", "/api/courseware/sequence/" + Key("sequential", "exam"));
  EXPECT_EQ(sequence["is_time_limited"], true);

  json data = ExamData("learner", "exam");
  json exam = data["exam"];
  EXPECT_EQ(data["active_attempt"], json::object());
  EXPECT_EQ(exam["content_id"], Key("sequential", "exam"));
  EXPECT_EQ(exam["exam_name"], "Midterm");
  EXPECT_EQ(exam["time_limit_mins"], 30);
  EXPECT_EQ(exam["type"], "timed");
  EXPECT_EQ(exam["total_time"], "30 minutes");
  EXPECT_EQ(exam["attempt"], json::object());
  EXPECT_EQ(exam["passed_due_date"], false);
  EXPECT_EQ(exam["use_legacy_attempt_api"], true);

  // Not started: the unit redirects to the sequence, which shows the exam
  // page instead of the content, and answers are refused.
  auto unit = Call("learner", "GET", "/xblock/" + Key("vertical", "eu"));
  EXPECT_EQ(unit.first, 302);
  auto gate = Call("learner", "GET", "/xblock/" + Key("sequential", "exam"));
  EXPECT_EQ(gate.first, 200);
  EXPECT_NE(gate.second.find("larch-exam-gate"), std::string::npos);
  EXPECT_EQ(Check("learner", "ep")["success"], kStateChanged);
  // Staff see the content and may answer.
  EXPECT_EQ(Call("teacher", "GET", "/xblock/" + Key("vertical", "eu")).first, 200);

  json created = Ok("learner", "POST", std::string(kBase) + "/attempt",
                    json{{"exam_id", exam["id"]}, {"start_clock", "true"}}.dump());
  int64_t attempt_id = created["exam_attempt_id"].get<int64_t>();
  data = ExamData("learner", "exam");
  EXPECT_EQ(data["exam"]["attempt"]["attempt_status"], "started");
  EXPECT_EQ(data["exam"]["attempt"]["total_time"], "30 minutes");
  EXPECT_EQ(data["exam"]["attempt"]["exam_type"], "a timed exam");
  EXPECT_GT(data["exam"]["attempt"]["time_remaining_seconds"].get<int64_t>(), 1700);
  EXPECT_EQ(data["active_attempt"]["attempt_id"], attempt_id);
  EXPECT_EQ(data["active_attempt"]["exam_started_poll_url"],
            std::string(kBase) + "/attempt/" + std::to_string(attempt_id));
  json polled = Ok("learner", "GET", std::string(kBase) + "/attempt/" + std::to_string(attempt_id));
  EXPECT_EQ(polled["status"], "started");
  EXPECT_EQ(polled["proctored_exam"]["id"], exam["id"]);
  EXPECT_EQ(polled["user"]["username"], "learner");
  json active = Ok("learner", "GET", std::string(kBase) + "/active_exams_for_user");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0]["attempt"]["id"], attempt_id);

  EXPECT_EQ(Call("learner", "GET", "/xblock/" + Key("vertical", "eu")).first, 200);
  EXPECT_EQ(Check("learner", "ep")["success"], "correct");

  // Another learner may neither read nor act on the attempt.
  std::string attempt_path = std::string(kBase) + "/attempt/" + std::to_string(attempt_id);
  EXPECT_EQ(Call("bob", "GET", attempt_path).first, 403);
  EXPECT_EQ(Call("bob", "PUT", attempt_path, R"({"action": "submit"})").first, 403);
  EXPECT_EQ(Call("", "GET", attempt_path).first, 401);
  EXPECT_EQ(Call("learner", "PUT", attempt_path, R"({"action": "reset_attempt"})").first, 400);
  EXPECT_EQ(Call("learner", "PUT", attempt_path, R"({"nothing": 1})").first, 400);
  EXPECT_EQ(Call("learner", "PUT", attempt_path, "{not json").first, 400);

  json submitted = Ok("learner", "PUT", attempt_path, R"({"action": "submit"})");
  EXPECT_EQ(submitted["exam_attempt_id"], attempt_id);
  EXPECT_EQ(Ok("learner", "GET", attempt_path)["status"], "submitted");
  EXPECT_EQ(Check("learner", "ep")["success"], kStateChanged);
  EXPECT_EQ(Call("learner", "GET", "/xblock/" + Key("vertical", "eu")).first, 302);
  auto restart = Call("learner", "PUT", attempt_path, R"({"action": "start"})");
  EXPECT_EQ(restart.first, 400);
  EXPECT_NE(restart.second.find("is not allowed"), std::string::npos) << restart.second;
  EXPECT_EQ(Ok("learner", "GET", std::string(kBase) + "/attempt"),
            (json{{"in_timed_exam", false}, {"is_proctored", false}}));
  // The one earned point counts for the grade as any other.
  json progress = Ok("learner", "GET", std::string("/api/course_home/v1/progress/") + kCourse);
  bool found = false;
  for (const json& section : progress["section_scores"]) {
    for (const json& sub : section["subsections"]) {
      if (sub["block_key"] != Key("sequential", "exam")) continue;
      found = true;
      EXPECT_EQ(sub["num_points_earned"], 1) << sub.dump();
    }
  }
  EXPECT_TRUE(found) << progress.dump();
}

TEST_P(SpecialExamsApiTest, DueDateCapsTheClockAndTheAttemptIsSubmittedAtExpiry) {
  json exam = ExamData("learner", "quick")["exam"];
  EXPECT_EQ(exam["total_time"], "0 minutes");
  json created = Ok("learner", "POST", std::string(kBase) + "/attempt",
                    json{{"exam_id", exam["id"]}, {"start_clock", true}}.dump());
  std::string path =
      std::string(kBase) + "/attempt/" + std::to_string(created["exam_attempt_id"].get<int64_t>());
  std::this_thread::sleep_for(std::chrono::milliseconds(1'200));
  json attempt = Ok("learner", "GET", path);
  EXPECT_EQ(attempt["status"], "submitted");
  EXPECT_EQ(attempt["allowed_time_limit_mins"], 0);
  EXPECT_EQ(attempt["time_remaining_seconds"], 0);
  EXPECT_EQ(attempt["accessibility_time_string"], "you have less than a minute remaining");
  EXPECT_EQ(Check("learner", "qp")["success"], kStateChanged);
}

TEST_P(SpecialExamsApiTest, ExtraTimeIsForOneLearnerAndOnlyCourseStaffGrantIt) {
  int64_t exam_id = ExamData("learner", "exam")["exam"]["id"].get<int64_t>();
  std::string put = std::string(kBase) + "/allowance";
  json grant = {{"exam_id", exam_id},
                {"user_info", "learner"},
                {"key", "additional_time_granted"},
                {"value", "15"}};
  for (const char* who : {"learner", "otherstaff", "outsider"}) {
    auto r = Call(who, "PUT", put, grant.dump());
    EXPECT_EQ(r.first, 403) << who;
    EXPECT_EQ(json::parse(r.second)["detail"], "Must be a Staff User to Perform this request.");
  }
  EXPECT_EQ(Call("", "PUT", put, grant.dump()).first, 401);
  auto bad = Call("teacher", "PUT", put,
                  json{{"exam_id", exam_id},
                       {"user_info", "learner"},
                       {"key", "additional_time_granted"},
                       {"value", "soon"}}
                      .dump());
  EXPECT_EQ(bad.first, 400);
  EXPECT_EQ(Call("teacher", "PUT", put,
                 json{{"exam_id", exam_id},
                      {"user_info", "ghost"},
                      {"key", "additional_time_granted"},
                      {"value", "5"}}
                     .dump())
                .first,
            400);
  EXPECT_EQ(Call("teacher", "PUT", put, grant.dump()).first, 200);

  EXPECT_EQ(ExamData("learner", "exam")["exam"]["total_time"], "45 minutes");
  EXPECT_EQ(ExamData("bob", "exam")["exam"]["total_time"], "30 minutes");
  std::string list = std::string(kBase) + "/" + kCourse + "/allowance";
  json allowances = Ok("teacher", "GET", list);
  ASSERT_EQ(allowances.size(), 1u);
  EXPECT_EQ(allowances[0]["user"]["username"], "learner");
  EXPECT_EQ(allowances[0]["value"], "15");
  EXPECT_EQ(Call("learner", "GET", list).first, 403);
  EXPECT_EQ(Call("otherstaff", "GET", list).first, 403);

  json created = Ok("learner", "POST", std::string(kBase) + "/attempt",
                    json{{"exam_id", exam_id}, {"start_clock", "true"}}.dump());
  json attempt = Ok(
      "learner", "GET",
      std::string(kBase) + "/attempt/" + std::to_string(created["exam_attempt_id"].get<int64_t>()));
  EXPECT_EQ(attempt["allowed_time_limit_mins"], 45);

  auto removed = Call("teacher", "DELETE", put,
                      json{{"exam_id", exam_id},
                           {"user_id", attempt["user"]["id"]},
                           {"key", "additional_time_granted"}}
                          .dump());
  EXPECT_EQ(removed.first, 200) << removed.second;
  EXPECT_TRUE(Ok("admin", "GET", list).empty());
}

TEST_P(SpecialExamsApiTest, ParallelStartsCreateOneAttemptAndOutsidersAreRefused) {
  int64_t exam_id = ExamData("learner", "exam")["exam"]["id"].get<int64_t>();
  std::string body = json{{"exam_id", exam_id}, {"start_clock", "true"}}.dump();
  EXPECT_EQ(Call("outsider", "POST", std::string(kBase) + "/attempt", body).first, 403);
  EXPECT_EQ(Call("", "POST", std::string(kBase) + "/attempt", body).first, 401);
  EXPECT_EQ(Call("learner", "POST", std::string(kBase) + "/attempt", R"({"exam_id": 999})").first,
            400);
  EXPECT_EQ(Call("learner", "POST", std::string(kBase) + "/attempt", R"({"exam_id": "x"})").first,
            400);
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = Send("POST", Url(std::string(kBase) + "/attempt"), body,
                    {{"Content-Type", "application/json"},
                     {"Authorization", "Bearer " + tokens_["learner"]}});
      if (r.ok() && r->status == 200) ++ok;
      if (r.ok() && r->status == 400) ++refused;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(Ok("learner", "GET", std::string(kBase) + "/active_exams_for_user").size(), 1u);
  // Only global staff read another learner's attempts.
  EXPECT_EQ(Call("bob", "GET", std::string(kBase) + "/active_attempt?user_id=1").first, 403);
  // The other course has no exams.
  json other = Ok("learner", "GET", std::string("/api/courseware/course/") + kOtherCourse);
  EXPECT_EQ(other["is_mfe_special_exams_enabled"], false);
}

TEST_P(SpecialExamsApiTest, WithTheFeatureOffExamsAreIgnored) {
  env_["LARCH_FEATURES__ENABLE_SPECIAL_EXAMS"] = "false";
  StartServer();
  EXPECT_EQ(Call("learner", "GET", std::string(kBase) + "/attempt").first, 404);
  EXPECT_EQ(Call("learner", "GET", "/xblock/" + Key("vertical", "eu")).first, 200);
  EXPECT_EQ(Check("learner", "ep")["success"], "correct");
  json meta = Ok("learner", "GET", std::string("/api/courseware/course/") + kCourse);
  EXPECT_EQ(meta["is_mfe_special_exams_enabled"], false);
}

INSTANTIATE_TEST_SUITE_P(Backends, SpecialExamsApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
