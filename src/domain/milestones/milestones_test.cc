// MilestoneService on both storage backends (PostgreSQL when
// LARCH_TEST_PG_DSN is set): syncing a course's policy into milestones, the
// gate per user and flag, fulfilment by call and by certificate events.
#include "larch/milestones/milestones.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend_fixture.h"
#include "larch/common/random.h"
#include "larch/events/event_bus.h"
#include "larch/events/event_data.h"
#include "larch/events/event_types.h"

namespace larch::milestones {
namespace {

using nlohmann::json;

constexpr char kA[] = "course-v1:Larch+A+2024";
constexpr char kB[] = "course-v1:Larch+B+2024";
constexpr char kExam[] = "block-v1:Larch+B+2024+type@chapter+block@exam";
constexpr int64_t kLearner = 1;
constexpr int64_t kOther = 2;

MilestoneFlags AllOn() { return MilestoneFlags{true, true, true}; }

class MilestonesTest : public storage::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Sql("INSERT INTO users (id, username, email, is_active, date_joined) VALUES "
        "(1, 'learner', 'l@x', 1, 0), (2, 'other', 'o@x', 1, 0)");
    AddCourse(kA, "A", json::object());
  }

  void Sql(const std::string& sql) {
    ASSERT_TRUE(
        db().RunInTransaction(storage::TxnMode::kReadWrite,
                              [&](storage::Transaction& txn) { return txn.ExecuteScript(sql); })
            .ok())
        << sql;
  }

  // A courses row whose policy (courses.advanced) is `advanced`.
  void AddCourse(const std::string& key, const std::string& number, const json& advanced) {
    constexpr storage::Query kUpsert{
        "test.upsert_course",
        "INSERT INTO courses (course_key, org, number, run, advanced, created_at, updated_at) "
        "VALUES (?, 'Larch', ?, '2024', ?, 0, 0) ON CONFLICT (course_key) DO UPDATE SET "
        "advanced = excluded.advanced, version = courses.version + 1"};
    ASSERT_TRUE(db().RunInTransaction(
                        storage::TxnMode::kReadWrite,
                        [&](storage::Transaction& txn) {
                          return txn.Execute(kUpsert, {key, number, advanced.dump()}).status();
                        })
                    .ok());
  }

  static keys::CourseKey Key(const char* text) { return *keys::CourseKey::Parse(text); }

  json BPolicy() const {
    return json{{"pre_requisite_courses", {kA}},
                {"entrance_exam_enabled", true},
                {"entrance_exam_id", kExam},
                {"entrance_exam_minimum_score_pct", 50}};
  }
};

TEST_P(MilestonesTest, SyncStoresUpstreamNamedMilestones) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  auto synced = service.SyncCourse(Key(kB));
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  EXPECT_EQ(synced->prerequisites, std::vector<std::string>{kA});
  EXPECT_EQ(synced->entrance_exam_id, kExam);

  auto required = service.RequiredMilestones(kB);
  ASSERT_TRUE(required.ok()) << required.status().ToString();
  ASSERT_EQ(required->size(), 2u);
  const RequiredMilestone& prerequisite = (*required)[0];
  EXPECT_EQ(prerequisite.kind, MilestoneKind::kPrerequisite);
  EXPECT_EQ(prerequisite.milestone_namespace, kA);
  EXPECT_EQ(prerequisite.name, std::string("Course ") + kB + " requires " + kA);
  EXPECT_EQ(prerequisite.prerequisite_course, kA);
  const RequiredMilestone& exam = (*required)[1];
  EXPECT_EQ(exam.kind, MilestoneKind::kEntranceExam);
  EXPECT_EQ(exam.milestone_namespace, std::string(kB) + ".entrance_exams");
  EXPECT_EQ(exam.entrance_exam_id, kExam);
  // A fulfils B's prerequisite; B requires nothing of itself.
  auto of_a = service.RequiredMilestones(kA);
  ASSERT_TRUE(of_a.ok());
  EXPECT_TRUE(of_a->empty());

  // Syncing twice changes nothing.
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());
  EXPECT_EQ(service.RequiredMilestones(kB)->size(), 2u);
  EXPECT_EQ(service.SyncCourse(Key("course-v1:No+Such+Run")).status().code(),
            StatusCode::kNotFound);
}

