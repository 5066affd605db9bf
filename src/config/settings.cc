#include "larch/config/settings.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace larch::config {

namespace {

constexpr std::string_view kEnvPrefix = "LARCH_";
constexpr std::string_view kTestEnvPrefix = "LARCH_TEST_";
constexpr std::string_view kFeaturesEnvPrefix = "LARCH_FEATURES__";

enum class Type { kString, kInt, kBool };

struct Field {
  const char* name;
  Type type;
  std::string Settings::*string_member = nullptr;
  int64_t Settings::*int_member = nullptr;
  int64_t min = 0;
  int64_t max = INT64_MAX;
};

const std::vector<Field>& Fields() {
  static const auto* const kFields = new std::vector<Field>{
      {"DATA_DIR", Type::kString, &Settings::data_dir},
      {"LMS_BASE_URL", Type::kString, &Settings::lms_base_url},
      {"PLATFORM_NAME", Type::kString, &Settings::platform_name},
      {"DATABASE_URL", Type::kString, &Settings::database_url},
      {"LISTEN", Type::kString, &Settings::listen},
      {"WORKERS", Type::kInt, nullptr, &Settings::workers, 0, 1024},
      {"JOB_WORKERS", Type::kInt, nullptr, &Settings::job_workers, 0, 256},
      {"LOG_LEVEL", Type::kString, &Settings::log_level},
      {"LOG_FORMAT", Type::kString, &Settings::log_format},
      {"ACCESS_LOG", Type::kString, &Settings::access_log},
      {"MAX_REQUEST_BODY_BYTES", Type::kInt, nullptr, &Settings::max_request_body_bytes, 1024,
       int64_t{1} << 32},
      {"REQUEST_TIMEOUT_SECONDS", Type::kInt, nullptr, &Settings::request_timeout_seconds, 1, 3600},
      {"KEEPALIVE_TIMEOUT_SECONDS", Type::kInt, nullptr, &Settings::keepalive_timeout_seconds, 1,
       3600},
      {"DB_POOL_SIZE", Type::kInt, nullptr, &Settings::db_pool_size, 1, 512},
      {"SMTP_URL", Type::kString, &Settings::smtp_url},
      {"DEFAULT_FROM_EMAIL", Type::kString, &Settings::default_from_email},
      {"SECRET_KEY", Type::kString, &Settings::secret_key},
      {"CONFIGURATION_MODEL_CACHE_TIMEOUT", Type::kInt, nullptr,
       &Settings::configuration_model_cache_timeout, 0, 86400 * 365},
  };
  return *kFields;
}

const Field* FindField(std::string_view name) {
  for (const Field& f : Fields()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

StatusOr<int64_t> ParseInt(std::string_view key, std::string_view text, const Field& field) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return InvalidArgumentError("setting " + std::string(key) + " must be an integer, got '" +
                                std::string(text) + "'");
  }
  if (value < field.min || value > field.max) {
    return InvalidArgumentError("setting " + std::string(key) + " must be between " +
                                std::to_string(field.min) + " and " + std::to_string(field.max) +
                                ", got " + std::to_string(value));
  }
  return value;
}

StatusOr<bool> ParseBool(std::string_view key, std::string_view text) {
  // YAML 1.1 and Python's truthy spellings, which lms.yml files use.
  for (std::string_view t : {"true", "True", "TRUE", "yes", "Yes", "on", "On", "1"}) {
    if (text == t) return true;
  }
  for (std::string_view f : {"false", "False", "FALSE", "no", "No", "off", "Off", "0"}) {
    if (text == f) return false;
  }
  return InvalidArgumentError("setting " + std::string(key) + " must be true or false, got '" +
                              std::string(text) + "'");
}

Status ApplyString(Settings& s, const Field& field, std::string_view key,
                   const std::string& value) {
  if (field.type == Type::kString) {
    s.*field.string_member = value;
    return OkStatus();
  }
  LARCH_ASSIGN_OR_RETURN(int64_t v, ParseInt(key, value, field));
  s.*field.int_member = v;
  return OkStatus();
}

Status ApplyFeature(Settings& s, std::string_view flag, std::string_view key,
                    const std::string& value) {
  auto it = s.features.find(flag);
  if (it == s.features.end()) {
    return InvalidArgumentError("unknown feature flag " + std::string(key));
  }
  LARCH_ASSIGN_OR_RETURN(it->second, ParseBool(key, value));
  return OkStatus();
}

Status ApplyYaml(Settings& s, std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("configuration is not valid YAML: " + std::string(e.what()));
  }
  if (!root || root.IsNull()) return OkStatus();
  if (!root.IsMap()) return InvalidArgumentError("configuration must be a YAML mapping");
  try {
    for (const auto& entry : root) {
      if (!entry.first.IsScalar()) return InvalidArgumentError("configuration keys must be text");
      const std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "FEATURES") {
        if (value.IsNull()) continue;
        if (!value.IsMap()) return InvalidArgumentError("setting FEATURES must be a mapping");
        for (const auto& flag : value) {
          const std::string name = flag.first.IsScalar() ? flag.first.Scalar() : "";
          if (!flag.second.IsScalar()) {
            return InvalidArgumentError("setting FEATURES." + name + " must be true or false");
          }
          LARCH_RETURN_IF_ERROR(ApplyFeature(s, name, "FEATURES." + name, flag.second.Scalar()));
        }
        continue;
      }
      const Field* field = FindField(key);
      if (field == nullptr) return InvalidArgumentError("unknown setting " + key);
      if (value.IsNull()) continue;
      if (!value.IsScalar()) {
        return InvalidArgumentError("setting " + key + " must be a single value");
      }
      LARCH_RETURN_IF_ERROR(ApplyString(s, *field, key, value.Scalar()));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("configuration could not be read: " + std::string(e.what()));
  }
  return OkStatus();
}

