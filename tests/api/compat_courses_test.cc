// Open edX client compatibility of the Courses, Blocks and courseware search
// endpoints against the real binary on SQLite and PostgreSQL: video
// student_view_data and its transcript downloads, DeveloperErrorViewMixin
// error bodies, absolute URLs from the request's host, datetimes with "Z",
// the learning MFE's courseware-search/enabled/ and enrollment messages.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
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
constexpr char kConfiguredBase[] = "http://lms.example.com:8000";
constexpr char kWelcomeVideo[] =
    "block-v1:edX+DemoX+Demo_Course+type@video+block@0b9e39477cf34507a7a48f74be381fdd";
// Made staff-only in the copied course.
constexpr char kHiddenVideo[] =
    "block-v1:edX+DemoX+Demo_Course+type@video+block@7e9b434e6de3435ab99bd3fb25bde807";
constexpr char kWelcomeTranscript[] = "5ef286e8-8e15-4b9c-a02c-f41cd38cb0b6-en.srt";
constexpr char kHiddenTranscript[] = "218a4f00-e324-4434-bb44-d0c39ff9d4ba-en.srt";

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 0;
  json body;
  std::string raw;
  std::string content_type;
};

Reply ToReply(const StatusOr<HttpClientResponse>& r) {
  if (!r.ok()) return {};
  return {r->status, json::parse(r->body, nullptr, false), r->body, r->Header("content-type")};
}

std::string TranscriptUrl(const std::string& base, const std::string& usage,
                          const std::string& lang) {
  return base + "/courses/" + kDemo + "/xblock/" + usage +
         "/handler_noauth/transcript/download?lang=" + lang;
}

class CompatCoursesTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    env_["LARCH_LMS_BASE_URL"] = kConfiguredBase;
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir_.path()}, env_).exit_code, 0);
    demo_ = fs::path(dir_.path()) / "olx" / "demo";
    fs::create_directories(demo_.parent_path());
    fs::copy(SharedOlx() / "edx-demo-course-quince" / "course", demo_, fs::copy_options::recursive);
    fs::path hidden = demo_ / "video" / "7e9b434e6de3435ab99bd3fb25bde807.xml";
    std::string text = ReadFile(hidden);
    size_t at = text.find("<video ");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 7, "<video visible_to_staff_only=\"true\" ");
    std::ofstream(hidden, std::ios::binary | std::ios::trunc) << text;
    CommandResult r = RunLarch({"import-olx", "--data-dir", dir_.path(), demo_.string()}, env_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kAdminPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult client = CreatePasswordClient(dir_.path(), "t", "t-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
  }

  void Start(const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    base_ = server_->base_url();
  }

  // A password-grant bearer token for the user.
  std::string Token(const std::string& username, const std::string& password) {
    Reply r = ToReply(PasswordGrant(base_, "t", "t-secret", username, password));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.is_object() && r.body.contains("access_token")
               ? r.body["access_token"].get<std::string>()
               : std::string();
  }

  // Registers a learner (registration is csrf-exempt) and returns a bearer
  // token.
  std::string Learner(const std::string& username) {
    Reply r = ToReply(Send("POST", base_ + "/api/user/v1/account/registration/",
                           "email=" + username + "%40example.com&name=" + username + "&username=" +
                               username + "&password=Long-enough-9&honor_code=true&country=US",
                           {{"Content-Type", "application/x-www-form-urlencoded"}}));
    EXPECT_EQ(r.status, 200) << r.raw;
    static constexpr storage::Query kActivate{"test.activate",
                                              "UPDATE users SET is_active = 1 WHERE username = ?"};
    Sql(kActivate, {storage::Text(username)});
    return Token(username, "Long-enough-9");
  }

  std::string DatabaseUrl() const {
    auto it = env_.find("DATABASE_URL");
    return it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
  }

  // Runs one statement on the server's database (the test's own setup).
  void Sql(const storage::Query& query, const std::vector<storage::SqlValue>& params) {
    storage::DatabaseOptions options;
    options.url = DatabaseUrl();
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(query, std::span<const storage::SqlValue>(params)).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Enroll(const std::string& username, const std::string& mode) {
    static constexpr storage::Query kEnroll{
        "test.enroll",
        "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
        "SELECT id, ?, 0, 1, ? FROM users WHERE username = ?"};
    Sql(kEnroll, {storage::Text(kDemo), storage::Text(mode), storage::Text(username)});
  }

  Reply GetPath(const std::string& path, Headers headers = {}) {
    return ToReply(Get(base_ + path, std::move(headers)));
  }
  static Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  std::unique_ptr<LarchProcess> server_;
  std::string base_;
  fs::path demo_;
};

TEST_P(CompatCoursesTest, VideoStudentViewDataHasFallbackAndTranscriptDownloads) {
  Start();
  std::string admin = Token("admin", kAdminPassword);
  Reply blocks = GetPath(std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo) +
                             "&all_blocks=true&depth=all&block_types_filter=video"
                             "&student_view_data=video",
                         Bearer(admin));
  ASSERT_EQ(blocks.status, 200) << blocks.raw;
  const json& welcome = blocks.body["blocks"][kWelcomeVideo]["student_view_data"];
  EXPECT_EQ(welcome["only_on_web"], false);
  EXPECT_TRUE(welcome["duration"].is_null());
  EXPECT_EQ(welcome["encoded_videos"]["fallback"],
            (json{{"url",
                   "https://s3.amazonaws.com/edx-course-videos/edx-edx101/"
                   "EDXSPCPJSP13-H010000_100.mp4"},
                  {"file_size", 0}}));
  EXPECT_EQ(welcome["encoded_videos"]["youtube"],
            (json{{"url", "https://www.youtube.com/watch?v=c6YBGhZBB80"}, {"file_size", 0}}));
  EXPECT_EQ(welcome["all_sources"],
            json::array({"https://s3.amazonaws.com/edx-course-videos/edx-edx101/"
                         "EDXSPCPJSP13-H010000_100.mp4"}));
  EXPECT_EQ(welcome["transcripts"], (json{{"en", TranscriptUrl(base_, kWelcomeVideo, "en")}}));
  // html5_sources="[]": no fallback, only the YouTube link.
  const json& hidden = blocks.body["blocks"][kHiddenVideo]["student_view_data"];
  EXPECT_FALSE(hidden["encoded_videos"].contains("fallback")) << hidden.dump();
  EXPECT_TRUE(hidden["encoded_videos"].contains("youtube")) << hidden.dump();

  // The transcript URL works without authentication (handler_noauth).
  Reply srt = ToReply(Get(TranscriptUrl(base_, kWelcomeVideo, "en")));
  ASSERT_EQ(srt.status, 200) << srt.raw;
  EXPECT_EQ(srt.raw, ReadFile(demo_ / "static" / kWelcomeTranscript));
  EXPECT_EQ(srt.content_type, "application/x-subrip; charset=utf-8");
  Reply french = ToReply(Get(TranscriptUrl(base_, kWelcomeVideo, "fr")));
  EXPECT_EQ(french.status, 404) << french.raw;
  // A staff-only video's transcript is refused to anonymous callers and
  // learners, as the Blocks API hides the block, and served to staff.
  EXPECT_EQ(ToReply(Get(TranscriptUrl(base_, kHiddenVideo, "en"))).status, 404);
  std::string learner = Learner("learner");
  EXPECT_EQ(ToReply(Get(TranscriptUrl(base_, kHiddenVideo, "en"), Bearer(learner))).status, 404);
  Reply staff = ToReply(Get(TranscriptUrl(base_, kHiddenVideo, "en"), Bearer(admin)));
  EXPECT_EQ(staff.status, 200);
  EXPECT_EQ(staff.raw, ReadFile(demo_ / "static" / kHiddenTranscript));
  // A usage key of another course under this course's path is not found.
  EXPECT_EQ(ToReply(Get(base_ + "/courses/course-v1:edX+Other+Run/xblock/" + kWelcomeVideo +
                        "/handler_noauth/transcript/download?lang=en"))
                .status,
            404);
}

TEST_P(CompatCoursesTest, BlocksDatetimesAllEndInZ) {
  Start();
  std::string admin = Token("admin", kAdminPassword);
  Reply blocks = GetPath(std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo) +
                             "&all_blocks=true&depth=all&requested_fields=start,due",
                         Bearer(admin));
  ASSERT_EQ(blocks.status, 200) << blocks.raw;
  int starts = 0;
  for (const auto& [id, block] : blocks.body["blocks"].items()) {
    for (const char* field : {"start", "due"}) {
      if (!block.contains(field)) continue;
      std::string value = block[field].get<std::string>();
      EXPECT_EQ(value.back(), 'Z') << id << " " << field << " " << value;
      EXPECT_EQ(value.find("+00:00"), std::string::npos) << id << " " << value;
      ++starts;
    }
  }
  EXPECT_GT(starts, 100);
  // The OLX writes this html block's start as "2013-02-05T00:00:00+00:00".
  EXPECT_EQ(
      blocks.body["blocks"]["block-v1:edX+DemoX+Demo_Course+type@html+block@html_07d547513285"]
                 ["start"],
      "2013-02-05T00:00:00Z");
}

