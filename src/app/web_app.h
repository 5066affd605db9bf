// Serves the built web app (`web/`, docs/web.md): its content-hashed bundles
// under /assets/ cached for a year, the brand folder under /brand/, and
// index.html for every page route of the single-page app. Unknown paths that
// a browser navigates to (GET or HEAD accepting text/html, outside /api/)
// get index.html with status 404 so the app shows its own 404 page; any other
// unknown request keeps the 404 JSON.
//
// Thread safety: the registered handlers are thread-safe.
#ifndef LARCH_APP_WEB_APP_H_
#define LARCH_APP_WEB_APP_H_

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "larch/config/settings.h"
#include "larch/http/router.h"

namespace larch::app {

struct WebAppPaths {
  std::filesystem::path web_root;    // holds index.html and assets/
  std::filesystem::path brand_root;  // logo.svg, favicon.ico, theme CSS
};

// WEB_ROOT and BRAND_ROOT, with their defaults resolved against the folder of
// the running binary (`/proc/self/exe`). nullopt when the web root has no
// index.html (the app was not built): then no page routes are added.
std::optional<WebAppPaths> ResolveWebApp(const config::Settings& settings);

// The page routes of the app, following Open edX's MFE and LMS paths.
std::span<const std::string_view> WebAppPageRoutes();

// Adds the asset, brand and page routes and the router's fallback. Call after
// every API route: a page pattern never shadows an API pattern, since the
// router prefers the pattern with more literal characters.
void RegisterWebAppRoutes(http::Router& router, const WebAppPaths& paths);

}  // namespace larch::app

#endif  // LARCH_APP_WEB_APP_H_
