// The learner dashboard's endpoints over HTTP (docs/api/learner_home.md):
// GET /api/learner_home/init, POST /change_enrollment and
// GET /api/mfe_config/v1, on both backends.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "learning_fixture.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kInit[] = "/api/learner_home/init";
// A course whose one homework problem is the whole grade (Pass at 50%).
constexpr char kGraded[] = "course-v1:Larch+G+2024";

void WriteGradedCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"G\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Graded\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\" "
         "end=\"&quot;2030-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"hw\" display_name=\"Homework\" graded=\"true\" "
         "format=\"Homework\">\n"
         "      <vertical url_name=\"u1\" display_name=\"Sum\"><problem url_name=\"p1\" "
         "display_name=\"Add\"><numericalresponse answer=\"4\"><textline/></numericalresponse>"
         "</problem></vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json")
      << json{{"course/2024", {{"display_name", "Graded"}}}};
  std::ofstream(dir / "policies" / "2024" / "grading_policy.json")
      << json{{"GRADER", json::array({{{"type", "Homework"},
                                       {"short_label", "HW"},
                                       {"min_count", 1},
                                       {"drop_count", 0},
                                       {"weight", 1.0}}})},
              {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
}

class LearnerHomeApiTest : public LearningApiTest {
 protected:
  void SetUp() override {
    LearningApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::path graded = fs::path(dir_.path()) / "graded";
    WriteGradedCourse(graded);
    Run({"import-olx", "--data-dir", dir_.path(), graded.string()});
  }

  // POST /change_enrollment with the token (none when empty).
  StatusOr<HttpClientResponse> Change(const std::string& form, const std::string& token) {
    Headers headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Send("POST", Url("/change_enrollment"), form, headers);
  }
  static std::string Form(const std::string& course, const std::string& action) {
    return "course_id=" + PercentEncodeForTest(course) + "&enrollment_action=" + action;
  }
  static std::string PercentEncodeForTest(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '+') {
        out += "%2B";
      } else if (c == ':') {
        out += "%3A";
      } else {
        out += c;
      }
    }
    return out;
  }
  // The course ids of the caller's cards, in order.
  std::vector<std::string> CourseIds(const std::string& token) {
    std::vector<std::string> ids;
    const json body = Ok(kInit, token);
    for (const json& card : body["courses"]) {
      ids.push_back(card["courseRun"]["courseId"].get<std::string>());
    }
    return ids;
  }
};

TEST_P(LearnerHomeApiTest, EmptyDashboardHasEveryTopLevelKey) {
  json body = Ok(kInit, outsider_);
  std::vector<std::string> keys;
  for (const auto& [key, value] : body.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"courses", "emailConfirmation", "enterpriseDashboard",
                                            "platformSettings", "socialShareSettings",
                                            "suggestedCourses"}));
  EXPECT_EQ(body["courses"], json::array());
  EXPECT_EQ(body["suggestedCourses"], json::array());
  EXPECT_EQ(body["enterpriseDashboard"], nullptr);
  EXPECT_EQ(body["emailConfirmation"], json({{"isNeeded", false}, {"sendEmailUrl", ""}}));
  EXPECT_EQ(body["platformSettings"], json({{"supportEmail", "feedback@example.com"},
                                            {"billingEmail", "billing@example.com"},
                                            {"courseSearchUrl", "/courses"}}));
  const json utm = "utm_medium=social&utm_campaign=social-sharing-db&utm_source=facebook";
  EXPECT_EQ(body["socialShareSettings"]["facebook"],
            json({{"isEnabled", false}, {"socialBrand", "edX.org"}, {"utmParams", utm}}));
  EXPECT_EQ(body["socialShareSettings"]["twitter"]["isEnabled"], false);
  // The trailing-slash form answers the same.
  EXPECT_EQ(Ok(std::string(kInit) + "/", outsider_), body);
}

