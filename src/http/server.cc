#include "larch/http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "beast_request.h"
#include "gzip.h"
#include "http_date.h"
#include "larch/common/mutex.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"

namespace larch::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kReadChunk = size_t{16} * 1024;
// How long a closing connection keeps reading (and discarding) what the
// client still sends, so that closing does not reset the connection before
// the client read our final response (e.g. a 413 during an upload).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kTimerTick = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After accept fails for lack of descriptors, accepting pauses this long
// (retrying at once would spin: the pending connection stays queued).
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// Accept failures and refusals are logged at most once per interval.
constexpr int64_t kAcceptLogIntervalMicros = 10'000'000;
constexpr size_t kDefaultMaxConnections = 10'000;
constexpr size_t kReservedDescriptors = 64;

size_t ResolveMaxConnections(size_t configured) {
  if (configured > 0) return configured;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return kDefaultMaxConnections;
  }
  size_t usable = limit.rlim_cur > 2 * kReservedDescriptors
                      ? static_cast<size_t>(limit.rlim_cur) - kReservedDescriptors
                      : static_cast<size_t>(limit.rlim_cur) / 2;
  return std::max<size_t>(1, std::min(kDefaultMaxConnections, usable));
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The Date header value, formatted at most once per second per thread.
std::string_view CachedHttpDate(int64_t now_micros) {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  int64_t second = now_micros / 1'000'000;
  if (second != cached_second) {
    cached = internal::FormatHttpDate(second);
    cached_second = second;
  }
  return cached;
}

bool HeaderIsServerOwned(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
         EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "date") ||
         EqualsIgnoreCase(name, "server") || EqualsIgnoreCase(name, "x-request-id") ||
         EqualsIgnoreCase(name, "keep-alive");
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

