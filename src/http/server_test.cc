// Talks to a real Server over loopback sockets with a blocking Beast client.
#include "larch/http/server.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "larch/http/error_mapping.h"
#include "larch/http/static_files.h"

namespace larch::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using WireResponse = bhttp::response<bhttp::string_body>;

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  void Send(std::string_view raw) { net::write(socket_, net::buffer(raw.data(), raw.size())); }
  WireResponse Read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(uint64_t{64} * 1024 * 1024);
    parser.skip(head);
    beast::error_code ec;
    bhttp::read(socket_, buffer_, parser, ec);
    EXPECT_FALSE(ec) << ec.message();
    return parser.release();
  }
  // True when the server closed the connection (after any unread data).
  bool ReadsEof() {
    beast::error_code ec;
    char byte;
    if (buffer_.size() > 0) return false;
    socket_.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string Inflate(const std::string& data) {
  std::string out(1 << 20, '\0');
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 31), Z_OK);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

std::string BigJsonText() {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < 200; ++i) items.push_back({{"id", i}, {"name", "item"}});
  return items.dump();
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/hello", [](Request& r) {
      return Response::Text(200, "hello " + r.Query("name").value_or("world"));
    });
    router_.Post("/json", [](Request& r) {
      StatusOr<nlohmann::json> body = r.JsonBody();
      if (!body.ok()) return ErrorResponse(body.status(), r.request_id());
      return Response::Json(200, *body);
    });
    router_.Post("/echo", [](Request& r) { return Response::Text(200, r.body()); });
    router_.Get("/big", [](Request&) {
      Response response = Response::Json(200, nlohmann::json::parse(BigJsonText()));
      return response;
    });
    router_.Get("/slow", [this](Request&) {
      entered_.set_value();
      release_.get_future().wait();
      return Response::Text(200, "slow done");
    });
    options_.threads = 2;
    options_.access_log = [this](const AccessLogEntry& entry) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_lines_.push_back(FormatAccessLogJson(entry));
    };
  }

  void StartServer() {
    server_ = std::make_unique<Server>(options_, router_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override { StopServer(); }

  void StopServer() {
    if (server_ != nullptr) server_->Shutdown();
    if (thread_.joinable()) thread_.join();
  }

  Router router_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::mutex log_mu_;
  std::vector<std::string> log_lines_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  client.Send("GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse first = client.Read();
  client.Send("GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse second = client.Read();
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), "hello a");
  EXPECT_EQ(second.body(), "hello b");
  EXPECT_EQ(first[bhttp::field::server], "larch");
  EXPECT_FALSE(first[bhttp::field::date].empty());
  EXPECT_FALSE(first["X-Request-ID"].empty());
  EXPECT_NE(first["X-Request-ID"], second["X-Request-ID"]);
  EXPECT_TRUE(first.keep_alive());
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  StartServer();
  Client client(server_->port());
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "GET /hello?name=second HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nthird");
  EXPECT_EQ(client.Read().body(), "first");
  EXPECT_EQ(client.Read().body(), "hello second");
  EXPECT_EQ(client.Read().body(), "third");
}

