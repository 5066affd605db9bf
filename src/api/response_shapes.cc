// The Open edX body shapes and absolute URLs shared by the route modules
// (see api_internal.h for which upstream views use which shape).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/common/clock.h"
#include "larch/http/hosts.h"

namespace larch::api::internal {
namespace {

std::vector<std::string> Strings(const nlohmann::json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const nlohmann::json& item : list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

http::Response DeveloperError(int status, std::string_view message) {
  return http::Response::Json(status, nlohmann::json{{"developer_message", message}});
}

http::Response FieldError(std::string_view field, std::string_view message) {
  nlohmann::json errors = nlohmann::json::object();
  errors[std::string(field)] = {{"developer_message", message}};
  return http::Response::Json(400, nlohmann::json{{"field_errors", std::move(errors)}});
}

std::string AbsoluteBaseUrl(const http::Request& request, const config::Settings& settings) {
  http::AbsoluteUrlPolicy policy;
  policy.fallback_base_url = settings.lms_base_url;
  while (!policy.fallback_base_url.empty() && policy.fallback_base_url.back() == '/') {
    policy.fallback_base_url.pop_back();
  }
  policy.allowed_hosts =
      http::EffectiveAllowedHosts(Strings(settings.allowed_hosts), policy.fallback_base_url);
  policy.trusted_proxies = Strings(settings.trusted_proxies);
  return http::RequestBaseUrl(request, policy);
}

nlohmann::json ApiDateTime(const nlohmann::json& stored) {
  if (!stored.is_string()) return stored;
  StatusOr<int64_t> micros = ParseIso8601(stored.get_ref<const std::string&>());
  if (!micros.ok()) return stored;
  return FormatIso8601(*micros);
}

}  // namespace larch::api::internal
