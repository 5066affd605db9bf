// Enrollment SQL on both backends: course mode upserts, enroll / reactivate /
// update with history rows, enrollment_allowed (case-insensitive emails,
// pending enrollments), the multi-row batch INSERT with ON CONFLICT ...
// RETURNING, and the instructor bulk update with its mail jobs.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/events/event_types.h"
#include "larch/testing/enrollment_rows.h"

namespace larch::enrollment {
namespace {

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";

class EnrollmentConformance : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock_.SetNowMicros(1'700'000'000'000'000);
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    bus_->Subscribe(events::kCourseEnrollmentCreated, [this](const events::Event&) {
      ++created_events_;
      return OkStatus();
    });
    service_ = std::make_unique<EnrollmentService>(db(), clock_, *bus_);
    ASSERT_TRUE(InsertCourseForTest(db(), CourseRowForTest()).ok());
    auto id = InsertUserForTest(db(), "alice", "Alice@Example.com");
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    alice_ = *id;
  }
  void TearDown() override {
    service_.reset();
    bus_.reset();
    BackendTest::TearDown();
  }
  int64_t Count(const char* sql) {
    storage::Query q{"test.count", sql};
    auto txn = db().Begin(storage::TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok());
    auto rs = (*txn)->Execute(q);
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() ? rs->rows[0].GetInt(0) : -1;
  }

