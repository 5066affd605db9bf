#include "larch/http/request.h"

#include <nlohmann/json.hpp>

#include "larch/common/json.h"

namespace larch::http {

namespace {

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> FirstValue(const ParamList& list, std::string_view name) {
  for (const auto& [key, value] : list) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace

Request::Request(std::string method, std::string target)
    : method_(std::move(method)), target_(std::move(target)) {
  std::string_view rest = target_;
  // Absolute form ("http://host/path?q"), which proxies may send.
  if (size_t scheme = rest.find("://");
      scheme != std::string_view::npos && rest.find('/') > scheme) {
    size_t slash = rest.find('/', scheme + 3);
    rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  }
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    path_ = std::string(rest);
  } else {
    path_ = std::string(rest.substr(0, q));
    query_string_ = std::string(rest.substr(q + 1));
    query_ = ParseQueryString(query_string_);
  }
}

void Request::AddHeader(std::string name, std::string value) {
  if (cookies_.has_value() && EqualsIgnoreCase(name, "cookie")) cookies_.reset();
  if (form_.has_value() && EqualsIgnoreCase(name, "content-type")) form_.reset();
  headers_.emplace_back(std::move(name), std::move(value));
}

void Request::SetPathParamsRaw(
    const std::vector<std::pair<std::string_view, std::string_view>>& raw) {
  path_params_.clear();
  path_params_.reserve(raw.size());
  for (const auto& [name, value] : raw) {
    path_params_.emplace_back(std::string(name), PercentDecode(value, false));
  }
}

std::optional<std::string> Request::Query(std::string_view name) const {
  return FirstValue(query_, name);
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : query_) {
    if (key == name) out.push_back(value);
  }
  return out;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string Request::MediaType() const {
  std::optional<std::string_view> type = Header("content-type");
  if (!type) return std::string();
  std::string_view t = type->substr(0, type->find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return LowerCopy(t);
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  if (!cookies_.has_value()) {
    cookies_.emplace();
    for (const auto& [key, value] : headers_) {
      if (!EqualsIgnoreCase(key, "cookie")) continue;
      ParamList parsed = ParseCookieHeader(value);
      cookies_->insert(cookies_->end(), std::make_move_iterator(parsed.begin()),
                       std::make_move_iterator(parsed.end()));
    }
  }
  return FirstValue(*cookies_, name);
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params_) {
    if (key == name) return value;
  }
  return {};
}

StatusOr<nlohmann::json> Request::JsonBody() const {
  std::string type = MediaType();
  bool is_json = type == "application/json" ||
                 (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
  if (!is_json) {
    return InvalidArgumentError("Content-Type must be application/json, got '" + type + "'")
        .WithErrorCode("unsupported_media_type");
  }
  if (body_.empty()) return InvalidArgumentError("empty JSON body");
  // Depth-checked: a deeply nested body would overflow the stack in the
  // recursive code (copies, dump, walkers) that handlers run on the value.
  StatusOr<nlohmann::json> parsed = ParseJson(body_);
  if (!parsed.ok() && parsed.status().error_code() == "json_parse_error") {
    return InvalidArgumentError("request body is not valid JSON (or not valid UTF-8)")
        .WithUserMessage("The request body is not valid JSON.");
  }
  return parsed;
}

const ParamList& Request::FormValues() const {
  if (!form_.has_value()) {
    form_.emplace();
    if (MediaType() == "application/x-www-form-urlencoded") *form_ = ParseQueryString(body_);
  }
  return *form_;
}

std::optional<std::string> Request::FormValue(std::string_view name) const {
  return FirstValue(FormValues(), name);
}

bool Request::is_secure() const {
  if (tls_) return true;
  if (!from_trusted_proxy_) return false;
  std::optional<std::string_view> proto = Header("x-forwarded-proto");
  if (!proto.has_value()) return false;
  // Django (SECURE_PROXY_SSL_HEADER) compares the first value only.
  std::string_view first = proto->substr(0, proto->find(','));
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  while (!first.empty() && (first.back() == ' ' || first.back() == '\t')) first.remove_suffix(1);
  return EqualsIgnoreCase(first, "https");
}

std::string Request::client_address() const {
  if (!from_trusted_proxy_) return remote_address_;
  std::optional<std::string_view> forwarded = Header("x-forwarded-for");
  if (!forwarded.has_value()) return remote_address_;
  std::string_view last = *forwarded;
  if (size_t comma = last.rfind(','); comma != std::string_view::npos) {
    last = last.substr(comma + 1);
  }
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  // An address has no more than 45 characters (IPv6 with IPv4 tail);
  // anything else is not one and must not become a rate-limit key.
  if (last.empty() || last.size() > 45 ||
      last.find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos) {
    return remote_address_;
  }
  return std::string(last);
}

const std::any* Request::Attribute(std::string_view key) const {
  auto it = attributes_.find(std::string(key));
  return it == attributes_.end() ? nullptr : &it->second;
}

}  // namespace larch::http
