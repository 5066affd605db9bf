#include "larch/api/enrollment_routes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "larch/api/account_routes.h"
#include "larch/common/random.h"
#include "larch/events/event_bus.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::api {
namespace {

using nlohmann::json;

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kApiKey[] = "test-api-key";

class EnrollmentRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, larch::testing::MakeTempDir("larch-enroll-api"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, larch::testing::OpenMigratedSqlite(dir_, clock_));
    clock_.SetNowMicros(1'700'000'000'000'000);
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    accounts_ = std::make_unique<accounts::AccountService>(*db_, clock_, random_, *bus_,
                                                           accounts::AccountsOptions());
    roles_ = std::make_unique<accounts::RoleStore>(*db_);
    faulty_ = std::make_unique<enrollment::FaultyDatabaseForTest>(*db_);
    service_ = std::make_unique<enrollment::EnrollmentService>(*faulty_, clock_, *bus_);
    context_ = std::make_unique<EnrollmentRoutesContext>(
        EnrollmentRoutesContext{*service_, *accounts_, *roles_, clock_, kApiKey});
    context_->retirement_service_worker_username = "retirer";
    // Stands in for the accounts authentication filter.
    router_.AddFilter([this](http::Request& req) -> std::optional<http::Response> {
      if (auto name = req.Header("X-Test-User"); name.has_value()) {
        auto user = accounts_->GetUserByUsername(*name);
        if (user.ok()) {
          oauth::Principal p;
          p.user_id = user->id;
          p.username = user->username;
          p.is_staff = user->is_staff;
          req.SetAttribute(kPrincipalAttribute, p);
        }
      }
      return std::nullopt;
    });
    RegisterEnrollmentRoutes(router_, *context_);
    enrollment::CourseRowForTest course;
    course.start = 1'600'000'000'000'000;
    ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, course).ok());
    alice_ = *enrollment::InsertUserForTest(*db_, "alice", "alice@example.com");
    bob_ = *enrollment::InsertUserForTest(*db_, "bob", "bob@example.com");
    staff_ = *enrollment::InsertUserForTest(*db_, "staff", "staff@example.com", true);
  }
  void TearDown() override {
    context_.reset();
    service_.reset();
    faulty_.reset();
    roles_.reset();
    accounts_.reset();
    bus_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  http::Response Call(const std::string& method, const std::string& target, const std::string& user,
                      const json& body = nullptr, bool api_key = false) {
    http::Request req(method, target);
    if (!user.empty()) req.AddHeader("X-Test-User", user);
    if (api_key) req.AddHeader("X-Edx-Api-Key", kApiKey);
    if (!body.is_null()) {
      req.AddHeader("Content-Type", "application/json");
      req.set_body(body.dump());
    }
    return router_.Dispatch(req);
  }
  http::Response Post(const std::string& user, const json& body, bool api_key = false) {
    return Call("POST", "/api/enrollment/v1/enrollment", user, body, api_key);
  }
  static json Body(const http::Response& r) { return json::parse(r.body); }
  static json Enroll(const std::string& course, const std::string& user = "") {
    json b = {{"course_details", {{"course_id", course}}}};
    if (!user.empty()) b["user"] = user;
    return b;
  }
  Status AddMode(const std::string& slug, int64_t price, std::optional<int64_t> expires = {}) {
    enrollment::CourseMode m;
    m.slug = slug;
    m.name = slug;
    m.min_price = price;
    m.expiration_datetime = expires;
    return db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return enrollment::CourseModeStore::Upsert(t, kCourse, m);
    });
  }

  std::string dir_;
  FakeClock clock_;
  SeededRandom random_{11};
  std::unique_ptr<storage::Database> db_;
  // What the enrollment service sees: db_, until a test makes it fail.
  std::unique_ptr<enrollment::FaultyDatabaseForTest> faulty_;
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<accounts::RoleStore> roles_;
  std::unique_ptr<enrollment::EnrollmentService> service_;
  std::unique_ptr<EnrollmentRoutesContext> context_;
  http::Router router_;
  int64_t alice_ = 0, bob_ = 0, staff_ = 0;
};

