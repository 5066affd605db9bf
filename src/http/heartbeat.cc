#include "larch/http/heartbeat.h"

#include <nlohmann/json.hpp>

namespace larch::http {

void RegisterHeartbeat(Router& router, std::vector<HealthCheck> checks) {
  router.Get("/heartbeat", [checks = std::move(checks)](Request&) {
    nlohmann::json body = nlohmann::json::object();
    bool healthy = true;
    for (const HealthCheck& check : checks) {
      Status status = check.check ? check.check() : InternalError("check has no function");
      // heartbeat/runchecks.py: {"status": <bool>, "message": "OK" or why}.
      healthy = healthy && status.ok();
      body[check.name] = {{"status", status.ok()},
                          {"message", status.ok() ? std::string("OK") : status.message()}};
    }
    return Response::Json(healthy ? 200 : 503, body);
  });
}

}  // namespace larch::http