TEST_P(CompatCoursesTest, ErrorBodiesUseDeveloperErrorViewMixinShape) {
  Start();
  Reply missing = GetPath("/api/courses/v1/blocks/");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, (json{{"developer_message", "course_id is required."}}));
  Reply bad_key = GetPath("/api/courses/v1/blocks/?course_id=nope");
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(bad_key.body, (json{{"developer_message", "'nope' is not a valid course key."}}));
  Reply bad_usage = GetPath("/api/courses/v2/blocks/nope");
  EXPECT_EQ(bad_usage.status, 400);
  EXPECT_EQ(bad_usage.body, (json{{"developer_message", "'nope' is not a valid usage key."}}));
  std::string course = std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo);
  Reply no_user = GetPath(course);
  EXPECT_EQ(no_user.status, 400);
  EXPECT_EQ(no_user.body,
            (json{{"field_errors",
                   {{"username",
                     {{"developer_message",
                       "This field is required unless all_blocks is requested."}}}}}}));
  Reply depth = GetPath(course + "&all_blocks=true&depth=x");
  EXPECT_EQ(depth.status, 400);
  EXPECT_EQ(
      depth.body,
      (json{{"field_errors", {{"depth", {{"developer_message", "Enter a whole number."}}}}}}));

  std::string learner = Learner("learner");
  Reply all_blocks = GetPath(course + "&all_blocks=true", Bearer(learner));
  EXPECT_EQ(all_blocks.status, 403);
  EXPECT_EQ(all_blocks.body,
            (json{{"developer_message",
                   std::string("'learner' does not have permission to access all blocks in '") +
                       kDemo + "'."}}));
  Reply other_view = GetPath(course + "&username=admin", Bearer(learner));
  EXPECT_EQ(other_view.status, 403);
  EXPECT_EQ(other_view.body,
            (json{{"developer_message",
                   "'learner' does not have permission to access view for 'admin'."}}));

  Reply page = GetPath("/api/courses/v1/courses/?page=99");
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.body, (json{{"developer_message", "Invalid page."}}));
  Reply other = GetPath("/api/courses/v1/courses/?username=admin", Bearer(learner));
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.body,
            (json{{"developer_message", "You do not have permission to perform this action."}}));
  Reply ids = GetPath("/api/courses/v1/course_ids/?role=staff");
  EXPECT_EQ(ids.status, 401);
  EXPECT_EQ(ids.body,
            (json{{"developer_message", "Authentication credentials were not provided."}}));
  Reply detail = GetPath("/api/courses/v1/courses/nope/");
  EXPECT_EQ(detail.status, 400);
  EXPECT_EQ(
      detail.body,
      (json{{"field_errors",
             {{"course_key", {{"developer_message", "'nope' is not a valid course key."}}}}}}));
}

