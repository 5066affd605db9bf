#include "larch/http/router.h"

#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace larch::http {
namespace {

Handler Echo(std::string tag) {
  return [tag](Request& request) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : request.path_params()) params[name] = value;
    return Response::Json(200, {{"route", tag}, {"params", params}});
  };
}

nlohmann::json Call(const Router& router, std::string method, std::string target,
                    int expected_status = 200) {
  Request request(std::move(method), std::move(target));
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, expected_status) << request.target() << " " << response.body;
  if (response.body.empty()) return nullptr;
  return nlohmann::json::parse(response.body);
}

TEST(RouterTest, RoutesListsEveryMethodAndPattern) {
  Router router;
  router.Post("/b/", Echo("b"));
  router.Get("/a/{id}", Echo("a"));
  router.Patch("/b/", Echo("b2"));
  std::vector<Router::RouteInfo> routes = router.Routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method, "PATCH");
  EXPECT_EQ(routes[0].pattern, "/b/");
  EXPECT_EQ(routes[1].method, "POST");
  EXPECT_EQ(routes[2].method, "GET");
  EXPECT_EQ(routes[2].pattern, "/a/{id}");
}

TEST(RouterTest, HeaderCheckRunsFiltersThenTheRouteCheck) {
  Router router;
  router.Post("/upload/{id}/", Echo("upload"));
  router.Post("/other/", Echo("other"));
  router.AddFilter([](Request& request) -> std::optional<Response> {
    if (request.Header("x-bad").has_value()) return Response::Text(401, "filter");
    return std::nullopt;
  });
  router.SetHeaderCheck("POST", "/upload/{id}/", [](Request& request) -> std::optional<Response> {
    if (request.PathParam("id") != "ok") return Response::Text(403, "check");
    return std::nullopt;
  });
  Request refused("POST", "/upload/no");  // without the trailing slash
  std::optional<Response> answer = router.CheckHeaders(refused);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 403);
  Request allowed("POST", "/upload/ok/");
  EXPECT_FALSE(router.CheckHeaders(allowed).has_value());
  Request filtered("POST", "/upload/ok/");
  filtered.AddHeader("X-Bad", "1");
  ASSERT_TRUE(router.CheckHeaders(filtered).has_value());
  EXPECT_EQ(router.CheckHeaders(filtered)->status, 401);
  // Routes without a check (and unknown paths) are not touched.
  Request other("POST", "/other/");
  other.AddHeader("X-Bad", "1");
  EXPECT_FALSE(router.CheckHeaders(other).has_value());
  Request unknown("POST", "/nowhere/");
  EXPECT_FALSE(router.CheckHeaders(unknown).has_value());
}

TEST(RouterTest, MatchesCourseKeysWithSpecialCharacters) {
  Router router;
  router.Get("/api/courses/v1/courses/{course_key}/", Echo("course"));
  nlohmann::json out =
      Call(router, "GET", "/api/courses/v1/courses/course-v1:edX+DemoX+Demo_2024/");
  EXPECT_EQ(out["route"], "course");
  EXPECT_EQ(out["params"]["course_key"], "course-v1:edX+DemoX+Demo_2024");
  out = Call(router, "GET", "/api/courses/v1/courses/block-v1:a+b+type@html+block@x.y~z/");
  EXPECT_EQ(out["params"]["course_key"], "block-v1:a+b+type@html+block@x.y~z");
  out = Call(router, "GET", "/api/courses/v1/courses/course-v1%3AedX%2BDemo%20X/");
  EXPECT_EQ(out["params"]["course_key"], "course-v1:edX+Demo X");
}

