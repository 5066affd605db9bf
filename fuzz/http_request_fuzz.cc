// Feeds arbitrary bytes through the server's request parser, the router and
// the query/form/cookie decoders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/http/request_parser.h"
#include "larch/http/router.h"
#include "larch/http/url.h"

namespace {

const larch::http::Router& FuzzRouter() {
  static const larch::http::Router* router = [] {
    auto* r = new larch::http::Router();
    auto echo = [](larch::http::Request& request) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [name, value] : request.path_params()) out[name] = value;
      return larch::http::Response::Json(200, out);
    };
    r->Get("/api/courses/v1/courses/{course_key}/", echo);
    r->Get("/api/enrollment/v1/enrollment/{username},{course_id:course_key}", echo);
    r->Post("/api/enrollment/v1/enrollment", echo);
    r->Get("/courses/{course_id:course_key}/courseware/{chapter}/", echo);
    r->Get("/static/{file:path}", echo);
    r->Get("/{page}", echo);
    r->AddFilter([](larch::http::Request& request) -> std::optional<larch::http::Response> {
      if (request.Cookie("deny").has_value()) return larch::http::Response::Text(403, "no");
      return std::nullopt;
    });
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  larch::http::ParseLimits limits;
  limits.max_body_bytes = uint64_t{64} * 1024;
  limits.max_header_bytes = 8 * 1024;
  larch::StatusOr<larch::http::Request> request = larch::http::ParseRequestForTest(raw, limits);
  if (request.ok()) {
    larch::http::Response response = FuzzRouter().Dispatch(*request);
    (void)response;
    (void)request->Cookie("sessionid");
    (void)request->FormValues();
    (void)request->Query("page");
    (void)request->is_secure();
    larch::StatusOr<nlohmann::json> json = request->JsonBody();
    (void)json;
  }
  (void)larch::http::ParseQueryString(raw);
  (void)larch::http::ParseCookieHeader(raw);
  std::string decoded = larch::http::PercentDecode(raw, true);
  (void)larch::http::PercentEncode(decoded);
  return 0;
}
