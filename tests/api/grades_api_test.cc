// The grades REST API for staff through the real `larch` binary on SQLite
// and PostgreSQL: the course grades list (one learner for themselves, every
// learner for global staff, cursor pages both ways), the grading policy,
// the gradebook with its section breakdown and filters, and the course team
// endpoint that makes an instructor. The callers that must be refused are
// refused with upstream's bodies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backends.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kCourse[] = "course-v1:Larch+G+2024";
constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kNumerical[] =
    "<numericalresponse answer=\"4\"><responseparam type=\"tolerance\" default=\"0.01\"/>"
    "<textline/></numericalresponse>";

// One graded Homework subsection with two one-point problems, one ungraded
// practice subsection; Homework is the whole grade and 50% passes.
// `p2_answer` changes the second problem's answer (a re-import for rescoring).
void WriteCourse(const fs::path& dir, const std::string& p2_answer = "4") {
  std::string p2 = kNumerical;
  p2.replace(p2.find("\"4\""), 3, "\"" + p2_answer + "\"");
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"G\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Grades\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"hw\" display_name=\"Homework 1\" graded=\"true\" "
         "format=\"Homework\">\n"
         "      <vertical url_name=\"u\">\n"
         "        <problem url_name=\"p1\">"
      << kNumerical << "</problem>\n        <problem url_name=\"p2\">" << p2
      << "</problem>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "    <sequential url_name=\"practice\" display_name=\"Practice\">\n"
         "      <vertical url_name=\"pu\"><problem url_name=\"p3\">"
      << kNumerical
      << "</problem></vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Grades"}}}};
  std::ofstream(dir / "policies" / "2024" / "grading_policy.json")
      << json{{"GRADER", json::array({{{"type", "Homework"},
                                       {"min_count", 1},
                                       {"drop_count", 0},
                                       {"short_label", "HW"},
                                       {"weight", 1.0}}})},
              {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
}

class GradesApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path course = fs::path(dir_.path()) / "course";
    WriteCourse(course);
    Run({"import-olx", "--data-dir", dir_.path(), course.string()});
    EXPECT_EQ(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_).exit_code, 0);
    EXPECT_EQ(ImportUsers(dir_.path(), {"alice", "bob", "carol", "teacher", "outsider"},
                          kPasswordHash, env_)
                  .exit_code,
              0);
    EXPECT_EQ(CreatePasswordClient(dir_.path(), "script", "script-secret", env_).exit_code, 0);
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    tokens_["admin"] = Token("admin", "Admin-Secret-1");
    for (const char* name : {"alice", "bob", "carol", "teacher", "outsider"}) {
      tokens_[name] = Token(name, kPassword);
      ASSERT_FALSE(tokens_[name].empty()) << name;
    }
    for (const char* name : {"alice", "bob", "carol"}) {
      auto r = Send(
          "POST", Url("/api/enrollment/v1/enrollment"),
          json{{"course_details", {{"course_id", kCourse}}}}.dump(),
          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_[name]}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }
    // alice: one of the two Homework points (50%, passing); carol: both
    // (100%); bob nothing; p3 is practice and counts for no one.
    Answer("alice", "p1", "4");
    Answer("alice", "p2", "7");
    Answer("alice", "p3", "4");
    Answer("carol", "p1", "4");
    Answer("carol", "p2", "4");
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

  void Answer(const std::string& who, const std::string& problem, const std::string& value) {
    std::string path = "/courses/" + std::string(kCourse) +
                       "/xblock/block-v1:Larch+G+2024+type@problem+block@" + problem +
                       "/handler/xmodule_handler/problem_check";
    auto r = Send("POST", Url(path), "input_" + problem + "_2_1=" + value,
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Bearer " + tokens_[who]}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // GET `path_or_url` (a path, or an absolute URL a page gave) as `who` ("" anonymous).
  StatusOr<HttpClientResponse> As(const std::string& who, const std::string& path_or_url) {
    std::string url = path_or_url.rfind("http", 0) == 0 ? path_or_url : Url(path_or_url);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    return Send("GET", url, "", headers);
  }

  int StatusOf(const std::string& who, const std::string& path) {
    auto r = As(who, path);
    return r.ok() ? r->status : -1;
  }

  json Ok(const std::string& who, const std::string& path) {
    auto r = As(who, path);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return Json(r);
  }

  json ModifyAccess(const std::string& who, const std::string& form, int expected = 200) {
    auto r = Send("POST", Url("/courses/" + std::string(kCourse) + "/instructor/api/modify_access"),
                  form,
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Bearer " + tokens_[who]}});
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, expected) << form << ": " << r->body;
    return r->status == 200 ? Json(r) : json(r->body);
  }

  // POST a JSON body to bulk-update as `who` ("" anonymous).
  StatusOr<HttpClientResponse> BulkUpdate(const std::string& who, const std::string& body,
                                          const std::string& course = kCourse) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"}};
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    return Send("POST", Url("/api/grades/v1/gradebook/" + course + "/bulk-update"), body, headers);
  }

  // POST reset_student_attempts (or `action`) as `who` ("" anonymous) with a form body.
  StatusOr<HttpClientResponse> Reset(const std::string& who, const std::string& form,
                                     const std::string& action = "reset_student_attempts") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    return Send("POST", Url("/courses/" + std::string(kCourse) + "/instructor/api/" + action), form,
                headers);
  }

  int64_t UserId(const std::string& username) {
    json entry =
        Ok("admin", std::string("/api/grades/v1/gradebook/") + kCourse + "/?username=" + username);
    return entry.value("user_id", int64_t{0});
  }

  // The Homework subsection of `user_id`'s progress page, read by staff.
  json ProgressHomework(int64_t user_id) {
    json progress = Ok("admin", std::string("/api/course_home/v1/progress/") + kCourse + "/" +
                                    std::to_string(user_id) + "/");
    for (const json& section : progress["section_scores"]) {
      for (const json& sub : section["subsections"]) {
        if (sub["block_key"] == kHw) return sub;
      }
    }
    ADD_FAILURE() << progress.dump();
    return json();
  }

  static constexpr char kHw[] = "block-v1:Larch+G+2024+type@sequential+block@hw";

  static std::vector<std::string> Usernames(const json& page) {
    std::vector<std::string> out;
    for (const json& row : page["results"]) out.push_back(row["username"]);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::map<std::string, std::string> tokens_;
};

