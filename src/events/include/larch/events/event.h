// An openedx-events event: metadata (EventsMetadata) plus the signal's data,
// and its wire form for the Redis Streams event bus backend.
//
// Thread safety: values; distinct objects may be used from different threads.
#ifndef LARCH_EVENTS_EVENT_H_
#define LARCH_EVENTS_EVENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// Event holds its data by value, so this header needs the full json type;
// the other events headers only forward-declare it.
#include <nlohmann/json.hpp>

namespace larch::events {

// Mirrors openedx_events.data.EventsMetadata.
struct EventMetadata {
  std::string event_type;
  // openedx-events uses uuid1; consumers only treat it as an opaque unique
  // id, so Larch uses a random (v4) UUID from the injected Random.
  std::string id;
  int64_t minorversion = 0;
  // "openedx/<service>/web".
  std::string source = "openedx/lms/web";
  std::string sourcehost;
  // Microseconds since the Unix epoch, UTC.
  int64_t time = 0;
  // openedx-events sends its own version as "x.y.z".
  std::string sourcelib = "0.1.0";
};

struct Event {
  EventMetadata metadata;
  // The signal's keyword arguments, e.g. {"enrollment": {...}}.
  nlohmann::json data;
};

// Python's datetime.isoformat() for an aware UTC datetime
// ("2024-05-01T12:00:00.123456+00:00", fraction omitted when zero), the form
// openedx-events puts on the wire.
std::string FormatEventTime(int64_t micros_since_epoch);

// The field/value list the Redis Streams backend (openedx/event-bus-redis)
// XADDs: type, id, source, time, minorversion, sourcehost, sourcelib,
// event_data. event_data is upstream Avro bytes built from the data
// classes' schema; here it is the data as compact JSON text. TODO(events):
// Avro encoding is future work, needed before real openedx consumers can
// read what Larch produces.
std::vector<std::pair<std::string, std::string>> SerializeForRedisStream(const Event& event);

}  // namespace larch::events

#endif  // LARCH_EVENTS_EVENT_H_