TEST_P(MilestonesTest, GateOpensAsMilestonesAreFulfilled) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());

  auto gate = service.GateFor(kLearner, kB);
  ASSERT_TRUE(gate.ok()) << gate.status().ToString();
  EXPECT_EQ(gate->unmet_prerequisites, std::vector<std::string>{kA});
  EXPECT_TRUE(gate->entrance_exam_pending);
  EXPECT_EQ(gate->entrance_exam_id, kExam);
  EXPECT_EQ(service.UnfulfilledMilestones(kLearner, kB)->size(), 2u);

  // Completing A (its certificate) fulfils B's prerequisite milestone.
  auto added = service.FulfillCoursePrerequisite(kLearner, kA);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 1);
  EXPECT_EQ(*service.FulfillCoursePrerequisite(kLearner, kA), 0) << "idempotent";
  gate = service.GateFor(kLearner, kB);
  EXPECT_TRUE(gate->unmet_prerequisites.empty());
  EXPECT_TRUE(*service.MustCompleteEntranceExam(kLearner, kB));
  EXPECT_TRUE(*service.IsGated(kLearner, kB));

  ASSERT_TRUE(service.FulfillEntranceExam(kLearner, kB).ok());
  EXPECT_FALSE(*service.IsGated(kLearner, kB));
  EXPECT_FALSE(*service.MustCompleteEntranceExam(kLearner, kB));
  // Someone else is still held.
  EXPECT_TRUE(*service.IsGated(kOther, kB));
  // A course without milestones never gates.
  EXPECT_FALSE(*service.IsGated(kOther, kA));
}

TEST_P(MilestonesTest, FlagsDecideWhatGates) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService off(db(), clock(), MilestoneFlags{});
  ASSERT_TRUE(off.SyncCourse(Key(kB)).ok()) << "rows are kept even with the flags off";
  EXPECT_FALSE(*off.IsGated(kLearner, kB));
  EXPECT_TRUE(off.UnfulfilledMilestones(kLearner, kB)->empty());
  EXPECT_EQ(*off.FulfillCoursePrerequisite(kLearner, kA), 0);
  EXPECT_EQ(off.RequiredMilestones(kB)->size(), 2u);

  // MILESTONES_APP alone gates nothing; each feature adds its kind.
  EXPECT_FALSE(*MilestoneService(db(), clock(), {true, false, false}).IsGated(kLearner, kB));
  auto prerequisites_only =
      MilestoneService(db(), clock(), {true, true, false}).GateFor(kLearner, kB);
  EXPECT_EQ(prerequisites_only->unmet_prerequisites.size(), 1u);
  EXPECT_FALSE(prerequisites_only->entrance_exam_pending);
  auto exams_only = MilestoneService(db(), clock(), {true, false, true}).GateFor(kLearner, kB);
  EXPECT_TRUE(exams_only->unmet_prerequisites.empty());
  EXPECT_TRUE(exams_only->entrance_exam_pending);
  // Without MILESTONES_APP the features do nothing.
  EXPECT_FALSE(*MilestoneService(db(), clock(), {false, true, true}).IsGated(kLearner, kB));

  config::Settings settings = config::DefaultSettings();
  EXPECT_FALSE(MilestoneFlags::FromSettings(settings).prerequisites_enabled());
  settings.features["MILESTONES_APP"] = true;
  settings.features["ENTRANCE_EXAMS"] = true;
  EXPECT_TRUE(MilestoneFlags::FromSettings(settings).entrance_exams_enabled());
  EXPECT_FALSE(MilestoneFlags::FromSettings(settings).prerequisites_enabled());
}

TEST_P(MilestonesTest, AnonymousIsHeldOnlyByTheEntranceExam) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());
  auto gate = service.GateFor(0, kB);
  ASSERT_TRUE(gate.ok());
  EXPECT_TRUE(gate->unmet_prerequisites.empty());
  EXPECT_TRUE(gate->entrance_exam_pending);
}

