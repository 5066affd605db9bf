// GET /api/courseware/course/{course} and /api/course_home/v1/course_metadata/
// {course} through the real `larch` binary: the fields the learning
// micro-frontend reads, for an enrolled learner, an outsider (200 with
// "enrollment_required", as upstream), staff, a course that has not started,
// and the refusals (anonymous 401, unknown course 404).
#include <string>

#include <nlohmann/json.hpp>

#include "learning_fixture.h"

namespace larch::testing {
namespace {

using nlohmann::json;

const json kNoDetail = nullptr;

std::string Courseware(const std::string& course) { return "/api/courseware/course/" + course; }
std::string Metadata(const std::string& course) {
  return "/api/course_home/v1/course_metadata/" + course;
}

std::vector<std::string> Slugs(const json& tabs, const char* key) {
  std::vector<std::string> out;
  for (const json& tab : tabs) out.push_back(tab[key]);
  return out;
}

TEST_P(LearningApiTest, CoursewareMetaHasTheFieldsTheMfeReads) {
  json meta = Ok(Courseware(kOwn), learner_);
  EXPECT_EQ(meta["id"], kOwn);
  EXPECT_EQ(meta["name"], "Learning");
  EXPECT_EQ(meta["number"], "L");
  EXPECT_EQ(meta["org"], "Larch");
  EXPECT_EQ(meta["start"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(meta["end"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(meta["start_display"], "Jan 01, 2020");
  EXPECT_EQ(meta["start_type"], "timestamp");
  EXPECT_EQ(meta["pacing"], "instructor");
  EXPECT_TRUE(meta["enrollment"]["is_active"].get<bool>());
  EXPECT_TRUE(meta["enrollment"]["mode"].is_string()) << meta["enrollment"];
  EXPECT_FALSE(meta["is_staff"].get<bool>());
  EXPECT_FALSE(meta["original_user_is_staff"].get<bool>());
  EXPECT_TRUE(meta["show_calculator"].get<bool>());
  EXPECT_TRUE(meta["course_access"]["has_access"].get<bool>());
  EXPECT_EQ(meta["course_access"]["error_code"], kNoDetail);
  EXPECT_EQ(meta["can_load_courseware"], meta["course_access"]);
  EXPECT_EQ(meta["user_timezone"], kNoDetail);
  EXPECT_EQ(meta["verified_mode"], kNoDetail);
  EXPECT_EQ(meta["access_expiration"], kNoDetail);
  EXPECT_EQ(meta["content_type_gating_enabled"], false);
  EXPECT_EQ(meta["course_goals"],
            (json{{"selected_goal", nullptr}, {"weekly_learning_goal_enabled", false}}));
  EXPECT_EQ(meta["notes"], (json{{"enabled", false}, {"visible", true}}));
  EXPECT_EQ(meta["celebrations"]["first_section"], false);
  EXPECT_EQ(meta["user_has_passing_grade"], false);
  EXPECT_EQ(meta["verification_status"], "none");
  EXPECT_EQ(meta["entrance_exam_data"]["entrance_exam_enabled"], false);
  EXPECT_EQ(meta["entrance_exam_data"]["entrance_exam_minimum_score_pct"], 0.5);
  EXPECT_EQ(meta["related_programs"], kNoDetail);
  for (const char* field : {"linkedin_add_to_profile_url", "certificate_data", "marketing_url",
                            "verify_identity_url", "offer"}) {
    EXPECT_TRUE(meta.contains(field)) << field;
  }
  // The policy's tabs, course_info left out, dates added after progress.
  EXPECT_EQ(Slugs(meta["tabs"], "slug"),
            (std::vector<std::string>{"courseware", "progress", "dates", "static_tab_faq"}));
  EXPECT_EQ(meta["tabs"][0]["title"], "Course");
  EXPECT_EQ(meta["tabs"][0]["priority"], 0);
  EXPECT_EQ(meta["tabs"][3]["title"], "FAQ");
  EXPECT_EQ(meta["tabs"][3]["url"], Url("/courses/" + std::string(kOwn) + "/faq"));
}

TEST_P(LearningApiTest, CoursewareMetaTellsAnOutsiderToEnroll) {
  json meta = Ok(Courseware(kOwn), outsider_);
  EXPECT_EQ(meta["enrollment"], (json{{"mode", nullptr}, {"is_active", false}}));
  EXPECT_FALSE(meta["course_access"]["has_access"].get<bool>());
  EXPECT_EQ(meta["course_access"]["error_code"], "enrollment_required");
  EXPECT_EQ(meta["course_access"]["developer_message"], "User must be enrolled in the course");
  EXPECT_EQ(meta["course_access"]["user_message"], "You must be enrolled in the course");
}

TEST_P(LearningApiTest, CoursewareMetaForStaff) {
  json meta = Ok(Courseware(kOwn), admin_);
  EXPECT_TRUE(meta["is_staff"].get<bool>());
  EXPECT_TRUE(meta["original_user_is_staff"].get<bool>());
  EXPECT_TRUE(meta["course_access"]["has_access"].get<bool>());
  EXPECT_EQ(meta["tabs"].back()["slug"], "instructor");
  // Staff pass the start date too.
  EXPECT_TRUE(Ok(Courseware(kLate), admin_)["course_access"]["has_access"].get<bool>());
}

TEST_P(LearningApiTest, CourseThatHasNotStartedSaysWhen) {
  for (const std::string& path : {Courseware(kLate), Metadata(kLate)}) {
    json access = Ok(path, learner_)["course_access"];
    EXPECT_EQ(access["has_access"], false) << path;
    EXPECT_EQ(access["error_code"], "course_not_started");
    EXPECT_EQ(access["developer_message"], "Course does not start until 2099-01-01 00:00:00+00:00");
    EXPECT_EQ(access["user_message"], "Course does not start until January 01, 2099");
  }
}

TEST_P(LearningApiTest, CourseHomeMetadata) {
  json meta = Ok(Metadata(kOwn), learner_);
  EXPECT_EQ(meta["course_id"], kOwn);
  EXPECT_EQ(meta["username"], "learner");
  EXPECT_EQ(meta["is_enrolled"], true);
  EXPECT_EQ(meta["is_self_paced"], false);
  EXPECT_EQ(meta["is_staff"], false);
  EXPECT_EQ(meta["original_user_is_staff"], false);
  EXPECT_EQ(meta["number"], "L");
  EXPECT_EQ(meta["org"], "Larch");
  EXPECT_EQ(meta["title"], "Learning");
  EXPECT_EQ(meta["start"], "2020-01-01T00:00:00Z");
  EXPECT_TRUE(meta["course_access"]["has_access"].get<bool>());
  EXPECT_EQ(meta["can_load_courseware"], meta["course_access"]);
  EXPECT_TRUE(meta["celebrations"].is_object());
  EXPECT_TRUE(meta["course_modes"].is_array());
  EXPECT_EQ(Slugs(meta["tabs"], "tab_id"),
            (std::vector<std::string>{"courseware", "progress", "dates", "static_tab_faq"}));
  EXPECT_EQ(meta["tabs"][1], (json{{"tab_id", "progress"},
                                   {"title", "Progress"},
                                   {"url", Url("/course/" + std::string(kOwn) + "/progress")}}));
  // The unversioned alias answers the same.
  EXPECT_EQ(Ok("/api/course_home/course_metadata/" + std::string(kOwn), learner_), meta);

  json outsider = Ok(Metadata(kOwn), outsider_);
  EXPECT_EQ(outsider["is_enrolled"], kNoDetail);  // no enrollment at all
  EXPECT_EQ(outsider["course_access"]["error_code"], "enrollment_required");
  json staff = Ok(Metadata(kOwn), admin_);
  EXPECT_EQ(staff["is_staff"], true);
  EXPECT_TRUE(staff["course_access"]["has_access"].get<bool>());
}

TEST_P(LearningApiTest, MetadataRefusals) {
  for (const std::string& path : {Courseware(kOwn), Metadata(kOwn)}) {
    auto anonymous = Get(path, "");
    ASSERT_TRUE(anonymous.ok());
    EXPECT_EQ(anonymous->status, 401) << path;
    EXPECT_EQ(Json(anonymous), (json{{"detail", "Authentication credentials were not provided."}}));
  }
  for (const std::string& path :
       {Courseware("course-v1:No+Such+Course"), Metadata("course-v1:No+Such+Course")}) {
    auto unknown = Get(path, learner_);
    ASSERT_TRUE(unknown.ok());
    EXPECT_EQ(unknown->status, 404) << path;
    EXPECT_EQ(Json(unknown), (json{{"detail", "Not found."}}));
  }
  EXPECT_EQ(StatusOf("/api/courseware/course/not-a-key", learner_), 404);
}

TEST_P(LearningApiTest, DemoCourseMetadata) {
  json meta = Ok(Courseware(kLearnDemo), learner_);
  EXPECT_EQ(meta["id"], kLearnDemo);
  EXPECT_EQ(meta["number"], "DemoX");
  EXPECT_EQ(meta["org"], "edX");
  EXPECT_TRUE(meta["course_access"]["has_access"].get<bool>()) << meta["course_access"];
  EXPECT_EQ(meta["tabs"][0]["slug"], "courseware");
}

INSTANTIATE_TEST_SUITE_P(Backends, LearningApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