class Session;

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        clock_(options_.clock != nullptr ? options_.clock : SystemClock::Default()),
        ioc_(ResolveThreads(options_)),
        strand_(net::make_strand(ioc_)),
        acceptor_(strand_),
        accept_timer_(strand_),
        deadline_(strand_) {
    options_.max_connections = ResolveMaxConnections(options_.max_connections);
    Random* random = options_.random != nullptr ? options_.random : SecureRandom::Default();
    AppendHexNumber(id_prefix_, random->NextUint64());
    id_prefix_.push_back('-');
    largest_body_limit_ = options_.max_body_bytes;
    for (const ServerOptions::BodyLimit& limit : options_.body_limit_overrides) {
      largest_body_limit_ = std::max(largest_body_limit_, limit.max_bytes);
    }
  }

  ServerOptions::BodyLimit BodyLimitFor(std::string_view target) const {
    for (const ServerOptions::BodyLimit& limit : options_.body_limit_overrides) {
      if (target.starts_with(limit.path_prefix)) {
        ServerOptions::BodyLimit out = limit;
        out.to_file = limit.to_file && !options_.upload_dir.empty();
        return out;
      }
    }
    return {.path_prefix = "", .max_bytes = options_.max_body_bytes, .to_file = false};
  }

  ~Impl() { destroying_.store(true); }

  Status Start();
  void Run();
  void Shutdown();
  uint16_t port() const { return port_; }

  std::string NextRequestId() {
    std::string id = id_prefix_;
    AppendHexNumber(id, id_counter_.fetch_add(1, std::memory_order_relaxed));
    return id;
  }
  void Register(Session* session, std::weak_ptr<Session> weak) {
    MutexLock lock(mu_);
    sessions_.emplace(session, std::move(weak));
  }
  void Unregister(Session* session);

  ServerOptions options_;
  uint64_t largest_body_limit_ = 0;
  const Router& router_;
  const Clock* clock_;
  std::atomic<bool> stopping_{false};

 private:
  static int ResolveThreads(ServerOptions& options) {
    if (options.threads <= 0) {
      options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    return options.threads;
  }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // At the connection cap: closes the longest-idle session; false when every
  // session has a request in progress.
  bool EvictIdle();
  // Rate-limited warning for the accept loop (runs on strand_).
  void WarnAccept(const std::string& what);
  void FinishIfIdle();

  std::string id_prefix_;
  std::atomic<uint64_t> id_counter_{1};
  // Set while members are being destroyed, when sessions freed by the
  // io_context destructor must not post to the (already gone) strand.
  std::atomic<bool> destroying_{false};
  uint16_t port_ = 0;
  Mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ LARCH_GUARDED_BY(mu_);
  // Declared after the registry: destroying the io_context destroys pending
  // handlers and with them sessions, which unregister themselves.
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_timer_;
  int64_t last_accept_warning_us_ = 0;
  uint64_t suppressed_accept_warnings_ = 0;
  net::steady_timer deadline_;
  std::optional<net::signal_set> signals_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  ~Session() {
    try {
      RemoveUpload();
      server_.Unregister(this);
    } catch (const std::exception& e) {
      // Only a failed mutex or allocation gets here; a destructor cannot
      // report it, and the deadline timer still bounds shutdown.
      spdlog::error("connection cleanup failed: {}", e.what());
    }
  }

  void Start() {
    MarkIdle();
    server_.Register(this, weak_from_this());
    beast::error_code ec;
    tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
    const std::vector<std::string>& proxies = server_.options_.trusted_proxies;
    from_trusted_proxy_ =
        !remote_.empty() && std::find(proxies.begin(), proxies.end(), remote_) != proxies.end();
    socket_.set_option(tcp::no_delay(true), ec);
    // A new connection must deliver its first request within the read
    // timeout; only established keep-alive connections get the idle grace.
    SetDeadline(std::chrono::seconds(server_.options_.read_timeout_seconds));
    ArmTimer();
    NewParser();
    if (server_.stopping_.load()) {
      Close();
      return;
    }
    DoRead();
  }

  // Runs on the session's strand when the server begins shutting down.
  void OnShutdown() {
    if (state_ == State::kIdle) Close();
  }

  net::any_io_executor executor() { return socket_.get_executor(); }

  // Monotonic micros since the session became idle (no request in
  // progress), or 0 while it is busy. Read from the accept strand.
  int64_t idle_since() const { return idle_since_us_.load(std::memory_order_relaxed); }

  void ClaimForEviction() { idle_since_us_.store(0, std::memory_order_relaxed); }

  // Runs on the session's strand: closes it if it is still idle.
  void OnEvict() {
    if (state_ == State::kIdle) Close();
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kDraining, kClosed };

  void MarkIdle() {
    idle_since_us_.store(std::max<int64_t>(1, server_.clock_->MonotonicMicros()),
                         std::memory_order_relaxed);
  }

  void SetDeadline(std::chrono::steady_clock::duration from_now) {
    deadline_ = std::chrono::steady_clock::now() + from_now;
  }

  void ArmTimer() {
    auto now = std::chrono::steady_clock::now();
    timer_.expires_at(std::min(deadline_, now + kTimerTick));
    timer_.async_wait(beast::bind_front_handler(&Session::OnTimer, shared_from_this()));
  }

  void OnTimer(beast::error_code ec) {
    if (ec || state_ == State::kClosed) return;
    if (std::chrono::steady_clock::now() >= deadline_) {
      switch (state_) {
        case State::kReading:
          // Cancel the read; OnRead answers 408 because bytes arrived.
          timed_out_ = true;
          socket_.cancel(ec);
          break;
        case State::kHandling:
          break;
        default:
          Close();
          return;
      }
    }
    ArmTimer();
  }

  void NewParser() {
    parser_.emplace();
    // Stop after the header: the body limit depends on the path, and Beast
    // checks Content-Length against the limit set when the header ends, so
    // the header is parsed under the largest limit and the real one applied
    // in ApplyBodyLimit.
    parser_->eager(false);
    parser_->body_limit(server_.largest_body_limit_);
    limit_applied_ = false;
    parser_->header_limit(server_.options_.max_header_bytes);
    continue_sent_ = false;
  }

  void DoRead() {
    size_t want = kReadChunk;
    socket_.async_read_some(buffer_.prepare(want),
                            beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t bytes) {
    if (state_ == State::kClosed) return;
    if (state_ == State::kDraining) {
      buffer_.consume(buffer_.size());
      if (ec) {
        Close();
      } else {
        DoRead();
      }
      return;
    }
    if (ec) {
      if (timed_out_ && state_ == State::kReading) {
        WriteError(408, Status(StatusCode::kInvalidArgument, "request not received in time")
                            .WithErrorCode("request_timeout"));
      } else {
        Close();
      }
      return;
    }
    buffer_.commit(bytes);
    if (state_ == State::kIdle) BeginRequest();
    ParseBuffered();
  }

  void BeginRequest() {
    idle_since_us_.store(0, std::memory_order_relaxed);
    state_ = State::kReading;
    start_us_ = server_.clock_->MonotonicMicros();
    SetDeadline(std::chrono::seconds(server_.options_.read_timeout_seconds));
  }

  void ParseBuffered() {
    for (;;) {
      if (buffer_.size() > 0) {
        beast::error_code ec;
        size_t used = parser_->put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec && ec != bhttp::error::need_more) {
          int status = internal::HttpStatusForParseError(ec);
          WriteError(status, Status(StatusCode::kInvalidArgument, "bad request: " + ec.message())
                                 .WithErrorCode(status == 413   ? "request_body_too_large"
                                                : status == 431 ? "request_headers_too_large"
                                                                : "malformed_request"));
          return;
        }
        if (parser_->is_header_done() && !limit_applied_ && !ApplyBodyLimit()) return;
        if (parser_->is_done()) {
          HandleRequest();
          return;
        }
        // After need_more Beast must see new bytes before the next put.
        if (!ec && used > 0 && buffer_.size() > 0) continue;
      }
      if (parser_->is_header_done() && !continue_sent_) {
        continue_sent_ = true;
        auto expect = parser_->get().find(bhttp::field::expect);
        if (expect != parser_->get().end() &&
            EqualsIgnoreCase(std::string_view(expect->value().data(), expect->value().size()),
                             "100-continue")) {
          net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                           [self = shared_from_this()](beast::error_code write_ec, size_t) {
                             if (write_ec) {
                               self->Close();
                             } else if (self->state_ == State::kReading) {
                               self->DoRead();
                             }
                           });
          return;
        }
      }
      DoRead();
      return;
    }
  }

  // False (after answering 413) when the declared body is over the limit.
  bool ApplyBodyLimit() {
    limit_applied_ = true;
    auto target = parser_->get().target();
    ServerOptions::BodyLimit limit =
        server_.BodyLimitFor(std::string_view(target.data(), target.size()));
    auto length = parser_->content_length();
    if (length.has_value() && *length > limit.max_bytes) {
      WriteError(413, Status(StatusCode::kInvalidArgument, "bad request: body limit exceeded")
                          .WithErrorCode("request_body_too_large"));
      return false;
    }
    if (HasBody() && !RunHeaderCheck()) return false;
    if (HasBody() && limit.to_file) {
      upload_path_ = server_.options_.upload_dir + "/upload-" + server_.NextRequestId();
      parser_->get().body().path = upload_path_;
    }
    // Chunked bodies count down from here (also while streaming to a file).
    parser_->body_limit(limit.max_bytes);
    parser_->eager(true);
    return true;
  }

  bool HasBody() const {
    auto length = parser_->content_length();
    return parser_->chunked() || (length.has_value() && *length > 0);
  }

  // False (after answering) when the route's header check refuses the
  // request: e.g. an upload without credentials gets its 401 before a byte
  // of the body is read.
  bool RunHeaderCheck() {
    StatusOr<Request> headers = internal::RequestHeadersFromBeast(parser_->get());
    if (!headers.ok()) return true;  // HandleRequest answers the bad target
    request_ = *std::move(headers);
    request_.set_request_id(server_.NextRequestId());
    request_.set_remote_address(remote_);
    request_.set_from_trusted_proxy(from_trusted_proxy_);
    std::optional<Response> refused = server_.router_.CheckHeaders(request_);
    if (!refused.has_value()) {
      request_ = Request();
      return true;
    }
    state_ = State::kHandling;
    http10_ = parser_->get().version() < 11;
    Write(std::move(*refused), /*close=*/true);
    return false;
  }

  void HandleRequest() {
    state_ = State::kHandling;
    bool keep_alive = parser_->get().keep_alive();
    http10_ = parser_->get().version() < 11;
    StatusOr<Request> parsed = internal::RequestFromBeast(parser_->release());
    if (!parsed.ok()) {
      WriteError(400, parsed.status());
      return;
    }
    request_ = std::move(parsed).value();
    std::optional<std::string_view> incoming_id = request_.Header("x-request-id");
    if (incoming_id.has_value() && IsSaneRequestId(*incoming_id)) {
      request_.set_request_id(std::string(*incoming_id));
    } else {
      request_.set_request_id(server_.NextRequestId());
    }
    request_.set_remote_address(remote_);
    request_.set_from_trusted_proxy(from_trusted_proxy_);
    Response response = server_.router_.Dispatch(request_);
    RemoveUpload();
    if (request_.method() != "HEAD") {
      internal::MaybeGzip(request_.Header("accept-encoding").value_or(""), response);
    }
    Write(std::move(response), !keep_alive || server_.stopping_.load());
  }

  // Answers a request that could not be parsed (or timed out) and closes.
  void WriteError(int http_status, const Status& status) {
    RemoveUpload();
    std::string method;
    std::string target = "-";
    if (parser_.has_value() && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      target = std::string(parser_->get().target());
    }
    request_ = Request(std::move(method), std::move(target));
    request_.set_request_id(server_.NextRequestId());
    request_.set_remote_address(remote_);
    http10_ = false;
    Response response = ErrorResponse(status, request_.request_id());
    response.status = http_status;
    Write(std::move(response), /*close=*/true);
  }

  void Write(Response response, bool close) {
    state_ = State::kWriting;
    response_ = std::move(response);
    close_after_write_ = close;
    bool head = request_.method() == "HEAD";
    bool bodiless = response_.status < 200 || response_.status == 204 || response_.status == 304;
    if (bodiless) response_.body.clear();

    std::string& out = header_buffer_;
    out.clear();
    out.append("HTTP/1.1 ").append(std::to_string(response_.status)).push_back(' ');
    out.append(ReasonPhrase(response_.status)).append("\r\nServer: larch\r\nDate: ");
    out.append(CachedHttpDate(server_.clock_->NowMicros()));
    out.append("\r\nX-Request-ID: ").append(request_.request_id()).append("\r\n");
    std::optional<std::string_view> head_length;
    for (const auto& [name, value] : response_.headers) {
      if (HeaderIsServerOwned(name)) {
        if (head && EqualsIgnoreCase(name, "content-length")) head_length = value;
        continue;
      }
      if (HasLineBreak(name) || HasLineBreak(value)) {
        spdlog::error("request {}: dropped response header with a line break",
                      request_.request_id());
        continue;
      }
      out.append(name).append(": ").append(value).append("\r\n");
    }
    if (!bodiless) {
      out.append("Content-Length: ");
      if (head && head_length.has_value() && !HasLineBreak(*head_length)) {
        out.append(*head_length);
      } else {
        out.append(std::to_string(response_.body.size()));
      }
      out.append("\r\n");
    }
    if (close) {
      out.append("Connection: close\r\n");
    } else if (http10_) {
      out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
    if (head) response_.body.clear();

    SetDeadline(std::chrono::seconds(server_.options_.read_timeout_seconds));
    std::array<net::const_buffer, 2> buffers = {net::buffer(header_buffer_),
                                                net::buffer(response_.body)};
    net::async_write(socket_, buffers,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (state_ == State::kClosed) return;
    if (server_.options_.access_log) LogAccess();
    if (ec) {
      Close();
      return;
    }
    if (close_after_write_ || server_.stopping_.load()) {
      Linger();
      return;
    }
    request_ = Request();
    response_ = Response();
    timed_out_ = false;
    NewParser();
    if (buffer_.size() > 0) {
      BeginRequest();
      ParseBuffered();
    } else {
      state_ = State::kIdle;
      MarkIdle();
      SetDeadline(std::chrono::seconds(server_.options_.keepalive_timeout_seconds));
      DoRead();
    }
  }

  void LogAccess() {
    AccessLogEntry entry;
    entry.time_micros = server_.clock_->NowMicros();
    entry.request_id = request_.request_id();
    entry.remote = remote_;
    entry.method = request_.method();
    entry.path = request_.path();
    entry.status = response_.status;
    entry.bytes = response_.body.size();
    entry.duration_us = server_.clock_->MonotonicMicros() - start_us_;
    entry.user_agent = request_.Header("user-agent").value_or("");
    server_.options_.access_log(entry);
  }

  // Half-closes and discards further input for a short time before closing.
  void Linger() {
    state_ = State::kDraining;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    buffer_.consume(buffer_.size());
    SetDeadline(kLingerTime);
    DoRead();
  }

  // Removes a streamed upload (partial, refused or handled); a handler that
  // kept it has renamed it, so a missing file is fine.
  void RemoveUpload() {
    if (upload_path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(upload_path_, ec);
    if (ec) spdlog::warn("cannot remove upload {}: {}", upload_path_, ec.message());
    upload_path_.clear();
  }

  void Close() {
    RemoveUpload();
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  Server::Impl& server_;
  tcp::socket socket_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<internal::BeastParser> parser_;
  State state_ = State::kIdle;
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  bool continue_sent_ = false;
  bool limit_applied_ = false;
  bool close_after_write_ = false;
  bool http10_ = false;
  int64_t start_us_ = 0;
  std::atomic<int64_t> idle_since_us_{0};
  std::string remote_;
  bool from_trusted_proxy_ = false;
  // The file a streamed upload is being written to, until it is removed.
  std::string upload_path_;
  Request request_;
  Response response_;
  std::string header_buffer_;
};

Status Server::Impl::Start() {
  std::string host = options_.host;
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty() || host == "*") host = "0.0.0.0";
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(host, ec);
  if (ec) return InvalidArgumentError("listen host '" + options_.host + "' is not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  std::string where = host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return UnavailableError("cannot listen on " + where + ": " + ec.message());
  }
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  if (options_.handle_signals) {
    signals_.emplace(strand_, SIGINT, SIGTERM);
    signals_->async_wait([this](beast::error_code signal_ec, int) {
      if (!signal_ec) Shutdown();
    });
  }
  net::post(strand_, [this] { DoAccept(); });
  return OkStatus();
}

void Server::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Impl::OnAccept, this));
}

