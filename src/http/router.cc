#include "larch/http/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>

#include <spdlog/spdlog.h>

#include "larch/http/error_mapping.h"

namespace larch::http {

namespace {

enum class TokenKind { kLiteral, kSegment, kPath, kCourseKey };

struct Token {
  TokenKind kind;
  std::string text;  // literal text or parameter name
};

using RawParams = std::vector<std::pair<std::string_view, std::string_view>>;

[[noreturn]] void BadPattern(std::string_view pattern, std::string_view why) {
  spdlog::critical("invalid route pattern '{}': {}", pattern, why);
  // Also straight to stderr: the default logger may not be set up yet.
  std::fprintf(stderr, "invalid route pattern '%.*s': %.*s\n", static_cast<int>(pattern.size()),
               pattern.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

std::vector<Token> CompilePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') BadPattern(pattern, "must start with '/'");
  std::vector<Token> tokens;
  std::vector<std::string> names;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      size_t close = pattern.find('}', i);
      if (close == std::string_view::npos) BadPattern(pattern, "unclosed '{'");
      std::string_view spec = pattern.substr(i + 1, close - i - 1);
      std::string_view name = spec.substr(0, spec.find(':'));
      std::string_view kind =
          spec.find(':') == std::string_view::npos ? "" : spec.substr(spec.find(':') + 1);
      if (name.empty()) BadPattern(pattern, "empty parameter name");
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        BadPattern(pattern, "duplicate parameter name");
      }
      if (!tokens.empty() && tokens.back().kind != TokenKind::kLiteral) {
        BadPattern(pattern, "adjacent parameters are ambiguous");
      }
      TokenKind token_kind;
      if (kind.empty()) {
        token_kind = TokenKind::kSegment;
      } else if (kind == "path") {
        token_kind = TokenKind::kPath;
      } else if (kind == "course_key") {
        token_kind = TokenKind::kCourseKey;
      } else {
        BadPattern(pattern, "unknown parameter kind");
      }
      names.emplace_back(name);
      tokens.push_back({token_kind, std::string(name)});
      i = close + 1;
    } else {
      size_t next = pattern.find('{', i);
      if (next == std::string_view::npos) next = pattern.size();
      std::string_view literal = pattern.substr(i, next - i);
      if (literal.find('}') != std::string_view::npos) BadPattern(pattern, "stray '}'");
      tokens.push_back({TokenKind::kLiteral, std::string(literal)});
      i = next;
    }
  }
  return tokens;
}

// The bucket key: the literal prefix up to and including its third '/'
// ("/api/courses/"), or empty when the pattern's literal prefix is shorter.
std::string_view BucketKey(std::string_view text) {
  size_t slashes = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '/' && ++slashes == 3) return text.substr(0, i + 1);
  }
  return {};
}

bool HasCourseKeyPrefix(std::string_view segment) {
  // Decoding only the first few bytes is enough for the prefix check; keys
  // arrive both raw ("course-v1:") and encoded ("course-v1%3A").
  std::string head = PercentDecode(segment.substr(0, 16), false);
  return head.starts_with("course-v1:") || head.starts_with("ccx-v1:") ||
         head.starts_with("library-v1:");
}

class Matcher {
 public:
  Matcher(const std::vector<Token>& tokens, std::string_view path, RawParams& params)
      : tokens_(tokens), path_(path), params_(params) {}

  bool MatchFrom(size_t index, size_t pos) {
    if (index == tokens_.size()) return pos == path_.size();
    const Token& token = tokens_[index];
    switch (token.kind) {
      case TokenKind::kLiteral:
        if (path_.compare(pos, token.text.size(), token.text) != 0) return false;
        return MatchFrom(index + 1, pos + token.text.size());
      case TokenKind::kSegment:
        return MatchValueEndingIn(index, pos, pos, SegmentEnd(pos));
      case TokenKind::kCourseKey: {
        size_t end = SegmentEnd(pos);
        if (HasCourseKeyPrefix(path_.substr(pos, end - pos))) {
          return MatchValueEndingIn(index, pos, pos, end);
        }
        // Deprecated "Org/Course/Run": three non-empty segments.
        size_t s1 = end;
        if (s1 == pos || s1 == path_.size()) return false;
        size_t s2 = SegmentEnd(s1 + 1);
        if (s2 == s1 + 1 || s2 == path_.size()) return false;
        return MatchValueEndingIn(index, pos, s2 + 1, SegmentEnd(s2 + 1));
      }
      case TokenKind::kPath:
        for (size_t end = path_.size(); end > pos; --end) {
          params_.emplace_back(token.text, path_.substr(pos, end - pos));
          if (MatchFrom(index + 1, end)) return true;
          params_.pop_back();
        }
        return false;
    }
    return false;
  }

