// Course certificates, as lms/djangoapps/certificates keeps them: one
// GeneratedCertificate per learner and course with Open edX's statuses, a
// verify_uuid anyone may look up, the learner's name, mode and grade, and a
// history of every change; the allowlist (a certificate without a passing
// grade) and invalidations (no certificate whatever the grade).
//
// When a certificate is generated (generation_handler.py):
//   - a learner whose grade becomes passing, when the switch
//     `certificates.auto_certificate_generation` is on (OnPassingStatus:
//     a `certificates.generate` job);
//   - a learner whose grade stops passing loses a passing certificate
//     (`notpassing`) unless allowlisted, whatever the switch;
//   - a course team's request for some learners or the whole course
//     (`larch cert-generation`, the instructor action).
// Generation needs an enrollment in a certificate-eligible mode (never
// audit, whose learners are recorded as `audit_passing` /
// `audit_notpassing`; honor unless DISABLE_HONOR_CERTIFICATES), HTML
// certificates on (FEATURES CERTIFICATES_HTML_VIEW and the course's
// cert_html_view_enabled), no active invalidation, and a passing grade or a
// place on the allowlist. A downloadable certificate is kept (never revoked
// on a mode downgrade) unless the grade stops passing or it is invalidated.
//
// Every write happens in one transaction per call and publishes
// CERTIFICATE_CHANGED, plus CERTIFICATE_CREATED for a passing status or
// CERTIFICATE_REVOKED for a revocation, after the commit. Generating again
// never makes a second certificate (one row per learner and course, the
// verify_uuid kept), and a call that would change nothing writes nothing.
//
// Thread safety: CertificateService is thread-safe.
#ifndef LARCH_CERTIFICATES_CERTIFICATES_H_
#define LARCH_CERTIFICATES_CERTIFICATES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/config_models/config_models.h"
#include "larch/events/event_bus.h"
#include "larch/storage/database.h"

#include <nlohmann/json_fwd.hpp>

