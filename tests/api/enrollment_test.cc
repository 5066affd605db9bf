// The Enrollment API routes added in issue 4 part 2, over HTTP against the
// real binary on SQLite and (with LARCH_TEST_PG_DSN) PostgreSQL: the staff
// enrollment listing, enrollment_allowed, the retirement unenroll and
// EnrollmentUserThrottle.
#include <gtest/gtest.h>

#include <cstdlib>
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

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kApiKey[] = "enrollment-test-key";

fs::path DemoCourse() { return SharedOlx() / "edx-demo-course-quince" / "course"; }

class EnrollmentApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    if (!fs::exists(DemoCourse())) GTEST_SKIP() << "no demo course at " << DemoCourse();
    const std::string data = dir_.path();
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", data}, env_).exit_code, 0);
    CommandResult admin = CreateSuperuser(data, "admin", "password", env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult users = ImportUsers(data, {"learner1", "learner2"}, kPasswordHash, env_);
    ASSERT_EQ(users.exit_code, 0) << users.output;
    CommandResult client = CreatePasswordClient(data, "t", "t-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
    // The retirement service worker: an operator-made service account whose
    // client_credentials client acts for it.
    CommandResult retirer = RunLarch({"create-service-user", "--data-dir", data, "--username",
                                      "retirer", "--email", "retirer@example.com"},
                                     env_);
    ASSERT_EQ(retirer.exit_code, 0) << retirer.output;
    CommandResult retirer_client = RunLarch(
        {"create-oauth-client", "--data-dir", data, "--name", "r", "--client-id", "r",
         "--client-secret", "r-secret", "--grant-type", "client_credentials", "--user", "retirer"},
        env_);
    ASSERT_EQ(retirer_client.exit_code, 0) << retirer_client.output;
    CommandResult course =
        RunLarch({"import-olx", "--data-dir", data, DemoCourse().string()}, env_);
    ASSERT_EQ(course.exit_code, 0) << course.output;
    env_["LARCH_EDX_API_KEY"] = kApiKey;
    env_["LARCH_RETIREMENT_SERVICE_WORKER_USERNAME"] = "retirer";
    env_["LARCH_ENROLLMENT_THROTTLE_RATES"] = R"({"user": "6/minute", "staff": "1000/minute"})";
    auto p = LarchProcess::Serve({"--data-dir", data}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  std::string Token(const std::string& username) {
    auto r = PasswordGrant(server_->base_url(), "t", "t-secret", username, "password");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r).value("access_token", "");
  }

  StatusOr<HttpClientResponse> Call(const std::string& method, const std::string& path,
                                    const std::string& token, const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
    return Send(method, Url(path), body.is_null() ? "" : body.dump(), headers);
  }

  std::unique_ptr<LarchProcess> server_;
};

TEST_P(EnrollmentApiTest, StaffListingAllowedAndRetirementUnenroll) {
  const std::string admin = Token("admin");
  const std::string learner = Token("learner1");
  auto service = Send("POST", Url("/oauth2/access_token"),
                      "grant_type=client_credentials&client_id=r&client_secret=r-secret",
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(service->status, 200) << service->body;
  const std::string retirer = Json(service)["access_token"];
  auto enrolled = Call("POST", "/api/enrollment/v1/enrollment", learner,
                       json{{"course_details", {{"course_id", kCourse}}}});
  ASSERT_EQ(enrolled->status, 200) << enrolled->body;
  auto bulk =
      Send("POST",
           Url(std::string("/courses/") + kCourse + "/instructor/api/students_update_enrollment"),
           "action=enroll&identifiers=learner2,pending%40example.com&auto_enroll=true",
           {{"Authorization", "Bearer " + admin},
            {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(bulk->status, 200) << bulk->body;

  // GET enrollments (IsAdminUser, DeveloperErrorViewMixin errors).
  EXPECT_EQ(Call("GET", "/api/enrollment/v1/enrollments", "")->status, 401);
  auto forbidden = Call("GET", "/api/enrollment/v1/enrollments/", learner);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(Json(forbidden)["developer_message"],
            "You do not have permission to perform this action.");
  auto all = Call("GET", "/api/enrollment/v1/enrollments/", admin);
  ASSERT_EQ(all->status, 200) << all->body;
  json page = Json(all);
  ASSERT_EQ(page["results"].size(), 2u);
  EXPECT_TRUE(page["next"].is_null());
  EXPECT_TRUE(page["previous"].is_null());
  EXPECT_EQ(page["results"][0]["course_id"], kCourse);
  auto filtered = Call("GET", "/api/enrollment/v1/enrollments?username=learner2", admin);
  ASSERT_EQ(Json(filtered)["results"].size(), 1u);
  EXPECT_EQ(Json(filtered)["results"][0]["user"], "learner2");
  auto bad = Call("GET", "/api/enrollment/v1/enrollments?course_id=nope", admin);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Json(bad)["field_errors"]["course_id"]["developer_message"],
            "'nope' is not a valid course id.");

  // enrollment_allowed: the bulk call left one for the unknown email.
  auto allowed =
      Call("GET", "/api/enrollment/v1/enrollment_allowed/?email=pending@example.com", admin);
  ASSERT_EQ(allowed->status, 200) << allowed->body;
  ASSERT_EQ(Json(allowed).size(), 1u);
  EXPECT_EQ(Json(allowed)[0]["auto_enroll"], true);
  EXPECT_EQ(Call("GET", "/api/enrollment/v1/enrollment_allowed/", learner)->status, 403);
  json body = {{"email", "other@example.com"}, {"course_id", kCourse}};
  EXPECT_EQ(Call("POST", "/api/enrollment/v1/enrollment_allowed/", admin, body)->status, 201);
  EXPECT_EQ(Call("POST", "/api/enrollment/v1/enrollment_allowed/", admin, body)->status, 409);
  EXPECT_EQ(Call("POST", "/api/enrollment/v1/enrollment_allowed/", admin,
                 json{{"email", "x@example.com"}})
                ->status,
            400);
  EXPECT_EQ(Call("DELETE", "/api/enrollment/v1/enrollment_allowed/", admin, body)->status, 204);
  EXPECT_EQ(Call("DELETE", "/api/enrollment/v1/enrollment_allowed/", admin, body)->status, 404);

  // unenroll/ (CanRetireUser).
  EXPECT_EQ(
      Call("POST", "/api/enrollment/v1/unenroll/", learner, json{{"username", "learner1"}})->status,
      403);
  auto unknown =
      Call("POST", "/api/enrollment/v1/unenroll/", retirer, json{{"username", "nobody"}});
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(
      Call("POST", "/api/enrollment/v1/unenroll/", retirer, json{{"username", "learner1"}})->status,
      404)
      << "learner1 has not asked for retirement yet";
  auto retire = Call("POST", "/api/user/v1/accounts/deactivate_logout/", learner,
                     json{{"password", "password"}});
  ASSERT_EQ(retire->status, 204) << retire->body;
  auto done = Call("POST", "/api/enrollment/v1/unenroll/", retirer, json{{"username", "learner1"}});
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(Json(done), json({"edX"}));
  EXPECT_EQ(
      Call("POST", "/api/enrollment/v1/unenroll/", admin, json{{"username", "learner1"}})->status,
      204);
  auto mine = Call("GET", "/api/enrollment/v1/enrollments?username=learner1", admin);
  ASSERT_EQ(mine->status, 200) << mine->body;
  const json listing = Json(mine);
  ASSERT_FALSE(listing["results"].empty()) << mine->body;
  for (const json& e : listing["results"]) EXPECT_EQ(e["is_active"], false) << e;
}

TEST_P(EnrollmentApiTest, UserThrottleAndApiKeyExemption) {
  const std::string learner = Token("learner1");
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(Call("GET", "/api/enrollment/v1/enrollment", learner)->status, 200) << i;
  }
  auto limited = Call("GET", "/api/enrollment/v1/enrollment", learner);
  ASSERT_EQ(limited->status, 429);
  EXPECT_EQ(Json(limited)["detail"], "Request was throttled. Expected available in 10 seconds.");
  EXPECT_EQ(limited->Header("retry-after"), "10");
  // Server-to-server calls with the API key are not throttled.
  for (int i = 0; i < 10; ++i) {
    auto r = Send("GET", Url("/api/enrollment/v1/enrollment?user=learner1"), "",
                  {{"Authorization", "Bearer " + learner}, {"X-Edx-Api-Key", kApiKey}});
    ASSERT_EQ(r->status, 200) << i << r->body;
  }
  // Staff have their own (here generous) rate.
  const std::string admin = Token("admin");
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Call("GET", "/api/enrollment/v1/enrollment", admin)->status, 200) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EnrollmentApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
