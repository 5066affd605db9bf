// Router: maps (method, path) to a handler. Patterns are compiled once at Add
// time into token lists; matching walks them without regex or allocation of
// intermediate strings (only matched parameters are decoded).
//
// Pattern syntax (must start with '/'):
//   {name}             one path segment, non-empty, no '/'. Course-key
//                      characters ':', '+', '@', '.', '~' are fine.
//   {name:path}        the rest of the path including slashes (non-empty).
//   {name:course_key}  one segment starting with "course-v1:", "ccx-v1:" or
//                      "library-v1:", or the deprecated three-segment
//                      "Org/Course/Run" form.
// Literal text may surround parameters inside one segment, e.g.
// "/api/enrollment/v1/enrollment/{username},{course_id:course_key}": a
// parameter then ends at the first place where the rest of the pattern
// matches. Two parameters may not be adjacent.
//
// Resolution: among the patterns that match the path, the one with the most
// literal characters wins (registration order breaks ties). A request whose
// path lacks only the trailing slash matches the slash pattern (Django's
// APPEND_SLASH would redirect; answering directly saves a round trip).
// Unknown path -> the fallback handler when one is set (SetFallback), else
// 404 JSON; known path, other method -> 405 with Allow;
// HEAD is served by the GET handler (body dropped, Content-Length kept);
// OPTIONS -> 204 with Allow unless a handler is registered for it.
//
// Thread safety: configure (Add, AddFilter, AddAfterHook) before serving;
// Dispatch is const and may then run concurrently from many threads.
#ifndef LARCH_HTTP_ROUTER_H_
#define LARCH_HTTP_ROUTER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larch/http/request.h"
#include "larch/http/response.h"

namespace larch::http {

using Handler = std::function<Response(Request&)>;
// Runs after routing, before the handler; a Response short-circuits it.
using Filter = std::function<std::optional<Response>(Request&)>;
// Runs on every response Dispatch produces (404s and errors included).
using AfterHook = std::function<void(const Request&, Response&)>;

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` on `pattern`. An invalid pattern or a
  // duplicate (method, pattern) is a programming error: it is logged and the
  // process aborts at startup.
  void Add(std::string_view method, std::string_view pattern, Handler handler);
  void Get(std::string_view pattern, Handler handler) { Add("GET", pattern, std::move(handler)); }
  void Post(std::string_view pattern, Handler handler) { Add("POST", pattern, std::move(handler)); }
  void Put(std::string_view pattern, Handler handler) { Add("PUT", pattern, std::move(handler)); }
  void Patch(std::string_view pattern, Handler handler) {
    Add("PATCH", pattern, std::move(handler));
  }
  void Delete(std::string_view pattern, Handler handler) {
    Add("DELETE", pattern, std::move(handler));
  }

  // One registered (method, pattern) pair.
  struct RouteInfo {
    std::string method;
    std::string pattern;
  };
  // Every registered route in registration order (methods of one pattern
  // sorted), for tools that must cover each route (`larch routes`, the
  // security test suite).
  std::vector<RouteInfo> Routes() const;

  // Registers a check that needs only the request line and headers
  // (authentication, permissions) for an already added (method, pattern).
  // The server runs it as soon as the headers of a request with a body
  // arrive, before reading the body, so an upload that would be refused is
  // refused before it is received. The handler must still check on its own.
  void SetHeaderCheck(std::string_view method, std::string_view pattern, Filter check);
  // Runs the filters and then the header check of the route `request`
  // (headers only, no body) matches, after filling its path params. nullopt
  // when the route has no check or the filters and check pass. Never throws.
  std::optional<Response> CheckHeaders(Request& request) const;

  void AddFilter(Filter filter);
  void AddAfterHook(AfterHook hook);

  // Answers requests whose path matches no pattern (any method), instead of
  // the 404 JSON; the web app uses it to answer unknown pages with its own
  // 404 page. Filters do not run for it; after hooks do.
  void SetFallback(Handler fallback);

  // Routes `request`, fills its path params, runs filters, the handler and
  // the after hooks. Never throws: a handler exception becomes a logged 500.
  Response Dispatch(Request& request) const;

 private:
  struct Route;
  struct Match;
  void FindRoute(std::string_view path, std::string_view method, Match& match) const;
  Response DispatchMatched(Request& request) const;
  Response RunFallback(Request& request) const;

  std::vector<std::unique_ptr<Route>> routes_;
  // Routes whose literal prefix covers two whole segments ("/api/courses/"),
  // keyed by that prefix; the rest are always tried.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<const Route*>, StringHash, std::equal_to<>> buckets_;
  std::vector<const Route*> unbucketed_;
  std::vector<Filter> filters_;
  std::vector<AfterHook> after_hooks_;
  Handler fallback_;
};

}  // namespace larch::http

#endif  // LARCH_HTTP_ROUTER_H_
