// The course modes REST API (/api/course_modes/v1/courses/{course_id}/...)
// against the real binary on SQLite and PostgreSQL: staff create, list,
// read, patch and delete modes of an imported course; bad input is a 400;
// anonymous callers get 401 and learners 403; an enrollment in a created
// verified mode goes through the enrollment API.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

using nlohmann::json;

constexpr char kAdminPassword[] = "Modes-Secret-1";
constexpr char kCourse[] = "course-v1:TestX+Course+1";
constexpr char kModes[] = "/api/course_modes/v1/courses/course-v1:TestX+Course+1/";
constexpr char kForbidden[] = R"({"detail": "You do not have permission to perform this action."})";
constexpr char kNotFound[] = R"({"detail": "Not found."})";

class CourseModesApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    const std::string data = dir_.path();
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", data}, env_).exit_code, 0);
    CommandResult course = RunLarch({"import-olx", "--data-dir", data,
                                     (SharedOlx() / "openedx-test-course" / "course").string()},
                                    env_);
    ASSERT_EQ(course.exit_code, 0) << course.output;
    CommandResult admin = CreateSuperuser(data, "admin", kAdminPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult users = ImportUsers(data, {"alice"}, kPasswordHash, env_);
    ASSERT_EQ(users.exit_code, 0) << users.output;
    CommandResult client = CreatePasswordClient(data, "script", "script-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
    auto p = LarchProcess::Serve({"--data-dir", data}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    admin_ = Token("admin", kAdminPassword);
    learner_ = Token("alice", "password");
  }

  std::string Token(const std::string& username, const std::string& password) {
    auto r = PasswordGrant(server_->base_url(), "script", "script-secret", username, password,
                           "&token_type=jwt");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r).value("access_token", "");
  }

  // `body` is sent as is with `content_type` (none when empty).
  StatusOr<HttpClientResponse> Call(const std::string& method, const std::string& path,
                                    const std::string& token, const std::string& body = "",
                                    const std::string& content_type = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "JWT " + token);
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return Send(method, server_->base_url() + path, body, headers);
  }
  StatusOr<HttpClientResponse> Post(const json& body, const std::string& path = kModes) {
    return Call("POST", path, admin_, body.dump(), "application/json");
  }
  StatusOr<HttpClientResponse> Patch(const std::string& slug, const json& body,
                                     const std::string& type = "application/merge-patch+json") {
    return Call("PATCH", kModes + slug, admin_, body.dump(), type);
  }

  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
};

json Mode(const std::string& slug, const std::string& name, int64_t price) {
  return json{{"course_id", kCourse},
              {"mode_slug", slug},
              {"mode_display_name", name},
              {"min_price", price},
              {"currency", "usd"},
              {"expiration_datetime", nullptr},
              {"expiration_datetime_is_explicit", false},
              {"description", nullptr},
              {"sku", nullptr},
              {"bulk_sku", nullptr}};
}