TEST_P(LearnerHomeApiTest, CardsOfAStartedGradedCourseAndANotStartedOne) {
  Enroll(kLate, outsider_);
  Enroll(kGraded, outsider_);
  // One right answer: the problem is complete (resume) and the grade passes.
  auto check =
      Send("POST",
           Url("/courses/" + std::string(kGraded) + "/xblock/" +
               LearnBlock(kGraded, "problem", "p1") + "/handler/xmodule_handler/problem_check"),
           "input_p1_2_1=4",
           {{"Content-Type", "application/x-www-form-urlencoded"},
            {"Authorization", "Bearer " + outsider_}});
  ASSERT_TRUE(check.ok());
  ASSERT_EQ(check->status, 200) << check->body;
  ASSERT_EQ(Json(check)["success"], "correct");
  Run({"compute-grades", "--data-dir", dir_.path(), kGraded});

  json courses = Ok(kInit, outsider_)["courses"];
  ASSERT_EQ(courses.size(), 2u) << courses.dump();
  const json& graded = courses[0];  // newest enrollment first
  const json& late = courses[1];
  const std::string g = kGraded;
  // The importer's default course image; certificates show at the end
  // (certificates_display_behavior "end", the default).
  EXPECT_EQ(graded["course"], json({{"bannerImgSrc",
                                     "/asset-v1:Larch+G+2024+type@asset+block@"
                                     "images_course_image.jpg"},
                                    {"courseName", "Graded"},
                                    {"courseNumber", "G"},
                                    {"socialShareUrl", nullptr}}));
  EXPECT_EQ(graded["courseProvider"], json({{"name", "Larch"}}));
  EXPECT_EQ(graded["courseRun"],
            json({{"isStarted", true},
                  {"isArchived", false},
                  {"courseId", g},
                  {"minPassingGrade", "0.50"},
                  {"startDate", "2020-01-01T00:00:00Z"},
                  {"advertisedStart", nullptr},
                  {"endDate", "2030-01-01T00:00:00Z"},
                  {"homeUrl", "/learning/course/" + g + "/home"},
                  {"marketingUrl", "/courses/" + g + "/about"},
                  {"progressUrl", "/learning/course/" + g + "/progress"},
                  {"unenrollUrl", "/course_run/" + g + "/refund_status"},
                  {"upgradeUrl", nullptr},
                  {"resumeUrl", "/learning/course/" + g + "/" + LearnBlock(g, "sequential", "hw") +
                                    "/" + LearnBlock(g, "vertical", "u1")}}));
  json enrollment = graded["enrollment"];
  EXPECT_TRUE(enrollment["lastEnrolled"].is_string());
  enrollment.erase("lastEnrolled");
  EXPECT_EQ(enrollment,
            json({{"accessExpirationDate", nullptr},
                  {"isAudit", true},
                  {"hasStarted", true},
                  {"coursewareAccess",
                   {{"hasUnmetPrerequisites", false}, {"isTooEarly", false}, {"isStaff", false}}},
                  {"isVerified", false},
                  {"canUpgrade", false},
                  {"isAuditAccessExpired", false},
                  {"isEmailEnabled", false},
                  {"hasOptedOutOfEmail", false},
                  {"isEnrolled", true},
                  {"mode", "audit"}}));
  EXPECT_EQ(graded["certificate"], json({{"availableDate", "2030-01-01T00:00:00Z"},
                                         {"isRestricted", false},
                                         {"isEarned", false},
                                         {"isDownloadable", false},
                                         {"certPreviewUrl", nullptr}}));
  EXPECT_EQ(graded["gradeData"], json({{"isPassing", true}}));
  EXPECT_EQ(graded["entitlement"], json::object());
  EXPECT_EQ(graded["programs"], json({{"relatedPrograms", json::array()}}));
  EXPECT_EQ(graded["credit"], json::object());

  EXPECT_EQ(late["courseRun"]["courseId"], kLate);
  EXPECT_EQ(late["courseRun"]["isStarted"], false);
  EXPECT_EQ(late["courseRun"]["startDate"], "2099-01-01T00:00:00Z");
  EXPECT_EQ(late["courseRun"]["endDate"], nullptr);
  EXPECT_EQ(late["courseRun"]["resumeUrl"], nullptr);
  EXPECT_EQ(late["enrollment"]["hasStarted"], false);
  EXPECT_EQ(late["enrollment"]["coursewareAccess"]["isTooEarly"], true);
  EXPECT_EQ(late["gradeData"]["isPassing"], false);
}

