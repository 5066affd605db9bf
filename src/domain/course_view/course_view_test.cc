// course_view's rules on a small hand-built tree: load access order and
// messages, the units a learner sees with their icon class and path, the
// dates tab's blocks, and the outline's removals.
#include "larch/course_view/course_view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "larch/common/clock.h"

namespace larch::course_view {
namespace {

int64_t At(const char* iso) { return *ParseIso8601(iso); }

// course > ch > hw (graded, due 2025) > {u1: problem, u2: video, secret (staff only)};
// course > later (starts 2099) > fs (graded, due 2099) > fu.
class CourseViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add("course", "course", "Course", -1);
    int ch = Add("chapter", "ch", "Week 1", 0);
    int hw = Add("sequential", "hw", "Homework", ch);
    tree_.blocks[static_cast<size_t>(hw)].fields = {
        {"graded", true}, {"format", "Homework"}, {"due", "2025-06-01T00:00:00Z"}};
    int u1 = Add("vertical", "u1", "Numbers", hw);
    tree_.blocks[static_cast<size_t>(u1)].inherited = {{"graded", true}};
    Add("problem", "p1", "", u1);
    int u2 = Add("vertical", "u2", "", hw);
    Add("video", "v1", "", u2);
    int secret = Add("vertical", "secret", "Staff", hw);
    tree_.blocks[static_cast<size_t>(secret)].visible_to_staff_only = true;
    int later = Add("chapter", "later", "Later", 0);
    tree_.blocks[static_cast<size_t>(later)].start = At("2099-01-01T00:00:00Z");
    int fs = Add("sequential", "fs", "Final", later);
    tree_.blocks[static_cast<size_t>(fs)].fields = {{"graded", true},
                                                    {"due", "2099-02-01T00:00:00Z"}};
    tree_.blocks[static_cast<size_t>(fs)].start = At("2099-01-01T00:00:00Z");
    Add("vertical", "fu", "Final unit", fs);
    tree_.root = 0;
    course_.course_key = "course-v1:O+C+R";
    course_.start = At("2020-01-01T00:00:00Z");
    course_.end = At("2030-01-01T00:00:00Z");
    viewer_.tree = &tree_;
    viewer_.course = &course_;
    viewer_.access.now = now_;
    viewer_.enrolled = true;
    viewer_.mode = "audit";
  }

  int Add(const std::string& type, const std::string& id, const std::string& name, int parent) {
    courses::CatalogBlock block;
    block.type = type;
    block.block_id = id;
    block.usage_key = "block-v1:O+C+R+type@" + type + "+block@" + id;
    block.display_name = name;
    block.parent = parent;
    block.start =
        parent >= 0 ? tree_.blocks[static_cast<size_t>(parent)].start : At("2020-01-01T00:00:00Z");
    int index = static_cast<int>(tree_.blocks.size());
    tree_.blocks.push_back(block);
    tree_.index[block.usage_key] = index;
    if (parent >= 0) tree_.blocks[static_cast<size_t>(parent)].children.push_back(index);
    return index;
  }

  courses::CourseTree tree_;
  courses::CourseSummary course_;
  Viewer viewer_;
  int64_t now_ = At("2026-12-01T00:00:00Z");
};

TEST_F(CourseViewTest, LoadAccessRulesInOrder) {
  EXPECT_TRUE(CourseLoadAccess(viewer_, now_).has_access);
  viewer_.enrolled = false;
  LoadAccess outsider = CourseLoadAccess(viewer_, now_);
  EXPECT_FALSE(outsider.has_access);
  EXPECT_EQ(outsider.error_code, "enrollment_required");
  course_.start = At("2099-01-01T00:00:00Z");
  LoadAccess early = CourseLoadAccess(viewer_, now_);
  EXPECT_EQ(early.error_code, "course_not_started");
  EXPECT_EQ(early.developer_message, "Course does not start until 2099-01-01 00:00:00+00:00");
  EXPECT_EQ(early.user_message, "Course does not start until January 01, 2099");
  course_.start = At("2030-01-01T00:00:00Z");
  EXPECT_EQ(CourseLoadAccess(viewer_, now_ - 1).user_message, "Course has not started");
  viewer_.access.milestones = content_gate::MilestoneGate::kPrerequisites;
  EXPECT_EQ(CourseLoadAccess(viewer_, now_).error_code, "unfulfilled_milestones");
  viewer_.staff = true;
  EXPECT_TRUE(CourseLoadAccess(viewer_, now_).has_access);
}

TEST_F(CourseViewTest, SequenceUnitsLeaveOutHiddenUnits) {
  std::vector<SequenceUnit> units = SequenceUnits(viewer_, 2);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].icon_class, "problem");
  EXPECT_EQ(units[0].path, "Week 1 > Homework > Numbers");
  EXPECT_TRUE(units[0].graded);
  EXPECT_EQ(units[1].icon_class, "video");
  EXPECT_EQ(units[1].title, "u2");
  viewer_.access.see_all = true;
  units = SequenceUnits(viewer_, 2);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[2].icon_class, "other");
}

TEST_F(CourseViewTest, DatesAreSortedAndFutureAssignmentsHaveNoLink) {
  std::vector<DateBlock> dates = CourseDates(viewer_, now_);
  ASSERT_EQ(dates.size(), 4u);
  EXPECT_EQ(dates[0].date_type, "course-start-date");
  EXPECT_EQ(dates[1].title, "Homework");
  EXPECT_EQ(dates[1].assignment_type, "Homework");
  EXPECT_TRUE(dates[1].released);
  EXPECT_EQ(dates[1].first_component_block_id, "block-v1:O+C+R+type@problem+block@p1");
  EXPECT_EQ(dates[2].date_type, "course-end-date");
  EXPECT_EQ(dates[2].description,
            "After the course ends, the course content will be archived and no longer active.");
  EXPECT_FALSE(dates[3].released);
  EXPECT_EQ(dates[3].assignment_type, std::nullopt);
  viewer_.mode = "verified";
  EXPECT_NE(CourseDates(viewer_, now_)[2].description.find("earning a certificate"),
            std::string::npos);
  EXPECT_NE(CourseDates(viewer_, At("2031-01-01T00:00:00Z"))[2].description.find("archived"),
            std::string::npos);
}

TEST_F(CourseViewTest, OutlineRemovesAndCloses) {
  std::vector<OutlineSection> outline = UserOutline(viewer_, now_);
  ASSERT_EQ(outline.size(), 2u);
  ASSERT_EQ(outline[0].sequences.size(), 1u);
  EXPECT_TRUE(outline[0].sequences[0].accessible);
  EXPECT_EQ(outline[0].sequences[0].due, At("2025-06-01T00:00:00Z"));
  EXPECT_FALSE(outline[1].sequences[0].accessible);
  EXPECT_EQ(outline[1].effective_start, At("2099-01-01T00:00:00Z"));
  viewer_.enrolled = false;
  EXPECT_TRUE(UserOutline(viewer_, now_).empty());
}

}  // namespace
}  // namespace larch::course_view
