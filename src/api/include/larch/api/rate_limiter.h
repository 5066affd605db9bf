// Per-key (client IP) rate limiting for the login, registration and token
// endpoints, configured with django-ratelimit's "N/period" strings
// (LOGISTRATION_RATELIMIT_RATE "100/5m", REGISTRATION_RATELIMIT "60/7d").
//
// With a SharedRateCounter (Redis, when REDIS_URL is set) the count is
// shared by every process, as django-ratelimit's is through Open edX's
// shared cache: a fixed window of one period per key, N requests allowed in
// it, so three nodes together allow N, not 3N. Without one (or while the
// counter fails) each key gets an in-process token bucket holding up to N
// tokens that refills at N per period, so a client may burst N requests and
// then continue at the average rate.
//
// Thread safety: RateLimiter is thread-safe (one mutex; the critical section
// is a hash lookup).
#ifndef LARCH_API_RATE_LIMITER_H_
#define LARCH_API_RATE_LIMITER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "larch/common/clock.h"
#include "larch/common/mutex.h"
#include "larch/common/status.h"

namespace larch::api {

struct Rate {
  int64_t count = 0;
  int64_t period_secs = 0;
};

// "100/5m", "60/7d", "10/s", "5/h" (django-ratelimit syntax: an optional
// multiplier before the unit s|m|h|d). kInvalidArgument otherwise.
StatusOr<Rate> ParseRate(std::string_view text);

// Counters every process shares. Implementations are thread-safe.
class SharedRateCounter {
 public:
  virtual ~SharedRateCounter() = default;
  // Adds one to `key`'s counter for the `window_seconds`-long window that
  // holds now and returns the new count; kUnavailable when the counter
  // cannot be reached.
  virtual StatusOr<int64_t> Hit(std::string_view key, int64_t window_seconds) = 0;
};

class RateLimiter {
 public:
  // At most `max_keys` buckets are kept; when full, buckets that have
  // refilled completely (indistinguishable from new ones) are dropped, and if
  // none has, the whole table is reset rather than growing without bound.
  // With `shared` (which must outlive the limiter), keys are counted there
  // under "<name>:<key>"; `name` tells the limiters apart.
  RateLimiter(Rate rate, const Clock& clock, size_t max_keys = 100'000,
              SharedRateCounter* shared = nullptr, std::string name = "");

  // Takes one token for `key`; false when the bucket is empty (limited).
  bool Allow(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_micros;
  };
  void PruneLocked(int64_t now) LARCH_REQUIRES(mu_);

  bool AllowLocally(std::string_view key);

  const Rate rate_;
  const Clock& clock_;
  const size_t max_keys_;
  SharedRateCounter* const shared_;
  const std::string name_;
  std::atomic<int64_t> shared_failures_{0};
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch::api

#endif  // LARCH_API_RATE_LIMITER_H_
