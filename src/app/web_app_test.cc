#include "web_app.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "larch/http/response.h"

namespace larch::app {
namespace {

namespace fs = std::filesystem;

class WebAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/larch_web_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "dist" / "assets");
    fs::create_directories(root_ / "dist" / "brand");
    fs::create_directories(root_ / "other-brand");
    Write(root_ / "dist" / "index.html", "<!doctype html><div id=root></div>");
    Write(root_ / "dist" / "assets" / "index-3f9a.js", "console.log(1)");
    Write(root_ / "dist" / "brand" / "logo.svg", "<svg/>");
    Write(root_ / "dist" / "brand" / "favicon.ico", "ico");
    Write(root_ / "other-brand" / "logo.svg", "<svg id=theirs/>");
    settings_.web_root = (root_ / "dist").string();
    router_.Get("/api/user/v1/me", [](http::Request&) {
      return http::Response::Json(200, {{"username", "api"}});
    });
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  void Register() {
    std::optional<WebAppPaths> paths = ResolveWebApp(settings_);
    ASSERT_TRUE(paths.has_value());
    RegisterWebAppRoutes(router_, *paths);
  }

  http::Response Get(std::string target, std::string accept = "text/html,*/*;q=0.8") {
    http::Request request("GET", std::move(target));
    if (!accept.empty()) request.AddHeader("Accept", std::move(accept));
    return router_.Dispatch(request);
  }

  fs::path root_;
  config::Settings settings_;
  http::Router router_;
};

TEST_F(WebAppTest, PageRoutesServeIndexUncached) {
  Register();
  for (std::string target :
       {"/", "/login", "/register/", "/dashboard", "/courses/course-v1:edX+DemoX+Demo_Course/about",
        "/learning/course/course-v1:edX+DemoX+Demo_Course/home",
        "/password_reset_confirm/1a-abc-def/", "/u/ada", "/account/settings"}) {
    http::Response response = Get(target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.body, "<!doctype html><div id=root></div>") << target;
    EXPECT_EQ(response.Header("Content-Type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(response.Header("Cache-Control"), "no-cache") << target;
    EXPECT_EQ(response.Header("X-Frame-Options"), "SAMEORIGIN") << target;
  }
}

TEST_F(WebAppTest, HashedAssetsAreImmutableAndBrandIsShortLived) {
  Register();
  http::Response js = Get("/assets/index-3f9a.js", "*/*");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  http::Response logo = Get("/brand/logo.svg", "*/*");
  EXPECT_EQ(logo.body, "<svg/>");
  EXPECT_EQ(logo.Header("Cache-Control"), "public, max-age=300");
  EXPECT_EQ(Get("/favicon.ico", "*/*").body, "ico");
  EXPECT_EQ(Get("/assets/missing.js", "*/*").status, 404);
}

TEST_F(WebAppTest, OperatorBrandFolderReplacesTheBuiltOne) {
  settings_.brand_root = (root_ / "other-brand").string();
  Register();
  EXPECT_EQ(Get("/brand/logo.svg", "*/*").body, "<svg id=theirs/>");
  EXPECT_EQ(Get("/brand/favicon.ico", "*/*").status, 404);
}

TEST_F(WebAppTest, UnknownPagesGetTheAppWith404AndOthersGetJson) {
  Register();
  http::Response page = Get("/no/such/page");
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.body, "<!doctype html><div id=root></div>");
  // Scripts and API clients keep Open edX's JSON 404.
  for (const http::Response& response : {Get("/no/such/page", "application/json"), Get("/nope", ""),
                                         Get("/api/nope/v1/", "text/html")}) {
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(nlohmann::json::parse(response.body)["error_code"], "not_found");
  }
  http::Request post("POST", "/no/such/page");
  post.AddHeader("Accept", "text/html");
  EXPECT_EQ(router_.Dispatch(post).Header("Content-Type"), "application/json");
  // API routes are untouched.
  EXPECT_EQ(nlohmann::json::parse(Get("/api/user/v1/me").body)["username"], "api");
}

TEST_F(WebAppTest, NoIndexMeansNoPages) {
  fs::remove(root_ / "dist" / "index.html");
  EXPECT_FALSE(ResolveWebApp(settings_).has_value());
  settings_.web_root = (root_ / "absent").string();
  EXPECT_FALSE(ResolveWebApp(settings_).has_value());
}

}  // namespace
}  // namespace larch::app
