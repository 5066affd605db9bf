// RedisClient and RedisSubscriber against a real redis-server (Debian
// redis-server) started on a free port; skipped when it is not installed.
#include "larch/net/redis_client.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/net_support.h"
#include "larch/testing/status_matchers.h"

namespace larch::net {
namespace {

using ::larch::testing::StatusIs;

constexpr char kRedisServer[] = "/usr/bin/redis-server";

// A private redis-server on `port`, stopped by the destructor.
class RedisServer {
 public:
  explicit RedisServer(int port) : port_(port) {
    pid_ = fork();
    if (pid_ == 0) {
      std::string p = std::to_string(port);
      execl(kRedisServer, kRedisServer, "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", "/tmp", "--loglevel", "warning", nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      auto c = RedisClient::Connect({.url = url()});
      if (c.ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~RedisServer() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  int port_;
  pid_t pid_ = -1;
};

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRedisServer)) GTEST_SKIP() << "redis-server is not installed";
    port_ = larch::testing::FreePort();
    server_ = std::make_unique<RedisServer>(port_);
  }
  int port_ = 0;
  std::unique_ptr<RedisServer> server_;
};

TEST(RedisUrl, ParsesHostPortDbAndPassword) {
  auto e = ParseRedisUrl("redis://:s3cret@cache.internal:6380/2");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->password, "s3cret");
  auto plain = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_THAT(ParseRedisUrl("http://x").status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRedisUrl("redis://h:0").status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRedisUrl("redis://h:99999").status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRedisUrl("redis://h/x").status(), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(RedisClientTest, CommandsRepliesAndErrors) {
  auto client = RedisClient::Connect({.url = server_->url()});
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  std::string binary("a\0b\r\n", 5);
  ASSERT_TRUE((*client)->Command({"SET", "k", binary}).ok());
  auto got = (*client)->Command({"GET", "k"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->type, RedisReply::Type::kString);
  EXPECT_EQ(got->str, binary);
  auto n = (*client)->Command({"INCR", "counter"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->integer, 1);
  EXPECT_EQ((*client)->Command({"GET", "missing"})->type, RedisReply::Type::kNil);
  EXPECT_THAT((*client)->Command({"INCR", "k"}).status(), StatusIs(StatusCode::kInternal));
  EXPECT_EQ((*client)->address(), server_->url());
}

TEST_F(RedisClientTest, ADownServerIsUnavailableAndTheClientRecovers) {
  auto client = RedisClient::Connect({.url = server_->url(), .timeout_ms = 300});
  ASSERT_TRUE(client.ok());
  server_->Stop();
  EXPECT_THAT((*client)->Command({"PING"}).status(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(RedisClient::Connect({.url = server_->url()}).status(),
              StatusIs(StatusCode::kUnavailable));
  server_ = std::make_unique<RedisServer>(port_);
  auto pong = (*client)->Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.status().ToString();
  EXPECT_EQ(pong->str, "PONG");
}

TEST_F(RedisClientTest, SubscriberGetsMessagesAndResubscribesAfterARestart) {
  std::atomic<int> received = 0;
  std::string last;
  std::mutex mu;
  RedisSubscriber subscriber(
      {.url = server_->url(), .timeout_ms = 300}, {"larch:test"},
      [&](const std::string& channel, const std::string& payload) {
        std::lock_guard<std::mutex> lock(mu);
        last = channel + "=" + payload;
        ++received;
      },
      /*retry_ms=*/100);
  auto client = RedisClient::Connect({.url = server_->url(), .timeout_ms = 300});
  ASSERT_TRUE(client.ok());
  auto publish_until_received = [&](int want) {
    for (int i = 0; i < 100 && received.load() < want; ++i) {
      (*client)->Command({"PUBLISH", "larch:test", "hello"}).status().IgnoreError();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  publish_until_received(1);
  ASSERT_GE(received.load(), 1);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(last, "larch:test=hello");
  }
  server_->Stop();
  server_ = std::make_unique<RedisServer>(port_);
  const int before = received.load();
  publish_until_received(before + 1);
  EXPECT_GT(received.load(), before) << "no message after the server came back";
}

}  // namespace
}  // namespace larch::net
