#include <cstdlib>
#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "certificate_store.h"
#include "larch/accounts/user_store.h"
#include "larch/certificates/certificates.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_data.h"
#include "larch/events/event_types.h"
#include "larch/grades/grade_service.h"
#include "larch/keys/keys.h"
#include "larch/storage/job_store.h"

namespace larch::certificates {

using internal::CertificateStore;
using nlohmann::json;

namespace {

// Up to this many learners are read one by one; more read the course's
// rows in bulk.
constexpr size_t kBulkThreshold = 16;

// What Generate reads about the course and its learners, in bulk.
struct CourseState {
  CourseFacts facts;
  std::map<int64_t, enrollment::Enrollment> enrollments;
  std::map<int64_t, grades::PersistentCourseGrade> grades;
  std::map<int64_t, Certificate> certificates;
  std::set<int64_t> allowlisted;
  std::set<int64_t> invalidated;
  std::unordered_map<int64_t, accounts::UserSummary> users;
};

StatusOr<CourseState> ReadCourse(storage::Executor& ex, const keys::CourseKey& key,
                                 const CertificateOptions& options,
                                 std::vector<int64_t>* user_ids) {
  const std::string course = key.ToString();
  CourseState state;
  LARCH_ASSIGN_OR_RETURN(courses::CourseOverview overview,
                         courses::CourseStore::GetOverview(ex, key));
  state.facts.html_certificates_enabled =
      options.html_view_enabled && overview.advanced.value("cert_html_view_enabled", true);
  state.facts.disable_honor_certificates = options.disable_honor_certificates;
  const bool bulk = user_ids->empty() || user_ids->size() > kBulkThreshold;
  if (bulk) {
    LARCH_ASSIGN_OR_RETURN(std::vector<enrollment::Enrollment> all,
                           enrollment::EnrollmentStore::ListForCourse(ex, course));
    for (auto& e : all) state.enrollments.emplace(e.user_id, std::move(e));
    if (user_ids->empty()) {
      for (const auto& [id, e] : state.enrollments) user_ids->push_back(id);
    }
    LARCH_ASSIGN_OR_RETURN(state.grades, grades::GradeService::CourseGradesIn(ex, course));
    LARCH_ASSIGN_OR_RETURN(state.certificates, CertificateStore::InCourse(ex, course));
  } else {
    for (int64_t id : *user_ids) {
      LARCH_ASSIGN_OR_RETURN(auto e, enrollment::EnrollmentStore::Find(ex, id, course));
      if (e.has_value()) state.enrollments.emplace(id, std::move(*e));
      LARCH_ASSIGN_OR_RETURN(auto grades, grades::GradeService::CourseGradesOf(ex, id));
      if (auto it = grades.find(course); it != grades.end()) state.grades.emplace(id, it->second);
      LARCH_ASSIGN_OR_RETURN(auto cert, CertificateStore::Find(ex, id, course));
      if (cert.has_value()) state.certificates.emplace(id, std::move(*cert));
    }
  }
  LARCH_ASSIGN_OR_RETURN(state.allowlisted, CertificateStore::AllowlistedUsers(ex, course));
  LARCH_ASSIGN_OR_RETURN(state.invalidated, CertificateStore::InvalidatedUsers(ex, course));
  LARCH_ASSIGN_OR_RETURN(state.users, accounts::UserStore::FindSummaries(ex, *user_ids));
  return state;
}

LearnerFacts FactsFor(const CourseState& state, int64_t user_id) {
  LearnerFacts facts;
  if (auto it = state.enrollments.find(user_id); it != state.enrollments.end()) {
    facts.mode = it->second.mode;
  }
  facts.allowlisted = state.allowlisted.count(user_id) > 0;
  facts.invalidated = state.invalidated.count(user_id) > 0;
  if (auto it = state.grades.find(user_id); it != state.grades.end()) {
    facts.passing = it->second.passed_timestamp.has_value();
    facts.percent = it->second.percent_grade;
  }
  if (auto it = state.certificates.find(user_id); it != state.certificates.end()) {
    facts.existing = it->second;
  }
  return facts;
}

json CertificateEvent(const Certificate& c, const accounts::UserSummary& user) {
  events::CertificateData data;
  data.user = events::UserData{user.id, user.is_active, user.username, user.email, user.name};
  data.course.course_key = c.course_key;
  data.mode = c.mode;
  data.grade = c.grade;
  data.download_url = c.download_url;
  data.name = c.name;
  data.current_status = c.status;
  return events::CertificatePayload(data);
}

// kNotFound unless the user and the course both exist.
Status UserAndCourseExist(storage::Executor& ex, int64_t user_id, const keys::CourseKey& key) {
  LARCH_ASSIGN_OR_RETURN(bool exists, accounts::UserStore::Exists(ex, user_id));
  if (!exists) return NotFoundError("no user " + std::to_string(user_id));
  return courses::CourseStore::GetOverview(ex, key).status();
}

struct Pending {
  const char* type;
  json payload;
};

void Publish(events::EventBus& bus, const std::vector<Pending>& pending) {
  for (const Pending& p : pending) {
    Status s = bus.Publish(p.type, p.payload);
    if (!s.ok()) spdlog::warn("certificates: publishing {} failed: {}", p.type, s.ToString());
  }
}

// What a history row names as its source: an invalidation or a revocation
// for a failing grade, whoever asked for the run; else the caller's source.
std::string_view HistorySource(const Decision& decision, std::string_view source) {
  if (decision.status == status::kUnavailable) return "invalidation";
  if (decision.revoke) return "notpassing";
  return source;
}

// Writes the decided status (a new row, or the existing one updated) with
// its history row, and queues the events; nullopt when the row would not
// change.
StatusOr<std::optional<Certificate>> Write(storage::Transaction& txn, Random& random,
                                           const std::string& course, const LearnerFacts& facts,
                                           const Decision& decision,
                                           const accounts::UserSummary& user, int64_t now,
                                           std::string_view source, std::vector<Pending>* pending) {
  Certificate cert;
  if (facts.existing.has_value()) {
    cert = *facts.existing;
  } else {
    cert.user_id = user.id;
    cert.course_key = course;
    cert.verify_uuid = random.HexToken(16);
    cert.created = now;
  }
  cert.status = decision.status;
  if (facts.mode.has_value()) cert.mode = *facts.mode;
  cert.grade = PythonFloat(facts.percent);
  cert.name = user.name;
  cert.download_url.clear();
  cert.error_reason.clear();
  if (facts.existing.has_value() && facts.existing->status == cert.status &&
      facts.existing->mode == cert.mode && facts.existing->grade == cert.grade &&
      facts.existing->name == cert.name && facts.existing->download_url.empty()) {
    return std::optional<Certificate>();
  }
  cert.modified = now;
  if (facts.existing.has_value()) {
    LARCH_RETURN_IF_ERROR(CertificateStore::Update(txn, cert));
  } else {
    LARCH_ASSIGN_OR_RETURN(cert.id, CertificateStore::Insert(txn, cert));
  }
  LARCH_RETURN_IF_ERROR(CertificateStore::AddHistory(
      txn, cert, facts.existing.has_value() ? "~" : "+", HistorySource(decision, source)));
  json payload = CertificateEvent(cert, user);
  pending->push_back({events::kCertificateChanged, payload});
  if (IsPassingStatus(cert.status)) pending->push_back({events::kCertificateCreated, payload});
  if (decision.revoke) pending->push_back({events::kCertificateRevoked, payload});
  return std::optional<Certificate>(std::move(cert));
}

}  // namespace

CertificateService::CertificateService(storage::Database& db, const Clock& clock, Random& random,
                                       events::EventBus& bus, config_models::ConfigModels& config,
                                       CertificateOptions options)
    : db_(db), clock_(clock), random_(random), bus_(bus), config_(config), options_(options) {}

StatusOr<std::vector<GenerationResult>> CertificateService::Generate(
    std::string_view course_key, const std::vector<int64_t>& user_ids, Trigger trigger,
    std::string_view source) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  std::vector<Pending> pending;
  auto results = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<GenerationResult>> {
        pending.clear();
        std::vector<int64_t> ids = user_ids;
        const std::string course = key.ToString();
        LARCH_ASSIGN_OR_RETURN(CourseState state, ReadCourse(txn, key, options_, &ids));
        const int64_t now = clock_.NowMicros();
        std::vector<GenerationResult> out;
        out.reserve(ids.size());
        for (int64_t user_id : ids) {
          GenerationResult result;
          result.user_id = user_id;
          LearnerFacts facts = FactsFor(state, user_id);
          auto user = state.users.find(user_id);
          result.decision = user == state.users.end() ? Decision{"", "not_enrolled", false}
                                                      : Decide(state.facts, facts, trigger);
          result.certificate = facts.existing;
          if (!result.decision.status.empty()) {
            LARCH_ASSIGN_OR_RETURN(result.certificate,
                                   Write(txn, random_, course, facts, result.decision, user->second,
                                         now, source, &pending));
            if (!result.certificate.has_value()) result.decision.reason = "unchanged";
            if (!result.certificate.has_value()) result.certificate = facts.existing;
            // A learner listed twice sees the row written for them above.
            if (result.certificate.has_value()) state.certificates[user_id] = *result.certificate;
          }
          out.push_back(std::move(result));
        }
        return out;
      });
  if (results.ok()) Publish(bus_, pending);
  return results;
}