const std::string kAliceUrl = std::string("/api/enrollment/v1/enrollment/alice,") + kCourse;

TEST_F(EnrollmentRoutesTest, GetRequiresAuthentication) {
  EXPECT_EQ(Call("GET", kAliceUrl, "").status, 401);
  EXPECT_EQ(Call("GET", "/api/enrollment/v1/enrollment", "").status, 401);
  EXPECT_EQ(Post("", Enroll(kCourse, "alice")).status, 401);
  EXPECT_EQ(Call("GET", "/api/enrollment/v1/roles/", "").status, 401);
}

TEST_F(EnrollmentRoutesTest, GetWhenNotEnrolledIsEmpty200) {
  auto r = Call("GET", kAliceUrl, "alice");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  r = Call("GET", std::string("/api/enrollment/v1/enrollment/") + kCourse, "alice");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

TEST_F(EnrollmentRoutesTest, PostEnrollsAndGetReturnsTheEnrollment) {
  auto r = Post("alice", Enroll(kCourse));
  ASSERT_EQ(r.status, 200) << r.body;
  json b = Body(r);
  EXPECT_EQ(b["user"], "alice");
  EXPECT_EQ(b["mode"], "audit");
  EXPECT_EQ(b["is_active"], true);
  EXPECT_EQ(b["created"], "2023-11-14T22:13:20Z");
  const json& d = b["course_details"];
  EXPECT_EQ(d["course_id"], kCourse);
  EXPECT_EQ(d["course_name"], "Demo Course");
  EXPECT_EQ(d["course_start"], "2020-09-13T12:26:40Z");
  EXPECT_TRUE(d["course_end"].is_null());
  EXPECT_EQ(d["invite_only"], false);
  EXPECT_EQ(d["pacing_type"], "Instructor Paced");
  ASSERT_EQ(d["course_modes"].size(), 1u);
  EXPECT_EQ(d["course_modes"][0], json({{"slug", "audit"},
                                        {"name", "Audit"},
                                        {"min_price", 0},
                                        {"suggested_prices", ""},
                                        {"currency", "usd"},
                                        {"expiration_datetime", nullptr},
                                        {"description", nullptr},
                                        {"sku", nullptr},
                                        {"bulk_sku", nullptr}}));

  EXPECT_EQ(Body(Call("GET", kAliceUrl, "alice")), b);
  EXPECT_EQ(Body(Call("GET", std::string("/api/enrollment/v1/enrollment/") + kCourse, "alice")), b);
  // Already active: 200 with the existing enrollment.
  r = Post("alice", Enroll(kCourse));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), b);
}

TEST_F(EnrollmentRoutesTest, OtherUsersEnrollmentIs404UnlessStaffOrApiKey) {
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  auto r = Call("GET", kAliceUrl, "bob");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Call("GET", kAliceUrl, "staff").status, 200);
  EXPECT_EQ(Body(Call("GET", kAliceUrl, "", nullptr, true))["user"], "alice");
  // Inactive enrollments are returned too.
  ASSERT_TRUE(service_->Unenroll(alice_, kCourse).ok());
  EXPECT_EQ(Body(Call("GET", kAliceUrl, "alice"))["is_active"], false);
}

