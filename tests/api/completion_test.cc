// Completion through the real `larch` binary on SQLite and PostgreSQL: the
// completion-batch API (a learner for themselves, staff for anyone, and
// upstream's 400/403/404 bodies), the publish_completion handler, the
// sequential's goto_position and get_completion, problems that complete
// with their score, the resume endpoint, the course outline and the
// Bookmarks API; anonymous, unenrolled and other-learner callers are
// refused.
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

constexpr char kCourse[] = "course-v1:Larch+C+2024";
constexpr char kPassword[] = "password";  // kPasswordHash

std::string Block(const std::string& type, const std::string& id) {
  return std::string("block-v1:Larch+C+2024+type@") + type + "+block@" + id;
}

// Week 1 (open since 2020): sequential s with u1 {h1, p1, d1}, u2 {h2} and
// a staff-only unit; Later (opens 2099) with one html.
void WriteCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"C\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Completion\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"s\" display_name=\"Lesson\" graded=\"true\" "
         "format=\"Homework\">\n"
         "      <vertical url_name=\"u1\" display_name=\"Unit 1\">\n"
         "        <html url_name=\"h1\" display_name=\"Intro\">&lt;p&gt;Hello&lt;/p&gt;</html>\n"
         "        <problem url_name=\"p1\"><numericalresponse answer=\"4\">"
         "<responseparam type=\"tolerance\" default=\"0.01\"/><textline/>"
         "</numericalresponse></problem>\n"
         "        <discussion url_name=\"d1\" discussion_id=\"d1\" discussion_category=\"W\" "
         "discussion_target=\"T\"/>\n"
         "      </vertical>\n"
         "      <vertical url_name=\"u2\" display_name=\"Unit 2\">\n"
         "        <html url_name=\"h2\" display_name=\"More\">&lt;p&gt;More&lt;/p&gt;</html>\n"
         "      </vertical>\n"
         "      <vertical url_name=\"staffu\" display_name=\"Staff\" "
         "visible_to_staff_only=\"true\">\n"
         "        <html url_name=\"sh\">&lt;p&gt;Staff&lt;/p&gt;</html>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "    <sequential url_name=\"staffseq\" display_name=\"Staff only\" "
         "visible_to_staff_only=\"true\"><vertical url_name=\"su\">"
         "<html url_name=\"sh2\">&lt;p&gt;S&lt;/p&gt;</html></vertical></sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"later\" display_name=\"Later\" "
         "start=\"&quot;2099-01-01T00:00:00+00:00&quot;\">\n"
         "    <sequential url_name=\"ls\" display_name=\"Soon\"><vertical url_name=\"lu\">"
         "<html url_name=\"lh\">&lt;p&gt;Soon&lt;/p&gt;</html></vertical></sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Completion"}}}};
  fs::create_directories(dir / "info");
  std::ofstream(dir / "info" / "handouts.html")
      << "<ol><li><a href=\"/static/syllabus.pdf\">Syllabus</a></li></ol>";
}

// A course whose outline is public (course_visibility public_outline).
void WritePublicCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"Pub\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Open\" course_visibility=\"public_outline\" "
         "start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"pc\" display_name=\"Open week\"><sequential url_name=\"ps\" "
         "display_name=\"Open lesson\"><vertical url_name=\"pu\"><html url_name=\"ph\">"
         "&lt;p&gt;Hi&lt;/p&gt;</html></vertical></sequential></chapter>\n"
         "</course>\n";
}

class CompletionApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<TestBackend>(GetParam());
    if (!backend_->available()) GTEST_SKIP() << "LARCH_TEST_PG_DSN is not set";
    env_ = backend_->env();
    env_["LARCH_ACCESS_LOG"] = "off";
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path own = fs::path(dir_.path()) / "own";
    WriteCourse(own);
    Run({"import-olx", "--data-dir", dir_.path(), own.string()});
    fs::path pub = fs::path(dir_.path()) / "pub";
    WritePublicCourse(pub);
    Run({"import-olx", "--data-dir", dir_.path(), pub.string()});
    Expect(CreateSuperuser(dir_.path(), "admin", "Admin-Secret-1", env_), "createsuperuser");
    Expect(ImportUsers(dir_.path(), {"learner", "other", "outsider"}, kPasswordHash, env_),
           "import-users");
    Expect(CreatePasswordClient(dir_.path(), "script", "script-secret", env_), "oauth client");
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    admin_ = Token("admin", "Admin-Secret-1");
    learner_ = Token("learner", kPassword);
    other_ = Token("other", kPassword);
    outsider_ = Token("outsider", kPassword);
    ASSERT_FALSE(learner_.empty());
    for (const std::string* token : {&learner_, &other_}) {
      auto r = Request("POST", "/api/enrollment/v1/enrollment",
                       json{{"course_details", {{"course_id", kCourse}}}}, *token);
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

  StatusOr<HttpClientResponse> Request(const std::string& method, const std::string& path,
                                       const json& body, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Send(method, server_->base_url() + path, body.is_null() ? "" : body.dump(), headers);
  }

  // POST completion-batch; returns {status, body}.
  std::pair<int, json> Batch(const json& body, const std::string& token) {
    auto r = Request("POST", "/api/completion/v1/completion-batch", body, token);
    if (!r.ok()) return {-1, json()};
    return {r->status, Json(r)};
  }

  std::string HandlerPath(const std::string& usage, const std::string& handler) {
    return "/courses/" + std::string(kCourse) + "/xblock/" + usage + "/handler/" + handler;
  }

  std::pair<int, json> Handler(const std::string& usage, const std::string& handler,
                               const json& body, const std::string& token) {
    auto r = Request("POST", HandlerPath(usage, handler), body, token);
    if (!r.ok()) return {-1, json()};
    return {r->status, Json(r)};
  }

  json Resume(const std::string& token) {
    auto r = Request("GET", "/api/courseware/resume/" + std::string(kCourse), json(), token);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r);
  }

  bool UnitComplete(const std::string& unit, const std::string& token) {
    auto [status, body] = Handler(Block("sequential", "s"), "xmodule_handler/get_completion",
                                  json{{"usage_key", Block("vertical", unit)}}, token);
    EXPECT_EQ(status, 200) << body.dump();
    return body.value("complete", false);
  }

  // GET the outline; returns {status, body}.
  std::pair<int, json> Outline(const std::string& course, const std::string& token,
                               const char* prefix = "/api/course_home/v1/outline/") {
    auto r = Request("GET", prefix + course, json(), token);
    if (!r.ok()) return {-1, json()};
    return {r->status, Json(r)};
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
  std::string other_;
  std::string outsider_;
};

json BatchBody(const std::string& username, const json& blocks) {
  return {{"username", username}, {"course_key", kCourse}, {"blocks", blocks}};
}

TEST_P(CompletionApiTest, BatchWritesOwnCompletionsAndStaffAnyones) {
  auto [ok_status, ok] = Batch(BatchBody("learner", {{Block("html", "h1"), 1.0}}), learner_);
  EXPECT_EQ(ok_status, 200) << ok.dump();
  EXPECT_EQ(ok, json({{"detail", "ok"}}));
  EXPECT_FALSE(UnitComplete("u1", learner_));
  // Staff for the learner; the problem makes unit 1 complete (the
  // discussion does not count).
  auto [staff_status, staff] =
      Batch(BatchBody("learner", {{Block("problem", "p1"), "1.0"}}), admin_);
  EXPECT_EQ(staff_status, 200) << staff.dump();
  EXPECT_TRUE(UnitComplete("u1", learner_));
  // Nothing of it is the other learner's.
  EXPECT_FALSE(UnitComplete("u1", other_));
  json resume = Resume(learner_);
  EXPECT_EQ(resume["block_id"], Block("problem", "p1"));
  EXPECT_EQ(resume["section_id"], Block("sequential", "s"));
  EXPECT_EQ(resume["unit_id"], Block("vertical", "u1"));
}