const std::string kGrades = std::string("/api/grades/v1/courses/") + kCourse + "/";

TEST_P(GradesApiTest, ALearnerReadsTheirOwnGradeOnly) {
  auto anonymous = As("", kGrades);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous)["detail"], "Incorrect authentication credentials.");
  // IsStaff | IsUserInUrl: no username, or another learner's, is refused.
  EXPECT_EQ(StatusOf("alice", kGrades), 403);
  EXPECT_EQ(StatusOf("alice", kGrades + "?username=bob"), 403);
  EXPECT_EQ(StatusOf("teacher", kGrades), 403);

  json mine = Ok("alice", kGrades + "?username=alice");
  ASSERT_TRUE(mine.is_array()) << mine.dump();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["username"], "alice");
  EXPECT_EQ(mine[0]["email"], "");  // only master's learners show it
  EXPECT_EQ(mine[0]["course_id"], kCourse);
  EXPECT_DOUBLE_EQ(mine[0]["percent"].get<double>(), 0.5);
  EXPECT_EQ(mine[0]["letter_grade"], "Pass");
  EXPECT_EQ(mine[0]["passed"], true);
  // The query-parameter form of the same view ('+' in a query is a space,
  // so clients encode it).
  json same = Ok("alice",
                 "/api/grades/v1/courses/?course_id=course-v1:Larch%2BG%2B2024"
                 "&username=alice");
  EXPECT_EQ(same, mine);
}