TEST_F(EnrollmentRoutesTest, ListShowsActiveEnrollmentsWithRoleFiltering) {
  enrollment::CourseRowForTest second;
  second.course_key = "course-v1:edX+Second+2024";
  ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, second).ok());
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  clock_.AdvanceSeconds(5);
  ASSERT_TRUE(service_->Enroll(alice_, second.course_key).ok());
  // An enrollment in a course that no longer exists is dropped.
  ASSERT_TRUE(service_->BatchEnroll({{alice_, "course-v1:Gone+Gone+Gone"}}, "audit", false).ok());
  auto r = Call("GET", "/api/enrollment/v1/enrollment", "alice");
  ASSERT_EQ(r.status, 200);
  json list = Body(r);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["course_details"]["course_id"], kCourse);
  EXPECT_EQ(list[1]["course_details"]["course_id"], second.course_key);

  EXPECT_EQ(Body(Call("GET", "/api/enrollment/v1/enrollment?user=alice", "bob")).size(), 0u);
  ASSERT_TRUE(roles_->Grant(bob_, second.course_key, accounts::CourseRole::kStaff).ok());
  list = Body(Call("GET", "/api/enrollment/v1/enrollment?user=alice", "bob"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["course_details"]["course_id"], second.course_key);
  EXPECT_EQ(Body(Call("GET", "/api/enrollment/v1/enrollment?user=alice", "staff")).size(), 2u);
  EXPECT_EQ(Body(Call("GET", "/api/enrollment/v1/enrollment?user=nobody", "staff")), json::array());

  ASSERT_TRUE(service_->Unenroll(alice_, kCourse).ok());
  EXPECT_EQ(Body(Call("GET", "/api/enrollment/v1/enrollment", "alice")).size(), 1u);
}

TEST_F(EnrollmentRoutesTest, PostValidationErrors) {
  auto r = Post("alice", json{{"mode", "audit"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "Course ID must be specified to create a new enrollment.");
  r = Post("alice", Enroll("not-a-key"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "No course 'not-a-key' found for enrollment");
  r = Post("alice", Enroll("course-v1:No+Such+Course"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "No course 'course-v1:No+Such+Course' found for enrollment");

  r = Post("alice", Enroll(kCourse, "bob"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
  json by_email = Enroll(kCourse);
  by_email["email"] = "bob@example.com";
  EXPECT_EQ(Post("alice", by_email).status, 404);
  by_email["email"] = "nobody@example.com";
  r = Post("", by_email, true);
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(Body(r)["message"],
            "The user with the email address nobody@example.com does not exist.");
  r = Post("staff", Enroll(kCourse, "ghost"));
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(Body(r)["message"], "The user ghost does not exist.");

  json verified = Enroll(kCourse);
  verified["mode"] = "verified";
  r = Post("alice", verified);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["message"],
            "User does not have permission to create enrollment with mode [verified].");

  json bad = Enroll(kCourse);
  bad["is_active"] = "yes";
  r = Post("alice", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "'yes' is an invalid enrollment activation status.");
  bad = Enroll(kCourse);
  bad["force_enrollment"] = 3;
  r = Post("alice", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "'3' is an invalid force enrollment status.");

  // A privileged caller asking for a mode the course does not offer.
  r = Post("staff", verified);
  EXPECT_EQ(r.status, 400);
  json body = Body(r);
  EXPECT_EQ(body["message"],
            "The [verified] course mode is expired or otherwise unavailable for course run "
            "[course-v1:edX+DemoX+Demo_Course].");
  EXPECT_EQ(body["course_details"]["course_id"], kCourse);
}

TEST_F(EnrollmentRoutesTest, PostByEmailWithApiKey) {
  json b = Enroll(kCourse);
  b["email"] = "bob@example.com";
  auto r = Post("", b, true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["user"], "bob");
}

TEST_F(EnrollmentRoutesTest, ClosedFullAndInvitationOnlyAreGeneric400) {
  enrollment::CourseRowForTest c;
  c.course_key = "course-v1:edX+Closed+2020";
  c.enrollment_end = clock_.NowMicros() - 1;
  ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, c).ok());
  auto r = Post("alice", Enroll(c.course_key));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"],
            "An error occurred while creating the new course enrollment for user 'alice' in "
            "course 'course-v1:edX+Closed+2020'");
  // Global staff may force it.
  json forced = Enroll(c.course_key);
  forced["force_enrollment"] = true;
  EXPECT_EQ(Post("staff", forced).status, 200);

  c.course_key = "course-v1:edX+Invite+2024";
  c.enrollment_end.reset();
  c.invitation_only = true;
  ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, c).ok());
  EXPECT_EQ(Post("alice", Enroll(c.course_key)).status, 400);
  ASSERT_TRUE(service_->AllowEmail("alice@example.com", c.course_key, false).ok());
  EXPECT_EQ(Post("alice", Enroll(c.course_key)).status, 200);

  c.course_key = "course-v1:edX+Full+2024";
  c.invitation_only = false;
  c.max_student_enrollments_allowed = 1;
  ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, c).ok());
  EXPECT_EQ(Post("bob", Enroll(c.course_key)).status, 200);
  EXPECT_EQ(Post("alice", Enroll(c.course_key)).status, 400);
}