void Server::Impl::WarnAccept(const std::string& what) {
  int64_t now = clock_->MonotonicMicros();
  if (last_accept_warning_us_ != 0 && now - last_accept_warning_us_ < kAcceptLogIntervalMicros) {
    ++suppressed_accept_warnings_;
    return;
  }
  if (suppressed_accept_warnings_ > 0) {
    spdlog::warn("{} ({} similar in the last interval)", what, suppressed_accept_warnings_);
  } else {
    spdlog::warn("{}", what);
  }
  last_accept_warning_us_ = now;
  suppressed_accept_warnings_ = 0;
}

bool Server::Impl::EvictIdle() {
  std::weak_ptr<Session> candidate;
  {
    MutexLock lock(mu_);
    int64_t oldest_since = 0;
    for (auto& [raw, weak] : sessions_) {
      int64_t since = raw->idle_since();
      if (since == 0 || (oldest_since != 0 && since >= oldest_since)) continue;
      candidate = weak;
      oldest_since = since;
    }
  }
  // Locked (and possibly the last reference) outside mu_: a session's
  // destructor takes mu_ to unregister.
  std::shared_ptr<Session> oldest = candidate.lock();
  if (oldest == nullptr) return false;
  // Claimed: the next accept picks another session instead of this one.
  oldest->ClaimForEviction();
  net::post(oldest->executor(), [oldest] { oldest->OnEvict(); });
  return true;
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_.load() || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors (EMFILE/ENFILE) or memory: the pending connection
    // stays queued, so retrying at once would spin. Pause, then retry.
    WarnAccept("accept failed: " + ec.message() + "; pausing new connections");
    // TODO(issue 8): also close idle connections here to free descriptors;
    // doing so crashed under ASan (strand destroyed twice), so for now the
    // MAX_CONNECTIONS cap, below the descriptor limit by default, keeps
    // accept from reaching EMFILE and this path only backs off.
    accept_timer_.expires_after(kAcceptBackoff);
    accept_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) DoAccept();
    });
    return;
  }
  size_t open = 0;
  {
    MutexLock lock(mu_);
    open = sessions_.size();
  }
  if (open >= options_.max_connections && !EvictIdle()) {
    WarnAccept("connection limit (" + std::to_string(options_.max_connections) +
               ") reached with every connection busy; refusing new connections");
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Session>(*this, std::move(socket))->Start();
  }
  DoAccept();
}

