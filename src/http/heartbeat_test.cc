#include "larch/http/heartbeat.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace larch::http {
namespace {

TEST(HeartbeatTest, AllOk) {
  Router router;
  RegisterHeartbeat(router, {{"sql", [] { return OkStatus(); }}});
  Request request("GET", "/heartbeat");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"sql": {"status": true, "message": "OK"}})"));
}

TEST(HeartbeatTest, FailingCheckGives503) {
  Router router;
  RegisterHeartbeat(router, {{"sql", [] { return UnavailableError("connection refused"); }},
                             {"modulestore", [] { return OkStatus(); }}});
  Request request("GET", "/heartbeat");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 503);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["sql"]["status"], false);
  EXPECT_EQ(body["sql"]["message"], "connection refused");
  EXPECT_EQ(body["modulestore"]["status"], true);
  EXPECT_EQ(body["modulestore"]["message"], "OK");
}

}  // namespace
}  // namespace larch::http
