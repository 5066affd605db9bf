#include "larch/events/event.h"

#include <string>
#include <utility>
#include <vector>

#include "larch/common/clock.h"

namespace larch::events {

std::string FormatEventTime(int64_t micros_since_epoch) {
  std::string text = FormatIso8601(micros_since_epoch);
  // Python consumers before 3.11 reject "Z" in datetime.fromisoformat.
  if (!text.empty() && text.back() == 'Z') {
    text.pop_back();
    text += "+00:00";
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> SerializeForRedisStream(const Event& event) {
  const EventMetadata& m = event.metadata;
  // dump() with the replace handler cannot throw on invalid UTF-8 in a
  // string value.
  std::string data = event.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return {
      {"type", m.event_type},
      {"id", m.id},
      {"source", m.source},
      {"time", FormatEventTime(m.time)},
      {"minorversion", std::to_string(m.minorversion)},
      {"sourcehost", m.sourcehost},
      {"sourcelib", m.sourcelib},
      {"event_data", std::move(data)},
  };
}

}  // namespace larch::events