TEST_P(CourseModesApiTest, StaffManageModesAndLearnersEnrollInThem) {
  auto empty = Call("GET", kModes, admin_);
  ASSERT_EQ(empty->status, 200) << empty->body;
  EXPECT_EQ(Json(empty), json::array());

  auto verified = Post({{"course_id", kCourse},
                        {"mode_slug", "verified"},
                        {"mode_display_name", "Verified"},
                        {"currency", "USD"},
                        {"min_price", 49},
                        {"expiration_datetime", "2030-01-01T00:00:00Z"},
                        {"sku", "VER-1"}});
  ASSERT_EQ(verified->status, 201) << verified->body;
  json expected_verified = Mode("verified", "Verified", 49);
  expected_verified["expiration_datetime"] = "2030-01-01T00:00:00Z";
  expected_verified["expiration_datetime_is_explicit"] = true;
  expected_verified["sku"] = "VER-1";
  EXPECT_EQ(Json(verified), expected_verified);

  auto honor = Post({{"course_id", kCourse},
                     {"mode_slug", "honor"},
                     {"mode_display_name", "Honor"},
                     {"currency", "usd"}});
  ASSERT_EQ(honor->status, 201) << honor->body;
  EXPECT_EQ(Json(honor), Mode("honor", "Honor", 0));

  auto list = Call("GET", kModes, admin_);
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_EQ(Json(list), json::array({expected_verified, Mode("honor", "Honor", 0)}));

  auto one = Call("GET", std::string(kModes) + "verified", admin_);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(Json(one), expected_verified);

  auto patched = Patch("verified", {{"min_price", 99}, {"mode_display_name", "Verified Track"}});
  ASSERT_EQ(patched->status, 204) << patched->body;
  EXPECT_EQ(patched->body, "");
  expected_verified["min_price"] = 99;
  expected_verified["mode_display_name"] = "Verified Track";
  EXPECT_EQ(Json(Call("GET", std::string(kModes) + "verified", admin_)), expected_verified);

  // Enrolling in the new mode through the enrollment API.
  auto enrolled = Call(
      "POST", "/api/enrollment/v1/enrollment", admin_,
      json{{"user", "alice"}, {"mode", "verified"}, {"course_details", {{"course_id", kCourse}}}}
          .dump(),
      "application/json");
  ASSERT_EQ(enrolled->status, 200) << enrolled->body;
  EXPECT_EQ(Json(enrolled)["mode"], "verified");
  EXPECT_EQ(Json(enrolled)["is_active"], true);

  auto deleted = Call("DELETE", std::string(kModes) + "honor", admin_);
  EXPECT_EQ(deleted->status, 204) << deleted->body;
  auto gone = Call("GET", std::string(kModes) + "honor", admin_);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(Json(gone), json::parse(kNotFound));
  EXPECT_EQ(Call("DELETE", std::string(kModes) + "honor", admin_)->status, 404);
  EXPECT_EQ(Json(Call("GET", kModes, admin_)), json::array({expected_verified}));
}

TEST_P(CourseModesApiTest, BadInputIsA400) {
  auto missing = Post({{"course_id", kCourse}, {"mode_slug", "honor"}});
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json(missing), json::parse(R"({"currency": ["This field is required."],
                                           "mode_display_name": ["This field is required."]})"));
  auto no_slug = Post({{"course_id", kCourse}, {"mode_display_name", "X"}, {"currency", "usd"}});
  EXPECT_EQ(no_slug->status, 400);
  EXPECT_EQ(Json(no_slug), json::parse(R"({"mode_slug": ["This field is required."]})"));

  const json base = {{"course_id", kCourse}, {"mode_display_name", "X"}, {"currency", "usd"}};
  json unknown = base;
  unknown["mode_slug"] = "phd";
  auto phd = Post(unknown);
  EXPECT_EQ(phd->status, 400);
  EXPECT_EQ(Json(phd), json::parse(R"({"non_field_errors": ["unknown course mode slug 'phd'"]})"));

  json free_verified = base;
  free_verified["mode_slug"] = "verified";
  free_verified["min_price"] = 0;
  auto cheap = Post(free_verified);
  EXPECT_EQ(cheap->status, 400);
  EXPECT_EQ(Json(cheap), json::parse(R"({"non_field_errors":
                                         ["The minimum price for mode 'verified' is 1."]})"));

  json bad_types = base;
  bad_types["mode_slug"] = "honor";
  bad_types["min_price"] = "cheap";
  bad_types["expiration_datetime"] = "soon";
  bad_types["mode_display_name"] = "  ";
  auto typed = Post(bad_types);
  EXPECT_EQ(typed->status, 400);
  EXPECT_EQ(Json(typed), json::parse(R"({
      "min_price": ["A valid integer is required."],
      "mode_display_name": ["This field may not be blank."],
      "expiration_datetime": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]})"));

  json other_course = base;
  other_course["mode_slug"] = "honor";
  other_course["course_id"] = "course-v1:TestX+Other+1";
  auto mismatch = Post(other_course);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(Json(mismatch), json::parse(R"({"course_id": ["Must be the course id of the URL."]})"));

  auto not_json = Call("POST", kModes, admin_, "{nope", "application/json");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Json(not_json),
            json::parse(R"({"detail": "JSON parse error - the body is not valid JSON."})"));
  auto list_body = Call("POST", kModes, admin_, "[1]", "application/json");
  EXPECT_EQ(list_body->status, 400);
  EXPECT_EQ(Json(list_body), json::parse(R"({"non_field_errors":
                                             ["Invalid data. Expected a dictionary, but got list."]})"));

  json honor = base;
  honor["mode_slug"] = "honor";
  ASSERT_EQ(Post(honor)->status, 201);
  auto duplicate = Post(honor);
  EXPECT_EQ(duplicate->status, 400);
  EXPECT_EQ(Json(duplicate), json::parse(R"({"non_field_errors":
      ["The fields course_id, mode_slug, currency must make a unique set."]})"));

  // PATCH: merge-patch only, fixed fields, the model rules.
  auto wrong_type = Patch("honor", {{"min_price", 5}}, "application/json");
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_EQ(
      Json(wrong_type),
      json::parse(R"({"detail": "Unsupported media type \"application/json\" in request."})"));
  auto fixed = Patch("honor", {{"course_id", "course-v1:TestX+Course+2"}, {"mode_slug", "audit"}});
  EXPECT_EQ(fixed->status, 400);
  EXPECT_EQ(Json(fixed), json::parse(R"({"course_id": ["This field cannot be modified."],
                                         "mode_slug": ["This field cannot be modified."]})"));
  auto negative = Patch("honor", {{"min_price", -1}});
  EXPECT_EQ(negative->status, 400);
  EXPECT_EQ(Json(negative),
            json::parse(R"({"non_field_errors": ["The minimum price for mode 'honor' is 0."]})"));
  auto null_name = Patch("honor", {{"mode_display_name", nullptr}});
  EXPECT_EQ(null_name->status, 400);
  EXPECT_EQ(Json(null_name),
            json::parse(R"({"mode_display_name": ["This field may not be null."]})"));
  auto broken =
      Call("PATCH", std::string(kModes) + "honor", admin_, "{", "application/merge-patch+json");
  EXPECT_EQ(broken->status, 400);
  EXPECT_EQ(Patch("verified", {{"min_price", 5}})->status, 404);
  // Nothing above changed the honor mode.
  json expected = Mode("honor", "X", 0);
  EXPECT_EQ(Json(Call("GET", std::string(kModes) + "honor", admin_)), expected);
}

