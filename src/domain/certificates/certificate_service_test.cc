// CertificateService on both storage backends (PostgreSQL when
// LARCH_TEST_PG_DSN is set), over real rows: users made by AccountService,
// the imported openedx-test-course, enrollments made by EnrollmentService in
// the course's modes, and stored course grades. Covers generation and its
// events, the audit and ineligible cases, the allowlist, invalidation, the
// revocation of a failing grade, the passing-status job and the bulk path.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend_fixture.h"
#include "larch/accounts/account_service.h"
#include "larch/certificates/certificates.h"
#include "larch/common/random.h"
#include "larch/config_models/config_models.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/course_modes.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/events/event_data.h"
#include "larch/events/event_types.h"
#include "larch/storage/job_store.h"
#include "larch/testing/shared_olx.h"
#include "larch/testing/status_matchers.h"

namespace larch::certificates {
namespace {

using ::larch::testing::StatusIs;
using nlohmann::json;

constexpr char kCourse[] = "course-v1:TestX+Course+1";
constexpr int64_t kStart = 1'800'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;

bool IsLowerHex32(const std::string& text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

class CertificateServiceTest : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock().SetNowMicros(kStart);
    bus_ = std::make_unique<events::LocalEventBus>(clock(), random_, events::EventBusOptions());
    for (const char* type :
         {events::kCertificateChanged, events::kCertificateCreated, events::kCertificateRevoked}) {
      bus_->Subscribe(type, [this](const events::Event& event) {
        events_.push_back(event);
        return OkStatus();
      });
    }
    accounts_ = std::make_unique<accounts::AccountService>(db(), clock(), random_, *bus_,
                                                           accounts::AccountsOptions());
    courses::CourseImporter importer(db(), clock());
    LARCH_ASSERT_OK_AND_ASSIGN(
        courses::ImportResult imported,
        importer.Import(::larch::testing::SharedOlxDir() / "openedx-test-course" / "course"));
    ASSERT_EQ(imported.context_key, kCourse);
    LARCH_ASSERT_OK(db().RunInTransaction(storage::TxnMode::kReadWrite, [](auto& txn) {
      enrollment::CourseMode audit = enrollment::DefaultCourseMode();
      LARCH_RETURN_IF_ERROR(enrollment::CourseModeStore::Upsert(txn, kCourse, audit));
      enrollment::CourseMode verified;
      verified.slug = enrollment::kModeVerified;
      verified.name = "Verified Certificate";
      verified.min_price = 49;
      return enrollment::CourseModeStore::Upsert(txn, kCourse, verified);
    }));
    enrollments_ = std::make_unique<enrollment::EnrollmentService>(db(), clock(), *bus_);
    config_ = std::make_unique<config_models::ConfigModels>(db(), clock());
    CertificateOptions options;
    options.html_view_enabled = true;
    service_ = NewService(options);
  }

  std::unique_ptr<CertificateService> NewService(CertificateOptions options) {
    return std::make_unique<CertificateService>(db(), clock(), random_, *bus_, *config_, options);
  }

  // A user (through AccountService) whose profile name is `name`.
  StatusOr<int64_t> NewUser(const std::string& username, const std::string& name) {
    accounts::User user;
    user.username = username;
    user.email = username + "@example.com";
    user.is_active = true;
    accounts::Profile profile;
    profile.name = name;
    LARCH_ASSIGN_OR_RETURN(accounts::User created, accounts_->CreateUser(user, "", profile));
    return created.id;
  }

  // A user enrolled in kCourse in `mode`.
  StatusOr<int64_t> NewLearner(const std::string& username, const std::string& name,
                               const std::string& mode) {
    LARCH_ASSIGN_OR_RETURN(int64_t id, NewUser(username, name));
    enrollment::EnrollOptions options;
    options.mode = mode;
    LARCH_RETURN_IF_ERROR(enrollments_->Enroll(id, kCourse, options).status());
    return id;
  }