TEST_F(EnrollmentRoutesTest, PrivilegedUpdates) {
  ASSERT_TRUE(AddMode("audit", 0).ok());
  ASSERT_TRUE(AddMode("verified", 49).ok());
  ASSERT_TRUE(AddMode("credit", 0).ok());
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());

  json b = Enroll(kCourse, "alice");
  b["mode"] = "verified";
  b["is_active"] = false;
  auto r = Post("", b, true);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"],
            "Enrollment mode mismatch: active mode=audit, requested mode=verified. Won't "
            "deactivate.");

  b["mode"] = "credit";
  b.erase("is_active");
  r = Post("", b, true);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"],
            "Missing enrollment attributes: requested mode=credit required "
            "attributes=['credit:provider_id']");

  b["enrollment_attributes"] =
      json::array({{{"namespace", "credit"}, {"name", "provider_id"}, {"value", "hogwarts"}}});
  r = Post("", b, true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["mode"], "credit");
  EXPECT_EQ(*service_->GetAttributes(alice_, kCourse),
            (std::vector<enrollment::EnrollmentAttribute>{{"credit", "provider_id", "hogwarts"}}));
  b.erase("enrollment_attributes");

  b["mode"] = "verified";
  r = Post("", b, true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["mode"], "verified");
  EXPECT_EQ(Body(r)["course_details"]["course_modes"].size(), 3u);

  b["is_active"] = false;
  r = Post("staff", b);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["is_active"], false);
  EXPECT_FALSE((*service_->Get(alice_, kCourse))->is_active);

  // A learner re-enrolling reactivates, in the default mode.
  r = Post("alice", Enroll(kCourse));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["is_active"], true);
  EXPECT_EQ(Body(r)["mode"], "audit");
}