TEST(RouterTest, CourseKeyParamAcceptsBothForms) {
  Router router;
  router.Get("/courses/{course_id:course_key}/info", Echo("info"));
  EXPECT_EQ(Call(router, "GET", "/courses/course-v1:A+B+C/info")["params"]["course_id"],
            "course-v1:A+B+C");
  EXPECT_EQ(Call(router, "GET", "/courses/ccx-v1:A+B+C+ccx@3/info")["params"]["course_id"],
            "ccx-v1:A+B+C+ccx@3");
  EXPECT_EQ(Call(router, "GET", "/courses/MITx/6.002x/2012_Fall/info")["params"]["course_id"],
            "MITx/6.002x/2012_Fall");
  Call(router, "GET", "/courses/MITx/6.002x/info", 404);
  Call(router, "GET", "/courses/not-a-key/info", 404);
}

TEST(RouterTest, LiteralTextAroundParamsInOneSegment) {
  Router router;
  router.Get("/api/enrollment/v1/enrollment/{username},{course_id:course_key}", Echo("enr"));
  router.Get("/api/enrollment/v1/enrollment/{course_id:course_key}", Echo("mine"));
  nlohmann::json out =
      Call(router, "GET", "/api/enrollment/v1/enrollment/alice,course-v1:edX+D+2024");
  EXPECT_EQ(out["route"], "enr");
  EXPECT_EQ(out["params"]["username"], "alice");
  EXPECT_EQ(out["params"]["course_id"], "course-v1:edX+D+2024");
  out = Call(router, "GET", "/api/enrollment/v1/enrollment/bob,edX/Demo/2013");
  EXPECT_EQ(out["params"]["username"], "bob");
  EXPECT_EQ(out["params"]["course_id"], "edX/Demo/2013");
  EXPECT_EQ(Call(router, "GET", "/api/enrollment/v1/enrollment/course-v1:a+b+c")["route"], "mine");
}

TEST(RouterTest, PathParamTakesTheRest) {
  Router router;
  router.Get("/static/{file:path}", Echo("static"));
  EXPECT_EQ(Call(router, "GET", "/static/css/a/b.css")["params"]["file"], "css/a/b.css");
  Call(router, "GET", "/static/", 404);
}

TEST(RouterTest, MostSpecificPatternWins) {
  Router router;
  router.Get("/api/user/v1/accounts/{username}", Echo("user"));
  router.Get("/api/user/v1/accounts/me", Echo("me"));
  EXPECT_EQ(Call(router, "GET", "/api/user/v1/accounts/me")["route"], "me");
  EXPECT_EQ(Call(router, "GET", "/api/user/v1/accounts/meg")["route"], "user");
}

TEST(RouterTest, MissingTrailingSlashStillMatches) {
  Router router;
  router.Get("/api/courses/v1/courses/", Echo("list"));
  router.Get("/heartbeat", Echo("hb"));
  EXPECT_EQ(Call(router, "GET", "/api/courses/v1/courses")["route"], "list");
  EXPECT_EQ(Call(router, "GET", "/api/courses/v1/courses/?page=2")["route"], "list");
  EXPECT_EQ(Call(router, "GET", "/heartbeat")["route"], "hb");
  Call(router, "GET", "/heartbeat/", 404);
}

TEST(RouterTest, UnknownPathIs404Json) {
  Router router;
  router.Get("/a/", Echo("a"));
  nlohmann::json out = Call(router, "GET", "/nope/", 404);
  EXPECT_EQ(out["error_code"], "not_found");
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  router.Get("/api/x/{id}/", Echo("get"));
  router.Post("/api/x/{id}/", Echo("post"));
  Request request("DELETE", "/api/x/1/");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, POST, HEAD, OPTIONS");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error_code"], "method_not_allowed");
}

TEST(RouterTest, HeadUsesGetWithoutBodyAndOptionsListsMethods) {
  Router router;
  router.Get("/api/x/", Echo("get"));
  Request head("HEAD", "/api/x/");
  Response response = router.Dispatch(head);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  std::string full_length = std::to_string(Echo("get")(head).body.size());
  EXPECT_EQ(response.Header("Content-Length"), full_length);

  Request options("OPTIONS", "/api/x/");
  response = router.Dispatch(options);
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Allow"), "GET, HEAD, OPTIONS");
}