  // Stands in for grades::GradeService::Recalculate: making a learner pass
  // the test course through problem answers is out of this suite's scope,
  // so the persistent_course_grades row is written as a recalculation
  // would (a non-null passed_timestamp is a passing grade).
  Status SetCourseGradeForTest(int64_t user_id, double percent, bool passed) {
    static constexpr storage::Query kUpsert{
        "test.upsert_course_grade",
        "INSERT INTO persistent_course_grades (user_id, course_key, course_version, "
        "percent_grade, letter_grade, passed_timestamp, created, modified) "
        "VALUES (?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (user_id, course_key) DO UPDATE SET "
        "percent_grade = excluded.percent_grade, letter_grade = excluded.letter_grade, "
        "passed_timestamp = excluded.passed_timestamp, modified = excluded.modified"};
    const int64_t now = clock().NowMicros();
    return db().RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
      return txn
          .Execute(kUpsert, {storage::Int(user_id), storage::Text(kCourse),
                             storage::SqlValue(percent), storage::Text(passed ? "Pass" : ""),
                             passed ? storage::Int(now) : storage::Null(), storage::Int(now),
                             storage::Int(now)})
          .status();
    });
  }

  // Leases every queued job as the job runner would.
  StatusOr<std::vector<storage::JobRecord>> ClaimJobs() {
    return storage::RunWithResult(
        db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
          return storage::JobStore::Claim(txn, {"default"}, "test-worker", clock().NowMicros(),
                                          60 * kSecond, 100);
        });
  }

  std::vector<std::string> EventTypes() const {
    std::vector<std::string> out;
    for (const events::Event& event : events_) out.push_back(event.metadata.event_type);
    return out;
  }

  void Tick() { clock().SetNowMicros(clock().NowMicros() + kSecond); }

  Status SwitchAutoGeneration(bool on) {
    return config_->Set(kWaffleSwitchModel, kAutoGenerationSwitch, on, json::object(), "").status();
  }

  SeededRandom random_{42};
  std::unique_ptr<events::LocalEventBus> bus_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<enrollment::EnrollmentService> enrollments_;
  std::unique_ptr<config_models::ConfigModels> config_;
  std::unique_ptr<CertificateService> service_;
  std::vector<events::Event> events_;
};

TEST_P(CertificateServiceTest, APassingVerifiedLearnerGetsADownloadableCertificate) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  Tick();

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {alice}));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].user_id, alice);
  EXPECT_EQ(results[0].decision.status, status::kDownloadable);
  EXPECT_EQ(results[0].decision.reason, "generated");
  EXPECT_FALSE(results[0].decision.revoke);
  ASSERT_TRUE(results[0].certificate.has_value());
  const Certificate& cert = *results[0].certificate;
  EXPECT_GT(cert.id, 0);
  EXPECT_EQ(cert.user_id, alice);
  EXPECT_EQ(cert.course_key, kCourse);
  EXPECT_EQ(cert.status, status::kDownloadable);
  EXPECT_EQ(cert.mode, "verified");
  EXPECT_EQ(cert.grade, "0.87");
  EXPECT_EQ(cert.name, "Alice Liddell");
  EXPECT_EQ(cert.download_url, "");
  EXPECT_TRUE(IsLowerHex32(cert.verify_uuid)) << cert.verify_uuid;
  EXPECT_EQ(cert.created, clock().NowMicros());
  EXPECT_EQ(cert.modified, clock().NowMicros());

  // What was returned is what is stored.
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> stored, service_->Find(alice, kCourse));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->id, cert.id);
  EXPECT_EQ(stored->verify_uuid, cert.verify_uuid);
  EXPECT_EQ(stored->status, status::kDownloadable);
  EXPECT_EQ(stored->grade, "0.87");

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history, service_->History(cert.id));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].history_type, "+");
  EXPECT_EQ(history[0].status, status::kDownloadable);
  EXPECT_EQ(history[0].mode, "verified");
  EXPECT_EQ(history[0].grade, "0.87");
  EXPECT_EQ(history[0].name, "Alice Liddell");
  EXPECT_EQ(history[0].source, "generation");
  EXPECT_EQ(history[0].history_date, clock().NowMicros());

  ASSERT_EQ(EventTypes(),
            (std::vector<std::string>{events::kCertificateChanged, events::kCertificateCreated}));
  for (const events::Event& event : events_) {
    const json& c = event.data.at("certificate");
    EXPECT_EQ(c["user"]["id"], alice);
    EXPECT_EQ(c["user"]["is_active"], true);
    EXPECT_EQ(c["user"]["pii"]["username"], "alice");
    EXPECT_EQ(c["user"]["pii"]["email"], "alice@example.com");
    EXPECT_EQ(c["user"]["pii"]["name"], "Alice Liddell");
    EXPECT_EQ(c["course"]["course_key"], kCourse);
    EXPECT_EQ(c["mode"], "verified");
    EXPECT_EQ(c["grade"], "0.87");
    EXPECT_EQ(c["current_status"], "downloadable");
    EXPECT_EQ(c["download_url"], "");
    EXPECT_EQ(c["name"], "Alice Liddell");
  }

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<Certificate> listed, service_->ListForUser(alice));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, cert.id);
}