TEST_P(LearnerHomeApiTest, StaffMaySeeAnotherLearnerOthersMayNot) {
  const std::vector<std::string> learner_courses = {kLate, kOwn, kLearnDemo};
  EXPECT_EQ(CourseIds(learner_), learner_courses);
  json as_learner = Ok(std::string(kInit) + "?user=learner", admin_);
  EXPECT_EQ(as_learner, Ok(kInit, learner_));
  EXPECT_EQ(Ok(std::string(kInit) + "?user=learner%40example.com", admin_), as_learner);
  // Naming oneself is no masquerade.
  EXPECT_EQ(Ok(std::string(kInit) + "?user=LEARNER", learner_), as_learner);

  auto unknown = Get(std::string(kInit) + "?user=nobody", admin_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown), json({{"detail", "Not found."}}));
  auto other = Get(std::string(kInit) + "?user=outsider", learner_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(Json(other), json({{"detail", "You do not have permission to perform this action."}}));
  auto anonymous = Get(kInit, "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous), json({{"detail", "Authentication credentials were not provided."}}));
}

TEST_P(LearnerHomeApiTest, ChangeEnrollmentUnenrollsAndEnrolls) {
  auto left = Change(Form(kOwn, "unenroll"), learner_);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->status, 200) << left->body;
  EXPECT_EQ(left->body, "");
  EXPECT_EQ(CourseIds(learner_), (std::vector<std::string>{kLate, kLearnDemo}));
  // Enrolling again (a free course: no track choice) reactivates the
  // enrollment, which keeps its place (cards are ordered by when the
  // enrollment was created).
  auto back = Change(Form(kOwn, "enroll"), learner_);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(back->body, "");
  EXPECT_EQ(CourseIds(learner_), (std::vector<std::string>{kLate, kOwn, kLearnDemo}));
}

TEST_P(LearnerHomeApiTest, ChangeEnrollmentRefusesBadInput) {
  auto expect = [&](const std::string& form, const std::string& token, int status,
                    const std::string& body) {
    auto r = Change(form, token);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status) << form;
    EXPECT_EQ(r->body, body) << form;
  };
  expect(Form(kOwn, "unenroll"), "", 403, "");
  expect("enrollment_action=enroll", learner_, 400, "Course id not specified");
  expect("course_id=not-a-key&enrollment_action=enroll", learner_, 400, "Invalid course id");
  expect(Form("course-v1:No+Such+Course", "enroll"), learner_, 400, "Course id is invalid");
  expect(Form("course-v1:No+Such+Course", "unenroll"), learner_, 400,
         "You are not enrolled in this course");
  expect(Form(kOwn, "unenroll"), outsider_, 400, "You are not enrolled in this course");
  expect(Form(kOwn, "leave"), learner_, 400, "Enrollment action is invalid");
  expect(Form(kOwn, ""), learner_, 400, "Enrollment action is invalid");
  EXPECT_EQ(CourseIds(learner_).size(), 3u);
}

TEST_P(LearnerHomeApiTest, ChangeEnrollmentWithASessionNeedsTheCsrfToken) {
  CookieJar jar;
  jar.Take(Send("GET", Url("/api/user/v1/account/login_session/"), "", {}));
  auto login = Send("POST", Url("/api/user/v1/account/login_session/"),
                    "email=learner%40example.com&password=password",
                    jar.With({{"Content-Type", "application/x-www-form-urlencoded"},
                              {"X-CSRFToken", jar.Get("csrftoken")}}));
  ASSERT_TRUE(login.ok());
  ASSERT_EQ(login->status, 200) << login->body;
  jar.Take(login);
  Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  auto refused = Send("POST", Url("/change_enrollment"), Form(kOwn, "unenroll"), jar.With(form));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(CourseIds(learner_).size(), 3u);
  form.emplace_back("X-CSRFToken", jar.Get("csrftoken"));
  auto done = Send("POST", Url("/change_enrollment"), Form(kOwn, "unenroll"), jar.With(form));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(CourseIds(learner_), (std::vector<std::string>{kLate, kLearnDemo}));
  // The session reads its own dashboard too.
  auto mine = Send("GET", Url(kInit), "", jar.With({}));
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->status, 200);
  EXPECT_EQ(Json(mine)["courses"].size(), 2u);
}

