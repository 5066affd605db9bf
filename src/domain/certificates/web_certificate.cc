#include "larch/certificates/web_certificate.h"

#include <set>

#include "certificate_store.h"
#include "larch/accounts/user_store.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/course_modes.h"
#include "larch/keys/keys.h"

namespace larch::certificates {
namespace {

using nlohmann::json;
using storage::Int;
using storage::Query;
using storage::Text;

constexpr Query kCourseConfigs{"certificates.course_configs",
                               "SELECT certificates FROM certificate_course_configs "
                               "WHERE course_key = ?"};
constexpr Query kUpsertCourseConfigs{
    "certificates.upsert_course_configs",
    "INSERT INTO certificate_course_configs (course_key, certificates, changed_by, modified_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (course_key) DO UPDATE SET "
    "certificates = excluded.certificates, changed_by = excluded.changed_by, "
    "modified_at = excluded.modified_at"};
constexpr Query kNewestSettings{
    "certificates.newest_settings",
    "SELECT self_generation_enabled, language_specific_templates_enabled, "
    "include_hours_of_effort, max_effort, weeks_to_complete FROM certificate_course_settings "
    "WHERE course_key = ? ORDER BY id DESC LIMIT 1"};
constexpr Query kAddSettings{
    "certificates.add_settings",
    "INSERT INTO certificate_course_settings (course_key, self_generation_enabled, "
    "language_specific_templates_enabled, include_hours_of_effort, max_effort, "
    "weeks_to_complete, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"};

bool IsVerifyUuid(std::string_view text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A string field of `entry` ("" when absent or null); false when it has
// another type.
bool StringOf(const json& entry, const char* name, std::string* out) {
  auto it = entry.find(name);
  if (it == entry.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

Status FieldError(size_t index, const std::string& field, const char* expected) {
  return InvalidArgumentError("certificates[" + std::to_string(index) + "]." + field + " must be " +
                              expected);
}

StatusOr<Signatory> ParseSignatory(const json& s, size_t index, size_t at) {
  const std::string where = "signatories[" + std::to_string(at) + "]";
  if (!s.is_object()) return FieldError(index, where, "an object");
  Signatory out;
  for (auto [name, target] : {std::pair{"name", &out.name},
                              {"title", &out.title},
                              {"organization", &out.organization},
                              {"signature_image_path", &out.signature_image_path}}) {
    if (!StringOf(s, name, target)) return FieldError(index, where + "." + name, "a string");
  }
  return out;
}

StatusOr<CourseCertificateConfig> ParseEntry(const json& entry, size_t index) {
  if (!entry.is_object()) return FieldError(index, "", "an object");
  CourseCertificateConfig c;
  if (auto id = entry.find("id"); id != entry.end() && !id->is_null()) {
    if (!id->is_number_integer()) return FieldError(index, "id", "an integer");
    c.id = id->get<int64_t>();
  }
  for (auto [name, target] : {std::pair{"name", &c.name},
                              {"description", &c.description},
                              {"course_title", &c.course_title}}) {
    if (!StringOf(entry, name, target)) return FieldError(index, name, "a string");
  }
  if (auto active = entry.find("is_active"); active != entry.end() && !active->is_null()) {
    if (!active->is_boolean()) return FieldError(index, "is_active", "true or false");
    c.is_active = active->get<bool>();
  }
  if (auto sigs = entry.find("signatories"); sigs != entry.end() && !sigs->is_null()) {
    if (!sigs->is_array()) return FieldError(index, "signatories", "a list");
    for (size_t i = 0; i < sigs->size(); ++i) {
      LARCH_ASSIGN_OR_RETURN(Signatory s, ParseSignatory((*sigs)[i], index, i));
      c.signatories.push_back(std::move(s));
    }
  }
  return c;
}

}  // namespace

StatusOr<std::vector<CourseCertificateConfig>> ParseCourseCertificates(const json& field) {
  const json* list = &field;
  if (field.is_object()) {
    auto it = field.find("certificates");
    if (it == field.end()) return std::vector<CourseCertificateConfig>{};
    list = &*it;
  }
  if (list->is_null()) return std::vector<CourseCertificateConfig>{};
  if (!list->is_array()) return InvalidArgumentError("certificates must be a list");
  std::vector<CourseCertificateConfig> out;
  for (size_t i = 0; i < list->size(); ++i) {
    LARCH_ASSIGN_OR_RETURN(CourseCertificateConfig c, ParseEntry((*list)[i], i));
    out.push_back(std::move(c));
  }
  return out;
}

json CourseCertificatesJson(const std::vector<CourseCertificateConfig>& configs) {
  json list = json::array();
  for (const CourseCertificateConfig& c : configs) {
    json signatories = json::array();
    for (const Signatory& s : c.signatories) {
      signatories.push_back({{"name", s.name},
                             {"title", s.title},
                             {"organization", s.organization},
                             {"signature_image_path", s.signature_image_path}});
    }
    list.push_back({{"id", c.id},
                    {"name", c.name},
                    {"description", c.description},
                    {"course_title", c.course_title},
                    {"is_active", c.is_active},
                    {"signatories", signatories},
                    {"version", 1}});
  }
  return json{{"certificates", list}};
}

json HtmlViewConfigFor(const json& configuration, std::string_view mode) {
  if (!configuration.is_object()) return json::object();
  json out = json::object();
  if (auto it = configuration.find("default"); it != configuration.end() && it->is_object()) {
    out = *it;
  }
  if (auto it = configuration.find(std::string(mode));
      it != configuration.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) out[key] = value;
  }
  return out;
}

std::optional<int64_t> HoursOfEffort(std::optional<bool> include, std::optional<int64_t> max_effort,
                                     std::optional<int64_t> weeks_to_complete) {
  if (!include.value_or(false) || !max_effort.has_value() || !weeks_to_complete.has_value()) {
    return std::nullopt;
  }
  return *max_effort * *weeks_to_complete;
}

CertificateViews::CertificateViews(storage::Database& db, config_models::ConfigModels& config)
    : db_(db), config_(config) {}

namespace {

StatusOr<std::vector<CourseCertificateConfig>> ConfigsIn(storage::Executor& ex,
                                                         const courses::CourseOverview& course) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kCourseConfigs, {Text(course.key.ToString())}));
  if (!rs.empty()) {
    json stored = json::parse(rs.rows[0].GetText(0), nullptr, false);
    return ParseCourseCertificates(stored);
  }
  auto imported = course.advanced.find("certificates");
  if (imported == course.advanced.end()) return std::vector<CourseCertificateConfig>{};
  auto parsed = ParseCourseCertificates(*imported);
  // A malformed imported list issues no web certificate rather than failing.
  if (!parsed.ok()) return std::vector<CourseCertificateConfig>{};
  return parsed;
}

StatusOr<CourseCertificateSettings> SettingsIn(storage::Executor& ex, std::string_view course) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kNewestSettings, {Text(std::string(course))}));
  CourseCertificateSettings s;
  if (rs.empty()) return s;
  const storage::Row& row = rs.rows[0];
  s.self_generation_enabled = row.GetBool(0);
  s.language_specific_templates_enabled = row.GetBool(1);
  if (auto include = row.GetOptionalInt(2)) s.include_hours_of_effort = *include != 0;
  s.max_effort = row.GetOptionalInt(3);
  s.weeks_to_complete = row.GetOptionalInt(4);
  return s;
}

