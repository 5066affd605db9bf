// GET /api/courseware/sequence/{usage_key} through the real `larch` binary:
// the Demo course's "Homework - Question Styles" as upstream's pact has it,
// units the gate hides left out for learners and listed for staff, and the
// refusals (anonymous 401, bad key, unknown block, not enrolled, hidden or
// not started sequence 404, not a sequence 422).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "learning_fixture.h"

namespace larch::testing {
namespace {

using nlohmann::json;

std::string SequencePath(const std::string& usage_key) {
  return "/api/courseware/sequence/" + usage_key;
}

std::vector<std::string> Ids(const json& items) {
  std::vector<std::string> out;
  for (const json& item : items) out.push_back(item["id"]);
  return out;
}

TEST_P(LearningApiTest, DemoSequenceMatchesUpstreamsPact) {
  const std::string seq = LearnBlock(kLearnDemo, "sequential", "basic_questions");
  json meta = Ok(SequencePath(seq), learner_);
  EXPECT_EQ(meta["item_id"], seq);
  EXPECT_EQ(meta["tag"], "sequential");
  EXPECT_EQ(meta["display_name"], "Homework - Question Styles");
  EXPECT_EQ(meta["format"], "Homework");
  EXPECT_EQ(meta["is_time_limited"], false);
  EXPECT_EQ(meta["is_proctored"], false);
  EXPECT_EQ(meta["position"], nullptr);
  EXPECT_EQ(meta["banner_text"], nullptr);
  EXPECT_EQ(meta["gated_content"], (json{{"prereq_id", nullptr},
                                         {"prereq_url", nullptr},
                                         {"prereq_section_name", nullptr},
                                         {"gated", false},
                                         {"gated_section_name", "Homework - Question Styles"}}));
  ASSERT_EQ(meta["items"].size(), 8u) << meta["items"];
  json first = meta["items"][0];
  EXPECT_EQ(first["id"], LearnBlock(kLearnDemo, "vertical", "2152d4a4aadc4cb0af5256394a3d1fc7"));
  EXPECT_EQ(first["page_title"], "Pointing on a Picture");
  EXPECT_EQ(first["type"], "problem");
  EXPECT_EQ(first["path"],
            "Example Week 1: Getting Started > Homework - Question Styles > Pointing on a Picture");
  EXPECT_EQ(first["graded"], true);
  EXPECT_EQ(first["bookmarked"], false);
  EXPECT_EQ(first["complete"], false);
  EXPECT_EQ(first["contains_content_type_gated_content"], false);
  EXPECT_EQ(first["content"], "");
  EXPECT_EQ(first["href"], "");
}

TEST_P(LearningApiTest, SequenceListsOnlyWhatTheLearnerMaySee) {
  const std::string hw = LearnBlock(kOwn, "sequential", "hw");
  json meta = Ok(SequencePath(hw), learner_);
  // The staff-only unit is not listed.
  EXPECT_EQ(Ids(meta["items"]), (std::vector<std::string>{LearnBlock(kOwn, "vertical", "u1"),
                                                          LearnBlock(kOwn, "vertical", "u2")}));
  EXPECT_EQ(meta["items"][0]["type"], "problem");
  EXPECT_EQ(meta["items"][1]["type"], "video");
  EXPECT_EQ(meta["items"][1]["path"], "Week 1 > Homework > Watch");
  EXPECT_EQ(meta["items"][1]["graded"], true);  // inherited from the subsection
  EXPECT_EQ(meta["save_position"], true);
  EXPECT_EQ(meta["show_completion"], true);
  // Staff see the staff-only unit.
  json staff = Ok(SequencePath(hw), admin_);
  ASSERT_EQ(staff["items"].size(), 3u);
  EXPECT_EQ(staff["items"][2]["id"], LearnBlock(kOwn, "vertical", "secret"));
  EXPECT_EQ(staff["items"][2]["type"], "other");
  // A unit without a display name is titled by its url_name; ungraded.
  json reading = Ok(SequencePath(LearnBlock(kOwn, "sequential", "open")), learner_);
  EXPECT_EQ(reading["format"], nullptr);
  EXPECT_EQ(reading["items"][0]["page_title"], "r1");
  EXPECT_EQ(reading["items"][0]["graded"], false);
  EXPECT_EQ(reading["items"][0]["type"], "other");
  // Not-started and staff-only sequences are staff's only.
  for (const char* id : {"fs", "hs"}) {
    EXPECT_EQ(StatusOf(SequencePath(LearnBlock(kOwn, "sequential", id)), learner_), 404) << id;
    EXPECT_EQ(StatusOf(SequencePath(LearnBlock(kOwn, "sequential", id)), admin_), 200) << id;
  }
}

TEST_P(LearningApiTest, SequenceRefusals) {
  const std::string hw = SequencePath(LearnBlock(kOwn, "sequential", "hw"));
  auto anonymous = Get(hw, "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous), (json{{"detail", "Authentication credentials were not provided."}}));
  auto outsider = Get(hw, outsider_);
  ASSERT_TRUE(outsider.ok());
  EXPECT_EQ(outsider->status, 404);
  EXPECT_EQ(Json(outsider), (json{{"detail", "Not found."}}));
  auto bad = Get(SequencePath("not-a-key"), learner_);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 404);
  EXPECT_EQ(Json(bad), (json{{"detail", "Invalid usage key: 'not-a-key'."}}));
  EXPECT_EQ(StatusOf(SequencePath(LearnBlock(kOwn, "sequential", "nope")), learner_), 404);
  EXPECT_EQ(
      StatusOf(SequencePath(LearnBlock("course-v1:No+Such+Run", "sequential", "x")), learner_),
      404);
  // Asking a unit or a chapter for sequence metadata.
  auto unit = Get(SequencePath(LearnBlock(kOwn, "vertical", "u1")), learner_);
  ASSERT_TRUE(unit.ok());
  EXPECT_EQ(unit->status, 422);
  EXPECT_EQ(unit->body, "");
}

}  // namespace
}  // namespace larch::testing