StatusOr<std::map<std::string, Certificate, std::less<>>> CertificateReads::OfUser(
    storage::Executor& ex, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(std::vector<Certificate> rows, CertificateStore::AllOfUser(ex, user_id));
  std::map<std::string, Certificate, std::less<>> out;
  for (Certificate& c : rows) {
    std::string key = c.course_key;
    out.emplace(std::move(key), std::move(c));
  }
  return out;
}

StatusOr<bool> CertificateService::AutoGenerationEnabled() {
  return config_.IsEnabled(kWaffleSwitchModel, kAutoGenerationSwitch);
}

Status CertificateService::Enqueue(int64_t user_id, std::string_view course_key,
                                   std::string_view trigger) {
  storage::NewJob job;
  job.kind = kGenerateJob;
  job.queue = "default";
  job.payload = json{{"user_id", user_id}, {"course_key", course_key}, {"trigger", trigger}}.dump();
  // One queued job per learner, course and trigger: it reads the state
  // when it runs, so a burst of grade changes costs one run.
  job.coalesce_key = std::string(kGenerateJob) + ":" + std::string(trigger) + ":" +
                     std::to_string(user_id) + ":" + std::string(course_key);
  job.max_attempts = 10;
  return storage::EnqueueJob(db_, job, clock_.NowMicros()).status();
}

