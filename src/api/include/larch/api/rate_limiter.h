// Per-key (client IP) rate limiting for the login, registration and token
// endpoints, configured with django-ratelimit's "N/period" strings
// (LOGISTRATION_RATELIMIT_RATE "100/5m", REGISTRATION_RATELIMIT "60/7d").
//
// Each key gets a token bucket holding up to N tokens that refills at N per
// period, so a client may burst N requests and then continue at the average
// rate. State is in memory and per process: several `larch serve` processes
// each allow N, which matches Open edX with a per-host cache.
//
// Thread safety: RateLimiter is thread-safe (one mutex; the critical section
// is a hash lookup).
#ifndef LARCH_API_RATE_LIMITER_H_
#define LARCH_API_RATE_LIMITER_H_

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

class RateLimiter {
 public:
  // At most `max_keys` buckets are kept; when full, buckets that have
  // refilled completely (indistinguishable from new ones) are dropped, and if
  // none has, the whole table is reset rather than growing without bound.
  RateLimiter(Rate rate, const Clock& clock, size_t max_keys = 100'000);

  // Takes one token for `key`; false when the bucket is empty (limited).
  bool Allow(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_micros;
  };
  void PruneLocked(int64_t now) LARCH_REQUIRES(mu_);

  const Rate rate_;
  const Clock& clock_;
  const size_t max_keys_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch::api

#endif  // LARCH_API_RATE_LIMITER_H_
