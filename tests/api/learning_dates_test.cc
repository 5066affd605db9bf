// GET /api/course_home/v1/dates/{course} through the real `larch` binary:
// the course start and end and each graded subsection's due date, in date
// order, with the fields the dates tab reads; an unreleased assignment has
// no link; staff-only content is left out for learners; and the refusals
// (anonymous 401, not enrolled 401 "User not enrolled.", not started 403,
// unknown course 404).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "learning_fixture.h"

namespace larch::testing {
namespace {

using nlohmann::json;

std::string DatesPath(const std::string& course) { return "/api/course_home/v1/dates/" + course; }

TEST_P(LearningApiTest, DatesTabListsStartDueDatesAndEnd) {
  json tab = Ok(DatesPath(kOwn), learner_);
  const json& blocks = tab["course_date_blocks"];
  std::vector<std::string> types;
  for (const json& block : blocks) types.push_back(block["date_type"]);
  // "Reading" is ungraded: upstream lists graded subsections only.
  EXPECT_EQ(types, (std::vector<std::string>{"course-start-date", "assignment-due-date",
                                             "course-end-date", "assignment-due-date"}));
  ASSERT_EQ(blocks.size(), 4u) << blocks;
  EXPECT_EQ(blocks[0], (json{{"assignment_type", nullptr},
                             {"complete", nullptr},
                             {"date", "2020-01-01T00:00:00Z"},
                             {"date_type", "course-start-date"},
                             {"description", ""},
                             {"learner_has_access", true},
                             {"link", ""},
                             {"link_text", ""},
                             {"title", "Course starts"},
                             {"extra_info", nullptr},
                             {"first_component_block_id", ""}}));
  const json& hw = blocks[1];
  EXPECT_EQ(hw["title"], "Homework");
  EXPECT_EQ(hw["date"], "2025-06-01T00:00:00Z");
  EXPECT_EQ(hw["assignment_type"], "Homework");
  EXPECT_EQ(hw["complete"], false);
  EXPECT_EQ(hw["learner_has_access"], true);
  EXPECT_EQ(hw["link"], Url("/courses/" + std::string(kOwn) + "/jump_to/" +
                            LearnBlock(kOwn, "sequential", "hw")));
  EXPECT_EQ(hw["first_component_block_id"], LearnBlock(kOwn, "problem", "p1"));
  EXPECT_EQ(blocks[2]["title"], "Course ends");
  EXPECT_EQ(blocks[2]["date"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(blocks[2]["description"],
            "After the course ends, the course content will be archived and no longer active.");
  // The final opens in 2099: listed, but without a link yet.
  const json& final_exam = blocks[3];
  EXPECT_EQ(final_exam["title"], "Final");
  EXPECT_EQ(final_exam["assignment_type"], "Exam");
  EXPECT_EQ(final_exam["link"], "");
  EXPECT_EQ(final_exam["first_component_block_id"], LearnBlock(kOwn, "vertical", "fu"));
  EXPECT_EQ(tab["has_ended"], false);
  EXPECT_EQ(tab["learner_is_full_access"], true);
  EXPECT_EQ(tab["user_timezone"], nullptr);
  EXPECT_EQ(tab["dates_banner_info"]["missed_deadlines"], false);
  EXPECT_EQ(tab["dates_banner_info"]["content_type_gating_enabled"], false);
  // Once every block the learner sees in the homework is complete, so is
  // its date (the staff-only unit does not count).
  auto batch = Send(
      "POST", Url("/api/completion/v1/completion-batch"),
      json{{"username", "learner"},
           {"course_key", kOwn},
           {"blocks",
            {{LearnBlock(kOwn, "problem", "p1"), 1.0}, {LearnBlock(kOwn, "video", "v1"), 1.0}}}}
          .dump(),
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->status, 200) << batch->body;
  json done = Ok(DatesPath(kOwn), learner_)["course_date_blocks"];
  EXPECT_EQ(done[1]["complete"], true) << done[1];
  EXPECT_EQ(done[3]["complete"], false);
  // The unversioned alias, and staff (not enrolled) get the tab too.
  EXPECT_EQ(Ok("/api/course_home/dates/" + std::string(kOwn), learner_)["course_date_blocks"],
            done);
  EXPECT_EQ(Ok(DatesPath(kOwn), admin_)["course_date_blocks"].size(), 4u);
}

TEST_P(LearningApiTest, DatesTabOfTheDemoCourse) {
  json blocks = Ok(DatesPath(kLearnDemo), learner_)["course_date_blocks"];
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks[0]["date_type"], "course-start-date");
  for (size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_LE(blocks[i - 1]["date"].get<std::string>(), blocks[i]["date"].get<std::string>());
  }
}

TEST_P(LearningApiTest, DatesTabRefusals) {
  auto anonymous = Get(DatesPath(kOwn), "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous), (json{{"detail", "Authentication credentials were not provided."}}));
  auto outsider = Get(DatesPath(kOwn), outsider_);
  ASSERT_TRUE(outsider.ok());
  EXPECT_EQ(outsider->status, 401);
  EXPECT_EQ(Json(outsider), json("User not enrolled."));
  auto late = Get(DatesPath(kLate), learner_);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->status, 403);
  EXPECT_EQ(Json(late), (json{{"detail", "You do not have permission to perform this action."}}));
  EXPECT_EQ(StatusOf(DatesPath(kLate), admin_), 200);
  auto unknown = Get(DatesPath("course-v1:No+Such+Run"), learner_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown), (json{{"detail", "Not found."}}));
}

}  // namespace
}  // namespace larch::testing