void CertificateService::SubscribeToGrades() {
  bus_.Subscribe(events::kCoursePassingStatusUpdated, [this](const events::Event& event) {
    const json& data = event.data.value("course_passing_status", json::object());
    const int64_t user_id = data.value("user", json::object()).value("id", int64_t{0});
    const std::string course =
        data.value("course", json::object()).value("course_key", std::string());
    if (user_id <= 0 || course.empty()) return OkStatus();
    if (!data.value("is_passing", false)) return Enqueue(user_id, course, "failed");
    LARCH_ASSIGN_OR_RETURN(bool enabled, AutoGenerationEnabled());
    if (!enabled) return OkStatus();
    return Enqueue(user_id, course, "passed");
  });
}

Status CertificateService::RunJob(const json& payload) {
  if (!payload.is_object() || !payload.contains("user_id") || !payload["user_id"].is_number() ||
      !payload.contains("course_key") || !payload["course_key"].is_string()) {
    return InvalidArgumentError("certificates.generate needs user_id and course_key");
  }
  const Trigger trigger =
      payload.value("trigger", "passed") == "failed" ? Trigger::kGradeFailed : Trigger::kGenerate;
  auto results = Generate(payload["course_key"].get<std::string>(),
                          {payload["user_id"].get<int64_t>()}, trigger, "auto");
  // A course deleted since the event leaves nothing to do.
  if (!results.ok() && results.status().code() == StatusCode::kNotFound) return OkStatus();
  return results.status();
}