TEST_P(CompletionApiTest, BatchRefusalsHaveUpstreamBodies) {
  json blocks = {{Block("html", "h1"), 1.0}};
  auto [anon_status, anon] = Batch(BatchBody("learner", blocks), "");
  EXPECT_EQ(anon_status, 401);
  EXPECT_EQ(anon["detail"], "Authentication credentials were not provided.");
  auto [other_status, other] = Batch(BatchBody("learner", blocks), other_);
  EXPECT_EQ(other_status, 403);
  EXPECT_EQ(other["detail"], "You do not have permission to perform this action.");
  auto [nouser_status, nouser] = Batch(BatchBody("nobody", blocks), admin_);
  EXPECT_EQ(nouser_status, 404);
  EXPECT_EQ(nouser["detail"], "User matching query does not exist.");
  auto [unenrolled_status, unenrolled] = Batch(BatchBody("outsider", blocks), outsider_);
  EXPECT_EQ(unenrolled_status, 400);
  EXPECT_EQ(unenrolled["detail"], "User is not enrolled in course.");

  auto missing = Batch(json{{"username", "learner"}, {"course_key", kCourse}}, learner_);
  EXPECT_EQ(missing.first, 400);
  EXPECT_EQ(missing.second["detail"], "Key 'blocks' not found.");
  auto bad_course = Batch(
      json{{"username", "learner"}, {"course_key", "not a key"}, {"blocks", blocks}}, learner_);
  EXPECT_EQ(bad_course.first, 400);
  EXPECT_EQ(bad_course.second["detail"], "Invalid learning context key: not a key");
  auto bad_block = Batch(BatchBody("learner", {{"nope", 1.0}}), learner_);
  EXPECT_EQ(bad_block.first, 400);
  EXPECT_EQ(bad_block.second["detail"], "Invalid block key: nope");
  std::string foreign = "block-v1:edX+DemoX+Demo_Course+type@html+block@x";
  auto cross = Batch(BatchBody("learner", {{foreign, 1.0}}), learner_);
  EXPECT_EQ(cross.first, 400);
  EXPECT_EQ(cross.second["detail"],
            "Block with key: '" + foreign + "' is not in context " + std::string(kCourse));
  auto not_float = Batch(BatchBody("learner", {{Block("html", "h1"), "abc"}}), learner_);
  EXPECT_EQ(not_float.first, 400);
  EXPECT_EQ(not_float.second["detail"], "could not convert string to float: 'abc'");
  // Out of range: nothing of the batch is stored.
  auto range = Batch(BatchBody("learner", {{Block("html", "h2"), 1.0}, {Block("html", "h1"), 1.5}}),
                     learner_);
  EXPECT_EQ(range.first, 400);
  EXPECT_EQ(range.second["detail"], "1.5 must be between 0.0 and 1.0");
  auto bad_json =
      Send("POST", server_->base_url() + "/api/completion/v1/completion-batch", "{",
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(bad_json.ok());
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_TRUE(Json(bad_json).contains("detail"));
  EXPECT_TRUE(Resume(learner_)["block_id"].is_null());
}

TEST_P(CompletionApiTest, SubsectionCompletionIsTheCallersOwn) {
  const std::string path = "/api/completion/v1/subsection-completion/";
  auto get = [&](const std::string& user, const std::string& token,
                 const std::string& subsection = Block("sequential", "s")) {
    auto r = Request("GET", path + user + "/" + kCourse + "/" + subsection, json(), token);
    return std::make_pair(r.ok() ? r->status : -1, r.ok() ? Json(r) : json());
  };
  EXPECT_EQ(get("learner", learner_), std::make_pair(200, json({{"completion", 0}})));
  ASSERT_EQ(Batch(BatchBody("learner", {{Block("html", "h1"), 1.0},
                                        {Block("problem", "p1"), 1.0},
                                        {Block("html", "h2"), 1.0}}),
                  learner_)
                .first,
            200);
  // The staff-only unit does not count for the learner.
  EXPECT_EQ(get("LEARNER", learner_), std::make_pair(200, json({{"completion", 1}})));
  EXPECT_EQ(get("learner", "").first, 401);
  EXPECT_EQ(get("learner", other_).first, 404);
  EXPECT_EQ(get("learner", admin_).first, 403);
  EXPECT_EQ(get("learner", learner_, Block("sequential", "staffseq")).first, 404);
  EXPECT_EQ(get("learner", learner_, Block("sequential", "nope")).first, 404);
}

TEST_P(CompletionApiTest, PublishCompletionAndResume) {
  json nothing = Resume(learner_);
  EXPECT_EQ(nothing, json({{"block_id", nullptr}, {"section_id", nullptr}, {"unit_id", nullptr}}));
  auto [status, body] =
      Handler(Block("html", "h2"), "publish_completion", {{"completion", 1.0}}, learner_);
  EXPECT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body, json({{"result", "ok"}}));
  EXPECT_TRUE(UnitComplete("u2", learner_));
  json resume = Resume(learner_);
  EXPECT_EQ(resume["block_id"], Block("html", "h2"));
  EXPECT_EQ(resume["section_id"], Block("sequential", "s"));
  EXPECT_EQ(resume["unit_id"], Block("vertical", "u2"));
  // The vertical's form names a descendant completable by viewing.
  auto [v_status, v_body] =
      Handler(Block("vertical", "u1"), "publish_completion",
              {{"block_key", Block("html", "h1")}, {"completion", 1.0}}, learner_);
  EXPECT_EQ(v_status, 200) << v_body.dump();
  EXPECT_EQ(Resume(learner_)["block_id"], Block("html", "h1"));
  auto [p_status, p_body] =
      Handler(Block("vertical", "u1"), "publish_completion",
              {{"block_key", Block("problem", "p1")}, {"completion", 1.0}}, learner_);
  EXPECT_EQ(p_status, 400);
  EXPECT_NE(p_body["error"].get<std::string>().find("not configured for completion by viewing"),
            std::string::npos);
  auto [u_status, u_body] =
      Handler(Block("vertical", "u1"), "publish_completion",
              {{"block_key", Block("html", "h2")}, {"completion", 1.0}}, learner_);
  EXPECT_EQ(u_status, 400);
  EXPECT_NE(u_body["error"].get<std::string>().find("not found in"), std::string::npos);
  // Excluded and aggregate blocks are not completed directly; bad values.
  EXPECT_EQ(
      Handler(Block("discussion", "d1"), "publish_completion", {{"completion", 1.0}}, learner_)
          .first,
      400);
  EXPECT_EQ(
      Handler(Block("vertical", "u2"), "publish_completion", {{"completion", 1.0}}, learner_).first,
      400);
  EXPECT_EQ(
      Handler(Block("problem", "p1"), "publish_completion", {{"completion", 1.0}}, learner_).first,
      400);
  EXPECT_EQ(
      Handler(Block("html", "h1"), "publish_completion", {{"completion", 2.0}}, learner_).first,
      400);
  EXPECT_EQ(
      Handler(Block("html", "h1"), "publish_completion", {{"completion", "x"}}, learner_).first,
      400);
}

