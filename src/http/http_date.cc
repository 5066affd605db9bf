#include "http_date.h"

#include <ctime>

namespace larch::http::internal {

namespace {
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void Append2(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}
}  // namespace

std::string FormatHttpDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out;
  out.reserve(29);
  out.append(kDays[tm.tm_wday]).append(", ");
  Append2(out, tm.tm_mday);
  out.push_back(' ');
  out.append(kMonths[tm.tm_mon]).push_back(' ');
  out.append(std::to_string(tm.tm_year + 1900)).push_back(' ');
  Append2(out, tm.tm_hour);
  out.push_back(':');
  Append2(out, tm.tm_min);
  out.push_back(':');
  Append2(out, tm.tm_sec);
  out.append(" GMT");
  return out;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::tm tm{};
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i;
  }
  int day, year, hour, minute, second;
  if (month < 0 || !ParseInt(text.substr(5, 2), day) || !ParseInt(text.substr(12, 4), year) ||
      !ParseInt(text.substr(17, 2), hour) || !ParseInt(text.substr(20, 2), minute) ||
      !ParseInt(text.substr(23, 2), second) || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':') {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace larch::http::internal