TEST_P(GradesApiTest, StaffPageThroughEveryLearner) {
  json all = Ok("admin", kGrades);
  EXPECT_EQ(Usernames(all), (std::vector<std::string>{"alice", "bob", "carol"})) << all.dump();
  EXPECT_TRUE(all["next"].is_null());
  EXPECT_TRUE(all["previous"].is_null());
  EXPECT_DOUBLE_EQ(all["results"][1]["percent"].get<double>(), 0.0);
  EXPECT_TRUE(all["results"][1]["letter_grade"].is_null());
  EXPECT_EQ(all["results"][1]["passed"], false);
  EXPECT_DOUBLE_EQ(all["results"][2]["percent"].get<double>(), 1.0);

  json first = Ok("admin", kGrades + "?page_size=2");
  EXPECT_EQ(Usernames(first), (std::vector<std::string>{"alice", "bob"}));
  ASSERT_TRUE(first["next"].is_string()) << first.dump();
  EXPECT_TRUE(first["previous"].is_null());
  json second = Ok("admin", first["next"]);
  EXPECT_EQ(Usernames(second), (std::vector<std::string>{"carol"}));
  EXPECT_TRUE(second["next"].is_null());
  ASSERT_TRUE(second["previous"].is_string());
  json back = Ok("admin", second["previous"]);
  EXPECT_EQ(Usernames(back), (std::vector<std::string>{"alice", "bob"}));

  EXPECT_EQ(StatusOf("admin", kGrades + "?cursor=not-a-cursor"), 404);
}

TEST_P(GradesApiTest, UnknownCoursesAndLearnersAreUpstreamsErrors) {
  auto unknown = As("admin", "/api/grades/v1/courses/course-v1:No+Such+Course/");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown)["error_code"], "course_does_not_exist");
  auto bad_key = As("admin", "/api/grades/v1/courses/?course_id=garbage");
  EXPECT_EQ(bad_key->status, 404);
  EXPECT_EQ(Json(bad_key)["error_code"], "invalid_course_key");
  auto nobody = As("admin", kGrades + "?username=nobody");
  EXPECT_EQ(nobody->status, 404);
  EXPECT_EQ(Json(nobody)["error_code"], "user_does_not_exist");
  auto outsider = As("admin", kGrades + "?username=outsider");
  EXPECT_EQ(outsider->status, 404);
  EXPECT_EQ(Json(outsider)["error_code"], "user_not_enrolled");
}

