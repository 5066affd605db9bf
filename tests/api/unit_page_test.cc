// The unit page GET /xblock/{usage_key} through the real `larch` binary on
// SQLite and PostgreSQL: units of the edX Demo course and of a small course
// with every block type the page knows render, with their state; the
// callers and blocks that must be refused are refused (anonymous, not
// enrolled, not started, staff-only, hidden after due, bad key or view);
// poll, survey and word cloud handlers round-trip and their results show on
// the page; the page's CSRF token works for its own posts.
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

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kOwn[] = "course-v1:Larch+U+2024";
constexpr char kPassword[] = "password";  // kPasswordHash

std::string Block(const std::string& course, const std::string& type, const std::string& id) {
  return "block-v1:" + course.substr(std::string("course-v1:").size()) + "+type@" + type +
         "+block@" + id;
}

std::string Handler(const std::string& type, const std::string& id, const std::string& name) {
  return "/courses/" + std::string(kOwn) + "/xblock/" + Block(kOwn, type, id) + "/handler/" + name;
}

constexpr char kPollAnswers[] =
    "[[&quot;R&quot;, {&quot;label&quot;: &quot;Red&quot;, &quot;img&quot;: &quot;&quot;}], "
    "[&quot;B&quot;, {&quot;label&quot;: &quot;Blue&quot;, &quot;img&quot;: &quot;&quot;}]]";

// One unit with every block type (and a staff-only one), a unit opening in
// 2099, and a homework hidden after its 2021 due date.
void WriteOwnCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"U\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Units\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"s\" display_name=\"Lesson\">\n"
         "      <vertical url_name=\"u\" display_name=\"Everything\">\n"
         "        <html url_name=\"text\" display_name=\"Welcome\"><![CDATA[<p>Hello <img "
         "src=\"/static/pic.png\" alt=\"A picture\"></p>]]></html>\n"
         "        <html url_name=\"secret\" display_name=\"Staff notes\" "
         "visible_to_staff_only=\"true\"><![CDATA[<p>zyzzyva staff only</p>]]></html>\n"
         "        <video url_name=\"vid\" display_name=\"Lecture\" youtube_id_1_0=\"abcdefghijk\" "
         "html5_sources=\"[&quot;https://example.com/v.mp4&quot;]\" download_video=\"true\" "
         "transcripts=\"{&quot;en&quot;: &quot;lecture-en.srt&quot;}\"/>\n"
         "        <problem url_name=\"num\" display_name=\"Two plus two\" max_attempts=\"3\">"
         "<numericalresponse answer=\"4\"><label>What is 2+2?</label><textline/>"
         "</numericalresponse></problem>\n"
         "        <poll url_name=\"poll\" display_name=\"Colours\" question=\"Favourite colour?\" "
         "feedback=\"Thanks for voting\" max_submissions=\"1\" private_results=\"false\" "
         "answers=\""
      << kPollAnswers
      << "\"/>\n"
         "        <survey url_name=\"survey\" display_name=\"Feedback\" "
         "questions=\"[[&quot;enjoy&quot;, {&quot;label&quot;: &quot;Enjoying it?&quot;}]]\" "
         "answers=\"[[&quot;Y&quot;, &quot;Yes&quot;], [&quot;N&quot;, &quot;No&quot;]]\"/>\n"
         "        <word_cloud url_name=\"cloud\" display_name=\"Words\" num_inputs=\"2\" "
         "instructions=\"Two words about this course\"/>\n"
         "        <annotatable url_name=\"ann\" display_name=\"Sonnet\"><p>Weary "
         "with <annotation title=\"Toil\" body=\"Hard work\" highlight=\"blue\">toil</annotation>"
         "</p><script>alert(1)</script></annotatable>\n"
         "        <google-document url_name=\"doc\" display_name=\"Slides\" "
         "embed_code=\"&lt;iframe "
         "src=&quot;https://docs.google.com/presentation/d/XYZ/embed&quot;&gt;&lt;/iframe&gt;\"/>\n"
         "        <google-calendar url_name=\"cal\" display_name=\"Schedule\" "
         "calendar_id=\"abc@group.calendar.google.com\" default_view=\"2\"/>\n"
         "        <discussion url_name=\"talk\" discussion_category=\"Week 1\" "
         "discussion_target=\"Everything\" discussion_id=\"t1\"/>\n"
         "        <drag-and-drop-v2 url_name=\"dnd\" display_name=\"Sort them\"/>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "    <sequential url_name=\"hw\" display_name=\"Old homework\" hide_after_due=\"true\" "
         "due=\"&quot;2021-01-01T00:00:00+00:00&quot;\">\n"
         "      <vertical url_name=\"hwu\" display_name=\"Old unit\"><html url_name=\"old\">"
         "<![CDATA[<p>old</p>]]></html></vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "  <chapter url_name=\"future\" display_name=\"Later\" "
         "start=\"&quot;2099-01-01T00:00:00+00:00&quot;\">\n"
         "    <sequential url_name=\"fs\"><vertical url_name=\"fu\" display_name=\"Future\">"
         "<html url_name=\"soon\"><![CDATA[<p>soon</p>]]></html></vertical></sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Units"}}}};
}