TEST_P(CompletionApiTest, HandlersRefuseWhoMustNotWrite) {
  json one = {{"completion", 1.0}};
  auto anon = Request("POST", HandlerPath(Block("html", "h1"), "publish_completion"), one, "");
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(anon->status, 403);
  EXPECT_EQ(Handler(Block("html", "h1"), "publish_completion", one, outsider_).first, 404);
  EXPECT_EQ(Handler(Block("html", "sh"), "publish_completion", one, learner_).first, 404);
  EXPECT_EQ(Handler(Block("html", "lh"), "publish_completion", one, learner_).first, 404);
  EXPECT_EQ(Handler(Block("sequential", "s"), "xmodule_handler/goto_position", {{"position", 2}},
                    outsider_)
                .first,
            404);
  EXPECT_EQ(
      Handler(Block("sequential", "s"), "xmodule_handler/explode", json::object(), learner_).first,
      404);
  // Staff may complete what learners cannot see.
  EXPECT_EQ(Handler(Block("html", "sh"), "publish_completion", one, admin_).first, 200);
  EXPECT_TRUE(Resume(learner_)["block_id"].is_null());
  auto anon_resume = Request("GET", "/api/courseware/resume/" + std::string(kCourse), json(), "");
  ASSERT_TRUE(anon_resume.ok());
  EXPECT_EQ(anon_resume->status, 401);
}