TEST_F(ServerTest, OversizedBodyGets413AndClose) {
  options_.max_body_bytes = 1024;
  StartServer();
  Client client(server_->port());
  client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
              std::string(5000, 'x'));
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(nlohmann::json::parse(response.body())["error_code"], "request_body_too_large");
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(ServerTest, BodyLimitOverridesApplyByPathPrefix) {
  options_.max_body_bytes = 1024;
  options_.body_limit_overrides = {{.path_prefix = "/echo", .max_bytes = 8192}};
  StartServer();
  {
    Client client(server_->port());
    client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                std::string(5000, 'x'));
    WireResponse response = client.Read();
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body().size(), 5000u);
  }
  {
    Client client(server_->port());
    client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n" +
                std::string(9000, 'x'));
    EXPECT_EQ(client.Read().result_int(), 413);
  }
  {
    // Other paths keep the global limit, for chunked bodies too.
    Client client(server_->port());
    std::string chunk(2000, 'y');
    client.Send("POST /other HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(client.Read().result_int(), 413);
  }
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  options_.max_header_bytes = 1024;
  StartServer();
  Client client(server_->port());
  client.Send("GET /hello HTTP/1.1\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(ServerTest, GarbageGets400AndClose) {
  StartServer();
  Client client(server_->port());
  client.Send("THIS IS NOT HTTP\r\n\r\n");
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(nlohmann::json::parse(response.body())["error_code"], "malformed_request");
  EXPECT_FALSE(response["X-Request-ID"].empty());
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(ServerTest, InvalidJsonGets400) {
  StartServer();
  Client client(server_->port());
  client.Send(
      "POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 5\r\n\r\n{bad}");
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(nlohmann::json::parse(response.body())["error_code"], "invalid_argument");
  client.Send(
      "POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 8\r\n\r\n{\"a\":1}\n");
  EXPECT_EQ(client.Read().result_int(), 200);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  StartServer();
  Client client(server_->port());
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  WireResponse interim = client.Read();
  EXPECT_EQ(interim.result_int(), 100);
  client.Send("body");
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "body");
}

TEST_F(ServerTest, ChunkedBodyArrivingInPieces) {
  StartServer();
  Client client(server_->port());
  client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Send("c\r\n0\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Send("\r\n");
  WireResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "abc");
}

TEST_F(ServerTest, GzipNegotiation) {
  StartServer();
  Client client(server_->port());
  client.Send("GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: deflate, gzip\r\n\r\n");
  WireResponse gz = client.Read();
  EXPECT_EQ(gz[bhttp::field::content_encoding], "gzip");
  EXPECT_EQ(gz[bhttp::field::vary], "Accept-Encoding");
  EXPECT_LT(gz.body().size(), BigJsonText().size());
  EXPECT_EQ(Inflate(gz.body()), BigJsonText());
  client.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse plain = client.Read();
  EXPECT_EQ(plain[bhttp::field::content_encoding], "");
  EXPECT_EQ(plain.body(), BigJsonText());
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(client.Read().body(), "hello world");
}

TEST_F(ServerTest, HeadAndHttp10) {
  StartServer();
  {
    Client client(server_->port());
    client.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    WireResponse head = client.Read(/*head=*/true);
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_EQ(head[bhttp::field::content_length], "11");
    client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.Read().body(), "hello world");
  }
  Client old(server_->port());
  old.Send("GET /hello HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.Read().body(), "hello world");
  EXPECT_TRUE(old.ReadsEof());
}

TEST_F(ServerTest, RequestIdEchoedWhenSane) {
  StartServer();
  Client client(server_->port());
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc-123.X_y\r\n\r\n");
  EXPECT_EQ(client.Read()["X-Request-ID"], "abc-123.X_y");
  client.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad id{}\r\n\r\n");
  std::string replaced(client.Read()["X-Request-ID"]);
  EXPECT_FALSE(replaced.empty());
  EXPECT_NE(replaced, "bad id{}");
}

TEST_F(ServerTest, AccessLogHasOneLinePerRequestWithoutQuery) {
  StartServer();
  {
    Client client(server_->port());
    client.Send("GET /hello?token=SECRET HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\n\r\n");
    client.Read();
    client.Send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.Read().result_int(), 404);
  }
  StopServer();
  ASSERT_EQ(log_lines_.size(), 2u);
  nlohmann::json first = nlohmann::json::parse(log_lines_[0]);
  EXPECT_EQ(first["path"], "/hello");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["user_agent"], "t/1");
  EXPECT_EQ(first["remote"], "127.0.0.1");
  EXPECT_EQ(first["bytes"], 11);
  EXPECT_EQ(log_lines_[0].find("SECRET"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(log_lines_[1])["status"], 404);
}

TEST_F(ServerTest, PortInUseIsUnavailable) {
  StartServer();
  ServerOptions other;
  other.port = server_->port();
  Server second(other, router_);
  Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(std::to_string(server_->port())), std::string::npos);
}

TEST_F(ServerTest, ReadTimeoutSends408WhenPartialAndClosesIdle) {
  options_.read_timeout_seconds = 1;
  options_.keepalive_timeout_seconds = 1;
  StartServer();
  Client partial(server_->port());
  partial.Send("GET /hello HTTP/1.1\r\nHo");
  EXPECT_EQ(partial.Read().result_int(), 408);
  Client idle(server_->port());
  idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.Read().result_int(), 200);
  EXPECT_TRUE(idle.ReadsEof());
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightRequest) {
  StartServer();
  Client idle(server_->port());
  idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.Read().result_int(), 200);

  std::future<WireResponse> slow = std::async(std::launch::async, [this] {
    Client client(server_->port());
    client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    return client.Read();
  });
  entered_.get_future().wait();
  server_->Shutdown();
  server_->Shutdown();  // idempotent
  release_.set_value();
  WireResponse response = slow.get();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "slow done");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(idle.ReadsEof());
  thread_.join();  // Run() returned
}

class ServerStaticTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    char tmpl[] = "/tmp/larch_srv_static_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ / "root");
    std::ofstream(dir_ / "root" / "app.js") << std::string(3000, 'j');
    std::ofstream(dir_ / "secret") << "secret";
    StaticFiles("/static", dir_ / "root").Register(router_);
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(ServerStaticTest, EtagRangeAndTraversal) {
  StartServer();
  Client client(server_->port());
  client.Send("GET /static/app.js HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse full = client.Read();
  EXPECT_EQ(full.result_int(), 200);
  EXPECT_EQ(full.body().size(), 3000u);
  std::string etag(full[bhttp::field::etag]);
  ASSERT_FALSE(etag.empty());

  client.Send("GET /static/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
  WireResponse not_modified = client.Read();
  EXPECT_EQ(not_modified.result_int(), 304);
  EXPECT_TRUE(not_modified.body().empty());

  client.Send("GET /static/app.js HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n");
  WireResponse partial = client.Read();
  EXPECT_EQ(partial.result_int(), 206);
  EXPECT_EQ(partial.body(), std::string(10, 'j'));
  EXPECT_EQ(partial[bhttp::field::content_range], "bytes 10-19/3000");

  client.Send("GET /static/app.js HTTP/1.1\r\nHost: x\r\nRange: bytes=5000-\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 416);

  client.Send("GET /static/%2e%2e/secret HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 404);
  client.Send("GET /static/../secret HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 404);

  client.Send("GET /static/app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
  WireResponse gz = client.Read();
  EXPECT_EQ(gz[bhttp::field::content_encoding], "gzip");
  EXPECT_EQ(Inflate(gz.body()), std::string(3000, 'j'));
}

}  // namespace
}  // namespace larch::http
