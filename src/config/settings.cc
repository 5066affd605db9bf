#include "larch/config/settings.h"

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "larch/common/json.h"

extern char** environ;

namespace larch::config {

namespace {

constexpr std::string_view kEnvPrefix = "LARCH_";
constexpr std::string_view kTestEnvPrefix = "LARCH_TEST_";
constexpr std::string_view kFeaturesEnvPrefix = "LARCH_FEATURES__";

enum class Type { kString, kInt, kBool, kList, kMap, kListOrNull };

struct Field {
  const char* name;
  Type type;
  std::string Settings::*string_member = nullptr;
  int64_t Settings::*int_member = nullptr;
  int64_t min = 0;
  int64_t max = INT64_MAX;
  nlohmann::json Settings::*json_member = nullptr;
};

Field JsonField(const char* name, Type type, nlohmann::json Settings::*member) {
  Field f{name, type};
  f.json_member = member;
  return f;
}

const std::vector<Field>& Fields() {
  static const auto* const kFields = new std::vector<Field>{
      {"DATA_DIR", Type::kString, &Settings::data_dir},
      {"LMS_BASE_URL", Type::kString, &Settings::lms_base_url},
      {"PLATFORM_NAME", Type::kString, &Settings::platform_name},
      {"WEB_ROOT", Type::kString, &Settings::web_root},
      {"BRAND_ROOT", Type::kString, &Settings::brand_root},
      JsonField("ALLOWED_HOSTS", Type::kList, &Settings::allowed_hosts),
      JsonField("CSRF_TRUSTED_ORIGINS", Type::kList, &Settings::csrf_trusted_origins),
      JsonField("TRUSTED_PROXIES", Type::kList, &Settings::trusted_proxies),
      {"DATABASE_URL", Type::kString, &Settings::database_url},
      {"FILE_STORE", Type::kString, &Settings::file_store},
      {"REDIS_URL", Type::kString, &Settings::redis_url},
      {"NODE_ID", Type::kString, &Settings::node_id},
      {"LISTEN", Type::kString, &Settings::listen},
      {"WORKERS", Type::kInt, nullptr, &Settings::workers, 0, 1024},
      {"JOB_WORKERS", Type::kInt, nullptr, &Settings::job_workers, 0, 256},
      {"JOB_LEASE_SECONDS", Type::kInt, nullptr, &Settings::job_lease_seconds, 2, 3600},
      {"CERTIFICATE_TEMPLATES_DIR", Type::kString, &Settings::certificate_templates_dir},
      {"LOG_LEVEL", Type::kString, &Settings::log_level},
      {"LOG_FORMAT", Type::kString, &Settings::log_format},
      {"ACCESS_LOG", Type::kString, &Settings::access_log},
      {"MAX_REQUEST_BODY_BYTES", Type::kInt, nullptr, &Settings::max_request_body_bytes, 1024,
       int64_t{1} << 32},
      {"COURSE_IMPORT_MAX_BYTES", Type::kInt, nullptr, &Settings::course_import_max_bytes, 1024,
       int64_t{1} << 34},
      {"REQUEST_TIMEOUT_SECONDS", Type::kInt, nullptr, &Settings::request_timeout_seconds, 1, 3600},
      {"KEEPALIVE_TIMEOUT_SECONDS", Type::kInt, nullptr, &Settings::keepalive_timeout_seconds, 1,
       3600},
      {"MAX_CONNECTIONS", Type::kInt, nullptr, &Settings::max_connections, 0, 1'000'000},
      {"DB_POOL_SIZE", Type::kInt, nullptr, &Settings::db_pool_size, 1, 512},
      {"SMTP_URL", Type::kString, &Settings::smtp_url},
      {"SANDBOX_POOL_SIZE", Type::kInt, nullptr, &Settings::sandbox_pool_size, 0, 256},
      {"SANDBOX_CPU_SECONDS", Type::kInt, nullptr, &Settings::sandbox_cpu_seconds, 1, 600},
      {"SANDBOX_WALL_SECONDS", Type::kInt, nullptr, &Settings::sandbox_wall_seconds, 1, 3600},
      {"SANDBOX_MEMORY_MB", Type::kInt, nullptr, &Settings::sandbox_memory_mb, 32, 65536},
      {"DEFAULT_FROM_EMAIL", Type::kString, &Settings::default_from_email},
      {"SECRET_KEY", Type::kString, &Settings::secret_key},
      {"EDX_API_KEY", Type::kString, &Settings::edx_api_key},
      JsonField("ENROLLMENT_THROTTLE_RATES", Type::kMap, &Settings::enrollment_throttle_rates),
      {"RETIREMENT_SERVICE_WORKER_USERNAME", Type::kString,
       &Settings::retirement_service_worker_username},
      {"CONFIGURATION_MODEL_CACHE_TIMEOUT", Type::kInt, nullptr,
       &Settings::configuration_model_cache_timeout, 0, int64_t{86400} * 365},
      JsonField("AUTH_PASSWORD_VALIDATORS", Type::kList, &Settings::auth_password_validators),
      JsonField("REGISTRATION_EMAIL_PATTERNS_ALLOWED", Type::kListOrNull,
                &Settings::registration_email_patterns_allowed),
      JsonField("COURSE_DISCOVERY_FILTERS", Type::kListOrNull, &Settings::course_discovery_filters),
      JsonField("REGISTRATION_EXTRA_FIELDS", Type::kMap, &Settings::registration_extra_fields),
      JsonField("REGISTRATION_CUSTOM_FIELDS", Type::kList, &Settings::registration_custom_fields),
      JsonField("JWT_AUTH", Type::kMap, &Settings::jwt_auth),
      {"OAUTH_EXPIRE_CONFIDENTIAL_CLIENT_DAYS", Type::kInt, nullptr,
       &Settings::oauth_expire_confidential_client_days, 1, 36500},
      {"OAUTH_EXPIRE_PUBLIC_CLIENT_DAYS", Type::kInt, nullptr,
       &Settings::oauth_expire_public_client_days, 1, 36500},
      {"SESSION_COOKIE_NAME", Type::kString, &Settings::session_cookie_name},
      {"SESSION_COOKIE_AGE", Type::kInt, nullptr, &Settings::session_cookie_age, 60,
       int64_t{86400} * 3650},
      {"SESSION_COOKIE_DOMAIN", Type::kString, &Settings::session_cookie_domain},
      {"CSRF_COOKIE_NAME", Type::kString, &Settings::csrf_cookie_name},
      {"SHARED_COOKIE_DOMAIN", Type::kString, &Settings::shared_cookie_domain},
      {"EDXMKTG_LOGGED_IN_COOKIE_NAME", Type::kString, &Settings::edxmktg_logged_in_cookie_name},
      {"EDXMKTG_USER_INFO_COOKIE_NAME", Type::kString, &Settings::edxmktg_user_info_cookie_name},
      {"MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED", Type::kInt, nullptr,
       &Settings::max_failed_login_attempts_allowed, 1, 1000},
      {"MAX_FAILED_LOGIN_ATTEMPTS_LOCKOUT_PERIOD_SECS", Type::kInt, nullptr,
       &Settings::max_failed_login_attempts_lockout_period_secs, 1, int64_t{86400} * 365},
      {"LOGISTRATION_RATELIMIT_RATE", Type::kString, &Settings::logistration_ratelimit_rate},
      {"REGISTRATION_RATELIMIT", Type::kString, &Settings::registration_ratelimit},
      {"PASSWORD_RESET_IP_RATE", Type::kString, &Settings::password_reset_ip_rate},
      {"PASSWORD_RESET_EMAIL_RATE", Type::kString, &Settings::password_reset_email_rate},
      {"PASSWORD_RESET_TIMEOUT", Type::kInt, nullptr, &Settings::password_reset_timeout, 60,
       int64_t{86400} * 365},
      {"DEFAULT_FEEDBACK_EMAIL", Type::kString, &Settings::default_feedback_email},
      {"PAYMENT_SUPPORT_EMAIL", Type::kString, &Settings::payment_support_email},
      {"SUPPORT_SITE_LINK", Type::kString, &Settings::support_site_link},
      {"ACTIVATION_EMAIL_SUPPORT_LINK", Type::kString, &Settings::activation_email_support_link},
      {"ECOMMERCE_PUBLIC_URL_ROOT", Type::kString, &Settings::ecommerce_public_url_root},
      JsonField("SOCIAL_SHARING_SETTINGS", Type::kMap, &Settings::social_sharing_settings),
      JsonField("MFE_CONFIG", Type::kMap, &Settings::mfe_config),
      JsonField("MFE_CONFIG_OVERRIDES", Type::kMap, &Settings::mfe_config_overrides),
      {"MFE_CONFIG_API_CACHE_TIMEOUT", Type::kInt, nullptr, &Settings::mfe_config_api_cache_timeout,
       0, int64_t{86400} * 365},
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

// Plain YAML scalars become booleans, numbers and null the way YAML 1.1
// reads them; quoted scalars stay strings.
nlohmann::json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : node) out[item.first.Scalar()] = YamlToJson(item.second);
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text == "null" || text == "Null" || text == "NULL" || text == "~") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  int64_t i = 0;
  auto [iptr, iec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (iec == std::errc() && iptr == text.data() + text.size() && !text.empty()) return i;
  double d = 0;
  auto [dptr, dec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (dec == std::errc() && dptr == text.data() + text.size() && !text.empty()) return d;
  return text;
}

Status ApplyJson(Settings& s, const Field& field, std::string_view key, nlohmann::json value) {
  bool ok = (field.type == Type::kList && value.is_array()) ||
            (field.type == Type::kMap && value.is_object()) ||
            (field.type == Type::kListOrNull && (value.is_array() || value.is_null()));
  if (!ok) {
    const char* want = field.type == Type::kMap    ? "a mapping"
                       : field.type == Type::kList ? "a list"
                                                   : "a list or null";
    return InvalidArgumentError("setting " + std::string(key) + " must be " + want);
  }
  s.*field.json_member = std::move(value);
  return OkStatus();
}

bool IsJsonType(Type type) {
  return type == Type::kList || type == Type::kMap || type == Type::kListOrNull;
}

Status ApplyString(Settings& s, const Field& field, std::string_view key,
                   const std::string& value) {
  if (IsJsonType(field.type)) {
    // In the environment, structured settings are written as JSON.
    StatusOr<nlohmann::json> parsed = ParseJson(value);
    if (!parsed.ok()) {
      return InvalidArgumentError("setting " + std::string(key) +
                                  " must be JSON text, nested at most " +
                                  std::to_string(kMaxJsonDepth) + " levels");
    }
    return ApplyJson(s, field, key, *std::move(parsed));
  }
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

// yaml-cpp parses and our YamlToJson walks recursively, one stack frame
// chain per nesting level, so a hostile file could overflow the stack. Before
// parsing, this bounds flow nesting ('[', '{' outside quotes and comments) and
// block nesting (indentation plus "- "/"? " indicators that open a nested
// node on the same line), each at kMaxYamlDepth.
constexpr size_t kMaxYamlDepth = 200;

bool YamlNestingWithin(std::string_view text, size_t max_depth) {
  size_t flow = 0;
  char quote = 0;
  bool line_start = true;
  size_t indent = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\n') {
      line_start = true;
      indent = 0;
      continue;
    }
    if (line_start) {
      bool indicator = (c == '-' || c == '?') && i + 1 < text.size() && text[i + 1] == ' ';
      if (c == ' ' || indicator) {
        indent += indicator ? 2 : 1;
        if (indicator) ++i;
        if (indent > max_depth) return false;
        continue;
      }
      line_start = false;
    }
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++flow > max_depth) return false;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    }
  }
  return true;
}