TEST_P(GradesApiTest, InstructorsMadeByModifyAccessReadTheGradebook) {
  const std::string book = std::string("/api/grades/v1/gradebook/") + kCourse + "/";
  auto learner = As("alice", book);
  ASSERT_TRUE(learner.ok());
  EXPECT_EQ(learner->status, 403);
  EXPECT_EQ(Json(learner)["error_code"], "user_permissions");
  EXPECT_EQ(StatusOf("teacher", book), 403);
  EXPECT_EQ(StatusOf("", book), 401);

  // Only an instructor (or global staff) changes the course team.
  ModifyAccess("alice", "unique_student_identifier=teacher&rolename=instructor&action=allow", 403);
  json unknown =
      ModifyAccess("admin", "unique_student_identifier=ghost&rolename=staff&action=allow");
  EXPECT_EQ(unknown["userDoesNotExist"], true);
  ModifyAccess("admin", "unique_student_identifier=teacher&rolename=robot&action=allow", 400);
  json missing = json::parse(ModifyAccess("admin", "rolename=staff", 400).get<std::string>());
  EXPECT_EQ(missing, json::parse(R"({"unique_student_identifier": ["This field is required."],
                                     "action": ["This field is required."]})"))
      << missing.dump();
  json granted = ModifyAccess(
      "admin", "unique_student_identifier=teacher%40example.com&rolename=instructor&action=allow");
  EXPECT_EQ(granted, (json{{"unique_student_identifier", "teacher"},
                           {"rolename", "instructor"},
                           {"action", "allow"},
                           {"success", "yes"}}));
  json self = ModifyAccess("teacher",
                           "unique_student_identifier=teacher&rolename=instructor&action=revoke");
  EXPECT_EQ(self["removingSelfAsInstructor"], true);

  json page = Ok("teacher", book);
  EXPECT_EQ(page["total_users_count"], 3);
  EXPECT_EQ(page["filtered_users_count"], 3);
  ASSERT_EQ(Usernames(page), (std::vector<std::string>{"alice", "bob", "carol"})) << page.dump();
  const json& alice = page["results"][0];
  EXPECT_EQ(alice["progress_page_url"],
            "/courses/" + std::string(kCourse) + "/progress/" + alice["user_id"].dump() + "/");
  EXPECT_EQ(alice["letter_grade"], "Pass");
  // Only the graded subsection, labelled as upstream's default labeler does.
  ASSERT_EQ(alice["section_breakdown"].size(), 1u) << alice.dump();
  const json& hw = alice["section_breakdown"][0];
  EXPECT_EQ(hw["label"], "HW 01");
  EXPECT_EQ(hw["category"], "Homework");
  EXPECT_EQ(hw["attempted"], true);
  EXPECT_DOUBLE_EQ(hw["score_earned"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(hw["score_possible"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(hw["percent"].get<double>(), 0.5);
  EXPECT_EQ(hw["module_id"], "block-v1:Larch+G+2024+type@sequential+block@hw");
  EXPECT_EQ(hw["subsection_name"], "Homework 1");
  // Unattempted: no points shown, as upstream's ZeroSubsectionGrade.
  const json& bob_hw = page["results"][1]["section_breakdown"][0];
  EXPECT_EQ(bob_hw["attempted"], false);
  EXPECT_DOUBLE_EQ(bob_hw["score_possible"].get<double>(), 0.0);

  json filtered = Ok("teacher", book + "?username_contains=OB");
  EXPECT_EQ(Usernames(filtered), (std::vector<std::string>{"bob"}));
  EXPECT_EQ(filtered["total_users_count"], 3);
  EXPECT_EQ(filtered["filtered_users_count"], 1);
  json by_email = Ok("teacher", book + "?user_contains=carol%40");
  EXPECT_EQ(Usernames(by_email), (std::vector<std::string>{"carol"}));
  json none = Ok("teacher", book + "?enrollment_mode=verified");
  EXPECT_TRUE(none["results"].empty());
  json single = Ok("teacher", book + "?username=carol");
  EXPECT_EQ(single["username"], "carol");
  EXPECT_DOUBLE_EQ(single["percent"].get<double>(), 1.0);

  // The grading policy is for course staff too.
  json policy = Ok("teacher", std::string("/api/grades/v1/policy/courses/") + kCourse + "/");
  EXPECT_EQ(policy, json::parse(R"([{"assignment_type": "Homework", "count": 1, "dropped": 0,
                                     "weight": 1.0}])"));
  auto refused = As("alice", std::string("/api/grades/v1/policy/courses/") + kCourse + "/");
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(Json(refused)["error_code"], "user_or_course_does_not_exist");

  // Revoked, the teacher is refused again.
  ModifyAccess("admin", "unique_student_identifier=teacher&rolename=instructor&action=revoke");
  EXPECT_EQ(StatusOf("teacher", book), 403);
}

TEST_P(GradesApiTest, StaffOverrideASubsectionGradeEverywhereItIsRead) {
  const std::string item = R"json([{"user_id": 0, "usage_id": "x", "grade": {}}])json";
  auto anonymous = BulkUpdate("", item);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  auto learner = BulkUpdate("alice", item);
  EXPECT_EQ(learner->status, 403);
  EXPECT_EQ(Json(learner)["error_code"], "user_permissions");
  EXPECT_EQ(BulkUpdate("teacher", item)->status, 403);
  auto unknown = BulkUpdate("admin", item, "course-v1:No+Such+Course");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown)["error_code"], "course_does_not_exist");

  // Malformed bodies: DRF's 400 shapes, nothing written.
  auto garbage = BulkUpdate("admin", "{not json");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_TRUE(Json(garbage)["detail"].is_string()) << garbage->body;
  auto object = BulkUpdate("admin", R"json({"user_id": 1})json");
  EXPECT_EQ(object->status, 400);
  EXPECT_EQ(Json(object)["non_field_errors"][0], "Expected a list of items but got type \"dict\".");
  auto fields = BulkUpdate(
      "admin", R"json([{"usage_id": 5, "grade": {"earned_graded_override": "many"}}])json");
  EXPECT_EQ(fields->status, 400);
  EXPECT_EQ(Json(fields), json::parse(R"json([{"user_id": ["This field is required."],
      "usage_id": ["Not a valid string."],
      "grade": {"earned_graded_override": ["A valid number is required."]}}])json"))
      << fields->body;

  // bob has nothing; staff give him both Homework points.
  const int64_t bob = UserId("bob");
  ASSERT_GT(bob, 0);
  const std::string courseware = std::string("/api/courseware/course/") + kCourse + "/";
  EXPECT_EQ(Ok("bob", courseware)["user_has_passing_grade"], false);
  json body = json::array({{{"user_id", bob},
                            {"usage_id", kHw},
                            {"grade",
                             {{"earned_all_override", 2},
                              {"possible_all_override", 2},
                              {"earned_graded_override", 2},
                              {"possible_graded_override", 2},
                              {"comment", "late work accepted"}}}}});
  auto done = BulkUpdate("admin", body.dump());
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, 202) << done->body;
  EXPECT_EQ(
      Json(done),
      json::array({{{"user_id", bob}, {"usage_id", kHw}, {"success", true}, {"reason", nullptr}}}));
  // The grades API, the gradebook and the progress page all read it.
  json grade = Ok("admin", kGrades + "?username=bob");
  EXPECT_DOUBLE_EQ(grade[0]["percent"].get<double>(), 1.0);
  EXPECT_EQ(grade[0]["passed"], true);
  json entry = Ok("admin", std::string("/api/grades/v1/gradebook/") + kCourse + "/?username=bob");
  EXPECT_DOUBLE_EQ(entry["section_breakdown"][0]["score_earned"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(entry["section_breakdown"][0]["percent"].get<double>(), 1.0);
  json hw = ProgressHomework(bob);
  EXPECT_DOUBLE_EQ(hw["num_points_earned"].get<double>(), 2.0);
  EXPECT_EQ(hw["override"], (json{{"system", "GRADEBOOK"}, {"reason", "late work accepted"}}));
  EXPECT_EQ(Ok("bob", courseware)["user_has_passing_grade"], true);

  // Rows that fail are reported one by one with upstream's reasons; 422.
  json mixed = json::array(
      {{{"user_id", 999999}, {"usage_id", kHw}, {"grade", json::object()}},
       {{"user_id", UserId("carol")}, {"usage_id", "not-a-key"}, {"grade", json::object()}},
       {{"user_id", bob},
        {"usage_id", "block-v1:Larch+G+2024+type@vertical+block@u"},
        {"grade", json::object()}},
       {{"user_id", bob},
        {"usage_id", "block-v1:Larch+G+2024+type@sequential+block@nope"},
        {"grade", json::object()}}});
  auto partial = BulkUpdate("teacher", mixed.dump());
  EXPECT_EQ(partial->status, 403);
  auto failed = BulkUpdate("admin", mixed.dump());
  ASSERT_EQ(failed->status, 422) << failed->body;
  json results = Json(failed);
  ASSERT_EQ(results.size(), 4u) << results.dump();
  EXPECT_EQ(results[0]["user_id"], 999999);
  EXPECT_EQ(results[0]["reason"], "User matching query does not exist.");
  EXPECT_EQ(results[1]["reason"], "<class 'opaque_keys.edx.locator.BlockUsageLocator'>: not-a-key");
  EXPECT_EQ(results[2]["success"], false);
  EXPECT_EQ(results[3]["reason"],
            "usage_key block-v1:Larch+G+2024+type@sequential+block@nope "
            "does not exist in this course.");
}

TEST_P(GradesApiTest, SubsectionGradeShowsTheOriginalTheOverrideAndItsHistory) {
  const int64_t alice = UserId("alice");
  const std::string view = std::string("/api/grades/v1/subsection/") + kHw + "/?user_id=";
  EXPECT_EQ(StatusOf("", view + std::to_string(alice)), 401);
  // Course author access only, even for the learner's own grade.
  auto own = As("alice", view + std::to_string(alice));
  EXPECT_EQ(own->status, 403);
  EXPECT_EQ(Json(own)["error_code"], "user_permissions");
  auto bad_key = As("admin", "/api/grades/v1/subsection/not-a-key/?user_id=1");
  EXPECT_EQ(bad_key->status, 404);
  EXPECT_EQ(Json(bad_key)["error_code"], "invalid_usage_key");
  auto bad_user = As("admin", view + "abc");
  EXPECT_EQ(bad_user->status, 404);
  EXPECT_EQ(Json(bad_user)["error_code"], "invalid_user_id");
  EXPECT_EQ(StatusOf("admin", view + "999999"), 404);

  json before = Ok("admin", view + std::to_string(alice));
  EXPECT_EQ(before, json::parse(R"json({"success": true, "subsection_id":
      "block-v1:Larch+G+2024+type@sequential+block@hw", "user_id": )json" +
                                std::to_string(alice) + R"json(,
      "course_id": "course-v1:Larch+G+2024",
      "original_grade": {"earned_all": 1.0, "possible_all": 2.0, "earned_graded": 1.0,
                         "possible_graded": 2.0},
      "override": null, "history": []})json"))
      << before.dump();

  json body = json::array({{{"user_id", alice},
                            {"usage_id", kHw},
                            {"grade", {{"earned_graded_override", 2}, {"comment", "typo"}}}}});
  ASSERT_EQ(BulkUpdate("admin", body.dump())->status, 202);
  body[0]["grade"] = {{"earned_graded_override", 1.5}};
  ASSERT_EQ(BulkUpdate("admin", body.dump())->status, 202);
  json after = Ok("admin", view + std::to_string(alice));
  EXPECT_EQ(after["original_grade"]["earned_graded"], 1.0);
  EXPECT_EQ(after["override"], json::parse(R"json({"earned_all_override": 1.0,
      "possible_all_override": 2.0, "earned_graded_override": 1.5,
      "possible_graded_override": 2.0})json"));
  ASSERT_EQ(after["history"].size(), 2u) << after.dump();
  const json& first = after["history"][0];
  EXPECT_EQ(first["history_type"], "+");
  EXPECT_EQ(first["history_user"], "admin");
  EXPECT_EQ(first["override_reason"], "typo");
  EXPECT_EQ(first["system"], "GRADEBOOK");
  EXPECT_EQ(first["earned_graded_override"], 2.0);
  EXPECT_TRUE(first["created"].is_string());
  EXPECT_EQ(after["history"][1]["history_type"], "~");
  EXPECT_TRUE(after["history"][1]["override_reason"].is_null());
  json latest = Ok("admin", view + std::to_string(alice) + "&history_record_limit=1");
  ASSERT_EQ(latest["history"].size(), 1u);
  EXPECT_EQ(latest["history"][0]["history_type"], "~");
  EXPECT_DOUBLE_EQ(Ok("admin", kGrades + "?username=alice")[0]["percent"].get<double>(), 0.75);

  // Not a subsection of the course: upstream's unavailable answer.
  json unit = Ok("admin",
                 "/api/grades/v1/subsection/block-v1:Larch+G+2024+type@vertical+block@u/"
                 "?user_id=" +
                     std::to_string(alice));
  EXPECT_EQ(unit["success"], false);
  EXPECT_EQ(unit["error_message"],
            "Cannot override subsection grade: subsection is not available for target learner.");
}

