#include "larch/enrollment/enrollment_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/random.h"
#include "larch/events/event_types.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::enrollment {
namespace {

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr int64_t kDay = 86'400'000'000;

class EnrollmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, larch::testing::MakeTempDir("larch-enroll"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, larch::testing::OpenMigratedSqlite(dir_, clock_));
    clock_.SetNowMicros(1'700'000'000'000'000);
    bus_ = std::make_unique<events::LocalEventBus>(clock_, random_, events::EventBusOptions());
    for (const char* type : {events::kCourseEnrollmentCreated, events::kCourseEnrollmentChanged,
                             events::kCourseUnenrollmentCompleted}) {
      bus_->Subscribe(type, [this](const events::Event& e) {
        received_.push_back(e);
        return OkStatus();
      });
    }
    service_ = std::make_unique<EnrollmentService>(*db_, clock_, *bus_);
    ASSERT_TRUE(InsertCourseForTest(*db_, CourseRowForTest()).ok());
    auto id = InsertUserForTest(*db_, "alice", "Alice@Example.com");
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    alice_ = *id;
  }
  void TearDown() override {
    service_.reset();
    bus_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int64_t ListActiveCount() {
    return Count("SELECT COUNT(*) FROM enrollments WHERE is_active = 1");
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> out;
    for (const auto& e : received_) out.push_back(e.metadata.event_type);
    return out;
  }

  int64_t Count(const char* sql) {
    storage::Query q{"test.count", sql};
    auto txn = db_->Begin(storage::TxnMode::kReadOnly);
    auto rs = (*txn)->Execute(q);
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs->rows[0].GetInt(0);
  }

  Status AddMode(const std::string& slug, int64_t price,
                 std::optional<int64_t> expires = std::nullopt) {
    CourseMode m;
    m.slug = slug;
    m.name = slug;
    m.min_price = price;
    m.currency = "USD";
    m.expiration_datetime = expires;
    return db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
      return CourseModeStore::Upsert(txn, kCourse, m);
    });
  }

  std::string dir_;
  FakeClock clock_;
  SeededRandom random_{7};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<EnrollmentService> service_;
  std::vector<events::Event> received_;
  int64_t alice_ = 0;
};

TEST_F(EnrollmentServiceTest, ModesForCourseFiltersExpiredAndCredit) {
  auto modes = service_->ModesForCourse(kCourse);
  ASSERT_TRUE(modes.ok());
  ASSERT_EQ(modes->size(), 1u);
  EXPECT_EQ((*modes)[0], DefaultCourseMode());

  ASSERT_TRUE(AddMode("verified", 50, clock_.NowMicros() - 1).ok());
  ASSERT_TRUE(AddMode("honor", 0).ok());
  ASSERT_TRUE(AddMode("credit", 0).ok());
  modes = service_->ModesForCourse(kCourse);
  ASSERT_EQ(modes->size(), 1u);
  EXPECT_EQ((*modes)[0].slug, "honor");
  EXPECT_EQ((*modes)[0].currency, "usd");
  modes = service_->ModesForCourse(kCourse, /*include_expired=*/true, /*only_selectable=*/false);
  ASSERT_EQ(modes->size(), 3u);
  EXPECT_EQ((*modes)[0].slug, "verified");
  EXPECT_EQ((*modes)[0].min_price, 50);

  EXPECT_EQ(AddMode("verified", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(db_->RunInTransaction(storage::TxnMode::kReadWrite,
                                     [&](storage::Transaction& t) {
                                       CourseMode m = DefaultCourseMode();
                                       return CourseModeStore::Upsert(t, "course-v1:No+Such+Course",
                                                                      m);
                                     })
                   .ok());
}

TEST_F(EnrollmentServiceTest, EnrollCreatesRowHistoryAndEventsAfterCommit) {
  auto r = service_->Enroll(alice_, kCourse);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  EXPECT_FALSE(r->already_active);
  EXPECT_TRUE(r->enrollment.is_active);
  EXPECT_EQ(r->enrollment.mode, "audit");
  EXPECT_EQ(r->enrollment.created, clock_.NowMicros());
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged,
                                                    events::kCourseEnrollmentCreated}));
  const nlohmann::json& data = received_.back().data["enrollment"];
  EXPECT_EQ(data["user"]["pii"]["username"], "alice");
  EXPECT_EQ(data["course"]["course_key"], kCourse);
  EXPECT_EQ(data["course"]["display_name"], "Demo Course");
  EXPECT_EQ(data["mode"], "audit");
  EXPECT_EQ(data["is_active"], true);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history WHERE history_type = '+'"), 1);

  // A second enroll of an active enrollment changes nothing.
  received_.clear();
  r = service_->Enroll(alice_, kCourse);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->already_active);
  EXPECT_FALSE(r->created);
  EXPECT_TRUE(received_.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 1);
}