Status ApplyYaml(Settings& s, std::string_view yaml_text) {
  if (!YamlNestingWithin(yaml_text, kMaxYamlDepth)) {
    return InvalidArgumentError("configuration is nested deeper than " +
                                std::to_string(kMaxYamlDepth) + " levels");
  }
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
      if (IsJsonType(field->type)) {
        LARCH_RETURN_IF_ERROR(ApplyJson(s, *field, key, YamlToJson(value)));
        continue;
      }
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
  if (s.file_store != "database" && !s.file_store.starts_with("dir:/")) {
    return InvalidArgumentError("setting FILE_STORE must be database or dir:/absolute/path");
  }
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
      {"ENABLE_COURSEWARE_SEARCH_VERIFIED_ENROLLMENT_REQUIRED", false},
      {"ENABLE_DASHBOARD_SEARCH", false},
      {"ENABLE_ENTERPRISE_INTEGRATION", false},
      {"ENABLE_LTI_PROVIDER", false},
      {"ENABLE_MAX_FAILED_LOGIN_ATTEMPTS", true},
      {"ENABLE_MKTG_SITE", false},
      {"ENABLE_MOBILE_REST_API", false},
      {"ENABLE_OPENBADGES", false},
      {"ENABLE_OTHER_COURSE_SETTINGS", false},
      {"ENABLE_PAID_COURSE_REGISTRATION", false},
      {"ENABLE_PREREQUISITE_COURSES", false},
      {"ENABLE_SPECIAL_EXAMS", false},
      {"ENABLE_THIRD_PARTY_AUTH", false},
      {"ENTRANCE_EXAMS", false},
      {"FALLBACK_TO_ENGLISH_TRANSCRIPTS", true},
      {"LICENSING", false},
      {"MILESTONES_APP", false},
      {"SKIP_EMAIL_VALIDATION", false},
  };
  return *kFlags;
}