void Server::Impl::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) {
    threads.emplace_back([this] { ioc_.run(); });
  }
  ioc_.run();
  for (std::thread& thread : threads) thread.join();
}

void Server::Impl::Shutdown() {
  if (stopping_.exchange(true)) return;
  net::post(strand_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
    if (signals_.has_value()) signals_->cancel(ec);
    deadline_.expires_after(std::chrono::seconds(options_.shutdown_grace_seconds));
    deadline_.async_wait([this](beast::error_code wait_ec) {
      if (wait_ec) return;
      spdlog::warn("shutdown grace period over; dropping remaining connections");
      ioc_.stop();
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      MutexLock lock(mu_);
      for (auto& [raw, weak] : sessions_) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
      }
    }
    for (auto& session : live) {
      net::post(session->executor(), [session] { session->OnShutdown(); });
    }
    FinishIfIdle();
  });
}

void Server::Impl::Unregister(Session* session) {
  bool last = false;
  {
    MutexLock lock(mu_);
    sessions_.erase(session);
    last = sessions_.empty();
  }
  if (last && stopping_.load() && !destroying_.load())
    net::post(strand_, [this] { FinishIfIdle(); });
}

void Server::Impl::FinishIfIdle() {
  MutexLock lock(mu_);
  if (sessions_.empty()) deadline_.cancel();
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Shutdown() { impl_->Shutdown(); }

}  // namespace larch::http