TEST_F(EnrollmentRoutesTest, CourseDetails) {
  ASSERT_TRUE(AddMode("verified", 49, clock_.NowMicros() - 1).ok());
  ASSERT_TRUE(AddMode("honor", 0).ok());
  auto r = Call("GET", std::string("/api/enrollment/v1/course/") + kCourse, "");
  ASSERT_EQ(r.status, 200);
  json b = Body(r);
  EXPECT_EQ(b["course_id"], kCourse);
  ASSERT_EQ(b["course_modes"].size(), 1u);
  EXPECT_EQ(b["course_modes"][0]["slug"], "honor");
  b = Body(
      Call("GET", std::string("/api/enrollment/v1/course/") + kCourse + "?include_expired=1", ""));
  ASSERT_EQ(b["course_modes"].size(), 2u);
  EXPECT_EQ(b["course_modes"][0]["expiration_datetime"], "2023-11-14T22:13:19.999999Z");
  r = Call("GET", "/api/enrollment/v1/course/course-v1:No+Such+Course", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"], "No course found for course ID 'course-v1:No+Such+Course'");
}

TEST_F(EnrollmentRoutesTest, Roles) {
  ASSERT_TRUE(roles_->Grant(bob_, kCourse, accounts::CourseRole::kInstructor).ok());
  ASSERT_TRUE(roles_->Grant(bob_, "course-v1:edX+Other+2024", accounts::CourseRole::kStaff).ok());
  auto r = Call("GET", "/api/enrollment/v1/roles/", "bob");
  ASSERT_EQ(r.status, 200);
  json b = Body(r);
  EXPECT_EQ(b["is_staff"], false);
  EXPECT_EQ(b["roles"].size(), 2u);
  // '+' must be percent-encoded in a query string.
  b = Body(Call("GET", "/api/enrollment/v1/roles/?course_id=course-v1:edX%2BDemoX%2BDemo_Course",
                "bob"));
  ASSERT_EQ(b["roles"].size(), 1u);
  EXPECT_EQ(b["roles"][0], json({{"org", "edX"}, {"course_id", kCourse}, {"role", "instructor"}}));
  EXPECT_EQ(Body(Call("GET", "/api/enrollment/v1/roles/", "staff"))["is_staff"], true);
}

TEST_F(EnrollmentRoutesTest, InstructorBulkEnrollment) {
  const std::string url =
      std::string("/courses/") + kCourse + "/instructor/api/students_update_enrollment";
  json form = {{"identifiers", "alice, new@example.com\nbad id"},
               {"action", "enroll"},
               {"auto_enroll", "true"},
               {"email_students", "false"}};
  EXPECT_EQ(Call("POST", url, "alice", form).status, 403);
  EXPECT_EQ(Call("POST", url, "", form).status, 401);
  ASSERT_TRUE(roles_->Grant(bob_, kCourse, accounts::CourseRole::kStaff).ok());
  auto r = Call("POST", url, "bob", form);
  ASSERT_EQ(r.status, 200) << r.body;
  json b = Body(r);
  EXPECT_EQ(b["action"], "enroll");
  EXPECT_EQ(b["auto_enroll"], true);
  ASSERT_EQ(b["results"].size(), 4u);
  EXPECT_EQ(b["results"][0]["identifier"], "alice");
  EXPECT_EQ(b["results"][0]["after"]["enrollment"], true);
  EXPECT_EQ(
      b["results"][1]["after"],
      json({{"user", false}, {"enrollment", false}, {"allowed", true}, {"auto_enroll", true}}));
  EXPECT_EQ(b["results"][2], json({{"identifier", "bad"}, {"invalidIdentifier", true}}));
  EXPECT_TRUE((*service_->Get(alice_, kCourse))->is_active);

  form["action"] = "drop";
  EXPECT_EQ(Call("POST", url, "staff", form).status, 400);
  form["action"] = "unenroll";
  form["identifiers"] = "alice";
  b = Body(Call("POST", url, "staff", form));
  EXPECT_EQ(b["results"][0]["after"]["enrollment"], false);
  EXPECT_FALSE((*service_->Get(alice_, kCourse))->is_active);
}

TEST_F(EnrollmentRoutesTest, ThrottlePerScopeWithApiKeyExempt) {
  EnrollmentRoutesContext ctx{*service_, *accounts_, *roles_, clock_, kApiKey};
  ctx.throttle_rates = {{"user", "3/minute"}, {"staff", "5/m"}};
  http::Router router;
  router.AddFilter([this](http::Request& req) -> std::optional<http::Response> {
    if (auto name = req.Header("X-Test-User"); name.has_value()) {
      auto user = accounts_->GetUserByUsername(*name);
      oauth::Principal p;
      p.user_id = user->id;
      p.username = user->username;
      p.is_staff = user->is_staff;
      req.SetAttribute(kPrincipalAttribute, p);
    }
    return std::nullopt;
  });
  RegisterEnrollmentRoutes(router, ctx);
  auto get = [&](const std::string& user, bool api_key = false) {
    http::Request req("GET", "/api/enrollment/v1/enrollment");
    if (!user.empty()) req.AddHeader("X-Test-User", user);
    if (api_key) req.AddHeader("X-Edx-Api-Key", kApiKey);
    return router.Dispatch(req);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get("alice").status, 200) << i;
  http::Response limited = get("alice");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Body(limited)["detail"], "Request was throttled. Expected available in 20 seconds.");
  EXPECT_EQ(limited.Header("Retry-After"), "20");
  // Another user has their own bucket; staff get the staff rate.
  EXPECT_EQ(get("bob").status, 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get("staff").status, 200) << i;
  EXPECT_EQ(get("staff").status, 429);
  // The API key is never throttled.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(get("alice", true).status, 200) << i;
  clock_.AdvanceSeconds(20);
  EXPECT_EQ(get("alice").status, 200);
  EXPECT_EQ(get("alice").status, 429);

  // Anonymous course details are throttled per client IP.
  for (int i = 0; i < 3; ++i) {
    http::Request req("GET", std::string("/api/enrollment/v1/course/") + kCourse);
    req.set_remote_address("10.0.0.1");
    EXPECT_EQ(router.Dispatch(req).status, 200);
  }
  http::Request req("GET", std::string("/api/enrollment/v1/course/") + kCourse);
  req.set_remote_address("10.0.0.1");
  EXPECT_EQ(router.Dispatch(req).status, 429);
  req.set_remote_address("10.0.0.2");
  EXPECT_EQ(router.Dispatch(req).status, 200);
}