StatusOr<GenerationResult> CertificateService::Allowlist(int64_t user_id,
                                                         std::string_view course_key,
                                                         std::string_view notes) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_RETURN_IF_ERROR(UserAndCourseExist(txn, user_id, key));
        return CertificateStore::UpsertAllowlist(txn, user_id, key.ToString(), notes,
                                                 clock_.NowMicros());
      }));
  GenerationResult result;
  result.user_id = user_id;
  result.decision = Decision{"", "allowlisted", false};
  LARCH_ASSIGN_OR_RETURN(bool enabled, AutoGenerationEnabled());
  if (!enabled) {
    LARCH_ASSIGN_OR_RETURN(result.certificate, Find(user_id, key.ToString()));
    return result;
  }
  LARCH_ASSIGN_OR_RETURN(std::vector<GenerationResult> generated,
                         Generate(key.ToString(), {user_id}, Trigger::kGenerate, "allowlist"));
  return generated.front();
}

StatusOr<bool> CertificateService::RemoveFromAllowlist(int64_t user_id,
                                                       std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<bool> {
        return CertificateStore::DeleteAllowlist(txn, user_id, course_key);
      });
}

namespace {

// Writes the invalidation of `existing` (the certificate becomes
// unavailable, revoked when it was passing); returns the invalidation and
// the certificate as written.
StatusOr<std::pair<Invalidation, Certificate>> InvalidateIn(storage::Transaction& txn,
                                                            Random& random,
                                                            const Certificate& existing, int64_t by,
                                                            std::string_view notes, int64_t now,
                                                            std::vector<Pending>* pending) {
  LARCH_ASSIGN_OR_RETURN(int64_t id,
                         CertificateStore::AddInvalidation(txn, existing.id, by, notes, now));
  LARCH_ASSIGN_OR_RETURN(std::optional<accounts::UserSummary> user,
                         accounts::UserStore::FindSummary(txn, existing.user_id));
  if (!user.has_value()) return NotFoundError("no user " + std::to_string(existing.user_id));
  LearnerFacts facts;
  facts.mode = existing.mode;
  facts.existing = existing;
  facts.percent = std::strtod(existing.grade.c_str(), nullptr);
  Decision decision{status::kUnavailable, "invalidated", IsPassingStatus(existing.status)};
  LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> written,
                         Write(txn, random, existing.course_key, facts, decision, *user, now,
                               "invalidation", pending));
  return std::pair(Invalidation{id, existing.id, std::string(notes), now},
                   written.has_value() ? *written : existing);
}

// A certificate that counts (eligible_certificates: not audit_*).
bool Counts(const std::optional<Certificate>& cert) {
  return cert.has_value() && cert->status != status::kAuditPassing &&
         cert->status != status::kAuditNotPassing;
}

}  // namespace

StatusOr<Certificate> CertificateService::Invalidate(int64_t user_id, std::string_view course_key,
                                                     int64_t by, std::string_view notes) {
  std::vector<Pending> pending;
  auto cert = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Certificate> {
        pending.clear();
        LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> existing,
                               CertificateStore::Find(txn, user_id, course_key));
        if (!existing.has_value()) {
          return NotFoundError("user " + std::to_string(user_id) + " has no certificate in " +
                               std::string(course_key));
        }
        LARCH_ASSIGN_OR_RETURN(auto written, InvalidateIn(txn, random_, *existing, by, notes,
                                                          clock_.NowMicros(), &pending));
        return written.second;
      });
  if (cert.ok()) Publish(bus_, pending);
  return cert;
}

