#include "larch/http/heartbeat.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace larch::http {
namespace {

TEST(HeartbeatTest, AllOk) {
  Router router;
  RegisterHeartbeat(router, {{"database", [] { return OkStatus(); }}});
  Request request("GET", "/heartbeat");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"database": {"status": "OK"}})"));
}

TEST(HeartbeatTest, FailingCheckGives503) {
  Router router;
  RegisterHeartbeat(router, {{"database", [] { return UnavailableError("connection refused"); }},
                             {"cache", [] { return OkStatus(); }}});
  Request request("GET", "/heartbeat");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 503);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["database"]["status"], "UNAVAILABLE");
  EXPECT_EQ(body["database"]["message"], "connection refused");
  EXPECT_EQ(body["cache"]["status"], "OK");
}

}  // namespace
}  // namespace larch::http