namespace larch::certificates {

// CertificateStatuses (certificates/data.py).
namespace status {
inline constexpr char kDownloadable[] = "downloadable";
inline constexpr char kGenerating[] = "generating";
inline constexpr char kNotPassing[] = "notpassing";
inline constexpr char kUnavailable[] = "unavailable";
inline constexpr char kAuditPassing[] = "audit_passing";
inline constexpr char kAuditNotPassing[] = "audit_notpassing";
inline constexpr char kUnverified[] = "unverified";
}  // namespace status

// downloadable or generating (CertificateStatuses.is_passing_status).
bool IsPassingStatus(std::string_view status);

// The waffle switch of automatic generation (a configuration model row
// with this model and key, enabled = active).
inline constexpr char kWaffleSwitchModel[] = "waffle.Switch";
inline constexpr char kAutoGenerationSwitch[] = "certificates.auto_certificate_generation";
// The job a passing-status change enqueues: {"user_id", "course_key",
// "trigger": "passed" | "failed"}.
inline constexpr char kGenerateJob[] = "certificates.generate";

struct Certificate {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string course_key;
  std::string verify_uuid;  // 32 lowercase hex digits
  std::string grade;        // the percent as Python prints a float: "0.87", "1.0"
  std::string status;
  std::string mode;
  std::string name;  // the learner's full name when it was written
  std::string download_url;
  std::string error_reason;
  int64_t created = 0;   // micros since epoch
  int64_t modified = 0;  // micros since epoch
};

struct HistoryEntry {
  std::string history_type;  // "+" created, "~" changed
  std::string status;
  std::string mode;
  std::string grade;
  std::string name;
  std::string source;  // "generation", "notpassing", "invalidation", ...
  int64_t history_date = 0;
};

// What Decide needs to know about one learner.
struct LearnerFacts {
  std::optional<std::string> mode;  // the enrollment's mode (active or not); none: not enrolled
  bool allowlisted = false;
  bool invalidated = false;  // an active invalidation of the existing certificate
  bool passing = false;      // the stored course grade has passed
  double percent = 0;
  std::optional<Certificate> existing;
};

struct CourseFacts {
  bool html_certificates_enabled = true;  // CERTIFICATES_HTML_VIEW and the course's switch
  bool disable_honor_certificates = false;
};

enum class Trigger {
  kGenerate,     // generate_certificate_task: passed, requested, mode change, allowlist
  kGradeFailed,  // COURSE_GRADE_NOW_FAILED: revoke a passing certificate
};

struct Decision {
  // Empty: leave the learner as they are.
  std::string status;
  // Why (for the command's and the instructor's report): "generated",
  // "not_enrolled", "ineligible_mode", "already_downloadable", "invalidated",
  // "not_passing", "html_certificates_disabled", "unchanged".
  std::string reason;
  bool revoke = false;  // a passing certificate loses its status
};

// The rules of generation_handler.py for one learner, without side effects.
Decision Decide(const CourseFacts& course, const LearnerFacts& learner, Trigger trigger);

// CourseMode.is_eligible_for_certificate (enrollment's) for a mode without
// a downloadable certificate: every mode but audit, and honor only without
// DISABLE_HONOR_CERTIFICATES.
bool IsEligibleMode(std::string_view mode, bool disable_honor_certificates);

// str(float) of Python for a grade percent ("0.87", "1.0", "0.0").
std::string PythonFloat(double value);

// Reads of the certificate tables for other modules, in the caller's
// transaction (the SQL stays in this module).
class CertificateReads {
 public:
  // Every certificate row of the user (audit records too), by course key.
  static StatusOr<std::map<std::string, Certificate, std::less<>>> OfUser(storage::Executor& ex,
                                                                          int64_t user_id);
};

struct GenerationResult {
  int64_t user_id = 0;
  Decision decision;
  std::optional<Certificate> certificate;  // the row after the call, if any
};

// A place on a course's allowlist (CertificateAllowlist).
struct AllowlistEntry {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string course_key;
  std::string notes;
  int64_t created = 0;  // micros since epoch
};

// A CertificateInvalidation.
struct Invalidation {
  int64_t id = 0;
  int64_t certificate_id = 0;
  std::string notes;
  int64_t created = 0;  // micros since epoch
};

// Why the instructor dashboard's checks (instructor/views/api.py) refuse
// an action; nothing is written then.
enum class Refusal {
  kNone,
  kNotEnrolled,         // no active enrollment (is_user_enrolled_in_course)
  kInvalidated,         // an active invalidation keeps them off the allowlist
  kAlreadyAllowlisted,  // already on the allowlist
  kNoCertificate,       // no certificate that counts (audit_* records do not)
  kAllowlisted,         // on the allowlist: it cannot be invalidated
  kAlreadyInvalidated,  // an active invalidation already
  kNotValid,            // the certificate is not downloadable
  kNoInvalidation,      // nothing to re-validate
};

struct InstructorOutcome {
  Refusal refusal = Refusal::kNone;
  std::optional<AllowlistEntry> entry;       // AddException
  std::optional<Invalidation> invalidation;  // InvalidateChecked
  // The learner's certificate that counts after the call (not audit_*).
  std::optional<Certificate> certificate;
};

struct CertificateOptions {
  bool html_view_enabled = false;           // FEATURES CERTIFICATES_HTML_VIEW
  bool disable_honor_certificates = false;  // FEATURES DISABLE_HONOR_CERTIFICATES
};

class CertificateService {
 public:
  // All must outlive the service.
  CertificateService(storage::Database& db, const Clock& clock, Random& random,
                     events::EventBus& bus, config_models::ConfigModels& config,
                     CertificateOptions options);