TEST_F(EnrollmentServiceTest, CreateEnrollmentIsOneTransaction) {
  // The attributes are written after the enrollment row, its history and the
  // deactivation: their failure must take all of it back and send nothing.
  FaultyDatabaseForTest faulty(*db_);
  EnrollmentService service(faulty, clock_, *bus_);
  faulty.FailStatementsForTest("enrollment.upsert_attribute", UnavailableError("disk went away"));
  CreateEnrollmentRequest request;
  request.user_id = alice_;
  request.course_key = kCourse;
  request.is_active = false;
  request.attributes = {{"credit", "provider_id", "hogwarts"}};
  auto failed = service.CreateEnrollment(request);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "disk went away");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 0);
  EXPECT_TRUE(received_.empty());

  faulty.HealForTest();
  auto created = service.CreateEnrollment(request);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(created->is_active);
  EXPECT_EQ(created->mode, "audit");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments WHERE is_active = 0"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 2);
  auto attributes = service.GetAttributes(alice_, kCourse);
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(*attributes, (std::vector<EnrollmentAttribute>{{"credit", "provider_id", "hogwarts"}}));
  EXPECT_EQ(EventTypes(),
            (std::vector<std::string>{
                events::kCourseEnrollmentChanged, events::kCourseEnrollmentCreated,
                events::kCourseEnrollmentChanged, events::kCourseUnenrollmentCompleted}));
}

TEST_F(EnrollmentServiceTest, CreateEnrollmentPrivilegedChangeChecksOnceInTheTransaction) {
  ASSERT_TRUE(AddMode("audit", 0).ok());
  ASSERT_TRUE(AddMode("verified", 10, clock_.NowMicros() - kDay).ok());
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  received_.clear();
  CreateEnrollmentRequest request;
  request.user_id = alice_;
  request.course_key = kCourse;
  request.privileged = true;
  request.mode = "verified";
  request.is_active = false;
  auto mismatch = service_->CreateEnrollment(request);
  EXPECT_EQ(mismatch.status().error_code(), "mode-mismatch");
  EXPECT_EQ(mismatch.status().message(),
            "Enrollment mode mismatch: active mode=audit, requested mode=verified. Won't "
            "deactivate.");
  request.is_active.reset();
  // Expired for a user, available to the API key.
  EXPECT_EQ(service_->CreateEnrollment(request).status().error_code(), "mode-unavailable");
  request.include_expired_modes = true;
  auto changed = service_->CreateEnrollment(request);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->mode, "verified");
  request.mode = "credit";
  EXPECT_EQ(service_->CreateEnrollment(request).status().error_code(), "missing-attributes");
  EXPECT_EQ(EventTypes(), std::vector<std::string>{events::kCourseEnrollmentChanged});
}

