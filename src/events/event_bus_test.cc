#include "larch/events/event_bus.h"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/events/event_types.h"

namespace larch::events {
namespace {

using ::testing::ElementsAre;

class RecordingProducer : public EventProducer {
 public:
  struct Sent {
    std::string topic;
    std::string key;
    std::string event_type;
  };
  Status Send(const std::string& topic, const std::string& key, const Event& event) override {
    std::lock_guard<std::mutex> lock(mu);
    sent.push_back({topic, key, event.metadata.event_type});
    return fail ? UnavailableError("broker down") : OkStatus();
  }
  std::mutex mu;
  std::vector<Sent> sent;
  bool fail = false;
};

EventBusOptions Options() {
  EventBusOptions options;
  options.sourcehost = "test-host";
  return options;
}

TEST(EventBusTest, PublishFillsMetadataAndDelivers) {
  FakeClock clock(1'700'000'000'000'000);
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  std::vector<Event> got;
  bus.Subscribe(kCourseEnrollmentCreated, [&](const Event& e) {
    got.push_back(e);
    return OkStatus();
  });
  ASSERT_TRUE(bus.Publish(kCourseEnrollmentCreated, {{"enrollment", {{"mode", "audit"}}}}).ok());
  ASSERT_TRUE(bus.Publish(kCourseEnrollmentCreated, {{"enrollment", {{"mode", "honor"}}}}).ok());

  ASSERT_EQ(got.size(), 2u);
  const EventMetadata& m = got[0].metadata;
  EXPECT_EQ(m.event_type, "org.openedx.learning.course.enrollment.created.v1");
  EXPECT_EQ(m.id.size(), 36u);
  EXPECT_NE(got[0].metadata.id, got[1].metadata.id);
  EXPECT_EQ(m.minorversion, 0);
  EXPECT_EQ(m.source, "openedx/lms/web");
  EXPECT_EQ(m.sourcehost, "test-host");
  EXPECT_EQ(m.time, 1'700'000'000'000'000);
  EXPECT_FALSE(m.sourcelib.empty());
  EXPECT_EQ(got[0].data["enrollment"]["mode"], "audit");
  EXPECT_EQ(bus.stats().published, 2);
}

TEST(EventBusTest, OnlyMatchingTypeIsDelivered) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  int certificates = 0;
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    ++certificates;
    return OkStatus();
  });
  ASSERT_TRUE(bus.Publish(kCertificateRevoked, nlohmann::json::object()).ok());
  EXPECT_EQ(certificates, 0);
  ASSERT_TRUE(bus.Publish(kCertificateCreated, nlohmann::json::object()).ok());
  EXPECT_EQ(certificates, 1);
}

TEST(EventBusTest, FailingAndThrowingSubscribersDoNotStopOthers) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  std::vector<int> order;
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    order.push_back(1);
    return InternalError("boom");
  });
  bus.Subscribe(kCertificateCreated, [&](const Event&) -> Status {
    order.push_back(2);
    throw std::runtime_error("kaboom");
  });
  bus.Subscribe(kCertificateCreated, [&](const Event&) -> Status {
    order.push_back(3);
    throw 42;
  });
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    order.push_back(4);
    return OkStatus();
  });
  EXPECT_TRUE(bus.Publish(kCertificateCreated, nlohmann::json::object()).ok());
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(bus.stats().subscriber_failures, 3);
}

TEST(EventBusTest, UnsubscribeStopsDelivery) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  int a = 0, b = 0;
  SubscriptionId ida = bus.Subscribe(kCertificateCreated, [&](const Event&) {
    ++a;
    return OkStatus();
  });
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    ++b;
    return OkStatus();
  });
  EXPECT_TRUE(bus.Unsubscribe(ida));
  EXPECT_FALSE(bus.Unsubscribe(ida));
  EXPECT_FALSE(bus.Unsubscribe(999));
  ASSERT_TRUE(bus.Publish(kCertificateCreated, nlohmann::json::object()).ok());
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
}