  FakeClock clock_;
  SeededRandom random_{5};
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<EnrollmentService> service_;
  int64_t alice_ = 0;
  std::atomic<int> created_events_ = 0;
};

// Runs `fn(i)` on `n` threads released together, and joins them.
template <typename Fn>
void RaceThreads(int n, Fn fn) {
  std::atomic<int> ready = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      fn(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

constexpr int kRacers = 6;
constexpr int kRounds = 8;

TEST_P(EnrollmentConformance, CourseModeUpsertAndExpiry) {
  CourseMode m;
  m.slug = "verified";
  m.name = "Verified";
  m.min_price = 10;
  m.currency = "USD";
  m.expiration_datetime = clock_.NowMicros() + 1;
  m.sku = "SKU1";
  auto upsert = [&](const CourseMode& mode) {
    return db().RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return CourseModeStore::Upsert(t, kCourse, mode);
    });
  };
  ASSERT_TRUE(upsert(m).ok());
  m.min_price = 20;
  ASSERT_TRUE(upsert(m).ok());
  auto modes = service_->ModesForCourse(kCourse);
  ASSERT_TRUE(modes.ok()) << modes.status().ToString();
  ASSERT_EQ(modes->size(), 1u);
  EXPECT_EQ((*modes)[0].min_price, 20);
  EXPECT_EQ((*modes)[0].currency, "usd");
  EXPECT_EQ((*modes)[0].sku, "SKU1");
  clock_.AdvanceSeconds(1);
  modes = service_->ModesForCourse(kCourse);
  ASSERT_EQ(modes->size(), 1u);
  EXPECT_EQ((*modes)[0].slug, "audit");  // the default: verified has expired
  // Unknown course: the foreign key refuses it.
  EXPECT_EQ(db().RunInTransaction(storage::TxnMode::kReadWrite,
                                  [&](storage::Transaction& t) {
                                    return CourseModeStore::Upsert(t, "course-v1:X+Y+Z", m);
                                  })
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(EnrollmentConformance, EnrollUnenrollReactivate) {
  auto r = service_->Enroll(alice_, kCourse);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  EXPECT_GT(r->enrollment.id, 0);
  ASSERT_TRUE(service_->Unenroll(alice_, kCourse).ok());
  r = service_->Enroll(alice_, kCourse);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->created);
  EXPECT_TRUE(r->enrollment.is_active);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 3);
  EXPECT_EQ(created_events_, 2);
  auto list = service_->ListActive(alice_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(*service_->CountActive(kCourse), 1);

  ASSERT_TRUE(service_->SetAttributes(alice_, kCourse, {{"credit", "provider_id", "a"}}).ok());
  ASSERT_TRUE(service_->SetAttributes(alice_, kCourse, {{"credit", "provider_id", "b"}}).ok());
  auto attributes = service_->GetAttributes(alice_, kCourse);
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_EQ(*attributes, (std::vector<EnrollmentAttribute>{{"credit", "provider_id", "b"}}));
  EXPECT_EQ(service_->SetAttributes(alice_, "course-v1:X+Y+Z", {}).code(), StatusCode::kNotFound);
}

TEST_P(EnrollmentConformance, AllowedEmailsAndPendingEnrollments) {
  CourseRowForTest c;
  c.course_key = "course-v1:edX+Invite+2024";
  c.invitation_only = true;
  ASSERT_TRUE(InsertCourseForTest(db(), c).ok());
  EXPECT_EQ(service_->Enroll(alice_, c.course_key).status().error_code(), "invitation-only");
  ASSERT_TRUE(service_->AllowEmail("ALICE@example.com", c.course_key, false).ok());
  ASSERT_TRUE(service_->AllowEmail("alice@example.com", c.course_key, false).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_allowed"), 1);
  EXPECT_TRUE(service_->Enroll(alice_, c.course_key).ok());

  auto results =
      service_->BulkUpdate(kCourse, {"dave@example.com", "alice"}, true, true, true, alice_);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE((*results)[0].after.allowed);
  EXPECT_TRUE((*results)[1].after.enrollment);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send'"), 2);
  auto dave = InsertUserForTest(db(), "dave", "Dave@Example.com");
  ASSERT_TRUE(dave.ok());
  auto applied = service_->ApplyPendingEnrollments(*dave);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 1);
  EXPECT_TRUE((*service_->Get(*dave, kCourse))->is_active);
}

TEST_P(EnrollmentConformance, BatchEnrollMultiRowInsert) {
  std::vector<int64_t> users;
  for (int i = 0; i < 30; ++i) {
    auto id = InsertUserForTest(db(), "u" + std::to_string(i), "u" + std::to_string(i) + "@x.org");
    ASSERT_TRUE(id.ok());
    users.push_back(*id);
  }
  CourseRowForTest other;
  other.course_key = "course-v1:edX+Other+2024";
  ASSERT_TRUE(InsertCourseForTest(db(), other).ok());
  std::vector<std::pair<int64_t, std::string>> pairs;
  for (int64_t u : users) {
    pairs.emplace_back(u, kCourse);
    pairs.emplace_back(u, other.course_key);
  }
  ASSERT_TRUE(service_->Enroll(users[0], kCourse).ok());
  ASSERT_TRUE(service_->Unenroll(users[0], kCourse).ok());
  ASSERT_TRUE(service_->Enroll(users[1], kCourse).ok());
  created_events_ = 0;
  auto stats = service_->BatchEnroll(pairs, "honor");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->inserted, 58);
  EXPECT_EQ(stats->reactivated, 1);
  EXPECT_EQ(stats->unchanged, 1);
  EXPECT_EQ(created_events_, 59);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments WHERE is_active = 1"), 60);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments WHERE mode = 'honor'"), 59);
  // Running the same batch again changes nothing.
  stats = service_->BatchEnroll(pairs, "honor");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->inserted, 0);
  EXPECT_EQ(stats->unchanged, 60);
}

