#include "larch/enrollment/course_modes.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace larch::enrollment {
namespace {

using storage::Int;
using storage::OptionalInt;
using storage::OptionalText;
using storage::Text;

constexpr std::array<std::string_view, 12> kKnownSlugs = {"honor",
                                                          "professional",
                                                          "verified",
                                                          "audit",
                                                          "no-id-professional",
                                                          "credit",
                                                          "masters",
                                                          "executive-education",
                                                          "paid-executive-education",
                                                          "unpaid-executive-education",
                                                          "paid-bootcamp",
                                                          "unpaid-bootcamp"};

bool OneOf(std::string_view slug, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), slug) != set.end();
}

constexpr storage::Query kUpsertMode{
    "enrollment.upsert_course_mode",
    "INSERT INTO course_modes (course_key, mode_slug, mode_display_name, min_price, currency, "
    "expiration_datetime, expiration_datetime_is_explicit, suggested_prices, description, sku, "
    "android_sku, ios_sku, bulk_sku) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (course_key, mode_slug, currency) DO UPDATE SET "
    "mode_display_name = excluded.mode_display_name, min_price = excluded.min_price, "
    "expiration_datetime = excluded.expiration_datetime, "
    "expiration_datetime_is_explicit = excluded.expiration_datetime_is_explicit, "
    "suggested_prices = excluded.suggested_prices, description = excluded.description, "
    "sku = excluded.sku, android_sku = excluded.android_sku, ios_sku = excluded.ios_sku, "
    "bulk_sku = excluded.bulk_sku"};

constexpr storage::Query kDeleteMode{
    "enrollment.delete_course_mode",
    "DELETE FROM course_modes WHERE course_key = ? AND mode_slug = ?"};

constexpr storage::Query kSelectModes{
    "enrollment.select_course_modes",
    "SELECT mode_slug, mode_display_name, min_price, currency, expiration_datetime, "
    "expiration_datetime_is_explicit, suggested_prices, description, sku, android_sku, ios_sku, "
    "bulk_sku FROM course_modes WHERE course_key = ? ORDER BY id"};

}  // namespace

CourseMode DefaultCourseMode() {
  CourseMode mode;
  mode.slug = kModeAudit;
  mode.name = "Audit";
  return mode;
}

bool IsKnownModeSlug(std::string_view slug) {
  return std::find(kKnownSlugs.begin(), kKnownSlugs.end(), slug) != kKnownSlugs.end();
}

bool IsAuditMode(std::string_view slug) {
  return OneOf(slug, {"audit", "honor", "unpaid-executive-education", "unpaid-bootcamp"});
}

bool IsVerifiedMode(std::string_view slug) {
  return OneOf(slug, {"verified", "professional", "masters", "executive-education",
                      "paid-executive-education", "paid-bootcamp"});
}

bool IsCreditMode(std::string_view slug) { return slug == kModeCredit; }

bool IsProfessionalMode(std::string_view slug) {
  return slug == kModeProfessional || slug == kModeNoIdProfessional;
}

Status ValidateCourseMode(const CourseMode& mode) {
  if (!IsKnownModeSlug(mode.slug)) {
    return InvalidArgumentError("unknown course mode slug '" + mode.slug + "'")
        .WithErrorCode("invalid-mode");
  }
  if (IsProfessionalMode(mode.slug) && mode.expiration_datetime.has_value()) {
    return InvalidArgumentError(
               "Professional education modes are not allowed to have expiration_datetime set.")
        .WithErrorCode("invalid-mode");
  }
  const int64_t minimum = (mode.slug == kModeVerified || IsProfessionalMode(mode.slug)) ? 1 : 0;
  if (mode.min_price < minimum) {
    return InvalidArgumentError("The minimum price for mode '" + mode.slug + "' is " +
                                std::to_string(minimum) + ".")
        .WithErrorCode("invalid-mode");
  }
  return OkStatus();
}

std::string DefaultEnrollmentMode(const std::vector<CourseMode>& course_modes) {
  auto offers = [&](std::string_view slug) {
    return std::any_of(course_modes.begin(), course_modes.end(),
                       [&](const CourseMode& m) { return m.slug == slug; });
  };
  if (offers(kModeAudit)) return kModeAudit;
  if (offers(kModeHonor)) return kModeHonor;
  return kModeAudit;
}

bool IsEligibleForCertificate(std::string_view slug,
                              const std::optional<std::string>& certificate_status,
                              bool disable_honor_certificates) {
  if (slug == kModeAudit) return false;
  if (slug == kModeHonor && disable_honor_certificates) {
    return certificate_status.has_value() && *certificate_status == "downloadable";
  }
  return true;
}

