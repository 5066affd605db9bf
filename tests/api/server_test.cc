// `larch serve` over real HTTP, on SQLite and (when LARCH_TEST_PG_DSN is set)
// on a fresh PostgreSQL database.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "backend_test.h"
#include "backends.h"
#include "larch/common/strings.h"
#include "larch/storage/job_store.h"
#include "larch/storage/open_database.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// A keep-alive connection that has had one request answered and then sits
// idle: the server holds it open, waiting for the next request.
class IdleConnection {
 public:
  explicit IdleConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  IdleConnection(const IdleConnection&) = delete;
  IdleConnection& operator=(const IdleConnection&) = delete;
  ~IdleConnection() { close(fd_); }

  // Sends `raw` and reads until one whole response (headers and
  // Content-Length bytes) arrived; returns it, or "" on a closed connection.
  std::string Exchange(const std::string& raw) {
    if (!connected_ ||
        send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(raw.size())) {
      return "";
    }
    std::string in;
    char buf[4096];
    while (true) {
      size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t at = AsciiLower(in.substr(0, end)).find("content-length:");
        size_t length = at == std::string::npos ? 0 : std::stoul(in.substr(at + 15));
        if (in.size() >= end + 4 + length) return in;
      }
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return "";
      in.append(buf, static_cast<size_t>(n));
    }
  }

  // Blocks until the peer closes the connection (or sends more bytes).
  bool ClosedByPeer() {
    char buf[256];
    pollfd pfd{fd_, POLLIN, 0};
    // Generous bound so a lost shutdown fails the test instead of hanging it.
    if (poll(&pfd, 1, 30'000) <= 0) return false;
    return recv(fd_, buf, sizeof(buf), 0) == 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

class ServerTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    env_["LARCH_ACCESS_LOG"] = dir_.path() + "/access.log";
    CommandResult migrate = RunLarch({"migrate", "--data-dir", dir_.path()}, env_);
    ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
  }

  void Start(std::map<std::string, std::string> extra_env = {}) {
    for (auto& [k, v] : extra_env) env_[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  std::string DatabaseUrl() const {
    auto it = env_.find("DATABASE_URL");
    return it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
  }

  std::unique_ptr<LarchProcess> server_;
};

TEST_P(ServerTest, HeartbeatReportsTheDatabase) {
  Start();
  auto r = Get(Url("/heartbeat"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body["sql"]["status"], true) << r->body;
  EXPECT_EQ(body["modulestore"]["message"], "OK") << r->body;
  EXPECT_NE(r->Header("content-type").find("application/json"), std::string::npos);
  EXPECT_FALSE(r->Header("x-request-id").empty());
}

TEST_P(ServerTest, UnknownRouteAndWrongMethodAnswerJson) {
  Start();
  auto missing = Get(Url("/api/nothing/here/"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  auto body = nlohmann::json::parse(missing->body);
  EXPECT_TRUE(body.contains("error_code")) << missing->body;
  EXPECT_TRUE(body.contains("developer_message")) << missing->body;
  EXPECT_TRUE(body.contains("user_message")) << missing->body;

  auto post = Send("POST", Url("/heartbeat"), "{}", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405);
  EXPECT_TRUE(Contains(post->Header("allow"), "GET")) << post->Header("allow");
}

TEST_P(ServerTest, KeepAliveAndPipelining) {
  Start();
  std::string two =
      "GET /heartbeat HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string out = RawExchange(server_->port(), two);
  size_t first = out.find("HTTP/1.1 200");
  size_t second = out.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  EXPECT_LT(first, second) << "responses must come back in request order";
}

TEST_P(ServerTest, MalformedAndOversizedRequests) {
  Start({{"LARCH_MAX_REQUEST_BODY_BYTES", "4096"}});
  std::string garbage = RawExchange(server_->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(Contains(garbage, "HTTP/1.1 400")) << garbage;

  auto big = Send("POST", Url("/heartbeat"), std::string(64 * 1024, 'x'),
                  {{"Content-Type", "application/json"}});
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);

  // The server is still healthy afterwards.
  auto again = Get(Url("/heartbeat"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

TEST_P(ServerTest, AccessLogHasOneLinePerRequestWithoutQueryStrings) {
  Start();
  for (int i = 0; i < 3; ++i) {
    auto r =
        Get(Url("/heartbeat?token=s3cr3t-value"), {{"X-Request-ID", "req-" + std::to_string(i)}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Header("x-request-id"), "req-" + std::to_string(i));
  }
  ASSERT_EQ(*server_->Stop(SIGTERM), 0) << server_->output();
  std::ifstream in(dir_.path() + "/access.log");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string log = buf.str();
  EXPECT_EQ(CountOf(log, "\"path\":\"/heartbeat\""), 3) << log;
  EXPECT_TRUE(Contains(log, "\"request_id\":\"req-2\"")) << log;
  EXPECT_FALSE(Contains(log, "s3cr3t")) << log;
}

TEST_P(ServerTest, SigtermExitsCleanly) {
  Start();
  // An idle keep-alive connection must not hold the shutdown up: one request
  // answered on it first, so it is really open when the signal comes.
  IdleConnection idle(server_->port());
  std::string first = idle.Exchange("GET /heartbeat HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(Contains(first, "HTTP/1.1 200")) << first << server_->output();
  auto code = server_->Stop(SIGTERM);
  EXPECT_TRUE(idle.ClosedByPeer());
  ASSERT_TRUE(code.ok()) << code.status().ToString() << server_->output();
  EXPECT_EQ(*code, 0) << server_->output();
  EXPECT_TRUE(Contains(server_->output(), "stopped")) << server_->output();
}

TEST_P(ServerTest, BackgroundJobsRunInsideServe) {
  Start();
  storage::DatabaseOptions options;
  options.url = DatabaseUrl();
  auto db = storage::OpenDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  storage::JobRecord job;
  job.kind = "mail.send";
  job.payload = R"({"to": ["learner@example.com"], "subject": "Welcome to Larch", "text": "hi"})";
  job.idempotency_key = "welcome-1";
  auto enqueued = storage::RunWithResult(
      **db, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) { return storage::JobStore::Enqueue(txn, job, 0); });
  ASSERT_TRUE(enqueued.ok()) << enqueued.status().ToString();
  storage::JobState state = storage::JobState::kQueued;
  for (int i = 0; i < 500 && state != storage::JobState::kSucceeded; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto got = storage::RunWithResult(
        **db, storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return storage::JobStore::Get(txn, enqueued->id); });
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value());
    state = (*got)->state;
  }
  EXPECT_EQ(state, storage::JobState::kSucceeded) << server_->output();
  // Without SMTP_URL the mailer logs the subject (never the body).
  EXPECT_TRUE(Contains(server_->output(), "Welcome to Larch")) << server_->output();
}

TEST_P(ServerTest, HeartbeatFailsWhileTheDatabaseIsDown) {
  if (GetParam() != "postgres") GTEST_SKIP() << "needs a database server to take down";
  Start();
  ASSERT_EQ(Get(Url("/heartbeat"))->status, 200);
  const std::string name = backend_->database_name();
  ASSERT_TRUE(backend_->AdminExec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false"));
  ASSERT_TRUE(backend_->AdminExec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'"));
  auto down = Get(Url("/heartbeat"));
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->status, 503) << down->body;
  auto body = nlohmann::json::parse(down->body);
  EXPECT_EQ(body["sql"]["status"], false) << down->body;
  ASSERT_TRUE(backend_->AdminExec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true"));
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = Get(Url("/heartbeat"))->status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 200) << "the server must reconnect once the database is back";
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
