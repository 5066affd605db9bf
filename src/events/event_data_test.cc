#include "larch/events/event_data.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace larch::events {
namespace {

UserData Learner() {
  return UserData{.id = 7,
                  .is_active = true,
                  .username = "ada",
                  .email = "ada@example.com",
                  .name = "Ada Lovelace"};
}

CourseData Course() {
  return CourseData{.course_key = "course-v1:edX+DemoX+Demo_Course",
                    .display_name = "Demo",
                    .start = 1'700'000'000'000'000,
                    .end = std::nullopt};
}

TEST(EventDataTest, UserDataNestsPii) {
  EXPECT_EQ(ToJson(Learner()), nlohmann::json::parse(R"({
    "id": 7, "is_active": true,
    "pii": {"username": "ada", "email": "ada@example.com", "name": "Ada Lovelace"}})"));
}

TEST(EventDataTest, CourseDataFormatsDatesAndNulls) {
  EXPECT_EQ(ToJson(Course()), nlohmann::json::parse(R"({
    "course_key": "course-v1:edX+DemoX+Demo_Course", "display_name": "Demo",
    "start": "2023-11-14T22:13:20+00:00", "end": null})"));
}

TEST(EventDataTest, EnrollmentPayload) {
  CourseEnrollmentData e{.user = Learner(),
                         .course = Course(),
                         .mode = "audit",
                         .is_active = true,
                         .creation_date = 1'700'000'000'000'000,
                         .created_by = std::nullopt};
  nlohmann::json j = EnrollmentPayload(e);
  ASSERT_TRUE(j.contains("enrollment"));
  const auto& en = j["enrollment"];
  EXPECT_EQ(en["user"]["pii"]["username"], "ada");
  EXPECT_EQ(en["course"]["course_key"], "course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(en["mode"], "audit");
  EXPECT_EQ(en["is_active"], true);
  EXPECT_EQ(en["creation_date"], "2023-11-14T22:13:20+00:00");
  EXPECT_TRUE(en["created_by"].is_null());

  e.created_by = UserData{.id = 1, .username = "staff"};
  EXPECT_EQ(ToJson(e)["created_by"]["pii"]["username"], "staff");
}

TEST(EventDataTest, CertificatePayloadHasAllFields) {
  CertificateData c{.user = Learner(),
                    .course = Course(),
                    .mode = "verified",
                    .grade = "0.9",
                    .download_url = "https://lms/cert/abc",
                    .name = "Ada Lovelace",
                    .current_status = "downloadable",
                    .previous_status = "notpassing"};
  nlohmann::json j = CertificatePayload(c)["certificate"];
  for (const char* field : {"user", "course", "mode", "grade", "download_url", "name",
                            "current_status", "previous_status"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j.size(), 8u);
  EXPECT_EQ(j["current_status"], "downloadable");
  EXPECT_EQ(j["previous_status"], "notpassing");
}

TEST(EventDataTest, PassingStatusAndGradePayloads) {
  nlohmann::json p = CoursePassingStatusPayload(
      CoursePassingStatusData{.is_passing = true, .course = Course(), .user = Learner()});
  EXPECT_EQ(p["course_passing_status"]["is_passing"], true);
  EXPECT_EQ(p["course_passing_status"]["user"]["id"], 7);

  PersistentCourseGradeData g{.user_id = 7,
                              .course = Course(),
                              .course_edited_timestamp = 1'700'000'000'000'000,
                              .course_version = "v1",
                              .grading_policy_hash = "h",
                              .percent_grade = 0.85,
                              .letter_grade = "B",
                              .passed_timestamp = std::nullopt};
  nlohmann::json gj = GradePayload(g)["grade"];
  EXPECT_EQ(gj["user_id"], 7);
  EXPECT_DOUBLE_EQ(gj["percent_grade"].get<double>(), 0.85);
  EXPECT_EQ(gj["letter_grade"], "B");
  EXPECT_EQ(gj["course_edited_timestamp"], "2023-11-14T22:13:20+00:00");
  EXPECT_TRUE(gj["passed_timestamp"].is_null());
  EXPECT_EQ(gj.size(), 8u);
  EXPECT_EQ(UserPayload(Learner())["user"]["id"], 7);
}

}  // namespace
}  // namespace larch::events