TEST_F(EnrollmentRoutesTest, NullRateDisablesThrottle) {
  EnrollmentRoutesContext ctx{*service_, *accounts_, *roles_, clock_, kApiKey};
  ctx.throttle_rates = {{"user", nullptr}};
  http::Router router;
  RegisterEnrollmentRoutes(router, ctx);
  for (int i = 0; i < 60; ++i) {
    http::Request req("GET", std::string("/api/enrollment/v1/course/") + kCourse);
    ASSERT_EQ(router.Dispatch(req).status, 200) << i;
  }
}

TEST_F(EnrollmentRoutesTest, StaffEnrollmentListPaginatesByCursor) {
  const std::string url = "/api/enrollment/v1/enrollments";
  EXPECT_EQ(Call("GET", url, "").status, 401);
  auto denied = Call("GET", url, "alice");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Body(denied),
            json({{"developer_message", "You do not have permission to perform this action."}}));
  std::vector<std::pair<int64_t, std::string>> pairs;
  for (int i = 0; i < 104; ++i) {
    auto id = enrollment::InsertUserForTest(*db_, "learner" + std::to_string(i),
                                            "learner" + std::to_string(i) + "@example.com");
    ASSERT_TRUE(id.ok());
    pairs.emplace_back(*id, kCourse);
  }
  ASSERT_TRUE(service_->BatchEnroll(pairs, "audit", false).ok());
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());

  http::Request req("GET", url + "/");
  req.AddHeader("X-Test-User", "staff");
  req.AddHeader("Host", "lms.example.com");
  http::Response first = router_.Dispatch(req);
  ASSERT_EQ(first.status, 200) << first.body;
  json b = Body(first);
  ASSERT_EQ(b["results"].size(), 100u);
  EXPECT_TRUE(b["previous"].is_null());
  EXPECT_EQ(b["results"][0], json({{"created", "2023-11-14T22:13:21Z"},
                                   {"mode", "audit"},
                                   {"is_active", true},
                                   {"user", "alice"},
                                   {"course_id", kCourse}}));
  const std::string next = b["next"];
  ASSERT_EQ(next.rfind("http://lms.example.com/api/enrollment/v1/enrollments/?cursor=", 0), 0u)
      << next;
  http::Request second_req("GET", next.substr(std::string("http://lms.example.com").size()));
  second_req.AddHeader("X-Test-User", "staff");
  json second = Body(router_.Dispatch(second_req));
  EXPECT_EQ(second["results"].size(), 5u);
  EXPECT_TRUE(second["next"].is_null());
  EXPECT_FALSE(second["previous"].is_null());

  b = Body(Call("GET",
                url + "?username=alice,learner3&course_id=course-v1:edX%2BDemoX%2BDemo_Course",
                "staff"));
  EXPECT_EQ(b["results"].size(), 2u);
  b = Body(Call("GET", url + "?email=learner7@example.com", "staff"));
  ASSERT_EQ(b["results"].size(), 1u);
  EXPECT_EQ(b["results"][0]["user"], "learner7");
  b = Body(Call("GET", url + "?course_ids=edX%2BDemoX", "staff"));
  EXPECT_EQ(b["results"].size(), 100u);
  b = Body(Call("GET", url + "?course_ids=MITx", "staff"));
  EXPECT_TRUE(b["results"].empty());

  auto bad = Call("GET", url + "?course_id=not-a-key&username=bad%20name", "staff");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad),
            json({{"field_errors",
                   {{"course_id", {{"developer_message", "'not-a-key' is not a valid course id."}}},
                    {"username",
                     {{"developer_message",
                       "Usernames can only contain letters (A-Z, a-z), numerals (0-9), "
                       "underscores (_), and hyphens (-)."}}}}}}));
  std::string many;
  for (int i = 0; i < 101; ++i) many += (i ? "," : "") + std::string("a@b.c");
  bad = Call("GET", url + "?email=" + many, "staff");
  EXPECT_EQ(Body(bad)["field_errors"]["email"]["developer_message"],
            "Too many emails in a single request - 101. A maximum of 100 is allowed");
  EXPECT_EQ(Call("GET", url + "?cursor=%%%", "staff").status, 404);
}

