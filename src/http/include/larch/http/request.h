// Request: one parsed HTTP request as handlers see it. The server fills it
// from the wire; tests build it directly with the constructor and setters.
//
// Thread safety: a Request belongs to the thread handling it. Even const
// methods may fill lazy caches (cookies, form fields), so a Request must not
// be shared between threads without external synchronization.
#ifndef LARCH_HTTP_REQUEST_H_
#define LARCH_HTTP_REQUEST_H_

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "larch/common/status.h"
#include "larch/http/url.h"

namespace larch::http {

class Request {
 public:
  Request() = default;
  // `target` is the request-target as sent ("/a/b?x=1"); an absolute-form
  // target ("http://host/a") is reduced to its path and query.
  Request(std::string method, std::string target);

  // Setters used by the server (and tests) while building the request.
  void AddHeader(std::string name, std::string value);
  void set_body(std::string body) { body_ = std::move(body); }
  void set_remote_address(std::string address) { remote_address_ = std::move(address); }
  void set_request_id(std::string id) { request_id_ = std::move(id); }
  // True when the connection itself is TLS (not used yet: Larch sits behind a
  // TLS-terminating proxy).
  void set_tls(bool tls) { tls_ = tls; }
  // True when the peer is one of TRUSTED_PROXIES, whose X-Forwarded-Proto
  // is believed (set by the server from ServerOptions::trusted_proxies).
  void set_from_trusted_proxy(bool trusted) { from_trusted_proxy_ = trusted; }
  // Called by the router with raw (still percent-encoded) values.
  void SetPathParamsRaw(const std::vector<std::pair<std::string_view, std::string_view>>& raw);

  // "GET", "POST"... exactly as sent (HTTP methods are case-sensitive).
  std::string_view method() const { return method_; }
  std::string_view target() const { return target_; }
  // The path without the query, still percent-encoded ("/a%20b/").
  std::string_view path() const { return path_; }
  // The raw query string without '?'.
  std::string_view query_string() const { return query_string_; }

  // First value of a query parameter, percent-decoded with '+' as space.
  std::optional<std::string> Query(std::string_view name) const;
  // All values of a repeated query parameter, in order.
  std::vector<std::string> QueryAll(std::string_view name) const;
  const ParamList& query_params() const { return query_; }

  // Case-insensitive; the first header with that name.
  std::optional<std::string_view> Header(std::string_view name) const;
  const ParamList& headers() const { return headers_; }
  // Content-Type without parameters, lowercased ("application/json").
  std::string MediaType() const;

  std::optional<std::string> Cookie(std::string_view name) const;

  const std::string& body() const { return body_; }
  std::string& mutable_body() { return body_; }
  // For a route that takes large uploads (ServerOptions::body_limits with
  // to_file), the file holding the body; body() is then empty. Empty for
  // every other request. The server removes the file after the response: a
  // handler that keeps the upload renames it elsewhere first.
  const std::string& body_file() const { return body_file_; }
  void set_body_file(std::string path) { body_file_ = std::move(path); }

  // A `{name}` from the matched route pattern, percent-decoded ('+' stays);
  // empty when the pattern has no such parameter.
  std::string_view PathParam(std::string_view name) const;
  const ParamList& path_params() const { return path_params_; }

  // The body as JSON. kInvalidArgument when Content-Type is not JSON
  // (application/json or any +json type), the body is empty, is not valid
  // JSON, is not valid UTF-8, or nests deeper than larch::kMaxJsonDepth
  // (error code "json_too_deep"; see common/json.h).
  StatusOr<nlohmann::json> JsonBody() const;

  // Fields of an application/x-www-form-urlencoded body; empty for any other
  // Content-Type.
  std::optional<std::string> FormValue(std::string_view name) const;
  const ParamList& FormValues() const;

  const std::string& request_id() const { return request_id_; }
  // The peer IP address as text ("127.0.0.1", "::1").
  const std::string& remote_address() const { return remote_address_; }
  // The client's address for rate limits and logs: from a trusted proxy,
  // the last X-Forwarded-For entry (the address the proxy saw; entries
  // before it are whatever the client sent and are never believed), else
  // the peer address. One proxy layer (nginx's $proxy_add_x_forwarded_for).
  std::string client_address() const;
  // TLS, or a first X-Forwarded-Proto value of "https" from a trusted proxy
  // (set_from_trusted_proxy); the header from any other peer is ignored.
  bool is_secure() const;
  // True when the connection itself is TLS.
  bool tls() const { return tls_; }

  // A per-request bag for later layers (the authenticated user, a CSRF
  // verdict...). Keys are chosen by those layers.
  void SetAttribute(std::string key, std::any value) {
    attributes_[std::move(key)] = std::move(value);
  }
  const std::any* Attribute(std::string_view key) const;
  template <typename T>
  const T* AttributeAs(std::string_view key) const {
    const std::any* value = Attribute(key);
    return value == nullptr ? nullptr : std::any_cast<T>(value);
  }

 private:
  std::string method_;
  std::string target_;
  std::string path_;
  std::string query_string_;
  ParamList query_;
  ParamList headers_;
  std::string body_;
  std::string body_file_;
  ParamList path_params_;
  std::string request_id_;
  std::string remote_address_;
  bool tls_ = false;
  bool from_trusted_proxy_ = false;
  mutable std::optional<ParamList> cookies_;
  mutable std::optional<ParamList> form_;
  std::unordered_map<std::string, std::any> attributes_;
};

}  // namespace larch::http

#endif  // LARCH_HTTP_REQUEST_H_
