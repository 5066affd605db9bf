#include "report_csv.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "larch/keys/keys.h"

namespace larch::instructor_tasks::internal {

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

std::string PythonFloat(double value) {
  if (value != value) return "nan";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // The shortest round-trip digits, in scientific form d.ddde[+-]x.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, result.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out;
  if (exponent < -4 || exponent >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof(exp), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent) - 1, '0') + digits;
  } else {
    size_t point = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= point) {
      out = digits + std::string(point - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, point) + "." + digits.substr(point);
    }
  }
  return negative ? "-" + out : out;
}

namespace {

std::tm UtcTime(int64_t micros) {
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

std::string PythonDatetime(int64_t micros) {
  std::tm tm = UtcTime(micros);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  int64_t fraction = micros % 1'000'000;
  if (fraction != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%06lld", static_cast<long long>(fraction));
    out += frac;
  }
  return out + "+00:00";
}

std::string CourseFilePrefix(std::string_view course_key) {
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course_key);
  std::string joined =
      key.ok() ? key->org + "_" + key->course + "_" + key->run : std::string(course_key);
  std::string out;
  for (char c : joined) {
    if (c == ' ') c = '_';
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.';
    if (word) out += c;
  }
  return out;
}

std::string ReportName(std::string_view course_key, std::string_view csv_name, int64_t micros) {
  std::tm tm = UtcTime(micros);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H%M", &tm);
  return CourseFilePrefix(course_key) + "_" + std::string(csv_name) + "_" + stamp + ".csv";
}

}  // namespace larch::instructor_tasks::internal
