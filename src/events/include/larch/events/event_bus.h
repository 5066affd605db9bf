// The in-process event bus: Larch's stand-in for openedx-events signals plus
// the optional cross-service event bus (EVENT_BUS_PRODUCER).
//
// Publish stamps EventsMetadata (id, time, source, host) and calls every
// in-process subscriber of that event type synchronously, in subscription
// order, as Django's send_event does. A subscriber that fails or throws is
// logged and counted; it never stops the others nor fails the publisher.
// The event then goes to the configured EventProducer, once per enabled
// route (EVENT_BUS_PRODUCER_CONFIG: topic + event_key_field); producer
// failures are logged and counted as upstream's producers do.
//
// Thread safety: EventBus implementations are thread-safe; Subscribe,
// Unsubscribe and Publish may be called from any thread, also from inside a
// handler. A handler may still be running (or, on another thread, be about to
// run once) when Unsubscribe returns.
#ifndef LARCH_EVENTS_EVENT_BUS_H_
#define LARCH_EVENTS_EVENT_BUS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/events/event.h"

namespace larch::events {

// Sends events to an external bus (Redis Streams, Kafka). Implementations
// must be thread-safe.
class EventProducer {
 public:
  virtual ~EventProducer() = default;
  // Sends `event` to the full (prefixed) `topic`, partitioned by `key`.
  // Returns kUnavailable when the broker cannot be reached.
  virtual Status Send(const std::string& topic, const std::string& key, const Event& event) = 0;
};

// One entry of EVENT_BUS_PRODUCER_CONFIG[event_type].
struct ProducerRoute {
  std::string topic;            // base topic, e.g. "learning-certificate-lifecycle"
  std::string event_key_field;  // dotted path into the data, e.g. "certificate.course.course_key"
  bool enabled = true;
};

// The routes Open edX deployments commonly use (openedx_apis.md 7.2):
// certificate, unenrollment and passing-status events.
std::map<std::string, std::vector<ProducerRoute>> DefaultProducerRoutes();

struct EventBusOptions {
  std::string source = "openedx/lms/web";
  // Usually the host name; the composition root fills it in.
  std::string sourcehost;
  std::string sourcelib = "0.1.0";
  // EVENT_BUS_TOPIC_PREFIX: topics become "<prefix>-<topic>" when set.
  std::string topic_prefix;
  // event_type -> routes. Ignored when the bus has no producer.
  std::map<std::string, std::vector<ProducerRoute>> producer_routes;
};

// Reads the string at dotted `path` ("a.b.c") in `data`; numbers are
// printed. kNotFound when a step is missing, kInvalidArgument when the value
// is an object, array or null.
StatusOr<std::string> ExtractEventKey(const nlohmann::json& data, std::string_view path);

using SubscriptionId = uint64_t;
// Returning non-OK marks the delivery failed (logged); the event is not
// redelivered: in-process receivers, like Django's, are best-effort.
using EventHandler = std::function<Status(const Event&)>;

class EventBus {
 public:
  virtual ~EventBus() = default;
  // Builds the event's metadata and delivers it. Returns OK once delivery has
  // been attempted, whatever subscribers and the producer did;
  // kInvalidArgument when `event_type` is empty or `data` is not a JSON
  // object.
  virtual Status Publish(std::string_view event_type, nlohmann::json data) = 0;
  // Calls `handler` for every later event of `event_type`.
  virtual SubscriptionId Subscribe(std::string_view event_type, EventHandler handler) = 0;
  // False when `id` is unknown (or already removed).
  virtual bool Unsubscribe(SubscriptionId id) = 0;
};

struct EventBusStats {
  int64_t published = 0;
  int64_t subscriber_failures = 0;
  int64_t produced = 0;
  int64_t producer_failures = 0;
};

class LocalEventBus final : public EventBus {
 public:
  // `producer` may be null (in-process only); it must outlive the bus.
  LocalEventBus(const Clock& clock, Random& random, EventBusOptions options,
                EventProducer* producer = nullptr);

  Status Publish(std::string_view event_type, nlohmann::json data) override;
  SubscriptionId Subscribe(std::string_view event_type, EventHandler handler) override;
  bool Unsubscribe(SubscriptionId id) override;

  EventBusStats stats() const;

 private:
  struct Subscription {
    SubscriptionId id;
    std::string event_type;
    std::shared_ptr<const EventHandler> handler;
  };

  void Deliver(const Event& event);
  void Produce(const Event& event);

  const Clock& clock_;
  Random& random_;
  const EventBusOptions options_;
  EventProducer* const producer_;

  mutable std::mutex mu_;
  SubscriptionId next_id_ = 1;
  // Per event type, in subscription order.
  std::map<std::string, std::vector<Subscription>, std::less<>> subscriptions_;

  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> subscriber_failures_{0};
  std::atomic<int64_t> produced_{0};
  std::atomic<int64_t> producer_failures_{0};
};

}  // namespace larch::events

#endif  // LARCH_EVENTS_EVENT_BUS_H_