TEST_P(CertificateServiceTest, GeneratingAgainKeepsTheOneRowAndWritesNothing) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> first,
                             service_->Generate(kCourse, {alice}));
  ASSERT_TRUE(first[0].certificate.has_value());
  const Certificate cert = *first[0].certificate;
  const size_t events_after_first = events_.size();
  Tick();

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> second,
                             service_->Generate(kCourse, {alice}));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].decision.status, "");
  EXPECT_EQ(second[0].decision.reason, "already_downloadable");
  ASSERT_TRUE(second[0].certificate.has_value());
  EXPECT_EQ(second[0].certificate->id, cert.id);
  EXPECT_EQ(second[0].certificate->verify_uuid, cert.verify_uuid);
  EXPECT_EQ(second[0].certificate->modified, cert.modified);

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history, service_->History(cert.id));
  EXPECT_EQ(history.size(), 1u);
  EXPECT_EQ(events_.size(), events_after_first);
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<Certificate> listed, service_->ListForUser(alice));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].verify_uuid, cert.verify_uuid);

  // The same learner twice in one call is still one certificate.
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t bob, NewLearner("bob", "Bob Builder", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(bob, 0.9, true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> twice,
                             service_->Generate(kCourse, {bob, bob}));
  ASSERT_EQ(twice.size(), 2u);
  ASSERT_TRUE(twice[0].certificate.has_value());
  ASSERT_TRUE(twice[1].certificate.has_value());
  EXPECT_EQ(twice[0].certificate->verify_uuid, twice[1].certificate->verify_uuid);
  EXPECT_EQ(twice[0].decision.status, status::kDownloadable);
  EXPECT_EQ(twice[1].decision.reason, "already_downloadable");
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> bob_history,
                             service_->History(twice[0].certificate->id));
  EXPECT_EQ(bob_history.size(), 1u);
  EXPECT_EQ(events_.size(), events_after_first + 2);  // bob's CHANGED + CREATED
}

TEST_P(CertificateServiceTest, AuditLearnersAreRecordedButNotListed) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t carol, NewLearner("carol", "Carol Danvers", "audit"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(carol, 0.75, true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {carol}));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].decision.status, status::kAuditPassing);
  EXPECT_EQ(results[0].decision.reason, "ineligible_mode");
  ASSERT_TRUE(results[0].certificate.has_value());
  EXPECT_EQ(results[0].certificate->status, status::kAuditPassing);
  EXPECT_EQ(results[0].certificate->mode, "audit");
  EXPECT_EQ(results[0].certificate->grade, "0.75");
  // A CERTIFICATE_CHANGED, never CERTIFICATE_CREATED.
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{events::kCertificateChanged}));
  EXPECT_EQ(events_[0].data["certificate"]["current_status"], "audit_passing");

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> stored, service_->Find(carol, kCourse));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, status::kAuditPassing);
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<Certificate> listed, service_->ListForUser(carol));
  EXPECT_TRUE(listed.empty());

  // Again: unchanged.
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {carol}));
  EXPECT_EQ(results[0].decision.reason, "unchanged");
  EXPECT_EQ(events_.size(), 1u);
}

TEST_P(CertificateServiceTest, NoCertificateWithoutAnEnrollment) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t dave, NewUser("dave", "Dave Bowman"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(dave, 0.95, true));
  constexpr int64_t kNoSuchUser = 987'654;
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {dave, kNoSuchUser}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].user_id, dave);
  EXPECT_EQ(results[0].decision.status, "");
  EXPECT_EQ(results[0].decision.reason, "not_enrolled");
  EXPECT_FALSE(results[0].certificate.has_value());
  EXPECT_EQ(results[1].user_id, kNoSuchUser);
  EXPECT_EQ(results[1].decision.reason, "not_enrolled");
  EXPECT_FALSE(results[1].certificate.has_value());
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> stored, service_->Find(dave, kCourse));
  EXPECT_FALSE(stored.has_value());
  EXPECT_TRUE(events_.empty());
}

