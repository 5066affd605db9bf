// A small Redis client on hiredis (Debian libhiredis): commands over a pool
// of blocking connections, and a subscriber thread for pub/sub. Larch uses
// Redis where Open edX does (docs/deployment.md): shared rate-limit
// counters, cache invalidation messages and the event bus on Redis Streams.
//
// Errors: kInvalidArgument for a bad URL; kUnavailable when the server
// cannot be reached or a connection breaks (that connection is dropped and
// the next call dials again); kInternal for an error reply (-ERR ...).
// Passwords in the URL never appear in messages.
//
// Thread safety: RedisClient is thread-safe (a connection serves one call
// at a time). A RedisSubscriber runs its callback on its own thread.
#ifndef LARCH_NET_REDIS_CLIENT_H_
#define LARCH_NET_REDIS_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "larch/common/mutex.h"
#include "larch/common/status.h"

struct redisContext;

namespace larch::net {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int64_t db = 0;
  std::string password;
};

// redis://[[user]:password@]host[:port][/db]; kInvalidArgument otherwise.
StatusOr<RedisEndpoint> ParseRedisUrl(std::string_view url);

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString and kStatus
  std::vector<RedisReply> elements;
};

struct RedisOptions {
  std::string url;
  // Connect, read and write timeout of each call.
  int timeout_ms = 1'000;
  // Connections kept open for reuse.
  size_t max_idle = 8;
};

class RedisClient {
 public:
  // Parses the URL and checks the server answers PING.
  static StatusOr<std::unique_ptr<RedisClient>> Connect(const RedisOptions& options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command (binary-safe arguments).
  StatusOr<RedisReply> Command(const std::vector<std::string>& args);
  // "redis://host:port/db" without the password.
  const std::string& address() const { return address_; }

 private:
  RedisClient(RedisOptions options, RedisEndpoint endpoint);
  StatusOr<redisContext*> Take();
  void Give(redisContext* context);

  const RedisOptions options_;
  const RedisEndpoint endpoint_;
  const std::string address_;
  Mutex mu_;
  std::vector<redisContext*> idle_ LARCH_GUARDED_BY(mu_);
};

// Subscribes to channels on its own connection and thread and calls
// `on_message(channel, payload)` for each message; after a broken
// connection it dials again (every `retry_ms`) and subscribes again.
// Messages published while it is disconnected are lost (pub/sub).
class RedisSubscriber {
 public:
  using Callback = std::function<void(const std::string& channel, const std::string& payload)>;
  RedisSubscriber(RedisOptions options, std::vector<std::string> channels, Callback on_message,
                  int retry_ms = 500);
  // Stops the thread.
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // True once the first SUBSCRIBE was confirmed (tests wait for it).
  bool subscribed() const { return subscribed_.load(); }

 private:
  void Run();
  // One connection's life: subscribe, then deliver until it breaks or Stop.
  Status Session();

  const RedisOptions options_;
  const std::vector<std::string> channels_;
  const Callback on_message_;
  const int retry_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> subscribed_{false};
  std::thread thread_;
};

}  // namespace larch::net

#endif  // LARCH_NET_REDIS_CLIENT_H_