  // Decides and writes for each of `user_ids` (empty: every learner with an
  // enrollment in the course) in one transaction. kNotFound for an unknown
  // course; unknown users are reported as not enrolled.
  StatusOr<std::vector<GenerationResult>> Generate(std::string_view course_key,
                                                   const std::vector<int64_t>& user_ids,
                                                   Trigger trigger = Trigger::kGenerate,
                                                   std::string_view source = "generation");

  // Whether the auto-generation switch is on.
  StatusOr<bool> AutoGenerationEnabled();

  // Subscribes to the grades' passing-status events: a learner who now
  // passes gets a generation job when the switch is on; one who no longer
  // passes gets a revocation job.
  void SubscribeToGrades();

  // Runs one `certificates.generate` job's payload.
  Status RunJob(const nlohmann::json& payload);

  // Adds (or updates the notes of) the learner's place on the course's
  // allowlist and, with the switch on, generates at once. kNotFound for an
  // unknown user or course.
  StatusOr<GenerationResult> Allowlist(int64_t user_id, std::string_view course_key,
                                       std::string_view notes);
  // Removes the learner from the allowlist (nothing else changes); false
  // when they were not on it.
  StatusOr<bool> RemoveFromAllowlist(int64_t user_id, std::string_view course_key);

  // Invalidates the learner's certificate (CertificateInvalidation, and the
  // certificate becomes `unavailable`, revoked). kNotFound when they have
  // no certificate in the course.
  StatusOr<Certificate> Invalidate(int64_t user_id, std::string_view course_key, int64_t by,
                                   std::string_view notes);
  // Deactivates the invalidation so that generation may run again; false
  // when there was none.
  StatusOr<bool> ReInstate(int64_t user_id, std::string_view course_key);

  // The instructor dashboard's versions, with upstream's checks made in the
  // transaction that writes (a refusal writes nothing). kNotFound for an
  // unknown user or course.
  //
  // add_certificate_exception: refuses a learner without an active
  // enrollment, with an active invalidation, or on the allowlist already;
  // else as Allowlist (generating at once with the switch on).
  StatusOr<InstructorOutcome> AddException(int64_t user_id, std::string_view course_key,
                                           std::string_view notes);
  // CertificateInvalidationView.post: refuses a learner without a
  // certificate that counts, on the allowlist, already invalidated, or whose
  // certificate is not downloadable; else as Invalidate.
  StatusOr<InstructorOutcome> InvalidateChecked(int64_t user_id, std::string_view course_key,
                                                int64_t by, std::string_view notes);
  // re_validate_certificate: refuses a learner without a certificate that
  // counts or without an active invalidation; else lifts it and generates
  // the learner's certificate again at once (upstream queues a task).
  StatusOr<InstructorOutcome> Revalidate(int64_t user_id, std::string_view course_key);
  // generate_certificates_for_students for the allowlist: every allowlisted
  // learner ("all_allowlisted"), or those without a passing certificate
  // (`only_new`, "allowlisted_not_generated"); learners who are not
  // enrolled are reported so and left alone. kNotFound for an unknown course.
  StatusOr<std::vector<GenerationResult>> GenerateAllowlisted(std::string_view course_key,
                                                              bool only_new);

  // Reads.
  StatusOr<std::optional<Certificate>> Find(int64_t user_id, std::string_view course_key);
  StatusOr<std::optional<Certificate>> FindByVerifyUuid(std::string_view verify_uuid);
  // The user's certificates that count (not audit_*), oldest first.
  StatusOr<std::vector<Certificate>> ListForUser(int64_t user_id);
  StatusOr<std::vector<HistoryEntry>> History(int64_t certificate_id);

 private:
  // Queues a `certificates.generate` job (merged into a queued one for the
  // same learner, course and trigger).
  Status Enqueue(int64_t user_id, std::string_view course_key, std::string_view trigger);

  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  events::EventBus& bus_;
  config_models::ConfigModels& config_;
  const CertificateOptions options_;
};

}  // namespace larch::certificates

#endif  // LARCH_CERTIFICATES_CERTIFICATES_H_
