#include "redis_backplane.h"

#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace larch::app {
namespace {

// INCR, and the window's expiry on its first hit, in one step.
constexpr char kHitScript[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
    "return n";

}  // namespace

StatusOr<std::unique_ptr<RedisBackplane>> RedisBackplane::Connect(const std::string& url,
                                                                  std::string node_id,
                                                                  const Clock& clock) {
  net::RedisOptions options;
  options.url = url;
  LARCH_ASSIGN_OR_RETURN(std::unique_ptr<net::RedisClient> client,
                         net::RedisClient::Connect(options));
  std::unique_ptr<RedisBackplane> plane(
      new RedisBackplane(std::move(client), std::move(node_id), clock));
  RedisBackplane* raw = plane.get();
  plane->subscriber_ = std::make_unique<net::RedisSubscriber>(
      options, std::vector<std::string>{kInvalidationChannel},
      [raw](const std::string&, const std::string& payload) { raw->OnMessage(payload); });
  return plane;
}

RedisBackplane::RedisBackplane(std::unique_ptr<net::RedisClient> client, std::string node_id,
                               const Clock& clock)
    : client_(std::move(client)), node_id_(std::move(node_id)), clock_(clock) {}

RedisBackplane::~RedisBackplane() { subscriber_.reset(); }

void RedisBackplane::LogFailure(const char* what, const Status& status) {
  // The first failure and then one in a thousand: Redis down must not
  // flood the log.
  if (failures_++ % 1000 == 0) spdlog::warn("redis {}: {}", what, status.ToString());
}

void RedisBackplane::Publish(std::string_view topic, std::string_view key) {
  local_.Deliver(topic, key);
  std::string message = node_id_ + "\n" + std::string(topic) + "\n" + std::string(key);
  StatusOr<net::RedisReply> sent = client_->Command({"PUBLISH", kInvalidationChannel, message});
  if (!sent.ok()) LogFailure("invalidation not sent", sent.status());
}

void RedisBackplane::Subscribe(std::string topic, Handler handler) {
  local_.Subscribe(std::move(topic), std::move(handler));
}

void RedisBackplane::OnMessage(const std::string& payload) {
  size_t first = payload.find('\n');
  size_t second = first == std::string::npos ? first : payload.find('\n', first + 1);
  if (second == std::string::npos) return;
  if (std::string_view(payload).substr(0, first) == node_id_) return;  // delivered already
  local_.Deliver(std::string_view(payload).substr(first + 1, second - first - 1),
                 std::string_view(payload).substr(second + 1));
}

StatusOr<int64_t> RedisBackplane::Hit(std::string_view key, int64_t window_seconds) {
  const int64_t window = std::max<int64_t>(window_seconds, 1);
  const int64_t index = clock_.NowMicros() / 1'000'000 / window;
  const std::string redis_key = "larch:rl:" + std::string(key) + ":" + std::to_string(index);
  LARCH_ASSIGN_OR_RETURN(
      net::RedisReply reply,
      client_->Command({"EVAL", kHitScript, "1", redis_key, std::to_string(window * 1000)}));
  if (reply.type != net::RedisReply::Type::kInteger) {
    return InternalError("redis rate counter did not answer a number");
  }
  return reply.integer;
}

Status RedisBackplane::Send(const std::string& topic, const std::string&,
                            const events::Event& event) {
  std::vector<std::string> args = {"XADD", topic, "MAXLEN", "~", std::to_string(kStreamMaxLen),
                                   "*"};
  for (auto& [field, value] : events::SerializeForRedisStream(event)) {
    args.push_back(field);
    args.push_back(value);
  }
  return client_->Command(args).status();
}

StatusOr<int64_t> RedisBackplane::Ping() {
  const int64_t started = clock_.MonotonicMicros();
  LARCH_RETURN_IF_ERROR(client_->Command({"PING"}).status());
  return clock_.MonotonicMicros() - started;
}

}  // namespace larch::app