TEST_F(EnrollmentServiceTest, UnenrollThenReactivate) {
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  received_.clear();
  auto e = service_->Unenroll(alice_, kCourse);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->is_active);
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged,
                                                    events::kCourseUnenrollmentCompleted}));
  EXPECT_EQ(received_.back().data["enrollment"]["is_active"], false);
  auto got = service_->Get(alice_, kCourse);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_FALSE((*got)->is_active);
  EXPECT_TRUE(service_->ListActive(alice_)->empty());

  // Unenrolling again is a no-op: no history, no event.
  received_.clear();
  ASSERT_TRUE(service_->Unenroll(alice_, kCourse).ok());
  EXPECT_TRUE(received_.empty());

  ASSERT_TRUE(AddMode("honor", 0).ok());
  clock_.AdvanceSeconds(10);
  auto r = service_->Enroll(alice_, kCourse);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->created);
  EXPECT_TRUE(r->enrollment.is_active);
  EXPECT_EQ(r->enrollment.mode, "honor");
  // The creation time is the first enrollment's.
  EXPECT_EQ(r->enrollment.created, clock_.NowMicros() - 10'000'000);
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged,
                                                    events::kCourseEnrollmentCreated}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments"), 1);
}

TEST_F(EnrollmentServiceTest, UpdateModeAndMissingEnrollment) {
  EXPECT_EQ(
      service_->Update(alice_, kCourse, std::string("verified"), std::nullopt).status().code(),
      StatusCode::kNotFound);
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  received_.clear();
  auto e = service_->Update(alice_, kCourse, std::string("verified"), std::nullopt);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->mode, "verified");
  EXPECT_TRUE(e->is_active);
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history WHERE mode = 'verified' AND "
                  "history_type = '~'"),
            1);
}

TEST_F(EnrollmentServiceTest, ModeValidationAndUnknowns) {
  EnrollOptions options;
  options.mode = "verified";
  auto r = service_->Enroll(alice_, kCourse, options);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().error_code(), "mode-unavailable");
  EXPECT_EQ(r.status().message(),
            "The [verified] course mode is expired or otherwise unavailable for course run "
            "[course-v1:edX+DemoX+Demo_Course].");
  ASSERT_TRUE(AddMode("verified", 10, clock_.NowMicros() - 1).ok());
  EXPECT_EQ(service_->Enroll(alice_, kCourse, options).status().code(),
            StatusCode::kInvalidArgument);
  options.include_expired_modes = true;
  EXPECT_TRUE(service_->Enroll(alice_, kCourse, options).ok());

  r = service_->Enroll(alice_, "course-v1:No+Such+Course");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().error_code(), "course-not-found");
  r = service_->Enroll(alice_ + 1000, kCourse);
  EXPECT_EQ(r.status().error_code(), "user-not-found");
}