// display_date_for_certificate: the course's certificate date when the
// course shows certificates from a date, else when the certificate was
// last written.
int64_t IssuedDate(const courses::CourseOverview& course, const Certificate& cert) {
  const std::string behavior = course.certificates_display_behavior.value_or("end");
  if (course.self_paced || behavior == "early_no_info") return cert.modified;
  if (behavior == "end_with_date" && course.certificate_available_date.has_value()) {
    return *course.certificate_available_date;
  }
  if (behavior == "end" && course.end.has_value()) return *course.end;
  return cert.modified;
}

std::string AdvancedText(const courses::CourseOverview& course, const char* name) {
  auto it = course.advanced.find(name);
  return it != course.advanced.end() && it->is_string() ? it->get<std::string>() : "";
}

// The course's part of `view` (its certificate already set): the active
// configuration (a preview takes the first one when none is active), the
// titles, the operator's HTML configuration for the mode, the settings.
Status FillCourse(storage::Executor& ex, const courses::CourseOverview& course,
                  const std::optional<json>& html, bool preview, CertificateView* view) {
  LARCH_ASSIGN_OR_RETURN(std::vector<CourseCertificateConfig> configs, ConfigsIn(ex, course));
  for (CourseCertificateConfig& c : configs) {
    if (c.is_active) {
      view->config = std::move(c);
      break;
    }
  }
  if (preview && !view->config.has_value() && !configs.empty()) view->config = configs.front();
  view->course_title = view->config.has_value() && !view->config->course_title.empty()
                           ? view->config->course_title
                           : course.display_name;
  view->course_org = AdvancedText(course, "display_organization");
  if (view->course_org.empty()) view->course_org = course.key.org;
  view->course_number = AdvancedText(course, "display_coursenumber");
  if (view->course_number.empty()) view->course_number = course.key.course;
  view->course_language = course.language.value_or("");
  if (html.has_value()) {
    json configuration =
        json::parse(html->value("configuration", std::string("{}")), nullptr, false);
    view->html_config = HtmlViewConfigFor(configuration, view->certificate.mode);
  }
  LARCH_ASSIGN_OR_RETURN(view->settings, SettingsIn(ex, view->course_key));
  view->hours_of_effort =
      HoursOfEffort(view->settings.include_hours_of_effort, view->settings.max_effort,
                    view->settings.weeks_to_complete);
  return OkStatus();
}
}  // namespace

