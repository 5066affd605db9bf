#include "larch/events/event.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace larch::events {
namespace {

TEST(FormatEventTimeTest, UsesPythonIsoformatOffset) {
  EXPECT_EQ(FormatEventTime(1'700'000'000'000'000), "2023-11-14T22:13:20+00:00");
  EXPECT_EQ(FormatEventTime(1'700'000'000'123'456), "2023-11-14T22:13:20.123456+00:00");
}

TEST(SerializeForRedisStreamTest, ProducesEventBusRedisFieldsInOrder) {
  Event event;
  event.metadata.event_type = "org.openedx.learning.certificate.created.v1";
  event.metadata.id = "6f1c7b8e-1f2a-4c3d-9e8f-0a1b2c3d4e5f";
  event.metadata.minorversion = 0;
  event.metadata.source = "openedx/lms/web";
  event.metadata.sourcehost = "lms-1";
  event.metadata.time = 1'700'000'000'000'000;
  event.metadata.sourcelib = "0.1.0";
  event.data = {{"certificate", {{"mode", "verified"}}}};

  auto fields = SerializeForRedisStream(event);
  ASSERT_EQ(fields.size(), 8u);
  const char* names[] = {"type",         "id",         "source",    "time",
                         "minorversion", "sourcehost", "sourcelib", "event_data"};
  for (size_t i = 0; i < fields.size(); ++i) EXPECT_EQ(fields[i].first, names[i]);
  std::map<std::string, std::string> by_name(fields.begin(), fields.end());
  EXPECT_EQ(by_name["type"], "org.openedx.learning.certificate.created.v1");
  EXPECT_EQ(by_name["id"], "6f1c7b8e-1f2a-4c3d-9e8f-0a1b2c3d4e5f");
  EXPECT_EQ(by_name["source"], "openedx/lms/web");
  EXPECT_EQ(by_name["time"], "2023-11-14T22:13:20+00:00");
  EXPECT_EQ(by_name["minorversion"], "0");
  EXPECT_EQ(by_name["sourcehost"], "lms-1");
  EXPECT_EQ(by_name["sourcelib"], "0.1.0");
  EXPECT_EQ(nlohmann::json::parse(by_name["event_data"]), event.data);
}

TEST(SerializeForRedisStreamTest, InvalidUtf8DoesNotThrow) {
  Event event;
  event.metadata.event_type = "t";
  event.data = {{"name", std::string("bad \xff byte")}};
  auto fields = SerializeForRedisStream(event);
  EXPECT_EQ(fields.back().first, "event_data");
  EXPECT_NE(fields.back().second.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace larch::events
