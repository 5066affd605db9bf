// HttpClient: outgoing HTTP requests (badge backends, enterprise integrations,
// webhooks). Injected so tests can use in-repo fake servers; the production
// implementation (net/curl_http_client) uses libcurl.
//
// Thread safety: implementations are thread-safe.
#ifndef LARCH_COMMON_HTTP_CLIENT_H_
#define LARCH_COMMON_HTTP_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "larch/common/status.h"

namespace larch {

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 10'000;
};

struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header with this (lowercase) name, or "".
  std::string Header(std::string_view lowercase_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lowercase_name) return value;
    }
    return {};
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a successful exchange (check response.status).
  // Returns kDeadlineExceeded on timeout, kUnavailable when the peer cannot
  // be reached, kInvalidArgument for a malformed URL.
  virtual StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) = 0;
};

}  // namespace larch

#endif  // LARCH_COMMON_HTTP_CLIENT_H_
