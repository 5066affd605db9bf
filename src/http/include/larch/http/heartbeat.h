// Heartbeat: the Open edX style GET /heartbeat health endpoint. The app
// passes its checks (e.g. {"sql", [&db] { return db.Ping(); }}), so the
// HTTP layer stays independent of storage.
//
// Thread safety: checks are called concurrently from io threads and must be
// thread-safe themselves.
#ifndef LARCH_HTTP_HEARTBEAT_H_
#define LARCH_HTTP_HEARTBEAT_H_

#include <functional>
#include <string>
#include <vector>

#include "larch/common/status.h"
#include "larch/http/router.h"

namespace larch::http {

struct HealthCheck {
  std::string name;
  std::function<Status()> check;
};

// GET /heartbeat: 200 {"<name>": {"status": true, "message": "OK"}, ...}
// when every check passes, otherwise 503 with failing checks as
// {"status": false, "message": "<status message>"} (Open edX's shape).
void RegisterHeartbeat(Router& router, std::vector<HealthCheck> checks);

}  // namespace larch::http

#endif  // LARCH_HTTP_HEARTBEAT_H_