 private:
  size_t SegmentEnd(size_t pos) const {
    size_t end = path_.find('/', pos);
    return end == std::string_view::npos ? path_.size() : end;
  }

  // The parameter at `index` starts at `start`; its last segment starts at
  // `last_start` and ends at or before `segment_end`.
  bool MatchValueEndingIn(size_t index, size_t start, size_t last_start, size_t segment_end) {
    const std::string& name = tokens_[index].text;
    bool next_is_segment_boundary =
        index + 1 == tokens_.size() ||
        (tokens_[index + 1].kind == TokenKind::kLiteral && tokens_[index + 1].text[0] == '/');
    if (next_is_segment_boundary) {
      if (segment_end <= last_start) return false;
      params_.emplace_back(name, path_.substr(start, segment_end - start));
      if (MatchFrom(index + 1, segment_end)) return true;
      params_.pop_back();
      return false;
    }
    for (size_t end = last_start + 1; end <= segment_end; ++end) {
      params_.emplace_back(name, path_.substr(start, end - start));
      if (MatchFrom(index + 1, end)) return true;
      params_.pop_back();
    }
    return false;
  }

  const std::vector<Token>& tokens_;
  std::string_view path_;
  RawParams& params_;
};

void AppendAllow(std::string& allow, std::string_view method) {
  if (!allow.empty()) allow.append(", ");
  allow.append(method);
}

}  // namespace

struct Router::Route {
  std::string pattern;
  std::vector<Token> tokens;
  size_t literal_chars = 0;
  size_t order = 0;
  std::map<std::string, Handler, std::less<>> handlers;
  std::map<std::string, Filter, std::less<>> header_checks;
};

struct Router::Match {
  const Route* route = nullptr;      // best route that has the method
  const Route* any_route = nullptr;  // best route matching the path at all
  const Handler* handler = nullptr;
  RawParams params;
  std::vector<const Route*> matched;  // for Allow
};

Router::Router() = default;
Router::~Router() = default;

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  Route* route = nullptr;
  for (auto& existing : routes_) {
    if (existing->pattern == pattern) route = existing.get();
  }
  if (route == nullptr) {
    auto created = std::make_unique<Route>();
    created->pattern = std::string(pattern);
    created->tokens = CompilePattern(pattern);
    for (const Token& token : created->tokens) {
      if (token.kind == TokenKind::kLiteral) created->literal_chars += token.text.size();
    }
    created->order = routes_.size();
    route = created.get();
    routes_.push_back(std::move(created));
    std::string_view key = route->tokens.front().kind == TokenKind::kLiteral
                               ? BucketKey(route->tokens.front().text)
                               : std::string_view();
    if (key.empty()) {
      unbucketed_.push_back(route);
    } else {
      buckets_[std::string(key)].push_back(route);
    }
  }
  if (route->handlers.contains(method)) BadPattern(pattern, "method registered twice");
  route->handlers.emplace(std::string(method), std::move(handler));
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const auto& route : routes_) {
    for (const auto& [method, handler] : route->handlers) out.push_back({method, route->pattern});
  }
  return out;
}

void Router::SetHeaderCheck(std::string_view method, std::string_view pattern, Filter check) {
  for (auto& route : routes_) {
    if (route->pattern == pattern && route->handlers.count(method) != 0) {
      route->header_checks[std::string(method)] = std::move(check);
      return;
    }
  }
  BadPattern(pattern, "header check for a route that is not registered");
}

std::optional<Response> Router::CheckHeaders(Request& request) const {
  Match match;
  std::string_view path = request.path();
  FindRoute(path, request.method(), match);
  std::string with_slash;
  if (match.any_route == nullptr && !path.empty() && path.back() != '/') {
    // As in DispatchMatched: the path may lack only the trailing slash.
    with_slash.append(path).push_back('/');
    FindRoute(with_slash, request.method(), match);
  }
  if (match.route == nullptr) return std::nullopt;
  auto check = match.route->header_checks.find(request.method());
  if (check == match.route->header_checks.end()) return std::nullopt;
  request.SetPathParamsRaw(match.params);
  try {
    // The filters (authentication) see the same headers the handler's run
    // will; what they attach to the request is what the check reads.
    for (const Filter& filter : filters_) {
      std::optional<Response> early = filter(request);
      if (early.has_value()) return early;
    }
    return check->second(request);
  } catch (const std::exception& e) {
    spdlog::error("request {}: header check for {} threw: {}", request.request_id(), request.path(),
                  e.what());
  }
  return ErrorResponse(InternalError("header check threw"), request.request_id());
}

void Router::AddFilter(Filter filter) { filters_.push_back(std::move(filter)); }

void Router::AddAfterHook(AfterHook hook) { after_hooks_.push_back(std::move(hook)); }