TEST(RouterTest, FiltersShortCircuitAndHooksDecorate) {
  Router router;
  int handler_calls = 0;
  router.Get("/api/secret/", [&](Request&) {
    ++handler_calls;
    return Response::Text(200, "ok");
  });
  router.Get("/api/open/", Echo("open"));
  router.AddFilter([](Request& request) -> std::optional<Response> {
    if (request.path() == "/api/secret/") return Response::Text(401, "no");
    request.SetAttribute("seen", true);
    return std::nullopt;
  });
  router.AddAfterHook(
      [](const Request&, Response& response) { response.SetHeader("X-Frame-Options", "DENY"); });
  Request secret("GET", "/api/secret/");
  Response response = router.Dispatch(secret);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(handler_calls, 0);
  EXPECT_EQ(response.Header("X-Frame-Options"), "DENY");
  Request missing("GET", "/missing");
  EXPECT_EQ(router.Dispatch(missing).Header("X-Frame-Options"), "DENY");
  Request open("GET", "/api/open/");
  EXPECT_EQ(router.Dispatch(open).status, 200);
  EXPECT_NE(open.Attribute("seen"), nullptr);
}

TEST(RouterTest, ThrowingHandlerBecomes500) {
  Router router;
  router.Get("/boom", [](Request&) -> Response { throw std::runtime_error("db password xyz"); });
  Request request("GET", "/boom");
  request.set_request_id("rid-9");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("xyz"), std::string::npos);
  EXPECT_NE(response.body.find("rid-9"), std::string::npos);
}

TEST(RouterTest, FallbackAnswersUnknownPathsOnly) {
  Router router;
  router.Get("/known/", Echo("known"));
  router.AddFilter([](Request&) -> std::optional<Response> {
    return Response::Json(401, {{"filtered", true}});
  });
  int hooks = 0;
  router.AddAfterHook([&hooks](const Request&, Response&) { ++hooks; });
  // Without a fallback an unknown path is the 404 JSON.
  EXPECT_EQ(Call(router, "GET", "/nowhere", 404)["error_code"], "not_found");
  router.SetFallback([](Request& request) {
    return Response::Json(404, {{"fallback", std::string(request.path())}});
  });
  EXPECT_EQ(Call(router, "GET", "/nowhere/else", 404)["fallback"], "/nowhere/else");
  EXPECT_EQ(Call(router, "POST", "/nowhere", 404)["fallback"], "/nowhere");
  // A known path still goes through its filters, and a wrong method is 405.
  EXPECT_EQ(Call(router, "GET", "/known/", 401)["filtered"], true);
  Call(router, "DELETE", "/known/", 405);
  EXPECT_EQ(hooks, 5);
  router.SetFallback([](Request&) -> Response { throw std::runtime_error("secret"); });
  Request request("GET", "/nowhere");
  EXPECT_EQ(router.Dispatch(request).status, 500);
}

TEST(RouterTest, ManyRoutesInBucketsAndOutside) {
  Router router;
  for (int i = 0; i < 50; ++i) {
    router.Get("/api/mod" + std::to_string(i) + "/v1/{id}/", Echo("m" + std::to_string(i)));
  }
  router.Get("/{page}", Echo("page"));
  EXPECT_EQ(Call(router, "GET", "/api/mod37/v1/x/")["route"], "m37");
  EXPECT_EQ(Call(router, "GET", "/about")["route"], "page");
}

TEST(RouterDeathTest, InvalidPatternAborts) {
  Router router;
  EXPECT_DEATH(router.Get("no-slash", Echo("x")), "must start");
  EXPECT_DEATH(router.Get("/{a}{b}", Echo("x")), "adjacent");
  EXPECT_DEATH(router.Get("/{a:regex}", Echo("x")), "unknown parameter kind");
}

}  // namespace
}  // namespace larch::http
