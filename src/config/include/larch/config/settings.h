// Settings: Larch's static configuration, in the spirit of Open edX's lms.yml.
//
// Sources, later ones winning: built-in defaults, the YAML file (top-level
// keys named as below, plus a FEATURES map of Open edX flag names), then
// environment variables LARCH_<KEY> (and LARCH_FEATURES__<FLAG> for a flag).
// DATABASE_URL without the prefix is honoured too, as twelve-factor hosts set
// it. Unknown keys, unknown flags and values of the wrong type are errors
// naming the key, so a typo fails at start instead of being ignored.
// Environment variables starting with LARCH_TEST_ belong to the test harness
// and are ignored.
//
// Runtime settings that operators change while the server runs (Open edX's
// ConfigurationModel rows) are not here: see domain/config_models.
//
// Thread safety: Settings is an immutable value after loading.
#ifndef LARCH_CONFIG_SETTINGS_H_
#define LARCH_CONFIG_SETTINGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"

namespace larch::config {

struct Settings {
  // Where the SQLite database, keys and uploads live. Set from --data-dir.
  std::string data_dir = "./var";
  std::string lms_base_url = "http://127.0.0.1:8000";
  std::string platform_name = "Larch";
  // WEB_ROOT: the built web app (index.html and assets/). Empty means
  // <folder of the larch binary>/../web/dist when it holds an index.html.
  std::string web_root;
  // BRAND_ROOT: the brand folder (logo.svg, favicon.ico, theme CSS) served
  // at /brand/. Empty means <web root>/brand.
  std::string brand_root;
  // ALLOWED_HOSTS (Django): host names this server answers for, used to build
  // absolute URLs from the request's Host and to check redirect targets. A
  // leading dot matches the domain and its subdomains; "*" matches any host.
  // Empty (the default) means the host of LMS_BASE_URL plus "localhost",
  // "127.0.0.1" and "[::1]".
  nlohmann::json allowed_hosts;
  // CSRF_TRUSTED_ORIGINS (Django 4.2): extra origins ("https://host[:port]",
  // "https://*.example.com") allowed to send cookie-authenticated writes.
  nlohmann::json csrf_trusted_origins;
  // TRUSTED_PROXIES: peer addresses (exact IPs) whose X-Forwarded-For,
  // X-Forwarded-Proto and X-Forwarded-Host headers are believed. Empty: none.
  nlohmann::json trusted_proxies;
  // Empty means sqlite:///<data_dir>/larch.db (made absolute).
  std::string database_url;
  // FILE_STORE: where uploaded files (course import archives) are kept until
  // a job reads them: "database" (blobs in the shared database, the
  // default) or "dir:/absolute/path" (a volume every node mounts). Course
  // assets are always blobs in the database (storage/file_store.h).
  std::string file_store = "database";
  // REDIS_URL: redis://[:password@]host[:port][/db]. When set, rate limits
  // are counters shared by every node, cache invalidations reach every
  // node, and events go to Redis Streams (docs/deployment.md). Empty: one
  // node keeps all of that in its process.
  std::string redis_url;
  // NODE_ID (or `larch serve --node-id`): this node's name in logs,
  // /heartbeat, job leases and `larch check`. Empty: host:pid.
  std::string node_id;
  std::string listen = "127.0.0.1:8000";
  // HTTP threads; 0 means one per core.
  int64_t workers = 0;
  // Threads running background jobs inside `larch serve`; 0 disables them
  // (then run `larch worker` processes).
  int64_t job_workers = 2;
  // How long a claimed job stays another process's before anyone may take it
  // over; renewed every third of it while the job runs. A process killed
  // mid-job delays that job (only) by up to this long.
  int64_t job_lease_seconds = 30;
  // CERTIFICATE_TEMPLATES_DIR: the operator's web certificate templates
  // (api/certificate_templates.h); empty: <data_dir>/certificate_templates.
  std::string certificate_templates_dir;
  std::string log_level = "info";     // trace|debug|info|warn|error
  std::string log_format = "text";    // text|json
  std::string access_log = "stdout";  // stdout|off|<file path>
  int64_t max_request_body_bytes = int64_t{10} * 1024 * 1024;
  // Body limit of the course import upload (POST /api/courses/v0/import/).
  int64_t course_import_max_bytes = int64_t{100} * 1024 * 1024;
  int64_t request_timeout_seconds = 30;
  int64_t keepalive_timeout_seconds = 75;
  // Open HTTP connections at once; 0 = min(10000, RLIMIT_NOFILE - 64).
  int64_t max_connections = 0;
  int64_t db_pool_size = 8;
  std::string smtp_url;  // smtp://host:port; empty logs mail instead of sending
  // The Python sandbox of capa problems (docs/sandbox.md): warm sandboxes
  // (0 = one per core) and each job's CPU, wall-clock and memory limits.
  int64_t sandbox_pool_size = 0;
  int64_t sandbox_cpu_seconds = 1;
  int64_t sandbox_wall_seconds = 3;
  int64_t sandbox_memory_mb = 256;
  std::string default_from_email = "no-reply@example.com";
  std::string secret_key;
  // EDX_API_KEY: the X-Edx-Api-Key value server-to-server callers of the
  // Enrollment API present; empty disables that access.
  std::string edx_api_key;
  // ENROLLMENT_THROTTLE_RATES: EnrollmentUserThrottle's DRF rates per scope,
  // {"user": "40/minute", "staff": "120/minute"}; null disables a scope.
  nlohmann::json enrollment_throttle_rates;
  // RETIREMENT_SERVICE_WORKER_USERNAME: the service user of the retirement
  // pipeline (may call POST /api/enrollment/v1/unenroll/).
  std::string retirement_service_worker_username = "RETIREMENT_SERVICE_USER";
  // Seconds ConfigurationModel values are cached (Open edX:
  // CONFIGURATION_MODEL_CACHE_TIMEOUT).
  int64_t configuration_model_cache_timeout = 600;
  // --- Accounts and authentication (Open edX names and defaults) ---
  // [{"NAME": "...Validator", "OPTIONS": {...}}, ...] (seed 000 section 4.23).
  nlohmann::json auth_password_validators;
  // null (anyone) or a list of regular expressions (seed 000 section 4.5).
  nlohmann::json registration_email_patterns_allowed;
  // The facets course discovery filters on and counts (a list of field
  // names, e.g. ["org", "modes", "language"]); null = edx-search's default.
  nlohmann::json course_discovery_filters;
  // field name -> "required" | "optional" | "hidden".
  nlohmann::json registration_extra_fields;
  // Operator-defined registration fields, stored per user (Larch's
  // replacement for REGISTRATION_EXTENSION_FORM): [{"name", "label",
  // "type": "text"|"select"|"checkbox", "required", "options", ...}].
  nlohmann::json registration_custom_fields;
  // JWT_AUTH: JWT_ISSUER, JWT_AUDIENCE, JWT_EXPIRATION, ... (see docs).
  nlohmann::json jwt_auth;
  int64_t oauth_expire_confidential_client_days = 365;
  int64_t oauth_expire_public_client_days = 30;
  std::string session_cookie_name = "sessionid";
  // Four weeks: Open edX's login sets the session expiry to 604800 * 4 and
  // the edxloggedin / edx-user-info cookies follow the session's age.
  int64_t session_cookie_age = int64_t{604'800} * 4;
  std::string session_cookie_domain;
  std::string csrf_cookie_name = "csrftoken";
  std::string shared_cookie_domain;
  std::string edxmktg_logged_in_cookie_name = "edxloggedin";
  std::string edxmktg_user_info_cookie_name = "edx-user-info";
  int64_t max_failed_login_attempts_allowed = 6;
  int64_t max_failed_login_attempts_lockout_period_secs = 1800;
  std::string logistration_ratelimit_rate = "100/5m";
  std::string registration_ratelimit = "60/7d";
  // Open edX's limits of POST /password_reset/: per client IP and per
  // requested address (django-ratelimit "N/period").
  std::string password_reset_ip_rate = "1/m";
  std::string password_reset_email_rate = "2/h";
  int64_t password_reset_timeout = 259'200;  // three days, Django's default

  // --- Site contacts and the micro-frontends (Open edX names and defaults) ---
  // DEFAULT_FEEDBACK_EMAIL, PAYMENT_SUPPORT_EMAIL: the learner dashboard's
  // support and billing addresses.
  std::string default_feedback_email = "feedback@example.com";
  std::string payment_support_email = "billing@example.com";
  // SUPPORT_SITE_LINK: the help centre; ACTIVATION_EMAIL_SUPPORT_LINK (falls
  // back to it): where a learner asks for a new activation mail.
  std::string support_site_link;
  std::string activation_email_support_link;
  // ECOMMERCE_PUBLIC_URL_ROOT: the ecommerce service; empty (the default)
  // offers no upgrades. Its basket page is <root>/basket/add/.
  std::string ecommerce_public_url_root;
  // SOCIAL_SHARING_SETTINGS: DASHBOARD_FACEBOOK, DASHBOARD_TWITTER (bools),
  // FACEBOOK_BRAND, TWITTER_BRAND, ... as upstream.
  nlohmann::json social_sharing_settings;
  // MFE_CONFIG: keys merged over the configuration Larch derives for the
  // micro-frontends (GET /api/mfe_config/v1); MFE_CONFIG_OVERRIDES: per
  // MFE name (APP_ID), keys merged over that for ?mfe=<name>.
  nlohmann::json mfe_config;
  nlohmann::json mfe_config_overrides;
  // MFE_CONFIG_API_CACHE_TIMEOUT: seconds the MFE config may be cached.
  int64_t mfe_config_api_cache_timeout = 300;

  // Every known Open edX feature flag with its value.
  std::map<std::string, bool, std::less<>> features;

  // REQUIRES: `flag` is one of KnownFeatureFlags().
  bool Feature(std::string_view flag) const;
};

// Flag names accepted under FEATURES, with their defaults.
const std::map<std::string, bool, std::less<>>& KnownFeatureFlags();

// Built-in defaults, with every known feature flag present.
Settings DefaultSettings();

// Applies YAML text (may be empty) and then an environment on top of
// `defaults`. Returns kInvalidArgument naming the offending key.
StatusOr<Settings> ParseSettings(std::string_view yaml_text,
                                 const std::map<std::string, std::string>& env,
                                 Settings defaults = DefaultSettings());

// Reads `config_path` when not empty (kNotFound when it does not exist),
// otherwise <data_dir>/larch.yml when present, and the process environment.
// data_dir from the command line is applied before the file, so the file and
// LARCH_DATA_DIR may still override it.
StatusOr<Settings> LoadSettings(const std::string& data_dir, const std::string& config_path);

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

// The names of every top-level key, for `larch check` and docs.
std::vector<std::string> SettingNames();

}  // namespace larch::config

#endif  // LARCH_CONFIG_SETTINGS_H_