TEST_F(EnrollmentServiceTest, EnrollmentWindow) {
  CourseRowForTest c;
  c.course_key = "course-v1:edX+Win+2024";
  c.enrollment_start = clock_.NowMicros() + kDay;
  c.enrollment_end = clock_.NowMicros() + 2 * kDay;
  ASSERT_TRUE(InsertCourseForTest(*db_, c).ok());
  auto r = service_->Enroll(alice_, c.course_key);
  EXPECT_EQ(r.status().error_code(), "enrollment-closed");
  clock_.AdvanceSeconds(86'400 + 1);
  EXPECT_TRUE(service_->Enroll(alice_, c.course_key).ok());
  ASSERT_TRUE(service_->Unenroll(alice_, c.course_key).ok());
  clock_.AdvanceSeconds(86'400);
  EXPECT_EQ(service_->Enroll(alice_, c.course_key).status().error_code(), "enrollment-closed");
  EnrollOptions staff;
  staff.check_access = false;
  EXPECT_TRUE(service_->Enroll(alice_, c.course_key, staff).ok());
  EXPECT_TRUE(received_.size() > 0);
}

TEST_F(EnrollmentServiceTest, MaxEnrollment) {
  CourseRowForTest c;
  c.course_key = "course-v1:edX+Small+2024";
  c.max_student_enrollments_allowed = 1;
  ASSERT_TRUE(InsertCourseForTest(*db_, c).ok());
  auto bob = InsertUserForTest(*db_, "bob", "bob@example.com");
  ASSERT_TRUE(service_->Enroll(alice_, c.course_key).ok());
  auto r = service_->Enroll(*bob, c.course_key);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().error_code(), "course-full");
  ASSERT_TRUE(service_->Unenroll(alice_, c.course_key).ok());
  EXPECT_TRUE(service_->Enroll(*bob, c.course_key).ok());
  EXPECT_EQ(*service_->CountActive(c.course_key), 1);
}

TEST_F(EnrollmentServiceTest, InvitationOnlyNeedsAllowedEmail) {
  CourseRowForTest c;
  c.course_key = "course-v1:edX+Invite+2024";
  c.invitation_only = true;
  ASSERT_TRUE(InsertCourseForTest(*db_, c).ok());
  EXPECT_EQ(service_->Enroll(alice_, c.course_key).status().error_code(), "invitation-only");
  ASSERT_TRUE(service_->AllowEmail("alice@EXAMPLE.com", c.course_key, false).ok());
  EXPECT_TRUE(*service_->IsEmailAllowed("ALICE@example.com", c.course_key));
  EXPECT_TRUE(service_->Enroll(alice_, c.course_key).ok());
  ASSERT_TRUE(service_->DisallowEmail("alice@example.com", c.course_key).ok());
  EXPECT_FALSE(*service_->IsEmailAllowed("alice@example.com", c.course_key));
}

TEST_F(EnrollmentServiceTest, PendingEnrollmentsAppliedOnRegistration) {
  service_->SubscribeToRegistrations();
  CourseRowForTest other;
  other.course_key = "course-v1:edX+Other+2024";
  ASSERT_TRUE(InsertCourseForTest(*db_, other).ok());
  auto results = service_->BulkUpdate(kCourse, {"carol@example.com", "alice", "not an email"},
                                      /*enroll=*/true, /*auto_enroll=*/true,
                                      /*email_students=*/true, alice_);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_FALSE((*results)[0].before.user);
  EXPECT_TRUE((*results)[0].after.allowed);
  EXPECT_TRUE((*results)[0].after.auto_enroll);
  EXPECT_FALSE((*results)[0].after.enrollment);
  EXPECT_TRUE((*results)[1].before.user);
  EXPECT_TRUE((*results)[1].after.enrollment);
  EXPECT_TRUE((*results)[2].invalid_identifier);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send'"), 2);
  ASSERT_TRUE(service_->AllowEmail("carol@example.com", other.course_key, false).ok());

  auto carol = InsertUserForTest(*db_, "carol", "Carol@Example.com");
  ASSERT_TRUE(carol.ok());
  received_.clear();
  ASSERT_TRUE(bus_->Publish(events::kStudentRegistrationCompleted,
                            {{"user", {{"id", *carol}, {"is_active", true}}}})
                  .ok());
  auto active = service_->ListActive(*carol);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);  // auto_enroll only
  EXPECT_EQ((*active)[0].course_key, kCourse);
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged,
                                                    events::kCourseEnrollmentCreated}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_allowed WHERE user_id IS NOT NULL"), 2);
  // Applying again enrolls nobody twice.
  EXPECT_EQ(*service_->ApplyPendingEnrollments(*carol), 0);

  results = service_->BulkUpdate(kCourse, {"carol"}, /*enroll=*/false, false, false, std::nullopt);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].before.enrollment);
  EXPECT_FALSE((*results)[0].after.enrollment);
  EXPECT_FALSE((*results)[0].after.allowed);
  EXPECT_TRUE(service_->ListActive(*carol)->empty());
  EXPECT_EQ(
      service_->BulkUpdate("course-v1:No+Such+Run", {"carol"}, true, false, false, std::nullopt)
          .status()
          .code(),
      StatusCode::kNotFound);
}