Settings DefaultSettings() {
  Settings s;
  s.features = KnownFeatureFlags();
  // Open edX's defaults (lms/envs/common.py, seed 000 section 4.23).
  s.auth_password_validators = nlohmann::json::parse(R"([
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "common.djangoapps.util.password_policy_validators.MinimumLengthValidator",
     "OPTIONS": {"min_length": 2}},
    {"NAME": "common.djangoapps.util.password_policy_validators.MaximumLengthValidator",
     "OPTIONS": {"max_length": 75}}
  ])");
  s.registration_email_patterns_allowed = nullptr;
  s.allowed_hosts = nlohmann::json::array();
  s.csrf_trusted_origins = nlohmann::json::array();
  s.trusted_proxies = nlohmann::json::array();
  s.course_discovery_filters = nullptr;
  s.registration_extra_fields = nlohmann::json::parse(R"({
    "confirm_email": "hidden", "level_of_education": "optional", "gender": "optional",
    "year_of_birth": "optional", "mailing_address": "optional", "goals": "optional",
    "honor_code": "required", "terms_of_service": "hidden", "city": "hidden",
    "country": "hidden"
  })");
  s.registration_custom_fields = nlohmann::json::array();
  s.jwt_auth = nlohmann::json::object();
  s.enrollment_throttle_rates = nlohmann::json{{"user", "40/minute"}, {"staff", "120/minute"}};
  s.social_sharing_settings = nlohmann::json{{"CUSTOM_COURSE_URLS", false},
                                             {"DASHBOARD_FACEBOOK", false},
                                             {"CERTIFICATE_FACEBOOK", false},
                                             {"CERTIFICATE_TWITTER", false},
                                             {"DASHBOARD_TWITTER", false}};
  s.mfe_config = nlohmann::json::object();
  s.mfe_config_overrides = nlohmann::json::object();
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
