// Response: what a handler returns. The server adds Content-Length, Date,
// Server, X-Request-ID and Connection itself; handlers set the rest.
//
// Thread safety: a value type; distinct objects may be used from different
// threads.
#ifndef LARCH_HTTP_RESPONSE_H_
#define LARCH_HTTP_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "larch/http/url.h"

namespace larch::http {

struct CookieOptions {
  // Seconds; nullopt makes a session cookie. Also emits Expires for old
  // clients.
  std::optional<int64_t> max_age;
  std::string path = "/";
  std::string domain;
  bool http_only = true;
  bool secure = false;
  // "Lax", "Strict", "None" or empty to omit the attribute.
  std::string same_site = "Lax";
  // The caller's Clock, in seconds since the epoch: Expires is
  // now_seconds + max_age (http takes no ambient time).
  int64_t now_seconds = 0;
};

struct Response {
  int status = 200;
  // In order; names may repeat (Set-Cookie).
  ParamList headers;
  std::string body;

  // `value` serialized compactly with Content-Type application/json. Invalid
  // UTF-8 in strings is replaced with U+FFFD rather than failing.
  static Response Json(int status, const nlohmann::json& value);
  // text/plain; charset=utf-8.
  static Response Text(int status, std::string body);
  // text/html; charset=utf-8.
  static Response Html(int status, std::string body);
  static Response NoContent();
  // 302 by default; 301, 303, 307 and 308 are the other sensible choices.
  static Response Redirect(std::string_view location, int status = 302);

  // Replaces every header named `name` (case-insensitive) with one.
  void SetHeader(std::string_view name, std::string_view value);
  // Appends, keeping existing headers with the same name.
  void AddHeader(std::string_view name, std::string_view value);
  void RemoveHeader(std::string_view name);
  // The first header named `name` (case-insensitive).
  std::optional<std::string_view> Header(std::string_view name) const;

  // Appends a Set-Cookie header. `name` and `value` are sent as given; the
  // caller picks cookie-safe values (tokens, percent-encoded text).
  void SetCookie(std::string_view name, std::string_view value, const CookieOptions& options = {});
  // Expires the cookie in the client (Max-Age=0, past Expires).
  void DeleteCookie(std::string_view name, std::string_view path = "/",
                    std::string_view domain = "");
};

// The standard reason phrase ("Not Found"); "Unknown" for unlisted codes.
std::string_view ReasonPhrase(int status);

}  // namespace larch::http

#endif  // LARCH_HTTP_RESPONSE_H_