TEST_F(EnrollmentServiceTest, BatchEnrollTwentyThousand) {
  constexpr int kUsers = 2'000;
  constexpr int kCourses = 10;
  {
    // Users with one multi-row statement per chunk keep the set-up fast.
    ASSERT_TRUE(
        db_->RunInTransaction(storage::TxnMode::kReadWrite,
                              [&](storage::Transaction& t) {
                                for (int i = 0; i < kUsers; ++i) {
                                  static constexpr storage::Query kInsert{
                                      "test.user",
                                      "INSERT INTO users (username, email, date_joined) "
                                      "VALUES (?, ?, 0)"};
                                  LARCH_RETURN_IF_ERROR(
                                      t.Execute(kInsert,
                                                {storage::Text("u" + std::to_string(i)),
                                                 storage::Text("u" + std::to_string(i) + "@x.org")})
                                          .status());
                                }
                                return OkStatus();
                              })
            .ok());
  }
  std::vector<std::string> courses;
  for (int c = 0; c < kCourses; ++c) {
    CourseRowForTest row;
    row.course_key = "course-v1:Batch+C" + std::to_string(c) + "+Run";
    ASSERT_TRUE(InsertCourseForTest(*db_, row).ok());
    courses.push_back(row.course_key);
  }
  std::vector<std::pair<int64_t, std::string>> pairs;
  for (int u = 0; u < kUsers; ++u) {
    for (const std::string& c : courses) pairs.emplace_back(alice_ + 1 + u, c);
  }
  // One pre-existing inactive and one active enrollment in the batch.
  ASSERT_TRUE(service_->Enroll(alice_ + 1, courses[0]).ok());
  ASSERT_TRUE(service_->Unenroll(alice_ + 1, courses[0]).ok());
  ASSERT_TRUE(service_->Enroll(alice_ + 2, courses[0]).ok());
  received_.clear();

  // The rate is measured by bench/micro/enrollment_bench.cc (BM_BatchEnroll100k);
  // this checks the counts.
  auto stats = service_->BatchEnroll(pairs, "audit", /*publish_events=*/false);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->inserted, kUsers * kCourses - 2);
  EXPECT_EQ(stats->reactivated, 1);
  EXPECT_EQ(stats->unchanged, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollments WHERE is_active = 1"), kUsers * kCourses);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrollment_history WHERE history_type = '+'"),
            kUsers * kCourses - 2 + 2);
  EXPECT_TRUE(received_.empty());

  // With events: one CHANGED + CREATED per new enrollment.
  auto extra = InsertUserForTest(*db_, "late", "late@x.org");
  stats = service_->BatchEnroll({{*extra, courses[0]}, {*extra, courses[1]}}, "honor");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->inserted, 2);
  EXPECT_EQ(received_.size(), 4u);
  EXPECT_EQ(received_.back().data["enrollment"]["user"]["pii"]["username"], "late");
  EXPECT_EQ(service_->BatchEnroll({{*extra, courses[0]}}, "nope").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EnrollmentServiceTest, AllowanceCreateListDelete) {
  auto created = service_->CreateAllowance("Bob@Example.com", kCourse, true);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->email, "bob@example.com");
  EXPECT_TRUE(created->auto_enroll);
  EXPECT_EQ(created->created, clock_.NowMicros());
  EXPECT_EQ(service_->CreateAllowance("bob@example.com", kCourse, false).status().code(),
            StatusCode::kAlreadyExists);
  // No course row is needed, as upstream.
  ASSERT_TRUE(service_->CreateAllowance("bob@example.com", "course-v1:No+Such+Run", false).ok());
  auto list = service_->ListAllowances("BOB@example.com");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].course_key, kCourse);
  EXPECT_EQ((*list)[1].course_key, "course-v1:No+Such+Run");
  EXPECT_FALSE((*list)[0].user_id.has_value());
  EXPECT_TRUE(*service_->IsEmailAllowed("bob@example.com", kCourse));
  EXPECT_TRUE(service_->DeleteAllowance("Bob@example.com", kCourse).ok());
  EXPECT_EQ(service_->DeleteAllowance("bob@example.com", kCourse).code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->ListAllowances("bob@example.com")->size(), 1u);
}

