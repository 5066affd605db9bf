// ContentGate's rules over a hand-built tree, and its role lookup over a
// migrated SQLite database (no milestones: that gate is covered through the
// Blocks API and search in tests/api/milestones_test.cc).
#include "larch/content_gate/content_gate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::content_gate {
namespace {

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo";
constexpr int64_t kNow = 1'700'000'000'000'000;
constexpr int64_t kDay = 86'400'000'000;

courses::CatalogBlock Block(const std::string& type, const std::string& key, int parent) {
  courses::CatalogBlock block;
  block.type = type;
  block.usage_key = key;
  block.parent = parent;
  return block;
}

// course(0) > chapter ch1(1) > html h1(2); course > chapter exam(3).
courses::CourseTree Tree() {
  courses::CourseTree tree;
  tree.blocks = {Block("course", "course", -1), Block("chapter", "ch1", 0), Block("html", "h1", 1),
                 Block("chapter", "exam", 0)};
  tree.blocks[0].children = {1, 3};
  tree.blocks[1].children = {2};
  tree.root = 0;
  return tree;
}

ContentAccess Learner() {
  ContentAccess access;
  access.now = kNow;
  return access;
}

TEST(ContentGateRules, StartDatesAndStaffOnly) {
  courses::CatalogBlock block = Block("html", "h", -1);
  block.start = kNow + 2 * kDay;
  block.days_early_for_beta = 3;
  ContentAccess learner = Learner();
  EXPECT_FALSE(ContentGate::Visible(block, learner));
  ContentAccess beta = learner;
  beta.beta_tester = true;
  EXPECT_TRUE(ContentGate::Visible(block, beta));
  ContentAccess staff = learner;
  staff.see_all = true;
  block.visible_to_staff_only = true;
  EXPECT_TRUE(ContentGate::Visible(block, staff));
  EXPECT_FALSE(ContentGate::Visible(block, beta));
  // The course block is always started.
  courses::CatalogBlock course = Block("course", "c", -1);
  course.start = kNow + kDay;
  EXPECT_TRUE(ContentGate::Visible(course, learner));
}

TEST(ContentGateRules, MilestonesCloseContent) {
  courses::CourseTree tree = Tree();
  ContentAccess prerequisites = Learner();
  prerequisites.milestones = MilestoneGate::kPrerequisites;
  EXPECT_FALSE(ContentGate::DeniedByMilestones(tree.blocks[0], prerequisites));
  EXPECT_TRUE(ContentGate::DeniedByMilestones(tree.blocks[1], prerequisites));
  EXPECT_FALSE(ContentGate::VisibleWithAncestors(tree, 0, prerequisites));

  ContentAccess exam = Learner();
  exam.milestones = MilestoneGate::kEntranceExam;
  exam.entrance_exam_id = "exam";
  EXPECT_FALSE(ContentGate::VisibleWithAncestors(tree, 2, exam));
  EXPECT_TRUE(ContentGate::VisibleWithAncestors(tree, 3, exam));
  EXPECT_TRUE(ContentGate::VisibleWithAncestors(tree, 2, Learner()));
  exam.see_all = true;
  EXPECT_TRUE(ContentGate::VisibleWithAncestors(tree, 2, exam));
}

TEST(ContentGateRules, AnAncestorBeforeItsStartHidesTheBlock) {
  courses::CourseTree tree = Tree();
  tree.blocks[1].start = kNow + kDay;
  EXPECT_FALSE(ContentGate::VisibleWithAncestors(tree, 2, Learner()));
  EXPECT_TRUE(ContentGate::Visible(tree.blocks[2], Learner()));
}

TEST(ContentGateRoles, CourseAndOrgGrants) {
  FakeClock clock{kNow};
  LARCH_ASSERT_OK_AND_ASSIGN(std::string dir, larch::testing::MakeTempDir("larch-gate"));
  {
    LARCH_ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::Database> db,
                               larch::testing::OpenMigratedSqlite(dir, clock));
    LARCH_ASSERT_OK(db->RunInTransaction(storage::TxnMode::kReadWrite, [](storage::Transaction& t) {
      return t.ExecuteScript(
          "INSERT INTO users (id, username, email, is_active, date_joined) VALUES "
          "(1, 'learner', 'l@x', 1, 0), (2, 'beta', 'b@x', 1, 0), (3, 'orgstaff', 'o@x', 1, 0)");
    }));
    accounts::RoleStore roles(*db);
    LARCH_ASSERT_OK(roles.Grant(2, kCourse, accounts::CourseRole::kBetaTester));
    LARCH_ASSERT_OK(roles.Grant(3, "EDX", accounts::CourseRole::kStaff));
    ContentGate gate(roles, clock, nullptr);
    EXPECT_FALSE(gate.RolesFor(1, false, kCourse).staff);
    EXPECT_TRUE(gate.RolesFor(1, true, kCourse).staff);
    EXPECT_TRUE(gate.RolesFor(2, false, kCourse).beta_tester);
    EXPECT_FALSE(gate.RolesFor(2, false, "course-v1:edX+Other+Run").beta_tester);
    EXPECT_TRUE(gate.RolesFor(3, false, kCourse).staff);
    ContentAccess anonymous = gate.RoleAccess(std::nullopt, false, kCourse);
    EXPECT_FALSE(anonymous.see_all);
    EXPECT_EQ(anonymous.now, kNow);
    LARCH_ASSERT_OK_AND_ASSIGN(ContentAccess staff, gate.AccessFor(3, false, kCourse));
    EXPECT_TRUE(staff.see_all);
    LARCH_ASSERT_OK_AND_ASSIGN(ContentAccess learner, gate.AccessFor(1, false, kCourse));
    EXPECT_EQ(learner.milestones, MilestoneGate::kNone);
    EXPECT_TRUE(gate.SeeAll().see_all);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace larch::content_gate