StatusOr<InstructorOutcome> CertificateService::AddException(int64_t user_id,
                                                             std::string_view course_key,
                                                             std::string_view notes) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  const std::string course = key.ToString();
  LARCH_ASSIGN_OR_RETURN(
      InstructorOutcome outcome,
      storage::RunWithResult(
          db_, storage::TxnMode::kReadWrite,
          [&](storage::Transaction& txn) -> StatusOr<InstructorOutcome> {
            InstructorOutcome out;
            LARCH_RETURN_IF_ERROR(UserAndCourseExist(txn, user_id, key));
            LARCH_ASSIGN_OR_RETURN(auto enrollment,
                                   enrollment::EnrollmentStore::Find(txn, user_id, course));
            LARCH_ASSIGN_OR_RETURN(std::set<int64_t> invalidated,
                                   CertificateStore::InvalidatedUsers(txn, course));
            LARCH_ASSIGN_OR_RETURN(out.entry,
                                   CertificateStore::FindAllowlist(txn, user_id, course));
            if (!enrollment.has_value() || !enrollment->is_active) {
              out.refusal = Refusal::kNotEnrolled;
            } else if (invalidated.count(user_id) > 0) {
              out.refusal = Refusal::kInvalidated;
            } else if (out.entry.has_value()) {
              out.refusal = Refusal::kAlreadyAllowlisted;
            }
            if (out.refusal != Refusal::kNone) return out;
            LARCH_RETURN_IF_ERROR(
                CertificateStore::UpsertAllowlist(txn, user_id, course, notes, clock_.NowMicros()));
            LARCH_ASSIGN_OR_RETURN(out.entry,
                                   CertificateStore::FindAllowlist(txn, user_id, course));
            return out;
          }));
  if (outcome.refusal != Refusal::kNone) return outcome;
  // _listen_for_certificate_allowlist_append: generation with the switch on.
  LARCH_ASSIGN_OR_RETURN(bool enabled, AutoGenerationEnabled());
  std::optional<Certificate> cert;
  if (enabled) {
    LARCH_ASSIGN_OR_RETURN(std::vector<GenerationResult> generated,
                           Generate(course, {user_id}, Trigger::kGenerate, "allowlist"));
    cert = generated.front().certificate;
  } else {
    LARCH_ASSIGN_OR_RETURN(cert, Find(user_id, course));
  }
  if (Counts(cert)) outcome.certificate = std::move(cert);
  return outcome;
}

StatusOr<InstructorOutcome> CertificateService::InvalidateChecked(int64_t user_id,
                                                                  std::string_view course_key,
                                                                  int64_t by,
                                                                  std::string_view notes) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  const std::string course = key.ToString();
  std::vector<Pending> pending;
  auto outcome = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<InstructorOutcome> {
        pending.clear();
        InstructorOutcome out;
        LARCH_RETURN_IF_ERROR(UserAndCourseExist(txn, user_id, key));
        LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> existing,
                               CertificateStore::Find(txn, user_id, course));
        LARCH_ASSIGN_OR_RETURN(auto entry, CertificateStore::FindAllowlist(txn, user_id, course));
        LARCH_ASSIGN_OR_RETURN(std::set<int64_t> invalidated,
                               CertificateStore::InvalidatedUsers(txn, course));
        if (!Counts(existing)) {
          out.refusal = Refusal::kNoCertificate;
          return out;
        }
        out.certificate = existing;
        if (entry.has_value()) {
          out.refusal = Refusal::kAllowlisted;
        } else if (invalidated.count(user_id) > 0) {
          out.refusal = Refusal::kAlreadyInvalidated;
        } else if (existing->status != status::kDownloadable) {
          out.refusal = Refusal::kNotValid;
        }
        if (out.refusal != Refusal::kNone) return out;
        LARCH_ASSIGN_OR_RETURN(auto written, InvalidateIn(txn, random_, *existing, by, notes,
                                                          clock_.NowMicros(), &pending));
        out.invalidation = std::move(written.first);
        out.certificate = std::move(written.second);
        return out;
      });
  if (outcome.ok()) Publish(bus_, pending);
  return outcome;
}

