// What the web certificate (`/certificates/{verify_uuid}`, webview.py)
// shows, assembled from the certificate, the learner, the course, the
// course team's certificate configuration and the operator's
// CertificateHtmlViewConfiguration. The route layer renders it with a
// template; nothing here knows HTML.
//
// Thread safety: the functions are pure; CertificateViews is thread-safe.
#ifndef LARCH_CERTIFICATES_WEB_CERTIFICATE_H_
#define LARCH_CERTIFICATES_WEB_CERTIFICATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/certificates/certificates.h"
#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/config_models/config_models.h"
#include "larch/storage/database.h"

namespace larch::certificates {

// The configuration model the operator edits (a JSON text with "default"
// and one object per course mode).
inline constexpr char kHtmlViewConfigurationModel[] =
    "certificates.CertificateHtmlViewConfiguration";
// LinkedInAddToProfileConfiguration: the certificate page's "Add to
// LinkedIn profile" button, when enabled ({"company_identifier"}).
inline constexpr char kLinkedInConfigModel[] = "linkedin.LinkedInAddToProfileConfiguration";

struct Signatory {
  std::string name;
  std::string title;
  std::string organization;
  std::string signature_image_path;  // an asset URL, "" without an image
};

// One entry of the course's certificate configurations (Studio).
struct CourseCertificateConfig {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string course_title;  // overrides the course's display name when set
  bool is_active = false;
  std::vector<Signatory> signatories;
};

// The entries of a course's `certificates` field ({"certificates": [...]}
// or the list itself). kInvalidArgument naming the entry and field when an
// entry is not an object or a field has the wrong type.
StatusOr<std::vector<CourseCertificateConfig>> ParseCourseCertificates(const nlohmann::json& field);

// The serialized form of `configs`, as Studio stores it.
nlohmann::json CourseCertificatesJson(const std::vector<CourseCertificateConfig>& configs);

// CertificateHtmlViewConfiguration.get_config() for `mode`: the "default"
// object with the mode's keys laid over it; {} when `configuration` is not
// a JSON object.
nlohmann::json HtmlViewConfigFor(const nlohmann::json& configuration, std::string_view mode);

// Hours of effort shown on the certificate: max_effort x weeks_to_complete,
// only when both exist and the course setting is on.
std::optional<int64_t> HoursOfEffort(std::optional<bool> include, std::optional<int64_t> max_effort,
                                     std::optional<int64_t> weeks_to_complete);

// The newest CertificateGenerationCourseSetting of a course (defaults when
// none was written).
struct CourseCertificateSettings {
  bool self_generation_enabled = false;
  bool language_specific_templates_enabled = false;
  std::optional<bool> include_hours_of_effort;
  std::optional<int64_t> max_effort;
  std::optional<int64_t> weeks_to_complete;
};

// Everything a template may print about one certificate.
struct CertificateView {
  Certificate certificate;
  std::string username;
  std::string course_key;
  std::string course_title;     // the active configuration's course_title, else the display name
  std::string course_org;       // display_organization, else the key's org
  std::string course_number;    // display_coursenumber, else the key's course
  std::string course_language;  // the course's language ("" when unset)
  bool valid = false;           // downloadable: the certificate stands
  bool revoked = false;         // it was passing once and is not any more
  // The active configuration; none: the course issues no web certificate
  // (upstream answers 404).
  std::optional<CourseCertificateConfig> config;
  nlohmann::json html_config = nlohmann::json::object();  // HtmlViewConfigFor the mode
  CourseCertificateSettings settings;
  std::optional<int64_t> hours_of_effort;
  int64_t issued = 0;  // micros: when the certificate became what it is
};

// What the learning MFE shows about a learner's certificate (courseware's
// CertData: the course metadata's and the progress page's
// certificate_data).
struct CertData {
  // downloadable, earned_but_not_available, requesting, generating,
  // unverified, invalidated, audit_passing, honor_passing.
  std::string cert_status;
  std::optional<std::string> cert_web_view_url;  // "/certificates/{uuid}"
  std::optional<std::string> download_url;       // a legacy PDF URL; never set by Larch
  std::optional<int64_t> certificate_available_date;
};

// certificates_viewable_for_course: self-paced courses, early display, a
// certificate date that has passed, or (without one) a course that ended.
bool CertificatesViewable(bool self_paced, const std::string& display_behavior,
                          std::optional<int64_t> available_date, std::optional<int64_t> end,
                          int64_t now);

class CertificateViews {
 public:
  // All must outlive this.
  CertificateViews(storage::Database& db, config_models::ConfigModels& config);

  // The view of the certificate `verify_uuid`; nullopt for an unknown uuid
  // (or one that is not 32 lowercase hex digits) and for audit records.
  StatusOr<std::optional<CertificateView>> ByVerifyUuid(std::string_view verify_uuid);

  // A sample certificate of the course for `mode` (learner "Jane Doe",
  // issued `now`), as `larch cert-preview` shows it: the active
  // configuration, else the first one. kNotFound for an unknown course.
  StatusOr<CertificateView> Preview(std::string_view course_key, std::string_view mode,
                                    int64_t now);

  // The course's effective configurations: the course team's edited list,
  // else the imported course's. kNotFound for an unknown course.
  StatusOr<std::vector<CourseCertificateConfig>> CourseConfigs(std::string_view course_key);
  // Replaces the course team's list (validated by ParseCourseCertificates).
  Status SetCourseConfigs(std::string_view course_key, const nlohmann::json& certificates,
                          int64_t changed_by, int64_t now);

  // get_cert_data for a learner enrolled in `mode` (active or not) whose
  // grade passes or not: nullopt when the MFE shows nothing (not passing and
  // not allowlisted, neither auto generation nor self generation on, the
  // certificates not viewable yet, or no active configuration).
  StatusOr<std::optional<CertData>> CertDataFor(int64_t user_id, std::string_view course_key,
                                                std::string_view mode, bool active_enrollment,
                                                bool passing, bool disable_honor_certificates,
                                                int64_t now);

  StatusOr<CourseCertificateSettings> Settings(std::string_view course_key);
  // Appends a settings row (the newest wins).
  Status SetSettings(std::string_view course_key, const CourseCertificateSettings& settings,
                     int64_t now);

 private:
  storage::Database& db_;
  config_models::ConfigModels& config_;
};

}  // namespace larch::certificates

#endif  // LARCH_CERTIFICATES_WEB_CERTIFICATE_H_