TEST_F(EnrollmentRoutesTest, EnrollmentAllowedCrud) {
  const std::string url = "/api/enrollment/v1/enrollment_allowed/";
  json body = {{"email", "new@example.com"}, {"course_id", kCourse}, {"auto_enroll", true}};
  EXPECT_EQ(Call("POST", url, "", body).status, 401);
  EXPECT_EQ(Call("POST", url, "alice", body).status, 403);
  auto created = Call("POST", url, "staff", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created), json({{"email", "new@example.com"},
                                 {"course_id", kCourse},
                                 {"auto_enroll", true},
                                 {"user", nullptr},
                                 {"created", "2023-11-14T22:13:20Z"}}));
  auto conflict = Call("POST", url, "staff", body);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(Body(conflict)["message"], std::string("An enrollment allowed with email "
                                                   "new@example.com and course ") +
                                           kCourse + " already exists.");
  auto missing = Call("POST", url, "staff", json{{"email", "x@example.com"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Body(missing)["message"],
            "Please provide a value for 'email' and 'course_id' in the request data.");
  auto list = Call("GET", url + "?email=new@example.com", "staff");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(Body(list).size(), 1u);
  EXPECT_EQ(Body(list)[0]["course_id"], kCourse);
  // Without ?email= the caller's own allowances.
  EXPECT_EQ(Body(Call("GET", url, "staff")), json::array());
  auto removed = Call("DELETE", url, "staff", body);
  EXPECT_EQ(removed.status, 204);
  auto gone = Call("DELETE", url, "staff", body);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Body(gone)["message"], std::string("An enrollment allowed with email "
                                               "new@example.com and course ") +
                                       kCourse + " doesn't exists.");
}