StatusOr<InstructorOutcome> CertificateService::Revalidate(int64_t user_id,
                                                           std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  const std::string course = key.ToString();
  LARCH_ASSIGN_OR_RETURN(
      InstructorOutcome outcome,
      storage::RunWithResult(db_, storage::TxnMode::kReadWrite,
                             [&](storage::Transaction& txn) -> StatusOr<InstructorOutcome> {
                               InstructorOutcome out;
                               LARCH_RETURN_IF_ERROR(UserAndCourseExist(txn, user_id, key));
                               LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> existing,
                                                      CertificateStore::Find(txn, user_id, course));
                               if (!Counts(existing)) {
                                 out.refusal = Refusal::kNoCertificate;
                                 return out;
                               }
                               out.certificate = existing;
                               LARCH_ASSIGN_OR_RETURN(bool lifted,
                                                      CertificateStore::DeactivateInvalidations(
                                                          txn, existing->id, clock_.NowMicros()));
                               if (!lifted) out.refusal = Refusal::kNoInvalidation;
                               return out;
                             }));
  if (outcome.refusal != Refusal::kNone) return outcome;
  LARCH_ASSIGN_OR_RETURN(std::vector<GenerationResult> generated,
                         Generate(course, {user_id}, Trigger::kGenerate, "generation"));
  if (Counts(generated.front().certificate)) outcome.certificate = generated.front().certificate;
  return outcome;
}

StatusOr<std::vector<GenerationResult>> CertificateService::GenerateAllowlisted(
    std::string_view course_key, bool only_new) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  const std::string course = key.ToString();
  LARCH_ASSIGN_OR_RETURN(
      std::vector<int64_t> ids,
      storage::RunWithResult(
          db_, storage::TxnMode::kReadOnly,
          [&](storage::Transaction& txn) -> StatusOr<std::vector<int64_t>> {
            LARCH_RETURN_IF_ERROR(courses::CourseStore::GetOverview(txn, key).status());
            LARCH_ASSIGN_OR_RETURN(std::set<int64_t> allowlisted,
                                   CertificateStore::AllowlistedUsers(txn, course));
            std::map<int64_t, Certificate> certs;
            if (only_new) {
              LARCH_ASSIGN_OR_RETURN(certs, CertificateStore::InCourse(txn, course));
            }
            std::vector<int64_t> out;
            for (int64_t id : allowlisted) {
              auto it = certs.find(id);
              // CertificateStatuses.PASSED_STATUSES.
              if (it != certs.end() && (IsPassingStatus(it->second.status) ||
                                        it->second.status == status::kUnverified)) {
                continue;
              }
              out.push_back(id);
            }
            return out;
          }));
  // Generate reads an empty list as the whole course.
  if (ids.empty()) return std::vector<GenerationResult>{};
  return Generate(course, ids, Trigger::kGenerate, "allowlist");
}

StatusOr<bool> CertificateService::ReInstate(int64_t user_id, std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<bool> {
        LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> existing,
                               CertificateStore::Find(txn, user_id, course_key));
        if (!existing.has_value()) return false;
        return CertificateStore::DeactivateInvalidations(txn, existing->id, clock_.NowMicros());
      });
}

StatusOr<std::optional<Certificate>> CertificateService::Find(int64_t user_id,
                                                              std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CertificateStore::Find(txn, user_id, course_key);
  });
}

StatusOr<std::optional<Certificate>> CertificateService::FindByVerifyUuid(
    std::string_view verify_uuid) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CertificateStore::FindByUuid(txn, verify_uuid);
  });
}

StatusOr<std::vector<Certificate>> CertificateService::ListForUser(int64_t user_id) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CertificateStore::ForUser(txn, user_id);
  });
}

StatusOr<std::vector<HistoryEntry>> CertificateService::History(int64_t certificate_id) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CertificateStore::History(txn, certificate_id);
  });
}

}  // namespace larch::certificates