TEST_F(EnrollmentServiceTest, UnenrollFromAllCoursesReturnsOrgs) {
  CourseRowForTest other;
  other.course_key = "course-v1:MITx+6.002+2024";
  other.org = "MITx";
  ASSERT_TRUE(InsertCourseForTest(*db_, other).ok());
  ASSERT_TRUE(service_->Enroll(alice_, kCourse).ok());
  ASSERT_TRUE(service_->Enroll(alice_, other.course_key).ok());
  ASSERT_TRUE(service_->Unenroll(alice_, other.course_key).ok());
  received_.clear();
  auto orgs = service_->UnenrollFromAllCourses(alice_);
  ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
  // Every enrollment's org, the inactive one's included (upstream's set).
  EXPECT_EQ(*orgs, (std::vector<std::string>{"MITx", "edX"}));
  EXPECT_TRUE(service_->ListActive(alice_)->empty());
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCourseEnrollmentChanged,
                                                    events::kCourseUnenrollmentCompleted}));
  EXPECT_EQ(service_->UnenrollFromAllCourses(alice_ + 1000).status().code(), StatusCode::kNotFound);
}

TEST_F(EnrollmentServiceTest, ListEnrollmentsFiltersAndPagesNewestFirst) {
  std::vector<int64_t> users;
  for (int i = 0; i < 5; ++i) {
    auto id =
        InsertUserForTest(*db_, "user" + std::to_string(i), "user" + std::to_string(i) + "@x.org");
    ASSERT_TRUE(id.ok());
    users.push_back(*id);
  }
  CourseRowForTest other;
  other.course_key = "course-v1:edX+Other+Run";
  other.number = "Other";
  ASSERT_TRUE(InsertCourseForTest(*db_, other).ok());
  for (int64_t u : users) {
    clock_.AdvanceSeconds(1);
    ASSERT_TRUE(service_->Enroll(u, kCourse).ok());
  }
  ASSERT_TRUE(service_->Enroll(users[0], other.course_key).ok());

  auto all = service_->ListEnrollments(EnrollmentFilter(), 100, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->items.size(), 6u);
  EXPECT_FALSE(all->more);
  EXPECT_EQ(all->items[0].course_key, other.course_key);  // newest
  EXPECT_EQ(all->items[1].username, "user4");

  EnrollmentFilter by_course;
  by_course.course_key = other.course_key;
  EXPECT_EQ(service_->ListEnrollments(by_course, 100, std::nullopt)->items.size(), 1u);
  EnrollmentFilter by_substring;
  by_substring.course_key_substrings = {"EDX+DEMOX", "nothing"};
  EXPECT_EQ(service_->ListEnrollments(by_substring, 100, std::nullopt)->items.size(), 5u);
  EnrollmentFilter wildcard;
  wildcard.course_key_substrings = {"%"};
  EXPECT_TRUE(service_->ListEnrollments(wildcard, 100, std::nullopt)->items.empty());
  EnrollmentFilter by_user;
  by_user.usernames = {"user0", "user3"};
  by_user.emails = {"user0@x.org"};
  auto user0 = service_->ListEnrollments(by_user, 100, std::nullopt);
  ASSERT_EQ(user0->items.size(), 2u);
  EXPECT_EQ(user0->items[0].username, "user0");
  // The user filters stay exact now that the users are resolved first.
  EnrollmentFilter other_case;
  other_case.usernames = {"USER0"};
  LARCH_ASSERT_OK_AND_ASSIGN(EnrollmentPage none,
                             service_->ListEnrollments(other_case, 100, std::nullopt));
  EXPECT_TRUE(none.items.empty());
  EXPECT_FALSE(none.more);
  EnrollmentFilter by_email;
  by_email.emails = {"user3@x.org"};
  LARCH_ASSERT_OK_AND_ASSIGN(EnrollmentPage user3,
                             service_->ListEnrollments(by_email, 100, std::nullopt));
  ASSERT_EQ(user3.items.size(), 1u);
  EXPECT_EQ(user3.items[0].username, "user3");

  // Pages of 2 forward, then back from the last page.
  auto p1 = service_->ListEnrollments(EnrollmentFilter(), 2, std::nullopt);
  ASSERT_TRUE(p1->more);
  const auto& last1 = p1->items.back();
  auto p2 = service_->ListEnrollments(EnrollmentFilter(), 2,
                                      EnrollmentCursor{last1.created, last1.id, false});
  ASSERT_EQ(p2->items.size(), 2u);
  EXPECT_TRUE(p2->more);
  EXPECT_EQ(p2->items[0].username, "user3");
  const auto& first2 = p2->items.front();
  auto back = service_->ListEnrollments(EnrollmentFilter(), 2,
                                        EnrollmentCursor{first2.created, first2.id, true});
  ASSERT_EQ(back->items.size(), 2u);
  EXPECT_FALSE(back->more);
  EXPECT_EQ(back->items[0].id, p1->items[0].id);
  EXPECT_EQ(back->items[1].id, p1->items[1].id);
}