StatusOr<std::optional<CertificateView>> CertificateViews::ByVerifyUuid(
    std::string_view verify_uuid) {
  if (!IsVerifyUuid(verify_uuid)) return std::optional<CertificateView>();
  LARCH_ASSIGN_OR_RETURN(std::optional<json> html,
                         config_.EnabledValue(kHtmlViewConfigurationModel));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::optional<CertificateView>> {
        LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> cert,
                               internal::CertificateStore::FindByUuid(txn, verify_uuid));
        if (!cert.has_value() || cert->status == status::kAuditPassing ||
            cert->status == status::kAuditNotPassing) {
          return std::optional<CertificateView>();
        }
        LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(cert->course_key));
        LARCH_ASSIGN_OR_RETURN(courses::CourseOverview course,
                               courses::CourseStore::GetOverview(txn, key));
        LARCH_ASSIGN_OR_RETURN(std::optional<accounts::UserSummary> user,
                               accounts::UserStore::FindSummary(txn, cert->user_id));
        CertificateView view;
        view.certificate = *cert;
        view.username = user.has_value() ? user->username : "";
        view.course_key = cert->course_key;
        view.valid = cert->status == status::kDownloadable;
        if (!view.valid) {
          LARCH_ASSIGN_OR_RETURN(std::vector<HistoryEntry> history,
                                 internal::CertificateStore::History(txn, cert->id));
          for (const HistoryEntry& h : history) view.revoked |= IsPassingStatus(h.status);
        }
        LARCH_RETURN_IF_ERROR(FillCourse(txn, course, html, /*preview=*/false, &view));
        view.issued = IssuedDate(course, *cert);
        return std::optional<CertificateView>(std::move(view));
      });
}

StatusOr<CertificateView> CertificateViews::Preview(std::string_view course_key,
                                                    std::string_view mode, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  LARCH_ASSIGN_OR_RETURN(std::optional<json> html,
                         config_.EnabledValue(kHtmlViewConfigurationModel));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<CertificateView> {
        LARCH_ASSIGN_OR_RETURN(courses::CourseOverview course,
                               courses::CourseStore::GetOverview(txn, key));
        CertificateView view;
        view.certificate.course_key = key.ToString();
        view.certificate.mode = std::string(mode);
        view.certificate.status = status::kDownloadable;
        view.certificate.name = "Jane Doe";
        view.certificate.grade = "1.0";
        view.certificate.verify_uuid = std::string(32, '0');
        view.certificate.created = view.certificate.modified = now;
        view.username = "jane";
        view.course_key = view.certificate.course_key;
        view.valid = true;
        LARCH_RETURN_IF_ERROR(FillCourse(txn, course, html, /*preview=*/true, &view));
        view.issued = now;
        return view;
      });
}

StatusOr<std::vector<CourseCertificateConfig>> CertificateViews::CourseConfigs(
    std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<CourseCertificateConfig>> {
        LARCH_ASSIGN_OR_RETURN(courses::CourseOverview course,
                               courses::CourseStore::GetOverview(txn, key));
        return ConfigsIn(txn, course);
      });
}

Status CertificateViews::SetCourseConfigs(std::string_view course_key, const json& certificates,
                                          int64_t changed_by, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  LARCH_ASSIGN_OR_RETURN(std::vector<CourseCertificateConfig> configs,
                         ParseCourseCertificates(certificates));
  const std::string stored = CourseCertificatesJson(configs).dump();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(courses::CourseStore::GetOverview(txn, key).status());
    return txn
        .Execute(kUpsertCourseConfigs,
                 {Text(key.ToString()), Text(stored),
                  storage::OptionalInt(changed_by > 0 ? std::optional(changed_by) : std::nullopt),
                  Int(now)})
        .status();
  });
}

bool CertificatesViewable(bool self_paced, const std::string& display_behavior,
                          std::optional<int64_t> available_date, std::optional<int64_t> end,
                          int64_t now) {
  if (self_paced) return true;
  if (display_behavior == "early_no_info" || display_behavior == "early_with_info") return true;
  if (display_behavior == "end_with_date" && available_date.has_value()) {
    return *available_date <= now;
  }
  return end.has_value() && *end <= now;
}

