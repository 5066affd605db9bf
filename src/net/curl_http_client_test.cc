#include "larch/net/curl_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::net {
namespace {

using ::larch::testing::StatusIs;

using ::testing::Contains;
using ::testing::Pair;

// A minimal HTTP/1.1 server on 127.0.0.1:<ephemeral>, one connection at a
// time, closing each after its response. Routes:
//   /ok        200, body "hello", header "X-Test-Header: Value"
//   /error     500, body "boom"
//   /slow      sleeps until the server stops, then 200
//   /redirect  302 to /ok
//   /echo      200, body "<METHOD> <x-custom header> <request body>"
class TestServer {
 public:
  TestServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }

  ~TestServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    close(listen_fd_);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void Run() {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      pollfd pfd{listen_fd_, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      Handle(fd);
      close(fd);
    }
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  void Handle(int fd) {
    std::string request;
    char buf[4096];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
      header_end = request.find("\r\n\r\n");
    }
    std::string head = request.substr(0, header_end);
    std::string lower_head = Lower(head);
    size_t content_length = 0;
    if (size_t pos = lower_head.find("\r\ncontent-length:"); pos != std::string::npos) {
      content_length = std::stoul(head.substr(pos + 17));
    }
    while (request.size() < header_end + 4 + content_length) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
    }
    std::string body = request.substr(header_end + 4, content_length);
    std::string method = head.substr(0, head.find(' '));
    size_t path_start = head.find(' ') + 1;
    std::string path = head.substr(path_start, head.find(' ', path_start) - path_start);
    std::string custom;
    if (size_t pos = lower_head.find("\r\nx-custom:"); pos != std::string::npos) {
      size_t start = head.find_first_not_of(' ', pos + 11);
      custom = head.substr(start, head.find("\r\n", start) - start);
    }

    std::string status = "200 OK", extra_headers, response_body;
    if (path == "/ok") {
      extra_headers = "X-Test-Header: Value\r\nContent-Type: text/plain\r\n";
      response_body = "hello";
    } else if (path == "/error") {
      status = "500 Internal Server Error";
      response_body = "boom";
    } else if (path == "/slow") {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_; });
      response_body = "late";
    } else if (path == "/redirect") {
      status = "302 Found";
      extra_headers = "Location: /ok\r\n";
    } else if (path == "/echo") {
      response_body = method + " " + custom + " " + body;
    } else {
      status = "404 Not Found";
    }
    std::string response = "HTTP/1.1 " + status + "\r\n" + extra_headers +
                           "Content-Length: " + std::to_string(response_body.size()) +
                           "\r\nConnection: close\r\n\r\n" + response_body;
    send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

TEST(CurlHttpClient, ReturnsStatusBodyAndLowercasedHeaders) {
  TestServer server;
  CurlHttpClient client;
  auto response = client.Send({.url = server.Url("/ok")});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("x-test-header"), "Value");
  EXPECT_EQ(response->Header("content-type"), "text/plain");
  EXPECT_THAT(response->headers, Contains(Pair("content-length", "5")));
}

TEST(CurlHttpClient, OversizedBodyIsResourceExhausted) {
  TestServer server;
  CurlHttpClient client({.max_response_bytes = 4});
  auto response = client.Send({.url = server.Url("/ok")});  // "hello" is 5 bytes
  EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  CurlHttpClient roomy({.max_response_bytes = 5});
  EXPECT_TRUE(roomy.Send({.url = server.Url("/ok")}).ok());
}

TEST(CurlHttpClient, ServerErrorIsASuccessfulExchange) {
  TestServer server;
  CurlHttpClient client;
  auto response = client.Send({.url = server.Url("/error")});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, "boom");
}

TEST(CurlHttpClient, SendsMethodHeadersAndBody) {
  TestServer server;
  CurlHttpClient client;
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto response = client.Send({.method = method,
                                 .url = server.Url("/echo"),
                                 .headers = {{"X-Custom", "abc"}, {"Content-Type", "text/plain"}},
                                 .body = "payload"});
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, std::string(method) + " abc payload");
  }
}

TEST(CurlHttpClient, DoesNotFollowRedirects) {
  TestServer server;
  CurlHttpClient client;
  auto response = client.Send({.url = server.Url("/redirect")});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->Header("location"), "/ok");
  EXPECT_EQ(response->body, "");
}

TEST(CurlHttpClient, SlowServerIsDeadlineExceeded) {
  TestServer server;
  CurlHttpClient client;
  auto response = client.Send({.url = server.Url("/slow"), .timeout_ms = 200});
  ASSERT_THAT(response, StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded)
      << response.status().ToString();
}

TEST(CurlHttpClient, ClosedPortIsUnavailable) {
  // Bind and close to find a port nothing listens on.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);

  CurlHttpClient client;
  auto response = client.Send({.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_THAT(response, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
}

TEST(CurlHttpClient, UnresolvableHostIsUnavailable) {
  CurlHttpClient client;
  // .invalid is reserved (RFC 2606) and never resolves.
  auto response = client.Send({.url = "http://larch-test.invalid/", .timeout_ms = 5'000});
  ASSERT_THAT(response, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
}

TEST(CurlHttpClient, RejectsBadUrlsAndHeaders) {
  CurlHttpClient client;
  for (const char* url : {"", "http://[zz", "file:///etc/passwd", "ftp://127.0.0.1/", "::"}) {
    auto response = client.Send({.url = url});
    ASSERT_THAT(response, StatusIs(StatusCode::kInvalidArgument)) << url;
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << url;
  }
  auto injected =
      client.Send({.url = "http://127.0.0.1:1/", .headers = {{"X-A", "1\r\nX-Injected: 1"}}});
  EXPECT_EQ(injected.status().code(), StatusCode::kInvalidArgument);
  auto bad_name = client.Send({.url = "http://127.0.0.1:1/", .headers = {{"X A", "1"}}});
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
  auto bad_method = client.Send({.method = "GET /x", .url = "http://127.0.0.1:1/"});
  EXPECT_EQ(bad_method.status().code(), StatusCode::kInvalidArgument);
}

TEST(CurlHttpClient, ConcurrentCallsShareThePool) {
  TestServer server;
  CurlHttpClient client({.max_idle_handles = 2});
  std::atomic<int> ok_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto response = client.Send({.url = server.Url("/ok")});
        if (response.ok() && response->status == 200 && response->body == "hello") ++ok_count;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok_count.load(), 20);
}

}  // namespace
}  // namespace larch::net