Status ApplyEnvironment(Settings& s, const std::map<std::string, std::string>& env) {
  if (auto it = env.find("DATABASE_URL"); it != env.end() && !it->second.empty()) {
    s.database_url = it->second;
  }
  for (const auto& [name, value] : env) {
    std::string_view n = name;
    if (n.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    if (n.substr(0, kTestEnvPrefix.size()) == kTestEnvPrefix) continue;
    if (n.substr(0, kFeaturesEnvPrefix.size()) == kFeaturesEnvPrefix) {
      LARCH_RETURN_IF_ERROR(ApplyFeature(s, n.substr(kFeaturesEnvPrefix.size()), n, value));
      continue;
    }
    std::string_view key = n.substr(kEnvPrefix.size());
    const Field* field = FindField(key);
    if (field == nullptr) {
      return InvalidArgumentError("unknown setting in environment variable " + name);
    }
    LARCH_RETURN_IF_ERROR(ApplyString(s, *field, name, value));
  }
  return OkStatus();
}

Status Validate(Settings& s) {
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), s.log_level) == std::end(kLevels)) {
    return InvalidArgumentError("setting LOG_LEVEL must be one of trace, debug, info, warn, error");
  }
  if (s.log_format != "json" && s.log_format != "text") {
    return InvalidArgumentError("setting LOG_FORMAT must be json or text");
  }
  if (s.listen.rfind(':') == std::string::npos) {
    return InvalidArgumentError("setting LISTEN must be HOST:PORT, got '" + s.listen + "'");
  }
  if (s.data_dir.empty()) return InvalidArgumentError("setting DATA_DIR must not be empty");
  if (s.database_url.empty()) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(s.data_dir, ec);
    if (ec) return InvalidArgumentError("setting DATA_DIR is not a usable path: " + s.data_dir);
    s.database_url = "sqlite://" + (abs.lexically_normal() / "larch.db").string();
  }
  return OkStatus();
}

}  // namespace

