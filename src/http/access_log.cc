// The access log line format of the HTTP server (declared in server.h).
#include "larch/http/server.h"

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "larch/common/clock.h"
#include "larch/common/strings.h"

namespace larch::http {

std::string FormatAccessLogJson(const AccessLogEntry& entry) {
  std::string line;
  line.reserve(256);
  line.append("{\"time\":");
  AppendJsonString(line, FormatIso8601(entry.time_micros));
  line.append(",\"request_id\":");
  AppendJsonString(line, entry.request_id);
  line.append(",\"remote\":");
  AppendJsonString(line, entry.remote);
  line.append(",\"method\":");
  AppendJsonString(line, entry.method);
  line.append(",\"path\":");
  AppendJsonString(line, entry.path);
  line.append(",\"status\":").append(std::to_string(entry.status));
  line.append(",\"bytes\":").append(std::to_string(entry.bytes));
  line.append(",\"duration_us\":").append(std::to_string(entry.duration_us));
  line.append(",\"user_agent\":");
  AppendJsonString(line, entry.user_agent);
  line.push_back('}');
  return line;
}

AccessLogFn SpdlogAccessLog(std::shared_ptr<spdlog::logger> logger) {
  return [logger = std::move(logger)](const AccessLogEntry& entry) {
    logger->info("{}", FormatAccessLogJson(entry));
  };
}

}  // namespace larch::http