TEST(EventBusTest, RejectsBadInput) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  EXPECT_EQ(bus.Publish("", nlohmann::json::object()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bus.Publish(kCertificateCreated, nlohmann::json::array()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bus.stats().published, 0);
}

TEST(EventBusTest, HandlerMayPublishAndSubscribeReentrantly) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  int revoked = 0;
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    bus.Subscribe(kCertificateRevoked, [&](const Event&) {
      ++revoked;
      return OkStatus();
    });
    return bus.Publish(kCertificateRevoked, nlohmann::json::object());
  });
  ASSERT_TRUE(bus.Publish(kCertificateCreated, nlohmann::json::object()).ok());
  EXPECT_EQ(revoked, 1);
}

TEST(EventBusTest, ProducerGetsEnabledRoutesWithPrefixAndKey) {
  FakeClock clock;
  SeededRandom random(1);
  RecordingProducer producer;
  EventBusOptions options = Options();
  options.topic_prefix = "prod";
  options.producer_routes = DefaultProducerRoutes();
  options.producer_routes[kCertificateCreated].push_back(
      {"disabled-topic", "certificate.course.course_key", false});
  LocalEventBus bus(clock, random, options, &producer);
  nlohmann::json data = {{"certificate", {{"course", {{"course_key", "course-v1:edX+DemoX+1"}}}}}};
  ASSERT_TRUE(bus.Publish(kCertificateCreated, data).ok());
  ASSERT_TRUE(bus.Publish(kCourseEnrollmentCreated, {{"enrollment", {}}}).ok());

  ASSERT_EQ(producer.sent.size(), 1u);
  EXPECT_EQ(producer.sent[0].topic, "prod-learning-certificate-lifecycle");
  EXPECT_EQ(producer.sent[0].key, "course-v1:edX+DemoX+1");
  EXPECT_EQ(producer.sent[0].event_type, kCertificateCreated);
  EXPECT_EQ(bus.stats().produced, 1);
}

TEST(EventBusTest, ProducerFailuresAndMissingKeysAreCountedNotReturned) {
  FakeClock clock;
  SeededRandom random(1);
  RecordingProducer producer;
  producer.fail = true;
  EventBusOptions options = Options();
  options.producer_routes = DefaultProducerRoutes();
  LocalEventBus bus(clock, random, options, &producer);
  int delivered = 0;
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    ++delivered;
    return OkStatus();
  });
  EXPECT_TRUE(
      bus.Publish(kCertificateCreated, {{"certificate", {{"course", {{"course_key", "k"}}}}}})
          .ok());
  // The key field is missing: never sent, still counted as a failure.
  EXPECT_TRUE(bus.Publish(kCertificateCreated, {{"certificate", {}}}).ok());
  EXPECT_EQ(delivered, 2);
  EXPECT_EQ(producer.sent.size(), 1u);
  EXPECT_EQ(bus.stats().producer_failures, 2);
  EXPECT_EQ(bus.stats().produced, 0);
}

TEST(ExtractEventKeyTest, WalksDottedPath) {
  nlohmann::json data = {{"a", {{"b", {{"c", "v"}, {"n", 5}, {"o", {{"x", 1}}}}}}}};
  EXPECT_EQ(*ExtractEventKey(data, "a.b.c"), "v");
  EXPECT_EQ(*ExtractEventKey(data, "a.b.n"), "5");
  EXPECT_EQ(ExtractEventKey(data, "a.b.o").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractEventKey(data, "a.x.c").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ExtractEventKey(data, "a.b.c.d").status().code(), StatusCode::kNotFound);
}

TEST(EventBusTest, ConcurrentSubscribeAndPublish) {
  FakeClock clock;
  SeededRandom random(1);
  LocalEventBus bus(clock, random, Options());
  std::atomic<int> always{0};
  bus.Subscribe(kCertificateCreated, [&](const Event&) {
    ++always;
    return OkStatus();
  });
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        SubscriptionId id =
            bus.Subscribe(kCertificateCreated, [](const Event&) { return OkStatus(); });
        EXPECT_TRUE(bus.Publish(kCertificateCreated, nlohmann::json::object()).ok());
        EXPECT_TRUE(bus.Unsubscribe(id));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(always.load(), kThreads * kPerThread);
  EXPECT_EQ(bus.stats().published, kThreads * kPerThread);
}

}  // namespace
}  // namespace larch::events
