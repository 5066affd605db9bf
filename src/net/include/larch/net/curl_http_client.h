// CurlHttpClient: the production HttpClient, backed by libcurl.
//
// Each Send() borrows an easy handle from a small pool so that keep-alive
// connections to the same host are reused across calls. Redirects are not
// followed (a 3xx is returned as is) and only http:// and https:// URLs are
// accepted, so a caller-supplied URL cannot reach file:// or other schemes.
//
// Thread safety: thread-safe; Send() may be called concurrently.
#ifndef LARCH_NET_CURL_HTTP_CLIENT_H_
#define LARCH_NET_CURL_HTTP_CLIENT_H_

#include <vector>

#include "larch/common/http_client.h"
#include "larch/common/mutex.h"

namespace larch::net {

struct CurlHttpClientOptions {
  // Upper bound on the TCP/TLS connect phase; the request's own timeout_ms
  // still bounds the whole exchange.
  int connect_timeout_ms = 5'000;
  // Idle easy handles kept for reuse; more concurrent calls create handles
  // that are freed afterwards.
  size_t max_idle_handles = 8;
  bool follow_redirects = false;
  // A larger response body fails the call with kResourceExhausted, so a
  // misbehaving peer cannot exhaust memory.
  size_t max_response_bytes = 16 << 20;
  std::string user_agent = "larch";
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  // Any HTTP status is OK (check response.status). Errors:
  // kInvalidArgument for a malformed URL, a non-http(s) scheme, a
  // non-positive timeout or CR/LF in a header; kDeadlineExceeded when
  // request.timeout_ms elapses; kResourceExhausted when the body exceeds
  // max_response_bytes; kUnavailable when the host cannot be resolved or
  // reached, or the connection breaks.
  StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) override;

 private:
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  const CurlHttpClientOptions options_;
  Mutex mu_;
  std::vector<void*> idle_ LARCH_GUARDED_BY(mu_);  // CURL* handles
};

}  // namespace larch::net

#endif  // LARCH_NET_CURL_HTTP_CLIENT_H_