TEST_F(EnrollmentServiceTest, BulkUpdateResolvesInBatchAndHandlesRepeats) {
  auto bob = InsertUserForTest(*db_, "bob", "bob@example.com");
  ASSERT_TRUE(bob.ok());
  ASSERT_TRUE(service_->Enroll(*bob, kCourse).ok());
  ASSERT_TRUE(service_->Unenroll(*bob, kCourse).ok());
  received_.clear();
  auto results = service_->BulkUpdate(
      kCourse, {"ALICE", "alice@example.com", "bob", "new@example.com", "not an id"}, true,
      /*auto_enroll=*/true, /*email_students=*/false, std::nullopt);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 5u);
  EXPECT_FALSE((*results)[0].before.enrollment);
  EXPECT_TRUE((*results)[0].after.enrollment);
  // The same person again sees the first identifier's effect.
  EXPECT_TRUE((*results)[1].before.enrollment);
  EXPECT_FALSE((*results)[2].before.enrollment);  // inactive counts as not enrolled
  EXPECT_TRUE((*results)[2].after.enrollment);
  EXPECT_FALSE((*results)[3].before.user);
  EXPECT_TRUE((*results)[3].after.allowed);
  EXPECT_TRUE((*results)[3].after.auto_enroll);
  EXPECT_TRUE((*results)[4].invalid_identifier);
  EXPECT_EQ(ListActiveCount(), 2);
  EXPECT_TRUE(*service_->IsEmailAllowed("new@example.com", kCourse));
  // Two enrollments (one new, one reactivated): CHANGED + CREATED each.
  EXPECT_EQ(received_.size(), 4u);

  auto unenrolled = service_->BulkUpdate(kCourse, {"alice", "new@example.com"}, false, false, false,
                                         std::nullopt);
  ASSERT_TRUE(unenrolled.ok());
  EXPECT_TRUE((*unenrolled)[0].before.enrollment);
  EXPECT_FALSE((*unenrolled)[0].after.enrollment);
  EXPECT_FALSE((*unenrolled)[1].after.allowed);
  EXPECT_FALSE(*service_->IsEmailAllowed("new@example.com", kCourse));
  EXPECT_EQ(ListActiveCount(), 1);
}

}  // namespace
}  // namespace larch::enrollment