TEST_P(CertificateServiceTest, NothingWhenHtmlCertificatesAreOff) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  std::unique_ptr<CertificateService> off = NewService(CertificateOptions{});
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             off->Generate(kCourse, {alice}));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].decision.status, "");
  EXPECT_EQ(results[0].decision.reason, "html_certificates_disabled");
  EXPECT_FALSE(results[0].certificate.has_value());
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> stored, off->Find(alice, kCourse));
  EXPECT_FALSE(stored.has_value());
  EXPECT_TRUE(events_.empty());
}

TEST_P(CertificateServiceTest, TheAllowlistNeedsNoPassingGrade) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t erin, NewLearner("erin", "Erin Brockovich", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(erin, 0.2, false));
  EXPECT_THAT(service_->Allowlist(987'654, kCourse, "x"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Allowlist(erin, "course-v1:No+Such+Run", "x"),
              StatusIs(StatusCode::kNotFound));

  // With the switch off the learner is only put on the list.
  LARCH_ASSERT_OK_AND_ASSIGN(GenerationResult listed, service_->Allowlist(erin, kCourse, "staff"));
  EXPECT_EQ(listed.decision.reason, "allowlisted");
  EXPECT_FALSE(listed.certificate.has_value());
  EXPECT_TRUE(events_.empty());

  LARCH_ASSERT_OK(SwitchAutoGeneration(true));
  LARCH_ASSERT_OK_AND_ASSIGN(bool enabled, service_->AutoGenerationEnabled());
  EXPECT_TRUE(enabled);
  LARCH_ASSERT_OK_AND_ASSIGN(GenerationResult generated,
                             service_->Allowlist(erin, kCourse, "staff, again"));
  EXPECT_EQ(generated.user_id, erin);
  EXPECT_EQ(generated.decision.status, status::kDownloadable);
  EXPECT_EQ(generated.decision.reason, "generated");
  ASSERT_TRUE(generated.certificate.has_value());
  EXPECT_EQ(generated.certificate->status, status::kDownloadable);
  EXPECT_EQ(generated.certificate->grade, "0.2");
  EXPECT_EQ(generated.certificate->name, "Erin Brockovich");
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history,
                             service_->History(generated.certificate->id));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].source, "allowlist");
  EXPECT_EQ(EventTypes(),
            (std::vector<std::string>{events::kCertificateChanged, events::kCertificateCreated}));

  // Allowlisted, a failing grade keeps the certificate.
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> failed,
                             service_->Generate(kCourse, {erin}, Trigger::kGradeFailed));
  EXPECT_EQ(failed[0].decision.reason, "allowlisted");
  EXPECT_EQ(failed[0].certificate->status, status::kDownloadable);

  LARCH_ASSERT_OK_AND_ASSIGN(bool removed, service_->RemoveFromAllowlist(erin, kCourse));
  EXPECT_TRUE(removed);
  LARCH_ASSERT_OK_AND_ASSIGN(removed, service_->RemoveFromAllowlist(erin, kCourse));
  EXPECT_FALSE(removed);
  // Off the list, the failing grade revokes it.
  LARCH_ASSERT_OK_AND_ASSIGN(failed, service_->Generate(kCourse, {erin}, Trigger::kGradeFailed));
  EXPECT_EQ(failed[0].decision.status, status::kNotPassing);
  EXPECT_TRUE(failed[0].decision.revoke);
}