bool Settings::Feature(std::string_view flag) const {
  auto it = features.find(flag);
  return it != features.end() && it->second;
}

const std::map<std::string, bool, std::less<>>& KnownFeatureFlags() {
  // Open edX names and defaults (lms/envs/common.py) for the flags Larch
  // reads or will read.
  static const auto* const kFlags = new std::map<std::string, bool, std::less<>>{
      {"ALLOW_PUBLIC_ACCOUNT_CREATION", true},
      {"AUTOMATIC_AUTH_FOR_TESTING", false},
      {"CERTIFICATES_HTML_VIEW", false},
      {"CUSTOM_COURSE_URLS", false},
      {"DISABLE_HONOR_CERTIFICATES", false},
      {"DISABLE_START_DATES", false},
      {"ENABLE_ACCOUNT_DELETION", true},
      {"ENABLE_BULK_ENROLLMENT_VIEW", false},
      {"ENABLE_CERTIFICATES_IDV_REQUIREMENT", false},
      {"ENABLE_COMBINED_LOGIN_REGISTRATION", true},
      {"ENABLE_COMPREHENSIVE_THEMING", false},
      {"ENABLE_CORS_HEADERS", false},
      {"ENABLE_COURSE_DISCOVERY", false},
      {"ENABLE_COURSEWARE_SEARCH", false},
      {"ENABLE_DASHBOARD_SEARCH", false},
      {"ENABLE_ENTERPRISE_INTEGRATION", false},
      {"ENABLE_LTI_PROVIDER", false},
      {"ENABLE_MKTG_SITE", false},
      {"ENABLE_MOBILE_REST_API", false},
      {"ENABLE_OPENBADGES", false},
      {"ENABLE_OTHER_COURSE_SETTINGS", false},
      {"ENABLE_PAID_COURSE_REGISTRATION", false},
      {"ENABLE_PREREQUISITE_COURSES", false},
      {"ENABLE_SPECIAL_EXAMS", false},
      {"ENABLE_THIRD_PARTY_AUTH", false},
      {"ENTRANCE_EXAMS", false},
      {"LICENSING", false},
      {"MILESTONES_APP", false},
      {"SKIP_EMAIL_VALIDATION", false},
  };
  return *kFlags;
}

Settings DefaultSettings() {
  Settings s;
  s.features = KnownFeatureFlags();
  return s;
}

StatusOr<Settings> ParseSettings(std::string_view yaml_text,
                                 const std::map<std::string, std::string>& env, Settings defaults) {
  Settings s = std::move(defaults);
  if (s.features.empty()) s.features = KnownFeatureFlags();
  LARCH_RETURN_IF_ERROR(ApplyYaml(s, yaml_text));
  LARCH_RETURN_IF_ERROR(ApplyEnvironment(s, env));
  LARCH_RETURN_IF_ERROR(Validate(s));
  return s;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

StatusOr<Settings> LoadSettings(const std::string& data_dir, const std::string& config_path) {
  std::string path = config_path;
  if (path.empty()) {
    std::filesystem::path candidate = std::filesystem::path(data_dir) / "larch.yml";
    std::error_code ec;
    if (std::filesystem::exists(candidate, ec)) path = candidate.string();
  }
  std::string text;
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFoundError("cannot read configuration file " + path);
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  // --data-dir is a default that the file and the environment may override.
  Settings defaults = DefaultSettings();
  defaults.data_dir = data_dir;
  StatusOr<Settings> parsed = ParseSettings(text, ProcessEnvironment(), std::move(defaults));
  if (!parsed.ok() && !path.empty()) {
    return Status(parsed.status().code(), path + ": " + parsed.status().message());
  }
  return parsed;
}

std::vector<std::string> SettingNames() {
  std::vector<std::string> names;
  for (const Field& f : Fields()) names.emplace_back(f.name);
  names.emplace_back("FEATURES");
  return names;
}

}  // namespace larch::config
