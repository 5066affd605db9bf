// What the nodes of a cluster share through Redis (REDIS_URL), where Open
// edX uses its Redis/memcached cache and event-bus-redis:
//   - rate-limit counters (api::SharedRateCounter): one fixed-window counter
//     per limiter and client, INCR with the window's expiry in one script;
//   - cache invalidation messages (Invalidations): PUBLISH on channel
//     larch:invalidate as "<node>\n<topic>\n<key>"; each node delivers the
//     others' messages to its own caches;
//   - the event bus producer (events::EventProducer): XADD of the
//     event-bus-redis field list to the stream named after the (prefixed)
//     topic, capped near kStreamMaxLen entries.
//
// Failures never fail a request: a counter that cannot be reached makes the
// limiter count in the process, a lost invalidation leaves the cache's TTL
// as the bound, a failed XADD is logged by the event bus.
//
// Thread safety: thread-safe.
#ifndef LARCH_APP_REDIS_BACKPLANE_H_
#define LARCH_APP_REDIS_BACKPLANE_H_

#include <atomic>
#include <memory>
#include <string>

#include "larch/api/rate_limiter.h"
#include "larch/common/clock.h"
#include "larch/common/invalidations.h"
#include "larch/common/status.h"
#include "larch/events/event_bus.h"
#include "larch/net/redis_client.h"

namespace larch::app {

inline constexpr char kInvalidationChannel[] = "larch:invalidate";
inline constexpr int64_t kStreamMaxLen = 10'000;

class RedisBackplane final : public Invalidations,
                             public api::SharedRateCounter,
                             public events::EventProducer {
 public:
  // Connects (kUnavailable when Redis does not answer) and starts the
  // invalidation subscriber. `node_id` tells this node's messages apart.
  static StatusOr<std::unique_ptr<RedisBackplane>> Connect(const std::string& url,
                                                           std::string node_id, const Clock& clock);
  ~RedisBackplane() override;

  void Publish(std::string_view topic, std::string_view key) override;
  void Subscribe(std::string topic, Handler handler) override;
  StatusOr<int64_t> Hit(std::string_view key, int64_t window_seconds) override;
  Status Send(const std::string& topic, const std::string& key,
              const events::Event& event) override;

  const std::string& address() const { return client_->address(); }
  // Whether the invalidation subscriber is connected (for `larch check`
  // and tests).
  bool subscribed() const { return subscriber_ != nullptr && subscriber_->subscribed(); }
  StatusOr<int64_t> Ping();
  // Stops delivering other processes' messages (before the caches that
  // subscribed are destroyed). Call once, while nothing else calls in.
  void StopSubscriber() { subscriber_.reset(); }

 private:
  RedisBackplane(std::unique_ptr<net::RedisClient> client, std::string node_id, const Clock& clock);
  void OnMessage(const std::string& payload);
  void LogFailure(const char* what, const Status& status);

  std::unique_ptr<net::RedisClient> client_;
  const std::string node_id_;
  const Clock& clock_;
  LocalInvalidations local_;
  std::unique_ptr<net::RedisSubscriber> subscriber_;
  std::atomic<int64_t> failures_{0};
};

}  // namespace larch::app

#endif  // LARCH_APP_REDIS_BACKPLANE_H_
