#include "larch/api/rate_limiter.h"

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

}  // namespace
}  // namespace larch::api