TEST_P(GradesApiTest, StaffResetALearnersProblemAndTheProgressPageShowsIt) {
  const std::string p1 =
      "problem_to_reset=block-v1%3ALarch%2BG%2B2024%2Btype%40problem%2Bblock%40p1";
  // Upstream's require_course_permission: a bare 403 for anyone else.
  EXPECT_EQ(Reset("", p1 + "&unique_student_identifier=carol")->status, 403);
  EXPECT_EQ(Reset("alice", p1 + "&unique_student_identifier=carol")->status, 403);
  EXPECT_EQ(Reset("teacher", p1 + "&unique_student_identifier=carol")->status, 403);

  auto missing = Reset("admin", "unique_student_identifier=carol");
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json(missing), json::parse(R"json({"error": "Missing required query parameter(s)",
      "parameters": ["problem_to_reset"],
      "info": {"problem_to_reset": "problem urlname to reset"}})json"));
  auto nobody = Reset("admin", p1 + "&unique_student_identifier=ghost");
  EXPECT_EQ(nobody->status, 400);
  EXPECT_EQ(nobody->body, "User does not exist.");
  auto bad_key = Reset("admin", "problem_to_reset=garbage&unique_student_identifier=carol");
  EXPECT_EQ(bad_key->status, 400);
  EXPECT_EQ(bad_key->body, "");
  auto no_state = Reset("admin", p1 + "&unique_student_identifier=bob");
  EXPECT_EQ(no_state->status, 400);
  EXPECT_EQ(no_state->body, "Module does not exist.");
  auto unknown_block = Reset("admin",
                             "problem_to_reset=block-v1%3ALarch%2BG%2B2024%2Btype%40problem%2B"
                             "block%40nope&unique_student_identifier=carol");
  EXPECT_EQ(unknown_block->body, "Module does not exist.");
  EXPECT_EQ(Reset("admin", p1 + "&all_students=true&delete_module=true")->status, 400);

  const int64_t carol = UserId("carol");
  EXPECT_DOUBLE_EQ(ProgressHomework(carol)["num_points_earned"].get<double>(), 2.0);
  // Course staff may reset; attempts only keeps the score.
  ModifyAccess("admin", "unique_student_identifier=teacher&rolename=staff&action=allow");
  auto attempts = Reset("teacher", p1 + "&unique_student_identifier=carol");
  ASSERT_EQ(attempts->status, 200) << attempts->body;
  EXPECT_EQ(Json(attempts),
            (json{{"problem_to_reset", "block-v1:Larch+G+2024+type@problem+block@p1"},
                  {"student", "carol"}}));
  EXPECT_DOUBLE_EQ(ProgressHomework(carol)["num_points_earned"].get<double>(), 2.0);
  // Deleting the state takes the point away.
  auto deleted =
      Reset("teacher", p1 + "&unique_student_identifier=carol%40example.com&delete_module=true");
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(Json(deleted)["student"], "carol@example.com");
  EXPECT_DOUBLE_EQ(ProgressHomework(carol)["num_points_earned"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(Ok("admin", kGrades + "?username=carol")[0]["percent"].get<double>(), 0.5);
  auto again = Reset("teacher", p1 + "&unique_student_identifier=carol&delete_module=true");
  EXPECT_EQ(again->body, "Module does not exist.");
}

TEST_P(GradesApiTest, StaffRescoreALearnersProblemAfterItChanged) {
  const std::string p2 =
      "problem_to_reset=block-v1%3ALarch%2BG%2B2024%2Btype%40problem%2Bblock%40p2";
  auto rescore = [&](const std::string& who, const std::string& form) {
    return Reset(who, form, "rescore_problem");
  };
  EXPECT_EQ(rescore("", p2 + "&unique_student_identifier=alice")->status, 403);
  EXPECT_EQ(rescore("alice", p2 + "&unique_student_identifier=alice")->status, 403);
  EXPECT_EQ(rescore("admin", "unique_student_identifier=alice")->status, 400);
  EXPECT_EQ(rescore("admin", p2)->body, "Missing query parameters.");
  EXPECT_EQ(rescore("admin", "problem_to_reset=garbage&unique_student_identifier=alice")->body,
            "Unable to parse problem id");
  EXPECT_EQ(rescore("admin", p2 + "&unique_student_identifier=bob")->body,
            "Problem must be answered before it can be graded again.");
  EXPECT_EQ(rescore("admin",
                    "problem_to_reset=block-v1%3ALarch%2BG%2B2024%2Btype%40vertical%2Bblock%40u"
                    "&unique_student_identifier=alice")
                ->body,
            "Specified module block-v1:Larch+G+2024+type@vertical+block@u of type vertical does "
            "not support rescoring.");

  // The answer of p2 becomes 7: alice's 7 is now right, carol's 4 wrong.
  fs::path course = fs::path(dir_.path()) / "course";
  WriteCourse(course, "7");
  Run({"import-olx", "--data-dir", dir_.path(), course.string()});
  auto done = rescore("admin", p2 + "&unique_student_identifier=alice");
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(Json(done), (json{{"problem_to_reset", "block-v1:Larch+G+2024+type@problem+block@p2"},
                              {"student", "alice"},
                              {"task", "created"}}));
  EXPECT_DOUBLE_EQ(Ok("admin", kGrades + "?username=alice")[0]["percent"].get<double>(), 1.0);
  EXPECT_EQ(rescore("admin", p2 + "&unique_student_identifier=carol&only_if_higher=true")->status,
            200);
  EXPECT_DOUBLE_EQ(Ok("admin", kGrades + "?username=carol")[0]["percent"].get<double>(), 1.0);
  EXPECT_EQ(rescore("admin", p2 + "&unique_student_identifier=carol")->status, 200);
  EXPECT_DOUBLE_EQ(Ok("admin", kGrades + "?username=carol")[0]["percent"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(ProgressHomework(UserId("carol"))["num_points_earned"].get<double>(), 1.0);
}

INSTANTIATE_TEST_SUITE_P(Backends, GradesApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
