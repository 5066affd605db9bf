// GET /api/mfe_config/v1 (lms/djangoapps/mfe_config_api): the settings the
// micro-frontends read at start-up, public and cacheable.
#include <ctime>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/api/learner_home_routes.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

std::string TrimmedBase(const config::Settings& settings) {
  std::string base = settings.lms_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// What Larch knows about its own site, in the keys frontend-platform's
// ensureConfig and the MFEs read (Tutor's MFE_CONFIG names).
json DerivedConfig(const config::Settings& settings) {
  const std::string base = TrimmedBase(settings);
  return json{
      {"SITE_NAME", settings.platform_name},
      {"BASE_URL", base},
      {"LMS_BASE_URL", base},
      {"MARKETING_SITE_BASE_URL", base},
      {"LOGIN_URL", base + "/login"},
      {"LOGOUT_URL", base + "/logout"},
      {"REFRESH_ACCESS_TOKEN_ENDPOINT", base + "/login_refresh"},
      {"CSRF_TOKEN_API_PATH", "/csrf/api/v1/token"},
      {"ACCESS_TOKEN_COOKIE_NAME", "edx-jwt-cookie-header-payload"},
      {"USER_INFO_COOKIE_NAME", settings.edxmktg_user_info_cookie_name},
      {"LANGUAGE_PREFERENCE_COOKIE_NAME", "openedx-language-preference"},
      {"LOGO_URL", "/brand/logo.svg"},
      {"LOGO_WHITE_URL", "/brand/logo-white.svg"},
      {"LOGO_TRADEMARK_URL", "/brand/logo-trademark.svg"},
      {"FAVICON_URL", "/brand/favicon.ico"},
      {"SUPPORT_EMAIL", settings.default_feedback_email},
      {"SUPPORT_URL", settings.support_site_link},
      {"CONTACT_URL", settings.support_site_link},
      {"PASSWORD_RESET_SUPPORT_LINK", settings.support_site_link},
      {"STUDIO_BASE_URL", ""},
      {"ECOMMERCE_BASE_URL", settings.ecommerce_public_url_root},
      {"ENABLE_NOTICES", false},
      // The web app bundles Paragon's own CSS; the brand folder only
      // overrides it (frontend-platform's brandOverride).
      {"PARAGON_THEME_URLS",
       {{"core", {{"urls", {{"brandOverride", "/brand/paragon/core.css"}}}}},
        {"defaults", {{"light", "light"}}},
        {"variants", {{"light", {{"urls", {{"brandOverride", "/brand/paragon/light.css"}}}}}}}}}};
}

// RFC 7231 IMF-fixdate of a Unix time in seconds.
std::string HttpDate(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm_value {};
  gmtime_r(&t, &tm_value);
  char buffer[64];
  size_t n = strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm_value);
  return std::string(buffer, n);
}

}  // namespace

json MfeConfig(const config::Settings& settings, std::string_view mfe) {
  json config = DerivedConfig(settings);
  if (settings.mfe_config.is_object()) config.update(settings.mfe_config);
  if (!mfe.empty() && settings.mfe_config_overrides.is_object()) {
    auto it = settings.mfe_config_overrides.find(std::string(mfe));
    if (it != settings.mfe_config_overrides.end() && it->is_object()) config.update(*it);
  }
  return config;
}

void RegisterMfeConfigRoutes(http::Router& router, const config::Settings& settings,
                             const Clock& clock) {
  // Built per request: a handful of keys, and settings never change while
  // serving, so the reply is the same for the cache lifetime anyway.
  router.Get("/api/mfe_config/v1/", [&settings, &clock](Request& request) {
    Response response = Response::Json(200, MfeConfig(settings, request.Query("mfe").value_or("")));
    // cache_page(MFE_CONFIG_API_CACHE_TIMEOUT): Expires and max-age.
    const int64_t timeout = settings.mfe_config_api_cache_timeout;
    response.SetHeader("Cache-Control", "max-age=" + std::to_string(timeout));
    response.SetHeader("Expires", HttpDate(clock.NowMicros() / 1'000'000 + timeout));
    return response;
  });
}

}  // namespace larch::api