TEST_P(CertificateServiceTest, InvalidationRevokesUntilReInstated) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t staff, NewUser("staff", "Course Staff"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  EXPECT_THAT(service_->Invalidate(alice, kCourse, staff, "no certificate yet"),
              StatusIs(StatusCode::kNotFound));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {alice}));
  const Certificate original = *results[0].certificate;
  events_.clear();
  Tick();

  LARCH_ASSERT_OK_AND_ASSIGN(Certificate invalidated,
                             service_->Invalidate(alice, kCourse, staff, "plagiarism"));
  EXPECT_EQ(invalidated.id, original.id);
  EXPECT_EQ(invalidated.verify_uuid, original.verify_uuid);
  EXPECT_EQ(invalidated.status, status::kUnavailable);
  EXPECT_EQ(invalidated.grade, "0.87");
  EXPECT_EQ(invalidated.mode, "verified");
  ASSERT_EQ(EventTypes(),
            (std::vector<std::string>{events::kCertificateChanged, events::kCertificateRevoked}));
  EXPECT_EQ(events_[1].data["certificate"]["current_status"], "unavailable");
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history, service_->History(original.id));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].history_type, "~");
  EXPECT_EQ(history[1].status, status::kUnavailable);
  EXPECT_EQ(history[1].source, "invalidation");

  // While invalidated, generation leaves it unavailable.
  events_.clear();
  Tick();
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {alice}));
  EXPECT_EQ(results[0].decision.status, "");
  ASSERT_TRUE(results[0].certificate.has_value());
  EXPECT_EQ(results[0].certificate->status, status::kUnavailable);
  EXPECT_TRUE(events_.empty());
  LARCH_ASSERT_OK_AND_ASSIGN(history, service_->History(original.id));
  EXPECT_EQ(history.size(), 2u);

  LARCH_ASSERT_OK_AND_ASSIGN(bool reinstated, service_->ReInstate(alice, kCourse));
  EXPECT_TRUE(reinstated);
  LARCH_ASSERT_OK_AND_ASSIGN(reinstated, service_->ReInstate(alice, kCourse));
  EXPECT_FALSE(reinstated);
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {alice}));
  EXPECT_EQ(results[0].decision.status, status::kDownloadable);
  EXPECT_EQ(results[0].decision.reason, "generated");
  EXPECT_EQ(results[0].certificate->status, status::kDownloadable);
  EXPECT_EQ(results[0].certificate->verify_uuid, original.verify_uuid);
  EXPECT_EQ(EventTypes(),
            (std::vector<std::string>{events::kCertificateChanged, events::kCertificateCreated}));
}

TEST_P(CertificateServiceTest, AFailingGradeRevokesADownloadableCertificate) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {alice}));
  const Certificate original = *results[0].certificate;
  events_.clear();

  // Passing again by the time the job runs: kept.
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {alice}, Trigger::kGradeFailed));
  EXPECT_EQ(results[0].decision.status, "");
  EXPECT_EQ(results[0].certificate->status, status::kDownloadable);
  EXPECT_TRUE(events_.empty());

  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.31, false));
  Tick();
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {alice}, Trigger::kGradeFailed));
  EXPECT_EQ(results[0].decision.status, status::kNotPassing);
  EXPECT_EQ(results[0].decision.reason, "not_passing");
  EXPECT_TRUE(results[0].decision.revoke);
  ASSERT_TRUE(results[0].certificate.has_value());
  EXPECT_EQ(results[0].certificate->id, original.id);
  EXPECT_EQ(results[0].certificate->status, status::kNotPassing);
  EXPECT_EQ(results[0].certificate->grade, "0.31");
  ASSERT_EQ(EventTypes(),
            (std::vector<std::string>{events::kCertificateChanged, events::kCertificateRevoked}));
  EXPECT_EQ(events_[1].data["certificate"]["current_status"], "notpassing");
  EXPECT_EQ(events_[1].data["certificate"]["grade"], "0.31");

  // A non-passing certificate is not revoked again.
  events_.clear();
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, {alice}, Trigger::kGradeFailed));
  EXPECT_EQ(results[0].decision.reason, "unchanged");
  EXPECT_TRUE(events_.empty());
}

