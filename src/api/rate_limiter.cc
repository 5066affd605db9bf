#include "larch/api/rate_limiter.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace larch::api {

StatusOr<Rate> ParseRate(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) {
    return InvalidArgumentError("rate must look like \"100/5m\", got '" + std::string(text) + "'");
  }
  Rate rate;
  std::string_view count = text.substr(0, slash);
  auto [p, ec] = std::from_chars(count.data(), count.data() + count.size(), rate.count);
  if (ec != std::errc() || p != count.data() + count.size() || rate.count <= 0) {
    return InvalidArgumentError("rate count must be a positive number in '" + std::string(text) +
                                "'");
  }
  std::string_view period = text.substr(slash + 1);
  int64_t multiplier = 1;
  if (period.size() > 1) {
    std::string_view digits = period.substr(0, period.size() - 1);
    auto [q, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), multiplier);
    if (ec2 != std::errc() || q != digits.data() + digits.size() || multiplier <= 0) {
      return InvalidArgumentError("rate period must look like 5m in '" + std::string(text) + "'");
    }
  }
  int64_t unit = 0;
  switch (period.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return InvalidArgumentError("rate unit must be s, m, h or d in '" + std::string(text) + "'");
  }
  rate.period_secs = multiplier * unit;
  return rate;
}

RateLimiter::RateLimiter(Rate rate, const Clock& clock, size_t max_keys, SharedRateCounter* shared,
                         std::string name)
    : rate_(rate),
      clock_(clock),
      max_keys_(std::max<size_t>(max_keys, 1)),
      shared_(shared),
      name_(std::move(name)) {}

bool RateLimiter::Allow(std::string_view key) {
  if (shared_ != nullptr) {
    StatusOr<int64_t> count = shared_->Hit(name_ + ":" + std::string(key), rate_.period_secs);
    if (count.ok()) return *count <= rate_.count;
    // Counting here keeps a limit in force while the shared counter is
    // down (per process, as without one); the first failure is logged.
    if (shared_failures_++ == 0) {
      spdlog::warn("rate limit {}: shared counter unavailable, counting in this process: {}", name_,
                   count.status().ToString());
    }
  }
  return AllowLocally(key);
}

bool RateLimiter::AllowLocally(std::string_view key) {
  const int64_t now = clock_.MonotonicMicros();
  const double capacity = static_cast<double>(rate_.count);
  const double per_micro = capacity / (static_cast<double>(rate_.period_secs) * 1e6);
  MutexLock lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) PruneLocked(now);
    it = buckets_.emplace(std::string(key), Bucket{capacity, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.updated_micros) {
    b.tokens =
        std::min(capacity, b.tokens + static_cast<double>(now - b.updated_micros) * per_micro);
    b.updated_micros = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void RateLimiter::PruneLocked(int64_t now) {
  const double capacity = static_cast<double>(rate_.count);
  const double per_micro = capacity / (static_cast<double>(rate_.period_secs) * 1e6);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double refilled =
        it->second.tokens + static_cast<double>(now - it->second.updated_micros) * per_micro;
    if (refilled >= capacity) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

}  // namespace larch::api
