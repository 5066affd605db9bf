// Router dispatch and request parsing: the per-request work of the HTTP
// layer before any handler runs.
#include <benchmark/benchmark.h>

#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"

namespace {

larch::http::Router& BenchRouter() {
  static larch::http::Router* const kRouter = [] {
    auto* router = new larch::http::Router();
    auto ok = [](larch::http::Request&) { return larch::http::Response::Text(200, "ok"); };
    router->Get("/heartbeat", ok);
    router->Get("/api/user/v1/me", ok);
    router->Get("/api/user/v1/accounts/{username}", ok);
    router->Get("/api/courses/v1/courses/{course_key}/", ok);
    router->Get("/api/courses/v2/blocks/", ok);
    router->Get("/api/enrollment/v1/enrollment/{username},{course_id:course_key}", ok);
    router->Get("/asset-v1:{asset:path}", ok);
    return router;
  }();
  return *kRouter;
}

void BM_RouterDispatchStatic(benchmark::State& state) {
  for (auto _ : state) {
    larch::http::Request request("GET", "/heartbeat");
    benchmark::DoNotOptimize(BenchRouter().Dispatch(request));
  }
}
BENCHMARK(BM_RouterDispatchStatic);

void BM_RouterDispatchCourseKey(benchmark::State& state) {
  for (auto _ : state) {
    larch::http::Request request(
        "GET", "/api/enrollment/v1/enrollment/learner,course-v1:edX+DemoX+Demo_Course");
    benchmark::DoNotOptimize(BenchRouter().Dispatch(request));
  }
}
BENCHMARK(BM_RouterDispatchCourseKey);

void BM_RouterNotFound(benchmark::State& state) {
  for (auto _ : state) {
    larch::http::Request request("GET", "/no/such/route/at/all");
    benchmark::DoNotOptimize(BenchRouter().Dispatch(request));
  }
}
BENCHMARK(BM_RouterNotFound);

void BM_QueryParsing(benchmark::State& state) {
  for (auto _ : state) {
    larch::http::Request request(
        "GET",
        "/api/courses/v2/blocks/?course_id=course-v1%3AedX%2BDemoX%2BDemo_Course&depth=all"
        "&requested_fields=children,graded,format&block_counts=video");
    benchmark::DoNotOptimize(request.Query("requested_fields"));
  }
}
BENCHMARK(BM_QueryParsing);

}  // namespace
