#include "larch/events/event_bus.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "larch/events/event_types.h"

namespace larch::events {

std::map<std::string, std::vector<ProducerRoute>> DefaultProducerRoutes() {
  const std::string certificates = "learning-certificate-lifecycle";
  const std::string certificate_key = "certificate.course.course_key";
  const std::string passing_key = "course_passing_status.course.course_key";
  return {
      {kCertificateCreated, {{certificates, certificate_key, true}}},
      {kCertificateChanged, {{certificates, certificate_key, true}}},
      {kCertificateRevoked, {{certificates, certificate_key, true}}},
      {kCourseUnenrollmentCompleted,
       {{"course-unenrollment-lifecycle", "enrollment.course.course_key", true}}},
      {kCoursePassingStatusUpdated, {{"learning-badges-lifecycle", passing_key, true}}},
      {kCcxCoursePassingStatusUpdated, {{"learning-badges-lifecycle", passing_key, true}}},
  };
}

StatusOr<std::string> ExtractEventKey(const nlohmann::json& data, std::string_view path) {
  const nlohmann::json* node = &data;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string step(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (!node->is_object()) return NotFoundError("event key path '" + std::string(path) + "'");
    auto it = node->find(step);
    if (it == node->end()) {
      return NotFoundError("event key field '" + step + "' missing in '" + std::string(path) + "'");
    }
    node = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_number() || node->is_boolean()) return node->dump();
  return InvalidArgumentError("event key '" + std::string(path) + "' is not a scalar");
}

LocalEventBus::LocalEventBus(const Clock& clock, Random& random, EventBusOptions options,
                             EventProducer* producer)
    : clock_(clock), random_(random), options_(std::move(options)), producer_(producer) {}

Status LocalEventBus::Publish(std::string_view event_type, nlohmann::json data) {
  if (event_type.empty()) return InvalidArgumentError("event type is empty");
  if (!data.is_object()) {
    return InvalidArgumentError("data of event " + std::string(event_type) + " is not an object");
  }
  Event event;
  event.metadata.event_type = std::string(event_type);
  event.metadata.id = random_.Uuid4();
  event.metadata.minorversion = 0;
  event.metadata.source = options_.source;
  event.metadata.sourcehost = options_.sourcehost;
  event.metadata.time = clock_.NowMicros();
  event.metadata.sourcelib = options_.sourcelib;
  event.data = std::move(data);
  ++published_;
  Deliver(event);
  if (producer_ != nullptr) Produce(event);
  return OkStatus();
}

void LocalEventBus::Deliver(const Event& event) {
  // Handlers run without the lock, on a snapshot, so they may publish,
  // subscribe or unsubscribe themselves.
  std::vector<std::pair<SubscriptionId, std::shared_ptr<const EventHandler>>> handlers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = subscriptions_.find(event.metadata.event_type);
    if (it == subscriptions_.end()) return;
    handlers.reserve(it->second.size());
    for (const Subscription& s : it->second) handlers.emplace_back(s.id, s.handler);
  }
  for (const auto& [id, handler] : handlers) {
    std::string failure;
    try {
      Status status = (*handler)(event);
      if (!status.ok()) failure = status.ToString();
    } catch (const std::exception& e) {
      failure = std::string("threw: ") + e.what();
    } catch (...) {
      failure = "threw a non-std exception";
    }
    if (!failure.empty()) {
      ++subscriber_failures_;
      spdlog::error("event subscriber {} for {} (event {}) failed: {}", id,
                    event.metadata.event_type, event.metadata.id, failure);
    }
  }
}

void LocalEventBus::Produce(const Event& event) {
  auto it = options_.producer_routes.find(event.metadata.event_type);
  if (it == options_.producer_routes.end()) return;
  for (const ProducerRoute& route : it->second) {
    if (!route.enabled) continue;
    const std::string topic =
        options_.topic_prefix.empty() ? route.topic : options_.topic_prefix + "-" + route.topic;
    StatusOr<std::string> key = ExtractEventKey(event.data, route.event_key_field);
    Status status = key.status();
    if (key.ok()) {
      try {
        status = producer_->Send(topic, *key, event);
      } catch (const std::exception& e) {
        status = InternalError(std::string("producer threw: ") + e.what());
      } catch (...) {
        status = InternalError("producer threw a non-std exception");
      }
    }
    if (status.ok()) {
      ++produced_;
    } else {
      ++producer_failures_;
      spdlog::error("sending event {} ({}) to topic {} failed: {}", event.metadata.id,
                    event.metadata.event_type, topic, status.ToString());
    }
  }
}

SubscriptionId LocalEventBus::Subscribe(std::string_view event_type, EventHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  const SubscriptionId id = next_id_++;
  auto it = subscriptions_.find(event_type);
  if (it == subscriptions_.end()) {
    it = subscriptions_.emplace(std::string(event_type), std::vector<Subscription>()).first;
  }
  it->second.push_back(Subscription{id, std::string(event_type),
                                    std::make_shared<const EventHandler>(std::move(handler))});
  return id;
}

bool LocalEventBus::Unsubscribe(SubscriptionId id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end(); ++it) {
    auto& subs = it->second;
    for (auto s = subs.begin(); s != subs.end(); ++s) {
      if (s->id == id) {
        subs.erase(s);
        if (subs.empty()) subscriptions_.erase(it);
        return true;
      }
    }
  }
  return false;
}

EventBusStats LocalEventBus::stats() const {
  return EventBusStats{published_.load(), subscriber_failures_.load(), produced_.load(),
                       producer_failures_.load()};
}

}  // namespace larch::events