TEST_P(CertificateServiceTest, PassingStatusEventsQueueJobsThatGenerate) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  service_->SubscribeToGrades();
  auto publish = [&](bool is_passing) {
    events::CoursePassingStatusData data;
    data.is_passing = is_passing;
    data.course.course_key = kCourse;
    data.user.id = alice;
    data.user.username = "alice";
    return bus_->Publish(events::kCoursePassingStatusUpdated,
                         events::CoursePassingStatusPayload(data));
  };

  // The switch is off: no job.
  LARCH_ASSERT_OK(publish(true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<storage::JobRecord> jobs, ClaimJobs());
  EXPECT_TRUE(jobs.empty());

  LARCH_ASSERT_OK(SwitchAutoGeneration(true));
  LARCH_ASSERT_OK(publish(true));
  LARCH_ASSERT_OK(publish(true));  // merged into the queued job
  LARCH_ASSERT_OK_AND_ASSIGN(jobs, ClaimJobs());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].kind, kGenerateJob);
  const json payload = json::parse(jobs[0].payload);
  EXPECT_EQ(payload, (json{{"user_id", alice}, {"course_key", kCourse}, {"trigger", "passed"}}));
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> stored, service_->Find(alice, kCourse));
  EXPECT_FALSE(stored.has_value()) << "the job generates, not the event";

  LARCH_ASSERT_OK(service_->RunJob(payload));
  LARCH_ASSERT_OK_AND_ASSIGN(stored, service_->Find(alice, kCourse));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, status::kDownloadable);
  EXPECT_EQ(stored->grade, "0.87");
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history, service_->History(stored->id));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].source, "auto");

  // No longer passing: a revocation job, whatever the switch.
  LARCH_ASSERT_OK(SwitchAutoGeneration(false));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.4, false));
  LARCH_ASSERT_OK(publish(false));
  LARCH_ASSERT_OK_AND_ASSIGN(jobs, ClaimJobs());
  ASSERT_EQ(jobs.size(), 1u);
  const json failed = json::parse(jobs[0].payload);
  EXPECT_EQ(failed["trigger"], "failed");
  LARCH_ASSERT_OK(service_->RunJob(failed));
  LARCH_ASSERT_OK_AND_ASSIGN(stored, service_->Find(alice, kCourse));
  EXPECT_EQ(stored->status, status::kNotPassing);

  // Bad payloads are refused; a course gone since the event is nothing to do.
  EXPECT_THAT(service_->RunJob(json{{"course_key", kCourse}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->RunJob(json::array()), StatusIs(StatusCode::kInvalidArgument));
  LARCH_EXPECT_OK(service_->RunJob(
      json{{"user_id", alice}, {"course_key", "course-v1:No+Such+Run"}, {"trigger", "passed"}}));
}

TEST_P(CertificateServiceTest, AnEmptyListGeneratesForTheWholeCourse) {
  constexpr int kLearners = 20;
  std::vector<int64_t> ids;
  for (int i = 0; i < kLearners; ++i) {
    const std::string username = "learner" + std::to_string(i);
    LARCH_ASSERT_OK_AND_ASSIGN(int64_t id,
                               NewLearner(username, "Learner " + std::to_string(i), "verified"));
    // Every even learner passes with 0.8; the odd ones fail with 0.3.
    LARCH_ASSERT_OK(SetCourseGradeForTest(id, i % 2 == 0 ? 0.8 : 0.3, i % 2 == 0));
    ids.push_back(id);
  }
  // Not enrolled: left out of the course's learners.
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t outsider, NewUser("outsider", "Out Sider"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(outsider, 0.99, true));

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {}));
  ASSERT_EQ(results.size(), static_cast<size_t>(kLearners));
  for (int i = 0; i < kLearners; ++i) {
    const GenerationResult& r = results[static_cast<size_t>(i)];
    EXPECT_EQ(r.user_id, ids[static_cast<size_t>(i)]);
    if (i % 2 == 0) {
      EXPECT_EQ(r.decision.status, status::kDownloadable) << i;
      ASSERT_TRUE(r.certificate.has_value()) << i;
      EXPECT_EQ(r.certificate->grade, "0.8");
      EXPECT_EQ(r.certificate->name, "Learner " + std::to_string(i));
      EXPECT_TRUE(IsLowerHex32(r.certificate->verify_uuid));
    } else {
      EXPECT_EQ(r.decision.reason, "not_passing") << i;
      EXPECT_FALSE(r.certificate.has_value()) << i;
    }
  }
  EXPECT_EQ(events_.size(), static_cast<size_t>(kLearners));  // CHANGED + CREATED each
  std::vector<std::string> uuids;
  for (const GenerationResult& r : results) {
    if (r.certificate.has_value()) uuids.push_back(r.certificate->verify_uuid);
  }
  std::sort(uuids.begin(), uuids.end());
  EXPECT_EQ(std::unique(uuids.begin(), uuids.end()), uuids.end()) << "uuids are distinct";
  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> none, service_->Find(outsider, kCourse));
  EXPECT_FALSE(none.has_value());

  // An explicit list above the bulk threshold, with an unknown user: the
  // certified are unchanged, the unknown not enrolled.
  std::vector<int64_t> some(ids.begin(), ids.begin() + 17);
  some.push_back(987'654);
  events_.clear();
  LARCH_ASSERT_OK_AND_ASSIGN(results, service_->Generate(kCourse, some));
  ASSERT_EQ(results.size(), 18u);
  EXPECT_EQ(results[0].decision.reason, "already_downloadable");
  EXPECT_EQ(results[1].decision.reason, "not_passing");
  EXPECT_EQ(results[17].user_id, 987'654);
  EXPECT_EQ(results[17].decision.reason, "not_enrolled");
  EXPECT_TRUE(events_.empty());
}

TEST_P(CertificateServiceTest, UnknownCoursesAreNotFound) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  EXPECT_THAT(service_->Generate("course-v1:No+Such+Run", {alice}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Generate("course-v1:No+Such+Run", {}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Generate("not a course key", {alice}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(events_.empty());
}

TEST_P(CertificateServiceTest, FindByVerifyUuid) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t bob, NewLearner("bob", "Bob Builder", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  LARCH_ASSERT_OK(SetCourseGradeForTest(bob, 1.0, true));
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {alice, bob}));
  ASSERT_EQ(results.size(), 2u);
  const Certificate& bobs = *results[1].certificate;
  EXPECT_EQ(bobs.grade, "1.0");
  EXPECT_NE(results[0].certificate->verify_uuid, bobs.verify_uuid);

  LARCH_ASSERT_OK_AND_ASSIGN(std::optional<Certificate> found,
                             service_->FindByVerifyUuid(bobs.verify_uuid));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, bobs.id);
  EXPECT_EQ(found->user_id, bob);
  EXPECT_EQ(found->name, "Bob Builder");
  LARCH_ASSERT_OK_AND_ASSIGN(found, service_->FindByVerifyUuid(std::string(32, '0')));
  EXPECT_FALSE(found.has_value());
  LARCH_ASSERT_OK_AND_ASSIGN(found, service_->FindByVerifyUuid(""));
  EXPECT_FALSE(found.has_value());
}

TEST_P(CertificateServiceTest, HistoryIsOldestFirst) {
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t alice, NewLearner("alice", "Alice Liddell", "verified"));
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.87, true));
  const int64_t t0 = clock().NowMicros();
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<GenerationResult> results,
                             service_->Generate(kCourse, {alice}));
  const int64_t id = results[0].certificate->id;
  Tick();
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.4, false));
  LARCH_ASSERT_OK(service_->Generate(kCourse, {alice}, Trigger::kGradeFailed).status());
  Tick();
  LARCH_ASSERT_OK(SetCourseGradeForTest(alice, 0.9, true));
  LARCH_ASSERT_OK(service_->Generate(kCourse, {alice}).status());
  Tick();
  LARCH_ASSERT_OK(service_->Invalidate(alice, kCourse, 0, "").status());

  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> history, service_->History(id));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].history_type, "+");
  EXPECT_EQ(history[0].status, status::kDownloadable);
  EXPECT_EQ(history[0].grade, "0.87");
  EXPECT_EQ(history[0].source, "generation");
  EXPECT_EQ(history[0].history_date, t0);
  EXPECT_EQ(history[1].history_type, "~");
  EXPECT_EQ(history[1].status, status::kNotPassing);
  EXPECT_EQ(history[1].grade, "0.4");
  EXPECT_EQ(history[1].source, "notpassing");
  EXPECT_EQ(history[1].history_date, t0 + kSecond);
  EXPECT_EQ(history[2].history_type, "~");
  EXPECT_EQ(history[2].status, status::kDownloadable);
  EXPECT_EQ(history[2].grade, "0.9");
  EXPECT_EQ(history[2].source, "generation");
  EXPECT_EQ(history[2].history_date, t0 + 2 * kSecond);
  EXPECT_EQ(history[3].history_type, "~");
  EXPECT_EQ(history[3].status, status::kUnavailable);
  EXPECT_EQ(history[3].grade, "0.9");
  EXPECT_EQ(history[3].source, "invalidation");
  EXPECT_EQ(history[3].history_date, t0 + 3 * kSecond);
  LARCH_ASSERT_OK_AND_ASSIGN(std::vector<HistoryEntry> none, service_->History(id + 1000));
  EXPECT_TRUE(none.empty());
}

LARCH_INSTANTIATE_BACKEND_SUITE(CertificateServiceTest);

}  // namespace
}  // namespace larch::certificates