namespace {

// The mode columns of kSelectModes starting at column `at`.
CourseMode ModeFromRow(const storage::Row& row, size_t at) {
  CourseMode m;
  m.slug = row.GetText(at);
  m.name = row.GetText(at + 1);
  m.min_price = row.GetInt(at + 2);
  m.currency = row.GetText(at + 3);
  m.expiration_datetime = row.GetOptionalInt(at + 4);
  m.expiration_datetime_is_explicit = row.GetBool(at + 5);
  m.suggested_prices = row.GetText(at + 6);
  m.description = row.GetOptionalText(at + 7);
  m.sku = row.GetOptionalText(at + 8);
  m.android_sku = row.GetOptionalText(at + 9);
  m.ios_sku = row.GetOptionalText(at + 10);
  m.bulk_sku = row.GetOptionalText(at + 11);
  return m;
}

// The head of the chunked ModesForCourses read; the IN list follows.
constexpr char kModesByKeys[] =
    "SELECT course_key, mode_slug, mode_display_name, min_price, currency, expiration_datetime, "
    "expiration_datetime_is_explicit, suggested_prices, description, sku, android_sku, ios_sku, "
    "bulk_sku FROM course_modes WHERE course_key IN (";
constexpr size_t kKeysPerStatement = 500;

// modes_for_course's filter over one course's stored modes.
std::vector<CourseMode> Unexpired(std::vector<CourseMode> all, int64_t now, bool include_expired,
                                  bool only_selectable) {
  std::vector<CourseMode> out;
  for (CourseMode& m : all) {
    if (!include_expired && m.expiration_datetime.has_value() && *m.expiration_datetime < now) {
      continue;
    }
    if (only_selectable && IsCreditMode(m.slug)) continue;
    out.push_back(std::move(m));
  }
  if (out.empty()) out.push_back(DefaultCourseMode());
  return out;
}

}  // namespace

Status CourseModeStore::Upsert(storage::Executor& ex, std::string_view course_key,
                               CourseMode mode) {
  LARCH_RETURN_IF_ERROR(ValidateCourseMode(mode));
  std::transform(mode.currency.begin(), mode.currency.end(), mode.currency.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ex
      .Execute(
          kUpsertMode,
          {Text(std::string(course_key)), Text(mode.slug), Text(mode.name), Int(mode.min_price),
           Text(mode.currency), OptionalInt(mode.expiration_datetime),
           storage::Bool(mode.expiration_datetime_is_explicit), Text(mode.suggested_prices),
           OptionalText(mode.description), OptionalText(mode.sku), OptionalText(mode.android_sku),
           OptionalText(mode.ios_sku), OptionalText(mode.bulk_sku)})
      .status();
}

Status CourseModeStore::Delete(storage::Executor& ex, std::string_view course_key,
                               std::string_view slug) {
  return ex.Execute(kDeleteMode, {Text(std::string(course_key)), Text(std::string(slug))}).status();
}

StatusOr<std::vector<CourseMode>> CourseModeStore::AllModes(storage::Executor& ex,
                                                            std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectModes, {Text(std::string(course_key))}));
  std::vector<CourseMode> modes;
  modes.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) modes.push_back(ModeFromRow(row, 0));
  return modes;
}

StatusOr<std::vector<CourseMode>> CourseModeStore::ModesForCourse(storage::Executor& ex,
                                                                  std::string_view course_key,
                                                                  int64_t now, bool include_expired,
                                                                  bool only_selectable) {
  LARCH_ASSIGN_OR_RETURN(std::vector<CourseMode> all, AllModes(ex, course_key));
  return Unexpired(std::move(all), now, include_expired, only_selectable);
}

StatusOr<std::map<std::string, std::vector<CourseMode>, std::less<>>>
CourseModeStore::ModesForCourses(storage::Executor& ex, const std::vector<std::string>& course_keys,
                                 int64_t now) {
  std::map<std::string, std::vector<CourseMode>, std::less<>> stored;
  for (const std::string& key : course_keys) stored.try_emplace(key);
  std::vector<std::string> keys;
  keys.reserve(stored.size());
  for (const auto& [key, unused] : stored) keys.push_back(key);
  for (size_t begin = 0; begin < keys.size(); begin += kKeysPerStatement) {
    const size_t n = std::min(kKeysPerStatement, keys.size() - begin);
    std::string sql = kModesByKeys;
    std::vector<storage::SqlValue> params;
    params.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.push_back(Text(keys[begin + i]));
    }
    sql += ") ORDER BY id";
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"enrollment.course_modes_by_keys", sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) {
      auto it = stored.find(row.GetText(0));
      if (it != stored.end()) it->second.push_back(ModeFromRow(row, 1));
    }
  }
  for (auto& [key, modes] : stored) {
    modes = Unexpired(std::move(modes), now, /*include_expired=*/false, /*only_selectable=*/true);
  }
  return stored;
}

}  // namespace larch::enrollment
