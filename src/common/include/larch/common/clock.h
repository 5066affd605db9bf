// Clock: the only way Larch code reads the time, so tests can fix it.
//
// Thread safety: all implementations are thread-safe.
#ifndef LARCH_COMMON_CLOCK_H_
#define LARCH_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "larch/common/status.h"

namespace larch {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time as microseconds since the Unix epoch (UTC). This is the
  // unit every timestamp column in the database uses.
  virtual int64_t NowMicros() const = 0;
  // Monotonic time for measuring durations; unrelated to the wall clock.
  virtual int64_t MonotonicMicros() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicMicros() const override;
  // A process-wide instance; never destroyed.
  static SystemClock* Default();
};

// A clock that only moves when told. Both readings advance together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_micros = 1'700'000'000'000'000) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  int64_t MonotonicMicros() const override { return now_.load(); }
  void AdvanceMicros(int64_t delta) { now_ += delta; }
  void AdvanceSeconds(int64_t seconds) { now_ += seconds * 1'000'000; }
  void SetNowMicros(int64_t now) { now_ = now; }

 private:
  std::atomic<int64_t> now_;
};

// "2026-11-28T00:44:31Z" or with microseconds "2026-11-28T00:44:31.123456Z"
// when they are not zero. Open edX APIs print datetimes in this ISO form.
std::string FormatIso8601(int64_t micros_since_epoch);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with "Z", "+HH:MM" or
// no zone (taken as UTC), and a space instead of "T".
StatusOr<int64_t> ParseIso8601(std::string_view text);

}  // namespace larch

#endif  // LARCH_COMMON_CLOCK_H_
