#include "larch/http/heartbeat.h"

#include <nlohmann/json.hpp>

namespace larch::http {

void RegisterHeartbeat(Router& router, std::vector<HealthCheck> checks) {
  router.Get("/heartbeat", [checks = std::move(checks)](Request&) {
    nlohmann::json body = nlohmann::json::object();
    bool healthy = true;
    for (const HealthCheck& check : checks) {
      Status status = check.check ? check.check() : InternalError("check has no function");
      if (status.ok()) {
        body[check.name] = {{"status", "OK"}};
      } else {
        healthy = false;
        body[check.name] = {{"status", "UNAVAILABLE"}, {"message", status.message()}};
      }
    }
    return Response::Json(healthy ? 200 : 503, body);
  });
}

}  // namespace larch::http