TEST_P(CompletionApiTest, SequenceHandlersAndScoredProblems) {
  for (const char* handler : {"xmodule_handler/goto_position", "goto_position"}) {
    auto [status, body] = Handler(Block("sequential", "s"), handler, {{"position", 2}}, learner_);
    EXPECT_EQ(status, 200) << handler << body.dump();
    EXPECT_EQ(body, json({{"success", true}}));
  }
  EXPECT_EQ(
      Handler(Block("sequential", "s"), "goto_position", {{"position", "bad"}}, learner_).second,
      json({{"success", true}}));
  // get_completion without a usage key, or a unit not in this sequence.
  EXPECT_EQ(Handler(Block("sequential", "s"), "get_completion", json::object(), learner_).second,
            json({{"complete", false}}));
  EXPECT_EQ(Handler(Block("sequential", "s"), "get_completion",
                    {{"usage_key", Block("vertical", "lu")}}, learner_)
                .second,
            json({{"complete", false}}));

  // A scored submission completes the problem, wrong answers too.
  EXPECT_EQ(
      Handler(Block("html", "h1"), "publish_completion", {{"completion", 1.0}}, learner_).first,
      200);
  EXPECT_FALSE(UnitComplete("u1", learner_));
  auto check = Send(
      "POST",
      server_->base_url() + HandlerPath(Block("problem", "p1"), "xmodule_handler/problem_check"),
      "input_p1_2_1=5",
      {{"Content-Type", "application/x-www-form-urlencoded"},
       {"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->status, 200) << check->body;
  EXPECT_EQ(Json(check)["success"], "incorrect");
  EXPECT_TRUE(UnitComplete("u1", learner_));
  EXPECT_EQ(Resume(learner_)["block_id"], Block("problem", "p1"));

  // The sequence metadata's unit bar shows the same state, the caller's own.
  ASSERT_EQ(Request("POST", "/api/bookmarks/v1/bookmarks/", {{"usage_id", Block("vertical", "u1")}},
                    learner_)
                ->status,
            201);
  auto sequence = [&](const std::string& token) {
    auto r = Request("GET", "/api/courseware/sequence/" + Block("sequential", "s"), json(), token);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r);
  };
  // The "bad" position above reset it to 1, as upstream does.
  EXPECT_EQ(sequence(learner_)["position"], 1);
  ASSERT_EQ(Handler(Block("sequential", "s"), "goto_position", {{"position", 2}}, learner_).first,
            200);
  json mine = sequence(learner_);
  EXPECT_EQ(mine["position"], 2);
  ASSERT_FALSE(mine["items"].empty()) << mine.dump();
  EXPECT_EQ(mine["items"][0]["id"], Block("vertical", "u1"));
  EXPECT_EQ(mine["items"][0]["complete"], true);
  EXPECT_EQ(mine["items"][0]["bookmarked"], true);
  json theirs = sequence(other_);
  EXPECT_EQ(theirs["position"], nullptr);
  EXPECT_EQ(theirs["items"][0]["complete"], false);
  EXPECT_EQ(theirs["items"][0]["bookmarked"], false);
}

TEST_P(CompletionApiTest, OutlineShowsWhatTheLearnerSeesWithCompletion) {
  auto [status, body] = Outline(kCourse, learner_);
  ASSERT_EQ(status, 200) << body.dump();
  for (const char* field :
       {"access_expiration", "cert_data", "course_goals", "course_tools", "dates_banner_info",
        "dates_widget", "enable_proctored_exams", "enroll_alert", "enrollment_mode",
        "handouts_html", "has_ended", "offer", "resume_course", "user_has_passing_grade",
        "verified_mode", "welcome_message_html"}) {
    EXPECT_TRUE(body.contains(field)) << field;
  }
  EXPECT_EQ(body["enrollment_mode"], "audit");
  // The course's info/handouts.html, its /static/ links made asset URLs.
  EXPECT_EQ(body["handouts_html"],
            "<ol><li><a href=\"/asset-v1:Larch+C+2024+type@asset+block@syllabus.pdf\">"
            "Syllabus</a></li></ol>");
  EXPECT_EQ(Outline(kCourse, outsider_).second["handouts_html"], nullptr);
  EXPECT_EQ(body["has_ended"], false);
  EXPECT_EQ(body["user_has_passing_grade"], false);
  const json& blocks = body["course_blocks"]["blocks"];
  std::string course = Block("course", "course");
  EXPECT_EQ(body["course_blocks"]["root"], course);
  // Course, Week 1 and its one visible sequential; nothing staff-only or
  // unstarted, nothing below the sequentials.
  EXPECT_EQ(blocks.size(), 3u) << blocks.dump();
  EXPECT_EQ(blocks[course]["children"], json::array({Block("chapter", "ch")}));
  EXPECT_EQ(blocks[course]["has_scheduled_content"], true);
  const json& seq = blocks[Block("sequential", "s")];
  EXPECT_EQ(seq["display_name"], "Lesson (1 Question)");
  EXPECT_EQ(seq["description"], "Homework");
  EXPECT_EQ(seq["icon"], "fa-pencil-square-o");
  EXPECT_EQ(seq["children"], json::array());
  EXPECT_EQ(seq["type"], "sequential");
  EXPECT_EQ(seq["hide_from_toc"], false);
  EXPECT_EQ(seq["complete"], false);
  EXPECT_EQ(seq["resume_block"], false);
  EXPECT_NE(seq["lms_web_url"].get<std::string>().find("/jump_to/" + Block("sequential", "s")),
            std::string::npos);
  EXPECT_EQ(body["resume_course"]["has_visited_course"], false);
  EXPECT_NE(body["resume_course"]["url"].get<std::string>().find("/jump_to/" + Block("html", "h1")),
            std::string::npos)
      << body["resume_course"].dump();

  auto summary = [&]() {
    auto r =
        Request("GET", "/api/course_home/v1/progress/" + std::string(kCourse), json(), learner_);
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r)["completion_summary"];
  };
  EXPECT_EQ(summary(), json({{"complete_count", 0}, {"incomplete_count", 2}, {"locked_count", 0}}));

  // Every unit the learner sees done: the sequence, week and course are
  // complete (the staff-only unit and the unstarted week do not count).
  auto [batch, reply] = Batch(BatchBody("learner", {{Block("html", "h1"), 1.0},
                                                    {Block("problem", "p1"), 1.0},
                                                    {Block("html", "h2"), 1.0}}),
                              learner_);
  ASSERT_EQ(batch, 200) << reply.dump();
  body = Outline(kCourse, learner_, "/api/course_home/outline/").second;
  const json& done = body["course_blocks"]["blocks"];
  for (const std::string& id : {course, Block("chapter", "ch"), Block("sequential", "s")}) {
    EXPECT_EQ(done[id]["complete"], true) << id;
    EXPECT_EQ(done[id]["resume_block"], true) << id;
  }
  EXPECT_EQ(summary(), json({{"complete_count", 2}, {"incomplete_count", 0}, {"locked_count", 0}}));
  EXPECT_EQ(body["resume_course"]["has_visited_course"], true);
  EXPECT_NE(body["resume_course"]["url"].get<std::string>().find("/jump_to/block-v1:Larch+C+2024"),
            std::string::npos);
  // The other learner's outline is untouched.
  json other = Outline(kCourse, other_).second;
  EXPECT_EQ(other["course_blocks"]["blocks"][course]["complete"], false);
  EXPECT_EQ(other["resume_course"]["has_visited_course"], false);
  // Staff see the staff-only and unstarted content.
  json staff = Outline(kCourse, admin_).second["course_blocks"]["blocks"];
  EXPECT_TRUE(staff.contains(Block("sequential", "staffseq")));
  EXPECT_TRUE(staff.contains(Block("chapter", "later")));
  EXPECT_EQ(staff[course]["complete"], false);
}

TEST_P(CompletionApiTest, OutlineRefusalsAndThePublicShape) {
  auto [anon_status, anon] = Outline(kCourse, "");
  EXPECT_EQ(anon_status, 401);
  EXPECT_EQ(anon["detail"], "Authentication credentials were not provided.");
  EXPECT_EQ(Outline("course-v1:No+Such+Course", learner_).first, 404);
  // Signed in, not enrolled: the shape without course blocks.
  auto [out_status, outsider] = Outline(kCourse, outsider_);
  EXPECT_EQ(out_status, 200);
  EXPECT_TRUE(outsider["course_blocks"].is_null());
  EXPECT_TRUE(outsider["enrollment_mode"].is_null());
  EXPECT_EQ(outsider["enroll_alert"]["can_enroll"], true);
  EXPECT_EQ(outsider["resume_course"]["has_visited_course"], false);
  // A public outline: blocks for anyone, without links or completion.
  const std::string pub = "course-v1:Larch+Pub+2024";
  for (const std::string& token : {outsider_, std::string()}) {
    auto [status, body] = Outline(pub, token);
    EXPECT_EQ(status, 200) << body.dump();
    const json& blocks = body["course_blocks"]["blocks"];
    ASSERT_EQ(blocks.size(), 3u) << body.dump();
    EXPECT_TRUE(
        blocks["block-v1:Larch+Pub+2024+type@sequential+block@ps"]["lms_web_url"].is_null());
    EXPECT_EQ(blocks["block-v1:Larch+Pub+2024+type@sequential+block@ps"]["complete"], false);
  }
}

TEST_P(CompletionApiTest, NavigationCountsUnitsAndLeaves) {
  const std::string path = "/api/course_home/v1/navigation/" + std::string(kCourse);
  auto nav = [&](const std::string& token) {
    auto r = Request("GET", path, json(), token);
    return std::make_pair(r.ok() ? r->status : -1, r.ok() ? Json(r) : json());
  };
  EXPECT_EQ(nav("").first, 401);
  EXPECT_EQ(nav(outsider_), std::make_pair(200, json({{"blocks", json::object()}})));
  auto [status, body] = nav(learner_);
  ASSERT_EQ(status, 200) << body.dump();
  const json& blocks = body["blocks"];
  // Course, week, lesson and its two visible units.
  EXPECT_EQ(blocks.size(), 5u) << blocks.dump();
  const json& u1 = blocks[Block("vertical", "u1")];
  EXPECT_EQ(u1["icon"], "problem");
  EXPECT_EQ(u1["children"], json::array());
  EXPECT_EQ(u1["complete"], false);
  EXPECT_EQ(u1["completion_stat"], json({{"completion", 0.0}, {"completable_children", 2}}));
  EXPECT_EQ(blocks[Block("vertical", "u2")]["icon"], "other");
  EXPECT_EQ(blocks[Block("sequential", "s")]["children"],
            json::array({Block("vertical", "u1"), Block("vertical", "u2")}));

  ASSERT_EQ(Batch(BatchBody("learner", {{Block("html", "h1"), 1.0}}), learner_).first, 200);
  json partial = nav(learner_).second["blocks"];
  EXPECT_EQ(partial[Block("vertical", "u1")]["completion_stat"],
            json({{"completion", 1.0}, {"completable_children", 2}}));
  ASSERT_EQ(Batch(BatchBody("learner", {{Block("problem", "p1"), 1.0}, {Block("html", "h2"), 1.0}}),
                  learner_)
                .first,
            200);
  json done = nav(learner_).second["blocks"];
  EXPECT_EQ(done[Block("sequential", "s")]["complete"], true);
  EXPECT_EQ(done[Block("sequential", "s")]["completion_stat"],
            json({{"completion", 2}, {"completable_children", 2}}));
  EXPECT_EQ(done[Block("chapter", "ch")]["completion_stat"],
            json({{"completion", 2}, {"completable_children", 2}}));
  EXPECT_EQ(nav(other_).second["blocks"][Block("sequential", "s")]["complete"], false);
}

TEST_P(CompletionApiTest, BookmarksCreateListGetDelete) {
  const std::string list = "/api/bookmarks/v1/bookmarks/";
  auto anon = Request("GET", list, json(), "");
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(Request("POST", list, {{"usage_id", Block("html", "h1")}}, "")->status, 401);

  auto created = Request("POST", list, {{"usage_id", Block("html", "h1")}}, learner_);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  json bookmark = Json(created);
  EXPECT_EQ(bookmark["id"], "learner," + Block("html", "h1"));
  EXPECT_EQ(bookmark["course_id"], kCourse);
  EXPECT_EQ(bookmark["usage_id"], Block("html", "h1"));
  EXPECT_EQ(bookmark["block_type"], "html");
  EXPECT_EQ(bookmark["display_name"], "Intro");
  EXPECT_EQ(bookmark["path"],
            json::array({{{"usage_id", Block("chapter", "ch")}, {"display_name", "Week 1"}},
                         {{"usage_id", Block("sequential", "s")}, {"display_name", "Lesson"}},
                         {{"usage_id", Block("vertical", "u1")}, {"display_name", "Unit 1"}}}));
  // Again: the same bookmark.
  auto again = Request("POST", list, {{"usage_id", Block("html", "h1")}}, learner_);
  EXPECT_EQ(again->status, 201);
  EXPECT_EQ(Json(again)["created"], bookmark["created"]);
  ASSERT_EQ(Request("POST", list, {{"usage_id", Block("html", "h2")}}, learner_)->status, 201);

  // Refused: no data, no usage_id, a bad key, blocks the caller cannot see.
  auto error = [&](const json& body, const std::string& token) {
    auto r = Request("POST", list, body, token);
    EXPECT_EQ(r->status, 400) << body.dump();
    return Json(r)["developer_message"];
  };
  EXPECT_EQ(error(json::object(), learner_), "No data provided.");
  EXPECT_EQ(error({{"x", 1}}, learner_), "Parameter usage_id not provided.");
  EXPECT_EQ(error({{"usage_id", "nope"}}, learner_), "Invalid usage_id: nope.");
  for (const std::string& hidden : {Block("html", "sh"), Block("html", "lh")}) {
    EXPECT_EQ(error({{"usage_id", hidden}}, learner_),
              "Block with usage_id: " + hidden + " not found.");
  }
  EXPECT_EQ(error({{"usage_id", Block("html", "h1")}}, outsider_),
            "Block with usage_id: " + Block("html", "h1") + " not found.");

  // Newest first, paginated; other learners see none of it.
  // The key as a client sends it, '+' encoded.
  json page = Json(
      Request("GET", list + "?page_size=1&course_id=course-v1:Larch%2BC%2B2024", json(), learner_));
  EXPECT_EQ(page["count"], 2);
  EXPECT_EQ(page["num_pages"], 2);
  EXPECT_EQ(page["current_page"], 1);
  EXPECT_EQ(page["start"], 0);
  ASSERT_EQ(page["results"].size(), 1u);
  EXPECT_EQ(page["results"][0]["usage_id"], Block("html", "h2"));
  EXPECT_FALSE(page["results"][0].contains("display_name"));
  EXPECT_NE(page["next"].get<std::string>().find("page=2"), std::string::npos);
  EXPECT_TRUE(page["previous"].is_null());
  EXPECT_EQ(Request("GET", list + "?page=3", json(), learner_)->status, 404);
  EXPECT_EQ(Json(Request("GET", list, json(), other_))["count"], 0);
  EXPECT_EQ(Json(Request("GET", list + "?course_id=course-v1:Larch%2BPub%2B2024", json(),
                         learner_))["count"],
            0);

  const std::string detail = list + "learner," + Block("html", "h1") + "/";
  auto got = Request("GET", detail + "?fields=display_name", json(), learner_);
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(Json(got)["display_name"], "Intro");
  EXPECT_FALSE(Json(got).contains("path"));
  auto foreign = Request("GET", detail, json(), other_);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(Json(foreign)["detail"], "Not found.");
  EXPECT_EQ(Request("DELETE", detail, json(), other_)->status, 404);
  EXPECT_EQ(Request("GET", detail, json(), admin_)->status, 403);
  EXPECT_EQ(Request("DELETE", detail, json(), learner_)->status, 204);
  auto gone = Request("GET", detail, json(), learner_);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(Json(gone)["developer_message"],
            "Bookmark with usage_id: " + Block("html", "h1") + " does not exist.");
  EXPECT_EQ(Request("DELETE", detail, json(), learner_)->status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, CompletionApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