TEST_P(LearnerHomeApiTest, RefundStatusIsFalseForSignedInCallers) {
  EXPECT_EQ(Ok("/course_run/" + std::string(kOwn) + "/refund_status", learner_),
            json({{"course_refundable_status", false}}));
  EXPECT_EQ(StatusOf("/course_run/" + std::string(kOwn) + "/refund_status", ""), 401);
}

TEST_P(LearnerHomeApiTest, MfeConfigDefaults) {
  auto r = Get("/api/mfe_config/v1", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  std::string cache;
  for (const auto& [name, value] : r->headers) {
    if (name == "cache-control") cache = value;
  }
  EXPECT_EQ(cache, "max-age=300");
  json config = Json(r);
  EXPECT_EQ(config["SITE_NAME"], "Larch");
  EXPECT_EQ(config["LOGO_URL"], "/brand/logo.svg");
  EXPECT_EQ(config["LOGO_WHITE_URL"], "/brand/logo-white.svg");
  EXPECT_EQ(config["LOGO_TRADEMARK_URL"], "/brand/logo-trademark.svg");
  EXPECT_EQ(config["FAVICON_URL"], "/brand/favicon.ico");
  EXPECT_EQ(config["LMS_BASE_URL"], "http://127.0.0.1:8000");
  EXPECT_EQ(config["BASE_URL"], "http://127.0.0.1:8000");
  EXPECT_EQ(config["LOGIN_URL"], "http://127.0.0.1:8000/login");
  EXPECT_EQ(config["LOGOUT_URL"], "http://127.0.0.1:8000/logout");
  EXPECT_EQ(config["SUPPORT_EMAIL"], "feedback@example.com");
  EXPECT_EQ(config["SUPPORT_URL"], "");
  EXPECT_EQ(config["LANGUAGE_PREFERENCE_COOKIE_NAME"], "openedx-language-preference");
  EXPECT_EQ(config["PARAGON_THEME_URLS"]["core"]["urls"]["brandOverride"],
            "/brand/paragon/core.css");
  // No override for an unknown MFE; a signed-in caller gets the same.
  EXPECT_EQ(Ok("/api/mfe_config/v1/?mfe=learner-dashboard", learner_), config);
}

TEST_P(LearnerHomeApiTest, MfeConfigOverrides) {
  std::map<std::string, std::string> env = env_;
  env["LARCH_PLATFORM_NAME"] = "Acme Learning";
  env["LARCH_MFE_CONFIG"] = R"json({"SUPPORT_URL": "https://help.example.com", "EXTRA": 1})json";
  env["LARCH_MFE_CONFIG_OVERRIDES"] =
      R"json({"learner-dashboard": {"LOGO_URL": "/brand/dashboard.svg"}, "bad": 3})json";
  env["LARCH_MFE_CONFIG_API_CACHE_TIMEOUT"] = "60";
  auto other = LarchProcess::Serve({"--data-dir", dir_.path()}, env);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto common = Send("GET", (*other)->base_url() + "/api/mfe_config/v1", "", {});
  ASSERT_TRUE(common.ok());
  ASSERT_EQ(common->status, 200);
  json config = Json(common);
  EXPECT_EQ(config["SITE_NAME"], "Acme Learning");
  EXPECT_EQ(config["SUPPORT_URL"], "https://help.example.com");
  EXPECT_EQ(config["EXTRA"], 1);
  EXPECT_EQ(config["LOGO_URL"], "/brand/logo.svg");
  bool cached = false;
  for (const auto& [name, value] : common->headers)
    cached |= name == "cache-control" && value == "max-age=60";
  EXPECT_TRUE(cached);
  auto app = Send("GET", (*other)->base_url() + "/api/mfe_config/v1?mfe=learner-dashboard", "", {});
  ASSERT_TRUE(app.ok());
  json overridden = Json(app);
  EXPECT_EQ(overridden["LOGO_URL"], "/brand/dashboard.svg");
  EXPECT_EQ(overridden["SUPPORT_URL"], "https://help.example.com");
  // A non-object override is ignored.
  auto bad = Send("GET", (*other)->base_url() + "/api/mfe_config/v1?mfe=bad", "", {});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(Json(bad), config);
}

INSTANTIATE_TEST_SUITE_P(Backends, LearnerHomeApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