class UnitPageTest : public ::testing::TestWithParam<std::string> {
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
    Expect(ImportUsers(dir_.path(), {"learner", "second", "outsider"}, kPasswordHash, env_),
           "import-users");
    Expect(CreatePasswordClient(dir_.path(), "script", "script-secret", env_), "oauth client");
    Start();
    admin_ = Token("admin", "Admin-Secret-1");
    learner_ = Token("learner", kPassword);
    second_ = Token("second", kPassword);
    outsider_ = Token("outsider", kPassword);
    ASSERT_FALSE(learner_.empty());
    for (const std::string& token : {learner_, second_}) {
      for (const char* course : {kDemo, kOwn}) {
        auto r = Send("POST", Url("/api/enrollment/v1/enrollment"),
                      json{{"course_details", {{"course_id", course}}}}.dump(),
                      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r->status, 200) << r->body;
      }
    }
  }

  void Start() {
    server_.reset();
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
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

  StatusOr<HttpClientResponse> Page(const std::string& usage, const std::string& token,
                                    const std::string& query =
                                        "?view=student_view&show_title=0&show_bookmark_button=0"
                                        "&recheck_access=1",
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Get(Url("/xblock/" + usage + query), headers);
  }

  // The HTML of a page that must render.
  std::string Html(const std::string& usage, const std::string& token) {
    auto r = Page(usage, token);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << usage << ": " << r->body.substr(0, 400);
    return r->body;
  }

  int Status(const std::string& usage, const std::string& token) {
    auto r = Page(usage, token);
    return r.ok() ? r->status : -1;
  }

  json PostJson(const std::string& path, const std::string& body, const std::string& token,
                int want = 200) {
    auto r = Send("POST", Url(path), body,
                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    return Json(r);
  }

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
  std::string second_;
  std::string outsider_;
};

bool Has(const std::string& html, const std::string& part) {
  return html.find(part) != std::string::npos;
}

TEST_P(UnitPageTest, DemoCourseUnitsRenderTheirBlocks) {
  // "Text input": a problem and a discussion.
  auto r = Page(Block(kDemo, "vertical", "e8a5cc2aed424838853defab7be45e42"), learner_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  std::string html = r->body;
  EXPECT_TRUE(Has(html, "<html lang=\"en\">"));
  EXPECT_TRUE(Has(html, "<h1 class=\"sr-only\">Text input</h1>")) << "show_title=0";
  EXPECT_TRUE(Has(html, "name=\"input_0d759dee4f9d459c8956136dbde55f02_2_1\"")) << html;
  EXPECT_TRUE(Has(html,
                  "data-handler=\"/courses/course-v1:edX+DemoX+Demo_Course/xblock/"
                  "block-v1:edX+DemoX+Demo_Course+type@problem+block@"
                  "0d759dee4f9d459c8956136dbde55f02/handler/\""));
  EXPECT_TRUE(Has(html, "data-action=\"problem_check\""));
  EXPECT_TRUE(Has(html, "<strong>Discussion: Basic Question Types / Text Input</strong>"));
  EXPECT_FALSE(Has(html, "<script src=")) << "no external scripts";
  EXPECT_FALSE(Has(html, "<link ")) << "no external styles";
  // The order of the vertical: the problem before the discussion.
  EXPECT_LT(html.find("xblock-problem"), html.find("xblock-discussion"));

  // "Video Presentation Styles": html, video, discussion.
  html = Html(Block(kDemo, "vertical", "256f17a44983429fb1a60802203ee4e0"), learner_);
  EXPECT_TRUE(Has(html, "<video controls"));
  EXPECT_TRUE(Has(html,
                  "<source src=\"https://s3.amazonaws.com/edx-course-videos/mit-6002x/"
                  "6002-Tutorial-00010_100.mov\""));
  EXPECT_TRUE(Has(html, "https://www.youtube.com/watch?v=xUIM7LWLsEY"));
  EXPECT_TRUE(Has(html, "/handler_noauth/transcript/download?lang=en\">Download transcript"));
  EXPECT_TRUE(Has(html, ">Download video</a>"));
  EXPECT_LT(html.find("xblock-html"), html.find("xblock-video"));

  // A leaf alone: the html block with a /static/ image, rewritten.
  html = Html(Block(kDemo, "html", "148ae8fa73ea460eb6f05505da0ba6e6"), learner_);
  EXPECT_TRUE(Has(html,
                  "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@"
                  "edX-SampleCertificate-Ux_x400.png"))
      << html;
  EXPECT_FALSE(Has(html, "src=\"/static/"));
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') > 0, true);
  EXPECT_EQ(html.find("<section class=\"xblock"), html.rfind("<section class=\"xblock"));
}

TEST_P(UnitPageTest, EveryBlockTypeOfOwnCourseRenders) {
  std::string html = Html(Block(kOwn, "vertical", "u"), learner_);
  EXPECT_TRUE(Has(html, "<h2 id=\"title-text\">Welcome</h2>"));
  EXPECT_TRUE(Has(html, "src=\"/asset-v1:Larch+U+2024+type@asset+block@pic.png\""));
  EXPECT_FALSE(Has(html, "zyzzyva")) << "staff-only child left out";
  EXPECT_TRUE(Has(html, "<source src=\"https://example.com/v.mp4\" type=\"video/mp4\">"));
  EXPECT_TRUE(Has(html, "data-max-attempts=\"3\">You have used 0 of 3 attempts"));
  EXPECT_TRUE(Has(html, "(1 point possible)"));
  EXPECT_TRUE(Has(html, "name=\"input_num_2_1\""));
  EXPECT_TRUE(Has(html, "<p>Favourite colour?</p>"));
  EXPECT_TRUE(Has(html, "name=\"choice\" id=\"poll-poll-0\" value=\"R\""));
  EXPECT_TRUE(Has(html, "<label for=\"poll-poll-1\">Blue</label>"));
  EXPECT_TRUE(Has(html, "name=\"enjoy\" value=\"Y\" aria-label=\"Yes\""));
  EXPECT_TRUE(Has(html, "Two words about this course")) << html;
  EXPECT_TRUE(Has(html, "<label for=\"word-2\">Word 2</label>"));
  EXPECT_FALSE(Has(html, "id=\"word-3\"")) << "num_inputs=2";
  EXPECT_TRUE(Has(html, "<mark class=\"annotatable-span highlight-blue\"")) << html;
  EXPECT_TRUE(Has(html, "<strong>Toil</strong> Hard work"));
  EXPECT_FALSE(Has(html, "alert(1)")) << "scripts of annotatable bodies are dropped";
  EXPECT_TRUE(Has(html, "src=\"https://docs.google.com/presentation/d/XYZ/embed\""));
  EXPECT_TRUE(Has(html,
                  "src=\"https://www.google.com/calendar/embed?mode=Agenda&amp;src=abc%40"
                  "group.calendar.google.com&amp;showCalendars=0\""));
  EXPECT_TRUE(Has(html, "<strong>Discussion: Week 1 / Everything</strong>"));
  EXPECT_TRUE(Has(html,
                  "This component (type <code>drag-and-drop-v2</code>) is not supported "
                  "yet."));
  // Staff see the staff-only block.
  EXPECT_TRUE(Has(Html(Block(kOwn, "vertical", "u"), admin_), "zyzzyva staff only"));
  // show_title defaults to 1.
  auto titled = Page(Block(kOwn, "vertical", "u"), learner_, "");
  ASSERT_TRUE(titled.ok());
  EXPECT_TRUE(Has(titled->body, "<h1>Everything</h1>"));
}

TEST_P(UnitPageTest, RefusedCallersAndBlocks) {
  const std::string unit = Block(kOwn, "vertical", "u");
  // render_xblock answers 404 for every CourseAccessRedirect: anonymous
  // callers and callers who are not enrolled.
  auto anonymous = Page(unit, "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 404);
  EXPECT_TRUE(Has(anonymous->body, "<h1>Page not found</h1>"));
  EXPECT_FALSE(Has(anonymous->body, "Welcome"));
  EXPECT_EQ(Status(unit, outsider_), 404);
  // Not started, staff-only, hidden after due: 404 for the learner, open to staff.
  for (const std::string& usage : {Block(kOwn, "vertical", "fu"), Block(kOwn, "html", "secret"),
                                   Block(kOwn, "vertical", "hwu"), Block(kOwn, "html", "old")}) {
    EXPECT_EQ(Status(usage, learner_), 404) << usage;
    EXPECT_EQ(Status(usage, admin_), 200) << usage;
  }
  // Unknown block, unknown course, malformed key.
  EXPECT_EQ(Status(Block(kOwn, "html", "nope"), learner_), 404);
  EXPECT_EQ(Status(Block("course-v1:No+Such+Course", "html", "x"), learner_), 404);
  EXPECT_EQ(Status("not-a-key", learner_), 404);
  // Another view: upstream's 400.
  auto view = Page(unit, learner_, "?view=studio_view");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, 400);
  EXPECT_EQ(view->body, "Rendering of the xblock view 'studio_view' is not supported.");
  // Handlers refuse the same callers.
  EXPECT_EQ(
      PostJson(Handler("poll", "poll", "vote"), R"({"choice": "R"})", outsider_, 404).is_object(),
      true);
  // Content hidden after its due date is closed to the learner's handlers
  // too, as the unit page is; staff still reach it.
  PostJson(Handler("html", "old", "publish_completion"), R"({"completion": 1.0})", learner_, 404);
  EXPECT_EQ(PostJson(Handler("html", "old", "publish_completion"), R"({"completion": 1.0})",
                     admin_)["result"],
            "ok");
  // The sequence metadata flags it and lists no units for the learner.
  auto sequence = [&](const std::string& token) {
    auto r = Get(Url("/api/courseware/sequence/" + Block(kOwn, "sequential", "hw")),
                 {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r);
  };
  json hidden = sequence(learner_);
  EXPECT_EQ(hidden["is_hidden_after_due"], true);
  EXPECT_EQ(hidden["items"], json::array());
  json staff = sequence(admin_);
  EXPECT_EQ(staff["is_hidden_after_due"], false);
  ASSERT_EQ(staff["items"].size(), 1u);
  EXPECT_EQ(staff["items"][0]["id"], Block(kOwn, "vertical", "hwu"));
}

TEST_P(UnitPageTest, PollVoteRoundTrip) {
  json first = PostJson(Handler("poll", "poll", "vote"), R"({"choice": "R"})", learner_);
  EXPECT_EQ(first, json({{"success", true},
                         {"errors", json::array()},
                         {"can_vote", false},
                         {"submissions_count", 1},
                         {"max_submissions", 1}}));
  json again = PostJson(Handler("poll", "poll", "vote"), R"({"choice": "B"})", learner_);
  EXPECT_EQ(again["success"], false);
  EXPECT_EQ(again["errors"], json::array({"You have already voted in this poll."}));
  json unknown = PostJson(Handler("poll", "poll", "vote"), R"({"choice": "Z"})", second_);
  EXPECT_EQ(unknown["errors"], json::array({"No key \"Z\" in answers table."}));
  json missing = PostJson(Handler("poll", "poll", "vote"), "{}", second_);
  EXPECT_EQ(missing["errors"], json::array({"Answer not included with request."}));
  EXPECT_EQ(PostJson(Handler("poll", "poll", "vote"), "{not json", second_, 400),
            json({{"error", "Invalid JSON"}}));
  EXPECT_EQ(PostJson(Handler("poll", "poll", "vote"), R"({"choice": "B"})", second_)["success"],
            true);

  json results = PostJson(Handler("poll", "poll", "get_results"), "{}", learner_);
  EXPECT_EQ(results["total"], 2);
  EXPECT_EQ(results["plural"], true);
  ASSERT_EQ(results["tally"].size(), 2u);
  EXPECT_EQ(results["tally"][0]["key"], "R");
  EXPECT_EQ(results["tally"][0]["count"], 1);
  EXPECT_EQ(results["tally"][0]["percent"], 50);
  EXPECT_EQ(results["tally"][0]["choice"], true);
  EXPECT_EQ(results["tally"][1]["choice"], false);
  EXPECT_EQ(results["display_name"], "Colours");
  EXPECT_EQ(PostJson(Handler("poll", "poll", "student_voted"), "", learner_),
            json({{"voted", true}, {"private_results", false}}));

  // The page shows the learner's vote and the results.
  std::string html = Html(Block(kOwn, "poll", "poll"), learner_);
  EXPECT_TRUE(Has(html, "value=\"R\" checked disabled"));
  EXPECT_TRUE(Has(html, "Red (your answer)"));
  EXPECT_TRUE(Has(html, "2 responses"));
  EXPECT_TRUE(Has(html, "Thanks for voting"));
}

TEST_P(UnitPageTest, SurveyAndWordCloudRoundTrip) {
  json bad = PostJson(Handler("survey", "survey", "vote"), R"({"enjoy": "Q"})", learner_);
  EXPECT_EQ(bad["success"], false);
  EXPECT_EQ(bad["errors"], json::array({"Found unknown answer 'enjoy' for question key 'Q'"}));
  json vote = PostJson(Handler("survey", "survey", "vote"), R"({"enjoy": "Y"})", learner_);
  EXPECT_EQ(vote["success"], true) << vote;
  EXPECT_EQ(vote["submissions_count"], 1);
  json results = PostJson(Handler("survey", "survey", "get_results"), "{}", learner_);
  EXPECT_EQ(results["total"], 1);
  EXPECT_EQ(results["answers"],
            json::parse(R"([{"key":"Y","label":"Yes"},{"key":"N","label":"No"}])"));
  EXPECT_EQ(results["tally"][0]["answers"][0]["percent"], 100);
  EXPECT_EQ(results["tally"][0]["answers"][0]["choice"], true);
  EXPECT_TRUE(Has(Html(Block(kOwn, "survey", "survey"), learner_), "100% (yours)"));

  auto submit = [&](const std::string& token, const std::string& form) {
    auto r = Send("POST", Url(Handler("word_cloud", "cloud", "xmodule_handler/submit")), form,
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok());
    return Json(r);
  };
  json mine = submit(learner_, "student_words%5B%5D=+Tea+&student_words%5B%5D=cake");
  EXPECT_EQ(mine["status"], "success");
  EXPECT_EQ(mine["student_words"], json({{"tea", 1}, {"cake", 1}}));
  json theirs = submit(second_, "student_words%5B%5D=tea&student_words%5B%5D=");
  EXPECT_EQ(theirs["total_count"], 3);
  EXPECT_EQ(theirs["student_words"], json({{"tea", 2}}));
  EXPECT_EQ(theirs["top_words"], json::parse(R"([{"text":"cake","size":1,"percent":33},
                            {"text":"tea","size":2,"percent":67}])"));
  EXPECT_EQ(submit(learner_, "student_words%5B%5D=more")["error"],
            "You have already posted your data.");
  std::string html = Html(Block(kOwn, "word_cloud", "cloud"), learner_);
  EXPECT_TRUE(Has(html, "Your words: tea, cake") || Has(html, "Your words: cake, tea")) << html;
  EXPECT_TRUE(Has(html, "Total number of words: 3"));
  EXPECT_FALSE(Has(html, "name=\"student_words[]\"")) << "no form after submitting";
}

TEST_P(UnitPageTest, SessionPageCarriesTheCsrfTokenItsScriptPostsWith) {
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
  jar.erase("csrftoken");
  auto page = Get(Url("/xblock/" + Block(kOwn, "vertical", "u")), {{"Cookie", cookies()}});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->status, 200);
  keep(page);
  ASSERT_TRUE(jar.count("csrftoken")) << "the page sets the CSRF cookie (ensure_csrf_cookie)";
  std::string marker = "<meta name=\"csrf-token\" content=\"";
  size_t at = page->body.find(marker);
  ASSERT_NE(at, std::string::npos);
  std::string token = page->body.substr(at + marker.size(), 32);
  EXPECT_EQ(token, jar["csrftoken"]);
  auto without = Send("POST", Url(Handler("poll", "poll", "vote")), R"({"choice": "R"})",
                      {{"Content-Type", "application/json"}, {"Cookie", cookies()}});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->status, 403);
  auto with =
      Send("POST", Url(Handler("poll", "poll", "vote")), R"({"choice": "R"})",
           {{"Content-Type", "application/json"}, {"Cookie", cookies()}, {"X-CSRFToken", token}});
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->status, 200) << with->body;
  EXPECT_EQ(Json(with)["success"], true);
}

TEST_P(UnitPageTest, TranscriptsFallBackToEnglishUnlessTurnedOff) {
  const std::string video = Block(kOwn, "video", "vid");
  auto french = Page(video, learner_, "", {{"Accept-Language", "fr-FR,fr;q=0.9"}});
  ASSERT_TRUE(french.ok());
  EXPECT_TRUE(Has(french->body, "download?lang=en\">Download transcript (en, .srt)"));
  env_["LARCH_FEATURES__FALLBACK_TO_ENGLISH_TRANSCRIPTS"] = "false";
  Start();
  french = Page(video, learner_, "", {{"Accept-Language", "fr-FR,fr;q=0.9"}});
  ASSERT_TRUE(french.ok());
  EXPECT_EQ(french->status, 200);
  EXPECT_FALSE(Has(french->body, "transcript-download"));
  auto english = Page(video, learner_, "", {{"Accept-Language", "en-US"}});
  ASSERT_TRUE(english.ok());
  EXPECT_TRUE(Has(english->body, "download?lang=en\">Download transcript (en, .srt)"))
      << "en-US is served by en";
}

INSTANTIATE_TEST_SUITE_P(Backends, UnitPageTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
