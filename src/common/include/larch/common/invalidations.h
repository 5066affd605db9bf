// Cache invalidation messages. A writer announces that `key` of `topic`
// changed (a course re-imported, a configuration model set); every cache
// holding that key in any process drops it. Larch's in-process caches
// (course details, configuration models) subscribe here instead of relying
// on their TTL alone, so a change is seen everywhere at once.
//
// LocalInvalidations delivers within this process (one node, no Redis);
// the app's Redis implementation also sends each message to the other
// processes over Redis pub/sub and delivers theirs here.
//
// Delivery is best effort: a process that loses its Redis connection keeps
// serving from its caches until their TTL ends, which bounds staleness as
// before.
//
// Thread safety: implementations are thread-safe. Subscribe before
// Publish runs concurrently; handlers must be quick and must not Publish.
#ifndef LARCH_COMMON_INVALIDATIONS_H_
#define LARCH_COMMON_INVALIDATIONS_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/mutex.h"

namespace larch {

// The topics Larch publishes; the key format is the topic's.
inline constexpr char kInvalidateCourse[] = "course";       // key: course key
inline constexpr char kInvalidateConfigModel[] = "config";  // key: "<model>\n<key>"

class Invalidations {
 public:
  using Handler = std::function<void(std::string_view key)>;
  virtual ~Invalidations() = default;
  // Delivers to this process's handlers before returning, then to the
  // other processes.
  virtual void Publish(std::string_view topic, std::string_view key) = 0;
  virtual void Subscribe(std::string topic, Handler handler) = 0;
};

// In-process delivery; also the fan-out the Redis implementation uses for
// the messages it receives.
class LocalInvalidations : public Invalidations {
 public:
  void Publish(std::string_view topic, std::string_view key) override { Deliver(topic, key); }
  void Subscribe(std::string topic, Handler handler) override {
    MutexLock lock(mu_);
    handlers_[std::move(topic)].push_back(std::move(handler));
  }
  // Runs the handlers of `topic` on this thread.
  void Deliver(std::string_view topic, std::string_view key) {
    std::vector<Handler> handlers;
    {
      MutexLock lock(mu_);
      auto it = handlers_.find(std::string(topic));
      if (it == handlers_.end()) return;
      handlers = it->second;
    }
    for (const Handler& handler : handlers) handler(key);
  }

 private:
  Mutex mu_;
  std::map<std::string, std::vector<Handler>> handlers_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch

#endif  // LARCH_COMMON_INVALIDATIONS_H_
