// The edx-search endpoints (POST /search/course_discovery/, /search/{course},
// /search/) against the real binary on SQLite and PostgreSQL, with the real
// courses of shared/olx imported from patched copies (enrollment windows,
// a staff-only block and a block that starts in the future).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "browser.h"
#include "larch/http/url.h"
#include "larch/storage/open_database.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using http::PercentEncode;
using nlohmann::json;

constexpr char kAdminPassword[] = "Admin-Secret-1";
constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kKitchen[] = "course-v1:Microsoft+KS101+course";
constexpr char kEnded[] = "course-v1:TestX+Course+1";
constexpr char kReadingBlock[] =
    "block-v1:edX+DemoX+Demo_Course+type@html+block@e0254b911fa246218bd98bbdadffef06";

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Replaces the first `from` in the file; the test fails if it is missing.
void Patch(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = ReadFile(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << path << " lacks " << from;
  WriteFile(path, text.replace(at, from.size(), to));
}

// Sets policy.json course/* fields of the copied course.
void PatchPolicy(const fs::path& course, const std::string& run, const json& fields) {
  fs::path path = course / "policies" / run / "policy.json";
  json policy = json::parse(ReadFile(path));
  for (auto& [key, value] : policy.items()) {
    if (key.rfind("course/", 0) == 0) value.update(fields);
  }
  WriteFile(path, policy.dump(2));
}

// POSTs a form with the CSRF token of the jar (when it has one), as the LMS
// pages do.
StatusOr<HttpClientResponse> PostForm(Browser& browser, const std::string& path,
                                      const std::string& form) {
  Headers headers;
  std::string token = browser.cookie("csrftoken");
  if (!token.empty()) headers.emplace_back("X-CSRFToken", token);
  return browser.Form(path, form, std::move(headers));
}

// Registers `username` (which logs the browser in), after fetching the CSRF
// cookie; the test fails unless it succeeds.
void Register(Browser& browser, const std::string& username) {
  ASSERT_TRUE(browser.Do("GET", "/api/user/v1/account/login_session/").ok());
  auto r =
      PostForm(browser, "/api/user/v1/account/registration/",
               "email=" + username + "%40example.com&name=" + username + "&username=" + username +
                   "&password=Long-enough-9&honor_code=true&country=US");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
}

// Browser::Login; the test fails unless it succeeds.
void LogIn(Browser& browser, const std::string& email, const std::string& password) {
  auto r = browser.Login(email, password);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
}

struct Reply {
  int status = 0;
  json body;
};

Reply ToReply(const StatusOr<HttpClientResponse>& r) {
  if (!r.ok()) return {};
  return {r->status, json::parse(r->body, nullptr, false)};
}

std::set<std::string> Ids(const json& body) {
  std::set<std::string> ids;
  if (!body.contains("results")) return ids;
  for (const json& hit : body["results"]) ids.insert(hit["data"]["id"].get<std::string>());
  return ids;
}

const std::vector<std::string>& HostileStrings() {
  static const auto* strings = new std::vector<std::string>{"\"",
                                                            "*",
                                                            "NEAR(",
                                                            "title:",
                                                            "'",
                                                            "\\",
                                                            "a\" OR \"b",
                                                            "wonder*",
                                                            "((((",
                                                            "-",
                                                            "^2",
                                                            "AND",
                                                            "\"unterminated",
                                                            "x'; DROP TABLE courses; --",
                                                            "\xFF\xFE",
                                                            "::",
                                                            "'wonderland' | 'x'"};
  return *strings;
}

class SearchApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir_.path()}, env_).exit_code, 0);

    fs::path olx = fs::path(dir_.path()) / "olx";
    fs::create_directories(olx);
    fs::path demo = olx / "demo";
    fs::copy(SharedOlx() / "edx-demo-course-quince" / "course", demo, fs::copy_options::recursive);
    Patch(demo / "html" / "Lab_5B_Mosfet_Amplifier_Experiment.xml", "<html ",
          "<html visible_to_staff_only=\"true\" ");
    Patch(demo / "html" / "html_07d547513285.xml", "start=\"2013-02-05T00:00:00+00:00\"",
          "start=\"2099-02-05T00:00:00+00:00\"");
    fs::path ended = olx / "ended";
    fs::copy(SharedOlx() / "openedx-test-course" / "course", ended, fs::copy_options::recursive);
    PatchPolicy(
        ended, "1",
        {{"enrollment_start", "2020-01-01T00:00:00Z"}, {"enrollment_end", "2021-01-01T00:00:00Z"}});
    fs::path kitchen = olx / "kitchen";
    fs::copy(SharedOlx() / "oxa-kitchen-sink" / "course", kitchen, fs::copy_options::recursive);
    PatchPolicy(kitchen, "course", {{"enrollment_end", nullptr}});
    for (const fs::path& course : {demo, ended, kitchen}) {
      CommandResult r = RunLarch({"import-olx", "--data-dir", dir_.path(), course.string()}, env_);
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kAdminPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
  }

  void Start(bool flags_on, const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    if (flags_on) {
      env["LARCH_FEATURES__ENABLE_COURSE_DISCOVERY"] = "true";
      env["LARCH_FEATURES__ENABLE_COURSEWARE_SEARCH"] = "true";
      env["LARCH_FEATURES__ENABLE_DASHBOARD_SEARCH"] = "true";
    }
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string DatabaseUrl() const {
    auto it = env_.find("DATABASE_URL");
    return it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
  }

  void Enroll(const std::string& username, const std::string& course_key) {
    storage::DatabaseOptions options;
    options.url = DatabaseUrl();
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    static constexpr storage::Query kEnroll{
        "test.enroll",
        "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
        "SELECT id, ?, 0, 1, 'audit' FROM users WHERE username = ?"};
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(kEnroll, {storage::Text(course_key), storage::Text(username)}).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  Reply Discover(const std::string& form) {
    return ToReply(Send("POST", server_->base_url() + "/search/course_discovery/", form,
                        {{"Content-Type", "application/x-www-form-urlencoded"}}));
  }
  static Reply Search(Browser& browser, const std::string& path, const std::string& text,
                      const std::string& extra = "") {
    return ToReply(PostForm(browser, path, "search_string=" + PercentEncode(text) + extra));
  }

  std::unique_ptr<LarchProcess> server_;
};

TEST_P(SearchApiTest, CourseDiscoveryListsOpenCoursesWithFacets) {
  Start(true);
  Reply all = Discover("");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(Ids(all.body), (std::set<std::string>{kDemo, kKitchen}))
      << "the course whose enrollment ended is not listed";
  EXPECT_EQ(all.body["total"], 2);
  EXPECT_TRUE(all.body.contains("took"));
  EXPECT_TRUE(all.body["max_score"].is_number());
  EXPECT_EQ(all.body["aggs"]["org"]["terms"], (json{{"edX", 1}, {"Microsoft", 1}}));
  EXPECT_EQ(all.body["aggs"]["org"]["total"], 2);
  EXPECT_EQ(all.body["aggs"]["org"]["other"], 0);
  EXPECT_TRUE(all.body["aggs"].contains("modes"));
  EXPECT_TRUE(all.body["aggs"].contains("language"));
  const json& first = all.body["results"][0];
  EXPECT_EQ(first["_index"], "course_info");
  EXPECT_TRUE(first["score"].is_number());
  for (const json& hit : all.body["results"]) {
    if (hit["data"]["id"] != kDemo) continue;
    EXPECT_EQ(hit["data"]["course"], kDemo);
    EXPECT_EQ(hit["data"]["org"], "edX");
    EXPECT_EQ(hit["data"]["content"]["display_name"], "Demonstration Course");
    EXPECT_EQ(hit["data"]["content"]["number"], "DemoX");
    EXPECT_EQ(hit["data"]["enrollment_start"], "2013-02-05T00:00:00Z");
    EXPECT_EQ(hit["data"]["modes"], json::array({"audit"}));
    EXPECT_EQ(hit["data"]["image_url"],
              "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_course_image.jpg");
  }

  Reply titled = Discover("search_string=Demonstration");
  ASSERT_EQ(titled.status, 200);
  EXPECT_EQ(Ids(titled.body), std::set<std::string>{kDemo});
  Reply ended = Discover("search_string=" + PercentEncode("Open edX Test Course"));
  ASSERT_EQ(ended.status, 200);
  EXPECT_EQ(Ids(ended.body).count(kEnded), 0u) << ended.body.dump();

  Reply by_org = Discover("org=Microsoft");
  ASSERT_EQ(by_org.status, 200);
  EXPECT_EQ(Ids(by_org.body), std::set<std::string>{kKitchen});
  EXPECT_EQ(by_org.body["aggs"]["org"]["terms"], (json{{"Microsoft", 1}}));

  Reply page0 = Discover("page_size=1&page_index=0");
  Reply page1 = Discover("page_size=1&page_index=1");
  Reply page2 = Discover("page_size=1&page_index=2");
  ASSERT_EQ(page0.status, 200);
  ASSERT_EQ(page1.status, 200);
  EXPECT_EQ(page0.body["results"].size(), 1u);
  EXPECT_EQ(page1.body["results"].size(), 1u);
  EXPECT_EQ(page2.body["results"].size(), 0u);
  EXPECT_EQ(page1.body["total"], 2);
  EXPECT_NE(Ids(page0.body), Ids(page1.body));

  Reply bad_size = Discover("page_size=0");
  EXPECT_EQ(bad_size.status, 500);
  EXPECT_EQ(bad_size.body["error"], "Invalid page size of 0");
  Reply not_int = Discover("page_size=ten");
  EXPECT_EQ(not_int.status, 500);
  EXPECT_TRUE(not_int.body.contains("error"));

  for (const std::string& hostile : HostileStrings()) {
    Reply r = Discover("search_string=" + PercentEncode(hostile));
    EXPECT_EQ(r.status, 200) << hostile << " -> " << r.body.dump();
  }
}

TEST_P(SearchApiTest, CoursewareSearchHonoursEnrollmentAndBlockAccess) {
  Start(true);
  std::string demo_path = std::string("/search/") + kDemo;
  Browser anonymous(server_->base_url());
  EXPECT_EQ(Search(anonymous, demo_path, "wonderland").status, 403);

  Browser learner(server_->base_url());
  Register(learner, "learner");
  Reply not_enrolled = Search(learner, demo_path, "wonderland");
  EXPECT_EQ(not_enrolled.status, 403) << not_enrolled.body.dump();
  Enroll("learner", kDemo);

  Reply hit = Search(learner, demo_path, "Wonderland");
  ASSERT_EQ(hit.status, 200) << hit.body.dump();
  ASSERT_EQ(Ids(hit.body), std::set<std::string>{kReadingBlock}) << hit.body.dump();
  const json& data = hit.body["results"][0]["data"];
  EXPECT_EQ(hit.body["results"][0]["_index"], "courseware_content");
  EXPECT_EQ(data["course"], kDemo);
  EXPECT_EQ(data["content_type"], "Text");
  EXPECT_EQ(data["content"]["display_name"], "Reading Assignments");
  EXPECT_EQ(data["url"], std::string("/courses/") + kDemo + "/jump_to/" + kReadingBlock);
  EXPECT_EQ(data["course_name"], "Demonstration Course");
  EXPECT_EQ(data["location"].size(), 3u) << data.dump();
  EXPECT_NE(data["excerpt"].get<std::string>().find("<b>"), std::string::npos) << data.dump();
  EXPECT_EQ(hit.body["total"], 1);

  // Video transcripts are indexed: a word only the welcome video says.
  Reply spoken = Search(learner, demo_path, "firsthand");
  ASSERT_EQ(spoken.status, 200) << spoken.body.dump();
  EXPECT_EQ(Ids(spoken.body),
            std::set<std::string>{
                "block-v1:edX+DemoX+Demo_Course+type@video+block@0b9e39477cf34507a7a48f74be381fdd"})
      << spoken.body.dump();

  Reply staff_only = Search(learner, demo_path, "amplifier");
  ASSERT_EQ(staff_only.status, 200);
  EXPECT_EQ(staff_only.body["total"], 0) << staff_only.body.dump();
  EXPECT_GE(staff_only.body["access_denied_count"], 1);
  Reply future = Search(learner, demo_path, "vaporization");
  ASSERT_EQ(future.status, 200);
  EXPECT_EQ(future.body["total"], 0) << future.body.dump();

  Browser admin(server_->base_url());
  LogIn(admin, "admin@example.com", kAdminPassword);
  Reply staff = Search(admin, demo_path, "amplifier vaporization");
  ASSERT_EQ(staff.status, 200) << staff.body.dump();
  EXPECT_GE(staff.body["total"].get<int>(), 2) << "staff see staff-only and unstarted blocks";

  Reply empty = Search(learner, demo_path, "");
  EXPECT_EQ(empty.status, 500);
  EXPECT_EQ(empty.body["error"], "No search term provided for search");
  for (const std::string& hostile : HostileStrings()) {
    Reply r = Search(learner, demo_path, hostile);
    EXPECT_EQ(r.status, 200) << hostile << " -> " << r.body.dump();
  }

  // Pagination over a common word.
  Reply page0 = Search(learner, demo_path, "the", "&page_size=2&page_index=0");
  Reply page1 = Search(learner, demo_path, "the", "&page_size=2&page_index=1");
  ASSERT_EQ(page0.status, 200);
  ASSERT_EQ(page1.status, 200);
  EXPECT_GT(page0.body["total"].get<int>(), 3);
  EXPECT_EQ(page0.body["results"].size(), 2u);
  EXPECT_EQ(page1.body["results"].size(), 2u);
  EXPECT_NE(Ids(page0.body), Ids(page1.body));

  // Dashboard search covers the active enrollments only.
  Reply dashboard = Search(learner, "/search/", "wonderland");
  ASSERT_EQ(dashboard.status, 200) << dashboard.body.dump();
  EXPECT_EQ(Ids(dashboard.body), std::set<std::string>{kReadingBlock});
  Browser other(server_->base_url());
  Register(other, "other");
  Reply none = Search(other, "/search/", "wonderland");
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.body["total"], 0);
}

TEST_P(SearchApiTest, CourseDiscoveryFiltersSettingLimitsTheFacets) {
  Start(true, {{"LARCH_COURSE_DISCOVERY_FILTERS", R"(["org"])"}});
  Reply all = Discover("");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  ASSERT_TRUE(all.body["aggs"].is_object()) << all.body.dump();
  EXPECT_EQ(all.body["aggs"].size(), 1u) << all.body.dump();
  EXPECT_TRUE(all.body["aggs"].contains("org"));
}

TEST_P(SearchApiTest, FlagsOffMeansNotFound) {
  Start(false);
  EXPECT_EQ(Discover("").status, 404);
  Browser admin(server_->base_url());
  LogIn(admin, "admin@example.com", kAdminPassword);
  EXPECT_EQ(Search(admin, std::string("/search/") + kDemo, "wonderland").status, 404);
  EXPECT_EQ(Search(admin, "/search/", "wonderland").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