namespace {

CertData WithStatus(std::string status) { return CertData{std::move(status), {}, {}, {}}; }

// _certificate_message: what the learner's certificate row says.
CertData CertificateMessage(const std::optional<Certificate>& cert, bool invalidated, bool viewable,
                            std::optional<int64_t> available_date) {
  if (invalidated) return WithStatus("invalidated");
  if (cert.has_value() && cert->status == status::kDownloadable) {
    if (!viewable) {
      CertData earned = WithStatus("earned_but_not_available");
      earned.certificate_available_date = available_date;
      return earned;
    }
    CertData data = WithStatus(status::kDownloadable);
    data.cert_web_view_url = "/certificates/" + cert->verify_uuid;
    return data;
  }
  if (cert.has_value() && cert->status == status::kGenerating) return WithStatus("generating");
  if (cert.has_value() && cert->status == status::kUnverified) return WithStatus("unverified");
  return WithStatus("requesting");
}

}  // namespace

StatusOr<std::optional<CertData>> CertificateViews::CertDataFor(
    int64_t user_id, std::string_view course_key, std::string_view mode, bool active_enrollment,
    bool passing, bool disable_honor_certificates, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(course_key));
  LARCH_ASSIGN_OR_RETURN(bool auto_generation,
                         config_.IsEnabled(kWaffleSwitchModel, kAutoGenerationSwitch));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::optional<CertData>> {
        LARCH_ASSIGN_OR_RETURN(courses::CourseOverview course,
                               courses::CourseStore::GetOverview(txn, key));
        const std::string course_str = key.ToString();
        LARCH_ASSIGN_OR_RETURN(std::optional<Certificate> cert,
                               internal::CertificateStore::Find(txn, user_id, course_str));
        LARCH_ASSIGN_OR_RETURN(std::set<int64_t> invalidated,
                               internal::CertificateStore::InvalidatedUsers(txn, course_str));
        const std::optional<int64_t> available =
            course.certificates_display_behavior.value_or("end") == "end_with_date"
                ? course.certificate_available_date
                : course.end;
        const bool viewable = CertificatesViewable(
            course.self_paced, course.certificates_display_behavior.value_or("end"),
            course.certificate_available_date, course.end, now);
        CertData data =
            CertificateMessage(cert, invalidated.count(user_id) > 0, viewable, available);
        const bool downloadable = cert.has_value() && cert->status == status::kDownloadable;
        if (!enrollment::IsEligibleForCertificate(
                mode, downloadable ? std::optional<std::string>(cert->status) : std::nullopt,
                disable_honor_certificates)) {
          if (mode == "audit") return std::optional<CertData>(WithStatus(status::kAuditPassing));
          if (mode == "honor") return std::optional<CertData>(WithStatus("honor_passing"));
          return std::optional<CertData>();
        }
        if (data.cert_status == "earned_but_not_available") return std::optional<CertData>(data);
        LARCH_ASSIGN_OR_RETURN(CourseCertificateSettings settings, SettingsIn(txn, course_str));
        LARCH_ASSIGN_OR_RETURN(std::set<int64_t> allowlisted,
                               internal::CertificateStore::AllowlistedUsers(txn, course_str));
        // can_show_certificate_message
        if (!(auto_generation || settings.self_generation_enabled) || !active_enrollment ||
            !viewable || !(passing || allowlisted.count(user_id) > 0)) {
          return std::optional<CertData>();
        }
        LARCH_ASSIGN_OR_RETURN(std::vector<CourseCertificateConfig> configs,
                               ConfigsIn(txn, course));
        bool active = false;
        for (const CourseCertificateConfig& c : configs) active |= c.is_active;
        if (!active) return std::optional<CertData>();
        return std::optional<CertData>(data);
      });
}

StatusOr<CourseCertificateSettings> CertificateViews::Settings(std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return SettingsIn(txn, course_key);
  });
}

Status CertificateViews::SetSettings(std::string_view course_key,
                                     const CourseCertificateSettings& s, int64_t now) {
  std::optional<int64_t> include;
  if (s.include_hours_of_effort.has_value()) include = *s.include_hours_of_effort ? 1 : 0;
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(kAddSettings,
                 {Text(std::string(course_key)), storage::Bool(s.self_generation_enabled),
                  storage::Bool(s.language_specific_templates_enabled),
                  storage::OptionalInt(include), storage::OptionalInt(s.max_effort),
                  storage::OptionalInt(s.weeks_to_complete), Int(now)})
        .status();
  });
}

}  // namespace larch::certificates
