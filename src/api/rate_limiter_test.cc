#include "larch/api/rate_limiter.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::api {
namespace {

using ::larch::testing::StatusIs;

TEST(ParseRateTest, AcceptsDjangoRatelimitSyntax) {
  auto r = ParseRate("100/5m");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->count, 100);
  EXPECT_EQ(r->period_secs, 300);
  EXPECT_EQ(ParseRate("60/7d")->period_secs, 7 * 86400);
  EXPECT_EQ(ParseRate("10/s")->period_secs, 1);
  EXPECT_EQ(ParseRate("5/h")->period_secs, 3600);
}

TEST(ParseRateTest, RejectsGarbage) {
  for (const char* bad : {"", "100", "/5m", "x/5m", "0/5m", "10/", "10/5x", "10/-5m", "-1/m"}) {
    EXPECT_THAT(ParseRate(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(RateLimiterTest, AllowsBurstThenLimitsPerKey) {
  FakeClock clock;
  RateLimiter limiter(Rate{3, 60}, clock);
  EXPECT_TRUE(limiter.Allow("1.1.1.1"));
  EXPECT_TRUE(limiter.Allow("1.1.1.1"));
  EXPECT_TRUE(limiter.Allow("1.1.1.1"));
  EXPECT_FALSE(limiter.Allow("1.1.1.1"));
  EXPECT_TRUE(limiter.Allow("2.2.2.2")) << "another client has its own bucket";
}

TEST(RateLimiterTest, RefillsOverThePeriod) {
  FakeClock clock;
  RateLimiter limiter(Rate{3, 60}, clock);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Allow("k"));
  EXPECT_FALSE(limiter.Allow("k"));
  clock.AdvanceSeconds(20);  // one token back
  EXPECT_TRUE(limiter.Allow("k"));
  EXPECT_FALSE(limiter.Allow("k"));
  clock.AdvanceSeconds(3600);  // never more than the burst size
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("k"));
  EXPECT_FALSE(limiter.Allow("k"));
}

TEST(RateLimiterTest, BoundedTableStillLimits) {
  FakeClock clock;
  RateLimiter limiter(Rate{1, 3600}, clock, /*max_keys=*/4);
  for (int i = 0; i < 100; ++i) limiter.Allow("key" + std::to_string(i));
  EXPECT_TRUE(limiter.Allow("fresh"));
  EXPECT_FALSE(limiter.Allow("fresh"));
}

// A counter two processes share (Redis in production), switchable to fail.
class FakeSharedCounter final : public SharedRateCounter {
 public:
  StatusOr<int64_t> Hit(std::string_view key, int64_t window_seconds) override {
    if (down) return UnavailableError("redis is down");
    last_window = window_seconds;
    return ++counts[std::string(key)];
  }
  bool down = false;
  int64_t last_window = 0;
  std::map<std::string, int64_t> counts;
};

TEST(RateLimiterTest, SharedCounterLimitsAllProcessesTogether) {
  FakeClock clock;
  FakeSharedCounter shared;
  RateLimiter node_a(Rate{3, 60}, clock, 100, &shared, "login");
  RateLimiter node_b(Rate{3, 60}, clock, 100, &shared, "login");
  RateLimiter other(Rate{3, 60}, clock, 100, &shared, "registration");
  EXPECT_TRUE(node_a.Allow("1.2.3.4"));
  EXPECT_TRUE(node_b.Allow("1.2.3.4"));
  EXPECT_TRUE(node_a.Allow("1.2.3.4"));
  EXPECT_FALSE(node_b.Allow("1.2.3.4")) << "three in all, not three per node";
  EXPECT_TRUE(other.Allow("1.2.3.4")) << "another limiter counts apart";
  EXPECT_EQ(shared.counts["login:1.2.3.4"], 4);
  EXPECT_EQ(shared.last_window, 60);
  // The counter down: each process limits alone rather than not at all.
  shared.down = true;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(node_a.Allow("5.6.7.8"));
  EXPECT_FALSE(node_a.Allow("5.6.7.8"));
}

}  // namespace
}  // namespace larch::api