TEST_P(EnrollmentConformance, RosterPagesActiveLearnersByEnrollmentId) {
  auto bob = InsertUserForTest(db(), "bob", "bob@example.com");
  auto carol = InsertUserForTest(db(), "Carol", "carol@elsewhere.org");
  auto dave = InsertUserForTest(db(), "dave", "dave@example.com");
  ASSERT_TRUE(bob.ok() && carol.ok() && dave.ok());
  std::vector<int64_t> enrollment_ids;
  for (int64_t user : {alice_, *bob, *carol, *dave}) {
    auto r = service_->Enroll(user, kCourse);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    enrollment_ids.push_back(r->enrollment.id);
  }
  ASSERT_TRUE(service_->Unenroll(*dave, kCourse).ok());
  ASSERT_TRUE(service_->Update(*bob, kCourse, std::string("honor"), std::nullopt).ok());
  auto names = [](const RosterPage& page) {
    std::vector<std::string> out;
    for (const RosterEntry& e : page.entries) out.push_back(e.username);
    return out;
  };
  auto list = [&](RosterQuery q) {
    q.course_key = kCourse;
    auto page = service_->ListRoster(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : RosterPage{};
  };
  using Names = std::vector<std::string>;

  RosterPage first = list({.page_size = 2});
  EXPECT_EQ(names(first), (Names{"alice", "bob"}));
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.total, 3);  // dave's enrollment is inactive
  EXPECT_EQ(first.filtered, 3);
  EXPECT_EQ(first.entries[1].mode, "honor");
  EXPECT_EQ(first.entries[0].email, "Alice@Example.com");
  RosterPage next = list({.position = first.entries.back().enrollment_id, .page_size = 2});
  EXPECT_EQ(names(next), (Names{"Carol"}));
  EXPECT_FALSE(next.more);
  RosterPage back = list({.position = enrollment_ids[2], .backward = true, .page_size = 1});
  EXPECT_EQ(names(back), (Names{"bob"}));
  EXPECT_TRUE(back.more);

  // The filters: case-insensitive substrings, LIKE wildcards taken literally.
  EXPECT_EQ(names(list({.username_contains = "AR"})), (Names{"Carol"}));
  EXPECT_EQ(names(list({.username_contains = "%"})), Names{});
  RosterPage by_email =
      list({.position = enrollment_ids[0], .page_size = 1, .user_contains = "EXAMPLE.com"});
  EXPECT_EQ(names(by_email), (Names{"bob"}));
  EXPECT_FALSE(by_email.more);  // dave matches but is not active
  EXPECT_EQ(by_email.filtered, 2);
  RosterPage honor = list({.mode = "honor"});
  EXPECT_EQ(names(honor), (Names{"bob"}));
  EXPECT_EQ(honor.filtered, 1);
  RosterPage none = list({.username_contains = "carol", .user_contains = "bob"});
  EXPECT_TRUE(none.entries.empty());
  EXPECT_EQ(none.filtered, 0);
  EXPECT_EQ(none.total, 3);
}
// Several nodes enrolling the same learner at once (a double click through a
// load balancer): every request succeeds, one row and one "+" history row.
TEST_P(EnrollmentConformance, RacingEnrollmentsMakeOneRowAndNeverFail) {
  for (int round = 0; round < kRounds; ++round) {
    auto user = InsertUserForTest(db(), "racer" + std::to_string(round),
                                  "racer" + std::to_string(round) + "@example.com");
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    std::atomic<int> created = 0;
    std::vector<Status> results(kRacers);
    RaceThreads(kRacers, [&](int i) {
      auto r = service_->Enroll(*user, kCourse);
      results[i] = r.status();
      if (r.ok() && r->created) ++created;
    });
    for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(created.load(), 1) << "round " << round;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments"), kRounds);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), kRounds);
  EXPECT_EQ(created_events_.load(), kRounds);
}

// Racing re-activations of one inactive enrollment write one history row
// between them, and racing unenrollments one more.
TEST_P(EnrollmentConformance, RacingReactivationsWriteOneHistoryRowPerChange) {
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Status> results(kRacers);
    RaceThreads(kRacers, [&](int i) { results[i] = service_->Unenroll(alice_, kCourse).status(); });
    for (const Status& s : results) EXPECT_TRUE(s.ok()) << "unenroll: " << s.ToString();
    RaceThreads(kRacers, [&](int i) { results[i] = service_->Enroll(alice_, kCourse).status(); });
    for (const Status& s : results) EXPECT_TRUE(s.ok()) << "enroll: " << s.ToString();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments WHERE is_active = 1"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 1 + 2 * kRounds);
  EXPECT_EQ(created_events_.load(), 1 + kRounds);
}

LARCH_INSTANTIATE_BACKEND_SUITE(EnrollmentConformance);

}  // namespace
}  // namespace larch::enrollment