TEST_P(CourseModesApiTest, UnknownCourse) {
  const std::string other = "/api/course_modes/v1/courses/course-v1:NoX+None+1/";
  // Upstream filters the modes by the key: nothing to list.
  auto list = Call("GET", other, admin_);
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(Json(list), json::array());
  auto created = Post({{"course_id", "course-v1:NoX+None+1"},
                       {"mode_slug", "honor"},
                       {"mode_display_name", "Honor"},
                       {"currency", "usd"}},
                      other);
  EXPECT_EQ(created->status, 404);
  EXPECT_EQ(Json(created), json::parse(kNotFound));
  EXPECT_EQ(Call("GET", other + "honor", admin_)->status, 404);
  EXPECT_EQ(Call("DELETE", other + "honor", admin_)->status, 404);
  // Not a course key: no route.
  EXPECT_EQ(Call("GET", "/api/course_modes/v1/courses/nope/", admin_)->status, 404);
}

TEST_P(CourseModesApiTest, AnonymousAndLearnersAreRefused) {
  ASSERT_EQ(Post({{"course_id", kCourse},
                  {"mode_slug", "honor"},
                  {"mode_display_name", "Honor"},
                  {"currency", "usd"}})
                ->status,
            201);
  const std::string detail = std::string(kModes) + "honor";
  const json body = {{"course_id", kCourse},
                     {"mode_slug", "audit"},
                     {"mode_display_name", "Audit"},
                     {"currency", "usd"}};
  auto anonymous = Call("GET", kModes, "");
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous),
            json::parse(R"({"detail": "Authentication credentials were not provided."})"));
  EXPECT_EQ(Call("POST", kModes, "", body.dump(), "application/json")->status, 401);
  EXPECT_EQ(Call("DELETE", detail, "")->status, 401);

  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", kModes},
                                                        {"POST", kModes},
                                                        {"GET", detail},
                                                        {"PATCH", detail},
                                                        {"DELETE", detail}}) {
    auto r = Call(method, path, learner_, method == "POST" || method == "PATCH" ? body.dump() : "",
                  method == "PATCH" ? "application/merge-patch+json" : "application/json");
    EXPECT_EQ(r->status, 403) << method << " " << path << ": " << r->body;
    EXPECT_EQ(Json(r), json::parse(kForbidden)) << method << " " << path;
  }
  // The refused calls changed nothing.
  EXPECT_EQ(Json(Call("GET", kModes, admin_)), json::array({Mode("honor", "Honor", 0)}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CourseModesApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
