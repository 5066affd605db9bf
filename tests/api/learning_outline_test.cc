// GET /api/learning_sequences/v1/course_outline/{course} through the real
// `larch` binary: sections and sequences as the learner may see them (a
// not-started sequence listed but not accessible, staff-only content
// removed), staff's full outline, another user's outline for staff only,
// nothing for an outsider, and the refusals (anonymous 401, ?user= without
// staff 403, unknown course or user 404).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "learning_fixture.h"

namespace larch::testing {
namespace {

using nlohmann::json;

std::string OutlinePath(const std::string& course) {
  return "/api/learning_sequences/v1/course_outline/" + course;
}

std::vector<std::string> SectionIds(const json& outline) {
  std::vector<std::string> out;
  for (const json& section : outline["outline"]["sections"]) out.push_back(section["id"]);
  return out;
}

TEST_P(LearningApiTest, OutlineHonoursTheContentGate) {
  json outline = Ok(OutlinePath(kOwn), learner_);
  EXPECT_EQ(outline["course_key"], kOwn);
  EXPECT_EQ(outline["title"], "Learning");
  EXPECT_EQ(outline["course_start"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(outline["course_end"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(outline["username"], "learner");
  EXPECT_TRUE(outline["user_id"].is_number_integer());
  EXPECT_EQ(outline["self_paced"], false);
  EXPECT_EQ(outline["days_early_for_beta"], nullptr);
  EXPECT_EQ(outline["course_visibility"], "private");
  // The staff-only chapter is removed.
  EXPECT_EQ(SectionIds(outline), (std::vector<std::string>{LearnBlock(kOwn, "chapter", "ch"),
                                                           LearnBlock(kOwn, "chapter", "future")}));
  const json& week = outline["outline"]["sections"][0];
  EXPECT_EQ(week["title"], "Week 1");
  EXPECT_EQ(week["start"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(week["effective_start"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(week["sequence_ids"],
            (json{LearnBlock(kOwn, "sequential", "hw"), LearnBlock(kOwn, "sequential", "open")}));
  const json& sequences = outline["outline"]["sequences"];
  EXPECT_EQ(sequences.size(), 3u);
  const json& hw = sequences[LearnBlock(kOwn, "sequential", "hw")];
  EXPECT_EQ(hw["id"], LearnBlock(kOwn, "sequential", "hw"));
  EXPECT_EQ(hw["title"], "Homework");
  EXPECT_EQ(hw["accessible"], true);
  EXPECT_EQ(hw["due"], "2025-06-01T00:00:00Z");
  EXPECT_EQ(hw["inaccessible_after_due"], false);
  EXPECT_EQ(hw["exam"], json::object());
  // Not started: listed, not accessible.
  const json& final_exam = sequences[LearnBlock(kOwn, "sequential", "fs")];
  EXPECT_EQ(final_exam["accessible"], false);
  EXPECT_EQ(final_exam["start"], "2099-01-01T00:00:00Z");
  EXPECT_EQ(final_exam["effective_start"], "2099-01-01T00:00:00Z");
  EXPECT_FALSE(sequences.contains(LearnBlock(kOwn, "sequential", "hs")));
}

TEST_P(LearningApiTest, OutlineForStaffAndForOthers) {
  json staff = Ok(OutlinePath(kOwn), admin_);
  EXPECT_EQ(staff["outline"]["sections"].size(), 3u);
  EXPECT_EQ(staff["outline"]["sequences"][LearnBlock(kOwn, "sequential", "fs")]["accessible"],
            true);
  EXPECT_TRUE(staff["outline"]["sequences"].contains(LearnBlock(kOwn, "sequential", "hs")));
  // Staff asking for the learner's outline get the learner's view.
  json as_learner = Ok(OutlinePath(kOwn) + "?user=learner", admin_);
  EXPECT_EQ(as_learner["username"], "learner");
  EXPECT_EQ(as_learner["outline"], Ok(OutlinePath(kOwn), learner_)["outline"]);
  // Someone not enrolled sees no sections.
  json outsider = Ok(OutlinePath(kOwn), outsider_);
  EXPECT_EQ(outsider["outline"],
            (json{{"sections", json::array()}, {"sequences", json::object()}}));
  EXPECT_EQ(outsider["title"], "Learning");
  // Asking for oneself by name is allowed.
  EXPECT_EQ(Ok(OutlinePath(kOwn) + "?user=learner", learner_)["username"], "learner");
  // Usernames are unique ignoring case: the caller's own name in capitals.
  EXPECT_EQ(Ok(OutlinePath(kOwn) + "?user=LEARNER", learner_)["username"], "learner");
}

TEST_P(LearningApiTest, OutlineRefusals) {
  auto anonymous = Get(OutlinePath(kOwn), "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Json(anonymous), (json{{"detail", "Authentication credentials were not provided."}}));
  auto other = Get(OutlinePath(kOwn) + "?user=outsider", learner_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(Json(other), (json{{"detail", "You do not have permission to perform this action."}}));
  EXPECT_EQ(StatusOf(OutlinePath(kOwn) + "?user=nobody", admin_), 404);
  auto unknown = Get(OutlinePath("course-v1:No+Such+Run"), learner_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown), (json{{"detail", "Not found."}}));
}

// jump_to, the permanent link the outline and search hand out, sends the
// browser to the learning app's courseware path of the block.
TEST_P(LearningApiTest, JumpToRedirectsToTheCoursewarePath) {
  const std::string base = "/learning/course/" + std::string(kOwn);
  auto jump = [&](const std::string& type, const std::string& id) {
    auto r = Get("/courses/" + std::string(kOwn) + "/jump_to/" + LearnBlock(kOwn, type, id), "");
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return std::string();
    EXPECT_EQ(r->status, 302) << type << " " << id << ": " << r->body;
    return r->Header("location");
  };
  const std::string hw = LearnBlock(kOwn, "sequential", "hw");
  EXPECT_EQ(jump("problem", "p1"), base + "/" + hw + "/" + LearnBlock(kOwn, "vertical", "u1"));
  EXPECT_EQ(jump("vertical", "u2"), base + "/" + hw + "/" + LearnBlock(kOwn, "vertical", "u2"));
  EXPECT_EQ(jump("sequential", "hw"), base + "/" + hw);
  EXPECT_EQ(jump("chapter", "ch"), base + "/" + LearnBlock(kOwn, "chapter", "ch"));
  EXPECT_EQ(jump("course", "course"), base + "/home");
  // Unknown blocks and courses are 404, as upstream's Http404.
  EXPECT_EQ(
      StatusOf("/courses/" + std::string(kOwn) + "/jump_to/" + LearnBlock(kOwn, "problem", "nope"),
               learner_),
      404);
  EXPECT_EQ(StatusOf("/courses/course-v1:No+Such+Run/jump_to/" + LearnBlock(kOwn, "problem", "p1"),
                     learner_),
            404);
}

}  // namespace
}  // namespace larch::testing