TEST_P(CompatCoursesTest, AbsoluteUrlsFollowAnAllowedRequestHost) {
  Start({{"LARCH_TRUSTED_PROXIES", "[]"}});
  std::string port = std::to_string(server_->port());
  std::string detail = std::string("/api/courses/v1/courses/") + kDemo + "/";
  std::string blocks_query =
      std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo);

  Reply local = GetPath(detail, {{"Host", "localhost:" + port}});
  ASSERT_EQ(local.status, 200) << local.raw;
  std::string local_base = "http://localhost:" + port;
  EXPECT_EQ(local.body["blocks_url"], local_base + blocks_query);
  EXPECT_EQ(
      local.body["media"]["image"]["raw"],
      local_base + "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_course_image.jpg");

  std::string admin = Token("admin", kAdminPassword);
  Reply tree = GetPath(std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo) +
                           "&all_blocks=true&block_types_filter=video&depth=all"
                           "&student_view_data=video",
                       {{"Host", "localhost:" + port}, {"Authorization", "Bearer " + admin}});
  ASSERT_EQ(tree.status, 200) << tree.raw;
  const json& video = tree.body["blocks"][kWelcomeVideo];
  EXPECT_EQ(video["lms_web_url"], local_base + "/courses/" + kDemo + "/jump_to/" + kWelcomeVideo);
  EXPECT_EQ(video["student_view_url"], local_base + "/xblock/" + kWelcomeVideo);
  EXPECT_EQ(video["student_view_data"]["transcripts"]["en"],
            TranscriptUrl(local_base, kWelcomeVideo, "en"));

  // A host outside ALLOWED_HOSTS gets the configured base.
  Reply evil = GetPath(detail, {{"Host", "evil.example.net"}});
  ASSERT_EQ(evil.status, 200) << evil.raw;
  EXPECT_EQ(evil.body["blocks_url"], std::string(kConfiguredBase) + blocks_query);
  // X-Forwarded-Host from a peer that is not a trusted proxy is ignored.
  Reply forwarded = GetPath(detail, {{"Host", "localhost:" + port},
                                     {"X-Forwarded-Host", "lms.example.com"},
                                     {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(forwarded.body["blocks_url"], local_base + blocks_query);
  // The account API's absolute URLs follow the same host.
  Reply account = GetPath("/api/user/v1/accounts/admin",
                          {{"Host", "localhost:" + port}, {"Authorization", "Bearer " + admin}});
  ASSERT_EQ(account.status, 200) << account.raw;
  EXPECT_EQ(account.body["profile_image"]["image_url_full"],
            local_base + "/static/images/profiles/default_500.png");
}

TEST_P(CompatCoursesTest, ForwardedHostCountsOnlyFromATrustedProxy) {
  Start({{"LARCH_TRUSTED_PROXIES", "[\"127.0.0.1\"]"},
         {"LARCH_ALLOWED_HOSTS", "[\"lms.example.com\", \"127.0.0.1\"]"}});
  std::string detail = std::string("/api/courses/v1/courses/") + kDemo + "/";
  std::string blocks_query =
      std::string("/api/courses/v1/blocks/?course_id=") + PercentEncode(kDemo);
  Reply proxied =
      GetPath(detail, {{"X-Forwarded-Host", "lms.example.com"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(proxied.status, 200) << proxied.raw;
  EXPECT_EQ(proxied.body["blocks_url"], "https://lms.example.com" + blocks_query);
  // Forwarded, but not allowed: the configured base.
  Reply other = GetPath(detail, {{"X-Forwarded-Host", "evil.example.net"}});
  EXPECT_EQ(other.body["blocks_url"], std::string(kConfiguredBase) + blocks_query);
  // "localhost" is not in this ALLOWED_HOSTS.
  Reply local = GetPath(detail, {{"Host", "localhost"}});
  EXPECT_EQ(local.body["blocks_url"], std::string(kConfiguredBase) + blocks_query);
}

TEST_P(CompatCoursesTest, CoursewareSearchEnabledAnswersTheLearningMfe) {
  std::string path = std::string("/courses/") + kDemo + "/courseware-search/enabled/";
  Start();
  Reply off = GetPath(path);
  EXPECT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body, (json{{"enabled", false}}));
  ASSERT_EQ(*server_->Stop(SIGTERM), 0);

  Start({{"LARCH_FEATURES__ENABLE_COURSEWARE_SEARCH", "true"}});
  Reply on = GetPath(path);
  EXPECT_EQ(on.status, 200) << on.raw;
  EXPECT_EQ(on.body, (json{{"enabled", true}}));
  ASSERT_EQ(*server_->Stop(SIGTERM), 0);

  Start({{"LARCH_FEATURES__ENABLE_COURSEWARE_SEARCH", "true"},
         {"LARCH_FEATURES__ENABLE_COURSEWARE_SEARCH_VERIFIED_ENROLLMENT_REQUIRED", "true"}});
  EXPECT_EQ(GetPath(path).body, (json{{"enabled", false}})) << "anonymous";
  std::string audit = Learner("auditor");
  Enroll("auditor", "audit");
  EXPECT_EQ(GetPath(path, Bearer(audit)).body, (json{{"enabled", false}}));
  std::string verified = Learner("verified");
  Enroll("verified", "verified");
  EXPECT_EQ(GetPath(path, Bearer(verified)).body, (json{{"enabled", true}}));
  std::string admin = Token("admin", kAdminPassword);
  EXPECT_EQ(GetPath(path, Bearer(admin)).body, (json{{"enabled", true}})) << "global staff";
}

TEST_P(CompatCoursesTest, EnrollmentActivationMessageHasNoExtraQuotes) {
  Start();
  std::string learner = Learner("learner");
  Reply r =
      ToReply(Send("POST", base_ + "/api/enrollment/v1/enrollment",
                   json{{"course_details", {{"course_id", kDemo}}}, {"is_active", "yes"}}.dump(),
                   {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner}}));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(r.body, (json{{"message", "'yes' is an invalid enrollment activation status."}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CompatCoursesTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