TEST_F(EnrollmentRoutesTest, UnenrollFromAllCoursesForRetirement) {
  const std::string url = "/api/enrollment/v1/unenroll/";
  EXPECT_EQ(Call("POST", url, "", json{{"username", "alice"}}).status, 401);
  EXPECT_EQ(Call("POST", url, "staff", json{{"username", "alice"}}).status, 403);
  // Only the operator-made service account counts, not one merely so named.
  context_->retirement_service_worker_username = "bob";
  EXPECT_EQ(Call("POST", url, "bob", json{{"username", "alice"}}).status, 403);
  context_->retirement_service_worker_username = "retirer";
  ASSERT_TRUE(accounts_->CreateServiceUser("retirer", "retirer@example.com").ok());
  auto no_name = Call("POST", url, "retirer", json::object());
  EXPECT_EQ(no_name.status, 404);
  EXPECT_EQ(Body(no_name), "Username not specified.");
  auto unknown = Call("POST", url, "retirer", json{{"username", "ghost"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Body(unknown), "No retirement request status for username.");
  auto not_retiring = Call("POST", url, "retirer", json{{"username", "alice"}});
  EXPECT_EQ(not_retiring.status, 404);
  EXPECT_EQ(Body(not_retiring), "No retirement request status for username.");
  accounts::User carol_user;
  carol_user.username = "carol";
  carol_user.email = "carol@example.com";
  auto carol = accounts_->CreateUser(carol_user, "Carol-pass-1", accounts::Profile());
  ASSERT_TRUE(carol.ok());
  ASSERT_TRUE(accounts_->RequestRetirement(carol->id, "Carol-pass-1").ok());
  EXPECT_EQ(Call("POST", url, "retirer", json{{"username", "carol"}}).status, 204);
  ASSERT_TRUE(service_->Enroll(carol->id, kCourse).ok());
  auto done = Call("POST", url, "retirer", json{{"username", "carol"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Body(done), json({"edX"}));
  EXPECT_FALSE((*service_->Get(carol->id, kCourse))->is_active);
}

TEST_F(EnrollmentRoutesTest, StorageOutageIs503WithTheStandardBodyAndIsLogged) {
  ASSERT_EQ(Post("alice", Enroll(kCourse)).status, 200);
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  faulty_->FailStatementsForTest("enrollment.", UnavailableError("connection to server lost"));
  auto call = [&](const std::string& method, const std::string& target, const json& body) {
    http::Request req(method, target);
    req.set_request_id("req-outage");
    req.AddHeader("X-Test-User", "staff");
    if (!body.is_null()) {
      req.AddHeader("Content-Type", "application/json");
      req.set_body(body.dump());
    }
    return router_.Dispatch(req);
  };
  const json want = {
      {"error_code", "unavailable"},
      {"developer_message", "Internal error; see the server log for request id req-outage."},
      {"user_message", "The service is temporarily unavailable; try again later."}};
  // Reading one enrollment, listing them and creating one used to answer
  // 400 "An error occurred ..." and log nothing.
  for (const auto& [method, target, body] : std::vector<std::tuple<std::string, std::string, json>>{
           {"GET", kAliceUrl, nullptr},
           {"GET", "/api/enrollment/v1/enrollment?user=alice", nullptr},
           {"POST", "/api/enrollment/v1/enrollment", Enroll(kCourse, "bob")}}) {
    http::Response r = call(method, target, body);
    EXPECT_EQ(r.status, 503) << method << " " << target << ": " << r.body;
    EXPECT_EQ(Body(r), want) << method << " " << target;
  }
  spdlog::set_default_logger(previous);
  faulty_->HealForTest();
  std::string logged;
  for (const std::string& line : sink->last_formatted()) logged += line;
  EXPECT_NE(logged.find("request req-outage"), std::string::npos) << logged;
  EXPECT_NE(logged.find("connection to server lost"), std::string::npos) << logged;
  // Nothing was half-written: bob has no enrollment.
  http::Response bob =
      Call("GET", "/api/enrollment/v1/enrollment/bob," + std::string(kCourse), "staff");
  EXPECT_EQ(bob.status, 200);
  EXPECT_EQ(bob.body, "");
}

}  // namespace
}  // namespace larch::api
