#include "larch/http/response.h"

#include <nlohmann/json.hpp>

#include "http_date.h"

namespace larch::http {

Response Response::Json(int status, const nlohmann::json& value) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body = std::move(body);
  return response;
}

Response Response::Html(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(body);
  return response;
}

Response Response::NoContent() {
  Response response;
  response.status = 204;
  return response;
}

Response Response::Redirect(std::string_view location, int status) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Location", std::string(location));
  return response;
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  RemoveHeader(name);
  headers.emplace_back(std::string(name), std::string(value));
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(std::string(name), std::string(value));
}

void Response::RemoveHeader(std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void Response::SetCookie(std::string_view name, std::string_view value,
                         const CookieOptions& options) {
  std::string cookie;
  cookie.reserve(name.size() + value.size() + 96);
  cookie.append(name).append("=").append(value);
  if (options.max_age.has_value()) {
    cookie.append("; Max-Age=").append(std::to_string(*options.max_age));
    // Old clients ignore Max-Age; Expires is the same moment as a date.
    int64_t expires = options.now_seconds + *options.max_age;
    cookie.append("; Expires=").append(internal::FormatHttpDate(expires));
  }
  if (!options.domain.empty()) cookie.append("; Domain=").append(options.domain);
  if (!options.path.empty()) cookie.append("; Path=").append(options.path);
  if (options.secure) cookie.append("; Secure");
  if (options.http_only) cookie.append("; HttpOnly");
  if (!options.same_site.empty()) cookie.append("; SameSite=").append(options.same_site);
  headers.emplace_back("Set-Cookie", std::move(cookie));
}

void Response::DeleteCookie(std::string_view name, std::string_view path, std::string_view domain) {
  std::string cookie(name);
  cookie.append("=\"\"; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0");
  if (!domain.empty()) cookie.append("; Domain=").append(domain);
  if (!path.empty()) cookie.append("; Path=").append(path);
  headers.emplace_back("Set-Cookie", std::move(cookie));
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace larch::http
