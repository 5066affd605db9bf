// The CourseStore reads other modules make, on both backends: enrollment's
// course facts (FindEnrollmentInfo) and search's discovery columns
// (ListDiscoveryFacts, the chunked FindDiscoveryFacts); and the enrollments
// read search makes through EnrollmentStore.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "backend_fixture.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"

namespace larch::courses {
namespace {

constexpr char kDemo[] = "course-v1:edX+DemoX+Demo_Course";
// Sorts after kDemo under any collation.
constexpr char kOther[] = "course-v1:zorg+Other+Run";

class CourseStoreConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    enrollment::CourseRowForTest demo;
    demo.start = 10;
    demo.end = 20;
    demo.enrollment_start = 5;
    demo.invitation_only = true;
    demo.max_student_enrollments_allowed = 40;
    demo.self_paced = true;
    LARCH_ASSERT_OK(enrollment::InsertCourseForTest(db(), demo));
    enrollment::CourseRowForTest other;
    other.course_key = kOther;
    other.org = "zorg";
    other.number = "Other";
    other.run = "Run";
    other.display_name = "Other Course";
    LARCH_ASSERT_OK(enrollment::InsertCourseForTest(db(), other));
    static constexpr storage::Query kSetTexts{
        "test.set_texts",
        "UPDATE courses SET language = 'en', effort = '', course_image = '/img.png' "
        "WHERE course_key = ?"};
    LARCH_ASSERT_OK(db().RunInTransaction(storage::TxnMode::kReadWrite, [](auto& txn) {
      return txn.Execute(kSetTexts, {storage::Text(kDemo)}).status();
    }));
  }
};

TEST_P(CourseStoreConformance, FindEnrollmentInfoReadsTheStoredKey) {
  using Found = StatusOr<std::optional<CourseEnrollmentInfo>>;
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<CourseEnrollmentInfo> demo,
                             storage::RunWithResult(db(), storage::TxnMode::kReadOnly,
                                                    [](storage::Transaction& t) -> Found {
                                                      return CourseStore::FindEnrollmentInfo(t,
                                                                                             kDemo);
                                                    }));
  ASSERT_TRUE(demo.has_value());
  EXPECT_EQ(demo->course_key, kDemo);
  EXPECT_EQ(demo->display_name, "Demo Course");
  EXPECT_EQ(demo->start, 10);
  EXPECT_EQ(demo->end, 20);
  EXPECT_EQ(demo->enrollment_start, 5);
  EXPECT_FALSE(demo->enrollment_end.has_value());
  EXPECT_TRUE(demo->invitation_only);
  EXPECT_EQ(demo->max_student_enrollments_allowed, 40);
  EXPECT_TRUE(demo->self_paced);

  // Any text is a question, not an error: unknown and unparsable keys alike.
  for (const char* key : {"course-v1:edX+DemoX+Nope", "not a key", ""}) {
    LARCH_ASSERT_OK_AND_ASSIGN(std::optional<CourseEnrollmentInfo> missing,
                               storage::RunWithResult(db(), storage::TxnMode::kReadOnly,
                                                      [&](storage::Transaction& t) -> Found {
                                                        return CourseStore::FindEnrollmentInfo(t,
                                                                                               key);
                                                      }));
    EXPECT_FALSE(missing.has_value()) << key;
  }
}

TEST_P(CourseStoreConformance, DiscoveryFactsKeepTextsAsStored) {
  LARCH_ASSERT_OK_AND_ASSIGN(
      std::vector<CourseDiscoveryFacts> all,
      storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [](storage::Transaction& t) {
        return CourseStore::ListDiscoveryFacts(t);
      }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].course_key, kDemo);  // by course key
  EXPECT_EQ(all[1].course_key, kOther);
  const CourseDiscoveryFacts& demo = all[0];
  EXPECT_EQ(demo.org, "edX");
  EXPECT_EQ(demo.number, "DemoX");
  EXPECT_EQ(demo.display_name, "Demo Course");
  EXPECT_EQ(demo.enrollment_start, 5);
  EXPECT_TRUE(demo.self_paced);
  EXPECT_TRUE(demo.invitation_only);
  EXPECT_EQ(demo.catalog_visibility, "both");
  EXPECT_EQ(demo.language, "en");
  EXPECT_EQ(demo.effort, "");  // empty stays empty, not unset
  EXPECT_FALSE(demo.short_description.has_value());
  EXPECT_EQ(demo.course_image, "/img.png");
  EXPECT_FALSE(all[1].language.has_value());
}

TEST_P(CourseStoreConformance, FindDiscoveryFactsByKeysInChunks) {
  std::vector<std::string> keys{kDemo, "course-v1:No+Such+Run", kDemo};
  for (int i = 0; i < 700; ++i) keys.push_back("course-v1:Filler+C" + std::to_string(i) + "+R");
  keys.push_back(kOther);
  LARCH_ASSERT_OK_AND_ASSIGN(
      auto found,
      storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
        return CourseStore::FindDiscoveryFacts(t, keys);
      }));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found.at(kDemo).display_name, "Demo Course");
  EXPECT_EQ(found.at(kOther).display_name, "Other Course");
  LARCH_ASSERT_OK_AND_ASSIGN(
      auto none,
      storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
        return CourseStore::FindDiscoveryFacts(t, {});
      }));
  EXPECT_TRUE(none.empty());
}

TEST_P(CourseStoreConformance, ActiveCourseKeysOfAUser) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t user,
                             enrollment::InsertUserForTest(db(), "wren", "wren@example.com"));
  FakeClock clock;
  SeededRandom random(4);
  events::LocalEventBus bus(clock, random, events::EventBusOptions());
  enrollment::EnrollmentService service(db(), clock, bus);
  enrollment::EnrollOptions options;
  options.check_access = false;
  LARCH_ASSERT_OK(service.Enroll(user, kOther, options).status());
  LARCH_ASSERT_OK(service.Enroll(user, kDemo, options).status());
  LARCH_ASSERT_OK(service.Unenroll(user, kOther).status());
  auto keys_of = [&](int64_t id) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, [&](storage::Transaction& t) {
      return enrollment::EnrollmentStore::ActiveCourseKeys(t, id);
    });
  };
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<std::string> active, keys_of(user));
  EXPECT_EQ(active, std::vector<std::string>{kDemo});
  LARCH_ASSERT_OK(service.Enroll(user, kOther, options).status());
  LARCH_ASSERT_OK_AND_ASSIGN(active, keys_of(user));
  EXPECT_EQ(active, (std::vector<std::string>{kDemo, kOther}));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<std::string> nobody, keys_of(user + 1000));
  EXPECT_TRUE(nobody.empty());
}

LARCH_INSTANTIATE_BACKEND_SUITE(CourseStoreConformance);

}  // namespace
}  // namespace larch::courses
