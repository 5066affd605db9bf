#include "larch/common/clock.h"

#include <gtest/gtest.h>

namespace larch {
namespace {

TEST(Iso8601, FormatsWholeSecondsAndMicros) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1'700'000'000'000'000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatIso8601(1'700'000'000'000'123), "2023-11-14T22:13:20.000123Z");
}

TEST(Iso8601, ParsesOpenEdxForms) {
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20Z"), 1'700'000'000'000'000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20+00:00"), 1'700'000'000'000'000);
  EXPECT_EQ(*ParseIso8601("2023-11-15T00:13:20+02:00"), 1'700'000'000'000'000);
  EXPECT_EQ(*ParseIso8601("2023-11-14 22:13:20.5"), 1'700'000'000'500'000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13"), 1'699'999'980'000'000);
  EXPECT_EQ(*ParseIso8601("1970-01-01"), 0);
}

TEST(Iso8601, RoundTrips) {
  for (int64_t t : {int64_t{0}, int64_t{951'782'400'000'000}, int64_t{4'102'444'800'123'456}}) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(t)), t);
  }
}

TEST(Iso8601, RejectsGarbage) {
  for (const char* bad : {"", "2023", "2023-13-01", "2023-11-14T", "2023-11-14T25:00",
                          "2023-11-14T22:13:20Q", "2023-11-14T22:13:20.", "yesterday"}) {
    EXPECT_EQ(ParseIso8601(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  clock.AdvanceSeconds(2);
  EXPECT_EQ(clock.NowMicros(), 2'001'000);
  EXPECT_EQ(clock.MonotonicMicros(), 2'001'000);
}

}  // namespace
}  // namespace larch