void Router::SetFallback(Handler fallback) { fallback_ = std::move(fallback); }

Response Router::RunFallback(Request& request) const {
  try {
    return fallback_(request);
  } catch (const std::exception& e) {
    spdlog::error("request {}: fallback handler threw: {}", request.request_id(), e.what());
  } catch (...) {
    spdlog::error("request {}: fallback handler threw a non-std exception", request.request_id());
  }
  return ErrorResponse(InternalError("handler threw"), request.request_id());
}

void Router::FindRoute(std::string_view path, std::string_view method, Match& match) const {
  auto better = [](const Route* candidate, const Route* current) {
    return current == nullptr || candidate->literal_chars > current->literal_chars ||
           (candidate->literal_chars == current->literal_chars &&
            candidate->order < current->order);
  };
  RawParams params;
  auto consider = [&](const Route* route) {
    params.clear();
    Matcher matcher(route->tokens, path, params);
    if (!matcher.MatchFrom(0, 0)) return;
    match.matched.push_back(route);
    if (better(route, match.any_route)) match.any_route = route;
    auto it = route->handlers.find(method);
    if (it == route->handlers.end() && method == "HEAD") it = route->handlers.find("GET");
    if (it == route->handlers.end()) return;
    if (better(route, match.route)) {
      match.route = route;
      match.handler = &it->second;
      match.params = params;
    }
  };
  std::string_view key = BucketKey(path);
  if (!key.empty()) {
    auto it = buckets_.find(key);
    if (it != buckets_.end()) {
      for (const Route* route : it->second) consider(route);
    }
  }
  for (const Route* route : unbucketed_) consider(route);
}

Response Router::Dispatch(Request& request) const {
  Response response = DispatchMatched(request);
  for (const AfterHook& hook : after_hooks_) {
    try {
      hook(request, response);
    } catch (const std::exception& e) {
      spdlog::error("request {}: after hook threw: {}", request.request_id(), e.what());
      response = ErrorResponse(InternalError("after hook threw"), request.request_id());
    }
  }
  if (request.method() == "HEAD") {
    if (!response.Header("content-length").has_value() && response.status != 204 &&
        response.status != 304) {
      response.headers.emplace_back("Content-Length", std::to_string(response.body.size()));
    }
    response.body.clear();
  }
  return response;
}

Response Router::DispatchMatched(Request& request) const {
  Match match;
  std::string_view path = request.path();
  FindRoute(path, request.method(), match);
  std::string with_slash;
  if (match.any_route == nullptr && !path.empty() && path.back() != '/') {
    with_slash.reserve(path.size() + 1);
    with_slash.append(path).push_back('/');
    FindRoute(with_slash, request.method(), match);
  }
  if (match.any_route == nullptr) {
    if (fallback_) return RunFallback(request);
    return ErrorResponse(NotFoundError("no route for " + std::string(path)), request.request_id());
  }
  if (match.handler == nullptr) {
    std::string allow;
    std::vector<std::string_view> methods;
    for (const Route* route : match.matched) {
      for (const auto& [method, handler] : route->handlers) methods.push_back(method);
    }
    std::sort(methods.begin(), methods.end());
    methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
    bool has_get = std::binary_search(methods.begin(), methods.end(), "GET");
    bool has_head = std::binary_search(methods.begin(), methods.end(), "HEAD");
    bool has_options = std::binary_search(methods.begin(), methods.end(), "OPTIONS");
    for (std::string_view method : methods) AppendAllow(allow, method);
    if (has_get && !has_head) AppendAllow(allow, "HEAD");
    if (!has_options) AppendAllow(allow, "OPTIONS");
    if (request.method() == "OPTIONS") {
      Response response = Response::NoContent();
      response.headers.emplace_back("Allow", std::move(allow));
      return response;
    }
    Response response = ErrorResponse(
        Status(StatusCode::kInvalidArgument,
               "method " + std::string(request.method()) + " not allowed on this path")
            .WithErrorCode("method_not_allowed")
            .WithUserMessage("This method is not allowed here."),
        request.request_id());
    response.status = 405;
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  request.SetPathParamsRaw(match.params);
  try {
    for (const Filter& filter : filters_) {
      std::optional<Response> early = filter(request);
      if (early.has_value()) return std::move(*early);
    }
    return (*match.handler)(request);
  } catch (const std::exception& e) {
    spdlog::error("request {}: handler for {} {} threw: {}", request.request_id(), request.method(),
                  path, e.what());
  } catch (...) {
    spdlog::error("request {}: handler for {} {} threw a non-std exception", request.request_id(),
                  request.method(), path);
  }
  return ErrorResponse(InternalError("handler threw"), request.request_id());
}

}  // namespace larch::http
