#include "web_app.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string>
#include <system_error>
#include <utility>

#include "larch/common/status.h"
#include "larch/http/error_mapping.h"
#include "larch/http/static_files.h"

namespace larch::app {
namespace {

namespace fs = std::filesystem;

// With a trailing slash each also answers the path without it (router.h).
constexpr std::array<std::string_view, 13> kPageRoutes = {
    "/",
    "/login/",
    "/register/",
    "/reset/",
    "/activation/",
    "/password_reset_confirm/{uidb36}-{token}/",
    "/courses/",
    "/courses/{course_id:course_key}/about/",
    "/courses/{course_id:course_key}/instructor/",
    "/dashboard/",
    "/learning/{rest:path}",
    "/u/{username}/",
    "/account/settings/",
};

// A year, as for any file whose name changes with its content.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// Operators swap brand files in place; browsers look again after 5 minutes.
constexpr std::string_view kBrandCache = "public, max-age=300";

bool IsFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool IsDir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

// The page's own headers: never framed by another site, no type sniffing.
void AddPageHeaders(http::Response& response) {
  response.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
}

bool NavigatesToPage(const http::Request& request) {
  if (request.method() != "GET" && request.method() != "HEAD") return false;
  if (request.path().starts_with("/api/")) return false;
  return request.Header("accept").value_or("").find("text/html") != std::string_view::npos;
}

}  // namespace

std::optional<WebAppPaths> ResolveWebApp(const config::Settings& settings) {
  WebAppPaths paths;
  if (!settings.web_root.empty()) {
    paths.web_root = settings.web_root;
  } else {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return std::nullopt;
    paths.web_root = exe.parent_path().parent_path() / "web" / "dist";
  }
  if (!IsFile(paths.web_root / "index.html")) {
    if (!settings.web_root.empty()) {
      spdlog::warn("WEB_ROOT {} has no index.html; no web pages are served",
                   paths.web_root.string());
    }
    return std::nullopt;
  }
  paths.brand_root =
      settings.brand_root.empty() ? paths.web_root / "brand" : fs::path(settings.brand_root);
  return paths;
}

std::span<const std::string_view> WebAppPageRoutes() { return kPageRoutes; }

void RegisterWebAppRoutes(http::Router& router, const WebAppPaths& paths) {
  if (IsDir(paths.web_root / "assets")) {
    http::StaticFiles("/assets", paths.web_root / "assets")
        .SetCacheControl(std::string(kImmutable))
        .Register(router);
  }
  if (IsDir(paths.brand_root)) {
    http::StaticFiles brand("/brand", paths.brand_root);
    brand.SetCacheControl(std::string(kBrandCache)).Register(router);
    router.Get("/favicon.ico",
               [brand](http::Request& request) { return brand.Serve(request, "favicon.ico"); });
  }
  // index.html changes on every build: the browser revalidates it each time.
  http::StaticFiles index("/", paths.web_root);
  index.SetCacheControl("no-cache");
  auto page = [index](http::Request& request) {
    http::Response response = index.Serve(request, "index.html");
    AddPageHeaders(response);
    return response;
  };
  for (std::string_view pattern : kPageRoutes) router.Get(pattern, page);
  router.SetFallback([index](http::Request& request) {
    if (!NavigatesToPage(request)) {
      return http::ErrorResponse(NotFoundError("no route for " + std::string(request.path())),
                                 request.request_id());
    }
    http::Response response = index.Serve(request, "index.html");
    if (response.status == 200) response.status = 404;
    AddPageHeaders(response);
    return response;
  });
  spdlog::info("web app served from {} (brand {})", paths.web_root.string(),
               paths.brand_root.string());
}

}  // namespace larch::app
