#include "larch/storage/database.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <type_traits>

namespace larch::storage {
namespace {

// Backends hand back integers as text in a few places (PostgreSQL columns of
// an unknown type, SQLite columns declared TEXT); unparsable text reads as 0,
// the same as NULL, because accessors have no error channel.
int64_t ParseInt(const std::string& text) {
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  while (begin != end && *begin == ' ') ++begin;
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc() && ptr != begin) return value;
  // "3.0" or "1e3": go through double.
  char* double_end = nullptr;
  double d = std::strtod(text.c_str(), &double_end);
  if (double_end != text.c_str() && d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
  return 0;
}

double ParseDouble(const std::string& text) {
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  return end == text.c_str() ? 0.0 : d;
}

std::string DoubleToText(double d) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, ptr) : std::string();
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgres";
  }
  return "unknown";
}

SqlValue OptionalText(const std::optional<std::string>& v) {
  if (!v.has_value()) return nullptr;
  return *v;
}

SqlValue OptionalInt(const std::optional<int64_t>& v) {
  if (!v.has_value()) return nullptr;
  return *v;
}

bool Row::IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }

int64_t Row::GetInt(size_t i) const {
  return std::visit(
      [](const auto& v) -> int64_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return v;
        } else if constexpr (std::is_same_v<T, double>) {
          return static_cast<int64_t>(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return ParseInt(v);
        } else if constexpr (std::is_same_v<T, Blob>) {
          return ParseInt(v.bytes);
        } else {
          return 0;
        }
      },
      values_.at(i));
}

double Row::GetDouble(size_t i) const {
  return std::visit(
      [](const auto& v) -> double {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return static_cast<double>(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return v;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return ParseDouble(v);
        } else if constexpr (std::is_same_v<T, Blob>) {
          return ParseDouble(v.bytes);
        } else {
          return 0.0;
        }
      },
      values_.at(i));
}

std::string Row::GetText(size_t i) const {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return DoubleToText(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, Blob>) {
          return v.bytes;
        } else {
          return std::string();
        }
      },
      values_.at(i));
}

std::optional<int64_t> Row::GetOptionalInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return GetInt(i);
}

std::optional<std::string> Row::GetOptionalText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return GetText(i);
}

Status Database::RunInTransaction(TxnMode mode, const std::function<Status(Transaction&)>& fn,
                                  const RetryPolicy& policy) {
  // Caps the back-off so a long retry budget does not turn into minutes of
  // sleeping (or an overflow).
  constexpr int64_t kMaxBackoffMicros = 500'000;
  const int max_attempts = std::max(1, policy.max_attempts);
  int64_t backoff = std::max<int64_t>(0, policy.initial_backoff_micros);
  Status last;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (attempt > 1 && backoff > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(backoff));
      backoff = std::min(backoff * 2, kMaxBackoffMicros);
    }
    auto txn = Begin(mode);
    if (!txn.ok()) {
      last = txn.status();
      if (last.code() == StatusCode::kAborted) continue;
      return last;
    }
    last = fn(**txn);
    if (last.ok()) last = (*txn)->Commit();
    if (last.ok()) return last;
    if (last.code() != StatusCode::kAborted) return last;
    // The transaction rolls back when `txn` goes out of scope, before the
    // next attempt starts.
  }
  return last;
}

}  // namespace larch::storage
