#include "larch/learner_home/learner_home.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "larch/accounts/roles.h"
#include "larch/common/random.h"
#include "larch/completion/completion_service.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::learner_home {
namespace {

namespace fs = std::filesystem;

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kLater[] = "course-v1:Larch+Later+2099";
constexpr int64_t kNow = 1'800'000'000'000'000;  // 2027-01-15
constexpr int64_t kYear = int64_t{365} * 86'400 * 1'000'000;

fs::path SharedOlx(const std::string& name) {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return fs::path(env && *env ? env : LARCH_SHARED_OLX) / name;
}

class LearnerHomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetNowMicros(kNow);
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, testing::MakeTempDir("learner_home"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, testing::OpenMigratedSqlite(dir_, clock_));
    courses::CourseImporter importer(*db_, clock_);
    LARCH_ASSERT_OK(importer.Import(SharedOlx("edx-demo-course-quince") / "course").status());
    enrollment::CourseRowForTest later;
    later.course_key = kLater;
    later.org = "Larch";
    later.number = "Later";
    later.run = "2099";
    later.display_name = "Later";
    later.start = kNow + kYear;
    LARCH_ASSERT_OK(enrollment::InsertCourseForTest(*db_, later));
    LARCH_ASSERT_OK_AND_ASSIGN(alice_,
                               enrollment::InsertUserForTest(*db_, "alice", "alice@example.com"));
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    enrollments_ = std::make_unique<enrollment::EnrollmentService>(*db_, clock_, *bus_);
    catalog_ = std::make_unique<courses::CourseCatalog>(*db_);
    service_ = std::make_unique<LearnerHomeService>(*db_, *catalog_, clock_, nullptr);
  }
  void TearDown() override {
    service_.reset();
    catalog_.reset();
    enrollments_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  void Enroll(const std::string& course) {
    enrollment::EnrollOptions options;
    options.check_access = false;
    LARCH_ASSERT_OK(enrollments_->Enroll(alice_, course, options).status());
  }

  FakeClock clock_;
  SeededRandom random_{7};
  std::string dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<enrollment::EnrollmentService> enrollments_;
  std::unique_ptr<courses::CourseCatalog> catalog_;
  std::unique_ptr<LearnerHomeService> service_;
  int64_t alice_ = 0;
};

TEST_F(LearnerHomeTest, UnknownUserIsNotFound) {
  EXPECT_THAT(service_->ForUser(alice_ + 100), testing::StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->ForLogin("nobody"), testing::StatusIs(StatusCode::kNotFound));
}

TEST_F(LearnerHomeTest, NoEnrollmentsGiveNoCards) {
  LARCH_ASSERT_OK_AND_ASSIGN(Dashboard d, service_->ForUser(alice_));
  EXPECT_EQ(d.user.username, "alice");
  EXPECT_TRUE(d.cards.empty());
}

TEST_F(LearnerHomeTest, CardsAreNewestFirstWithStartAndAccess) {
  Enroll(kDemo);
  clock_.SetNowMicros(kNow + 1);
  Enroll(kLater);
  LARCH_ASSERT_OK_AND_ASSIGN(Dashboard d, service_->ForUser(alice_));
  ASSERT_EQ(d.cards.size(), 2u);
  const CourseCard& later = d.cards[0];
  const CourseCard& demo = d.cards[1];
  EXPECT_EQ(later.enrollment.course_key, kLater);
  EXPECT_FALSE(later.is_started);
  EXPECT_TRUE(later.is_too_early);
  EXPECT_FALSE(later.is_staff);
  EXPECT_EQ(demo.enrollment.course_key, kDemo);
  EXPECT_TRUE(demo.is_started);
  EXPECT_FALSE(demo.is_too_early);
  EXPECT_FALSE(demo.is_passing);
  EXPECT_FALSE(demo.resume_block.has_value());
  ASSERT_EQ(demo.modes.size(), 1u);  // no stored modes: the default
  EXPECT_EQ(demo.modes[0].slug, "audit");
  EXPECT_FALSE(demo.upsell_mode.has_value());

  // Unenrolled courses leave the dashboard; ForLogin finds the same learner
  // by email.
  LARCH_ASSERT_OK(enrollments_->Unenroll(alice_, kLater).status());
  LARCH_ASSERT_OK_AND_ASSIGN(d, service_->ForLogin("alice@example.com"));
  ASSERT_EQ(d.cards.size(), 1u);
  EXPECT_EQ(d.cards[0].enrollment.course_key, kDemo);
}

TEST_F(LearnerHomeTest, ResumeIsTheLatestCompletionsSequentialAndVertical) {
  Enroll(kDemo);
  std::shared_ptr<const courses::CourseTree> tree;
  LARCH_ASSERT_OK_AND_ASSIGN(tree, catalog_->GetTree(kDemo));
  // The first html block of the course, and its vertical and sequential.
  int html = -1;
  for (size_t i = 0; i < tree->blocks.size() && html < 0; ++i) {
    if (tree->blocks[i].type == "html") html = static_cast<int>(i);
  }
  ASSERT_GE(html, 0);
  const int vertical = tree->blocks[html].parent;
  const int sequential = tree->blocks[vertical].parent;
  completion::CompletionService completion(*db_, clock_);
  LARCH_ASSERT_OK(
      completion.Submit(alice_, kDemo, {tree->blocks[html].usage_key, "html", 1.0}).status());
  LARCH_ASSERT_OK_AND_ASSIGN(Dashboard d, service_->ForUser(alice_));
  ASSERT_EQ(d.cards.size(), 1u);
  EXPECT_EQ(d.cards[0].resume_block, tree->blocks[html].usage_key);
  EXPECT_EQ(d.cards[0].resume_vertical, tree->blocks[vertical].usage_key);
  EXPECT_EQ(d.cards[0].resume_sequential, tree->blocks[sequential].usage_key);
}

TEST_F(LearnerHomeTest, VerifiedModeIsAnUpsellAndStaffRolesCount) {
  Enroll(kDemo);
  enrollment::CourseMode audit = enrollment::DefaultCourseMode();
  enrollment::CourseMode verified;
  verified.slug = "verified";
  verified.name = "Verified";
  verified.min_price = 49;
  verified.sku = "SKU1";
  LARCH_ASSERT_OK(db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
    LARCH_RETURN_IF_ERROR(enrollment::CourseModeStore::Upsert(txn, kDemo, audit));
    return enrollment::CourseModeStore::Upsert(txn, kDemo, verified);
  }));
  accounts::RoleStore roles(*db_);
  LARCH_ASSERT_OK(roles.Grant(alice_, "edX", accounts::CourseRole::kStaff));
  LARCH_ASSERT_OK_AND_ASSIGN(Dashboard d, service_->ForUser(alice_));
  ASSERT_EQ(d.cards.size(), 1u);
  ASSERT_EQ(d.cards[0].modes.size(), 2u);
  ASSERT_TRUE(d.cards[0].upsell_mode.has_value());
  EXPECT_EQ(d.cards[0].upsell_mode->sku, "SKU1");
  EXPECT_TRUE(d.cards[0].is_staff);  // org-wide staff of edX
}

}  // namespace
}  // namespace larch::learner_home