TEST_P(MilestonesTest, ReimportWithoutSettingsRemovesRequirementsButKeepsFulfilment) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());
  ASSERT_EQ(*service.FulfillCoursePrerequisite(kLearner, kA), 1);

  AddCourse(kB, "B", json{{"pre_requisite_courses", json::array()}});
  auto synced = service.SyncCourse(Key(kB));
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  EXPECT_EQ(synced->removed, 4) << "requires+fulfills of both milestones";
  EXPECT_TRUE(service.RequiredMilestones(kB)->empty());
  EXPECT_FALSE(*service.IsGated(kOther, kB));

  // Putting the prerequisite back: who completed A still has it.
  AddCourse(kB, "B", json{{"pre_requisite_courses", {kA, kB, "not a key"}}});
  synced = service.SyncCourse(Key(kB));
  ASSERT_TRUE(synced.ok());
  EXPECT_EQ(synced->prerequisites, std::vector<std::string>{kA}) << "self and junk are ignored";
  EXPECT_FALSE(*service.IsGated(kLearner, kB));
  EXPECT_TRUE(*service.IsGated(kOther, kB));
}

TEST_P(MilestonesTest, CertificateEventsFulfilPrerequisites) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());
  SeededRandom random(7);
  events::LocalEventBus bus(clock(), random, events::EventBusOptions{});
  service.SubscribeToCertificates(bus);

  events::CertificateData cert;
  cert.user.id = kOther;
  cert.course.course_key = kA;
  cert.current_status = "notpassing";
  // A changed certificate counts only with a passing status.
  ASSERT_TRUE(bus.Publish(events::kCertificateChanged, events::CertificatePayload(cert)).ok());
  EXPECT_EQ(service.GateFor(kOther, kB)->unmet_prerequisites.size(), 1u);
  cert.user.id = kLearner;
  cert.current_status = "downloadable";
  ASSERT_TRUE(bus.Publish(events::kCertificateCreated, events::CertificatePayload(cert)).ok());
  EXPECT_TRUE(service.GateFor(kLearner, kB)->unmet_prerequisites.empty());
  EXPECT_EQ(service.GateFor(kOther, kB)->unmet_prerequisites.size(), 1u);
  cert.user.id = kOther;
  ASSERT_TRUE(bus.Publish(events::kCertificateChanged, events::CertificatePayload(cert)).ok());
  EXPECT_TRUE(service.GateFor(kOther, kB)->unmet_prerequisites.empty());
  EXPECT_EQ(bus.stats().subscriber_failures, 0);
  ASSERT_TRUE(bus.Publish(events::kCertificateCreated, json{{"certificate", "junk"}}).ok());
  EXPECT_EQ(bus.stats().subscriber_failures, 1);
}

TEST_P(MilestonesTest, EntranceExamScoreAndErrors) {
  AddCourse(kB, "B", BPolicy());
  MilestoneService service(db(), clock(), AllOn());
  ASSERT_TRUE(service.SyncCourse(Key(kB)).ok());
  auto low = service.RecordEntranceExamScore(kLearner, Key(kB), 0.49);
  ASSERT_TRUE(low.ok()) << low.status().ToString();
  EXPECT_FALSE(*low);
  EXPECT_TRUE(*service.MustCompleteEntranceExam(kLearner, kB));
  auto pass = service.RecordEntranceExamScore(kLearner, Key(kB), 0.5);
  ASSERT_TRUE(pass.ok());
  EXPECT_TRUE(*pass) << "50 in the policy is read as 50%";
  EXPECT_FALSE(*service.MustCompleteEntranceExam(kLearner, kB));

  EXPECT_EQ(service.FulfillEntranceExam(kLearner, kA).code(), StatusCode::kNotFound);
  EXPECT_EQ(service.RecordEntranceExamScore(kLearner, Key(kA), 0.1).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service.Fulfill(kLearner, 999'999).code(), StatusCode::kNotFound);
  EXPECT_EQ(service.Fulfill(999, (*service.RequiredMilestones(kB))[0].id).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(service.Fulfill(kOther, (*service.RequiredMilestones(kB))[0].id).ok());
  EXPECT_TRUE(service.GateFor(kOther, kB)->unmet_prerequisites.empty());
}

LARCH_INSTANTIATE_BACKEND_SUITE(MilestonesTest);

}  // namespace
}  // namespace larch::milestones
