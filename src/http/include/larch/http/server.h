// Server: the HTTP/1.1 front end on Boost.Beast/Asio. Handlers run
// synchronously on the io threads (they may block on the database; size
// `threads` accordingly). Per connection: keep-alive, pipelined requests
// handled strictly in order, read/idle timeouts, body and header limits,
// gzip for compressible responses, X-Request-ID, one access-log entry per
// request.
//
// Thread safety: Start and Run are called once, from one thread. Shutdown is
// thread-safe and idempotent (also safe from a signal-driven context and from
// handlers). The router must outlive the server and not change while serving.
#ifndef LARCH_HTTP_SERVER_H_
#define LARCH_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/http/router.h"

namespace spdlog {
class logger;
}

namespace larch::http {

// One finished request, as the access log sees it. Views are valid only
// during the callback.
struct AccessLogEntry {
  int64_t time_micros = 0;  // wall clock when the response was sent
  std::string_view request_id;
  std::string_view remote;
  std::string_view method;
  std::string_view path;  // without the query string (it may carry tokens)
  int status = 0;
  uint64_t bytes = 0;  // body bytes sent
  int64_t duration_us = 0;
  std::string_view user_agent;
};
using AccessLogFn = std::function<void(const AccessLogEntry&)>;

// One JSON object per line: {"time","request_id","remote","method","path",
// "status","bytes","duration_us","user_agent"}.
std::string FormatAccessLogJson(const AccessLogEntry& entry);
// An access log writing FormatAccessLogJson lines to `logger` at info level.
AccessLogFn SpdlogAccessLog(std::shared_ptr<spdlog::logger> logger);

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; see Server::port()
  int threads = 0;    // 0 = hardware concurrency
  uint64_t max_body_bytes = uint64_t{10} * 1024 * 1024;
  // Other body limits for some paths, e.g. course uploads; the first
  // matching prefix wins over max_body_bytes.
  struct BodyLimit {
    std::string path_prefix;
    uint64_t max_bytes = 0;
    // A route that takes large uploads: once its header check passed, the
    // body is written to a fresh file in upload_dir as it arrives (see
    // Request::body_file) instead of being held in memory. Over the limit,
    // the upload is answered 413 and the partial file removed.
    bool to_file = false;
  };
  std::vector<BodyLimit> body_limit_overrides;
  // Where streamed uploads are written (must exist, on the same file system
  // as where handlers keep them); empty = to_file is ignored.
  std::string upload_dir;
  uint32_t max_header_bytes = 16 * 1024;
  // TRUSTED_PROXIES: peer addresses (exact IPs, as Request::remote_address
  // spells them) whose X-Forwarded-Proto makes a request secure.
  std::vector<std::string> trusted_proxies;
  // Time allowed to receive one request once its first byte arrived (and
  // for a new connection to send its first request).
  int read_timeout_seconds = 30;
  // Time an idle keep-alive connection is kept open between requests.
  int keepalive_timeout_seconds = 75;
  // Open connections allowed at once; 0 = min(10000, RLIMIT_NOFILE - 64).
  // At the cap a new connection closes the longest-idle connection (one that
  // has no request in progress), or is itself closed when none is idle.
  size_t max_connections = 0;
  // Empty = off, which costs nothing per request.
  AccessLogFn access_log;
  // Installs SIGINT/SIGTERM handlers that call Shutdown().
  bool handle_signals = false;
  // Deadline for in-flight requests after Shutdown before Run gives up.
  int shutdown_grace_seconds = 10;
  // Injected for tests; nullptr = the system clock / the secure generator.
  const Clock* clock = nullptr;
  Random* random = nullptr;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kUnavailable when the address is in use or cannot be
  // bound, kInvalidArgument when `host` is not an IP address.
  Status Start();
  // The bound port; valid after a successful Start.
  uint16_t port() const;
  // Serves on `threads` threads (the caller's included) until Shutdown
  // completes. REQUIRES: Start succeeded.
  void Run();
  // Stops accepting, lets in-flight requests finish (their responses carry
  // Connection: close), closes idle connections, then Run returns. After
  // shutdown_grace_seconds remaining connections are dropped.
  void Shutdown();

  // Opaque; public only so that connection objects in server.cc can name it.
  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace larch::http

#endif  // LARCH_HTTP_SERVER_H_
