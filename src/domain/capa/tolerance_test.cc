// compare_with_tolerance against the vectors of edx-platform's
// xmodule/capa/tests/test_util.py.
#include "larch/capa/tolerance.h"

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::StatusIs;

bool Match(Complex student, Complex staff, std::string_view tolerance = kDefaultTolerance,
           bool relative = false) {
  StatusOr<bool> result = CompareWithTolerance(student, staff, tolerance, relative);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() && *result;
}

TEST(ToleranceTest, DefaultIsRelative) {
  EXPECT_TRUE(Match(100.0, 100.0));
  EXPECT_TRUE(Match(100.001, 100.0));
  EXPECT_FALSE(Match(101.0, 100.0));
}

TEST(ToleranceTest, PercentAndAbsolute) {
  EXPECT_TRUE(Match(109.9, 100.0, "10%"));
  EXPECT_FALSE(Match(110.1, 100.0, "10%"));
  EXPECT_TRUE(Match(111.0, 100.0, "10%", true));
  EXPECT_FALSE(Match(112.0, 100.0, "10%", true));
  EXPECT_TRUE(Match(109.9, 100.0, "10.0"));
  EXPECT_FALSE(Match(110.1, 100.0, "10.0"));
  EXPECT_TRUE(Match(111.0, 100.0, "0.1", true));
  EXPECT_FALSE(Match(112.0, 100.0, "0.1", true));
  EXPECT_TRUE(Match(110.1, 100.0, "10^2"));  // A tolerance is a formula.
}

TEST(ToleranceTest, DecimalsAsPythonComparesThem) {
  // As doubles, 100.01 - 100.0 = 0.010000000000005116 > 0.01; as decimals it is equal.
  EXPECT_TRUE(Match(100.01, 100.0, "0.01"));
  EXPECT_TRUE(Match(100.001, 100.0, "0.001"));
  EXPECT_TRUE(Match(100.01, 100.0, "0.01%"));
  EXPECT_FALSE(Match(100.002, 100.0, "0.001"));
  EXPECT_FALSE(Match(0.4, 0.44, "0.01"));
  EXPECT_TRUE(Match(0.1 + 0.2, 0.3, "0.00000000000000005"));
}

TEST(ToleranceTest, InfinityAndNan) {
  const double inf = std::numeric_limits<double>::infinity();
  for (bool relative : {true, false}) {
    EXPECT_FALSE(Match(inf, 100.0, "1.0", relative));
    EXPECT_FALSE(Match(100.0, inf, "1.0", relative));
    EXPECT_TRUE(Match(inf, inf, "1.0", relative));
  }
  EXPECT_FALSE(Match(std::nan(""), std::nan(""), "1.0"));
}

TEST(ToleranceTest, ComplexByModulus) {
  EXPECT_TRUE(Match(Complex(0, 10), Complex(0, 10.0001), "0.001"));
  EXPECT_FALSE(Match(Complex(1, 1), Complex(1, 1.1), "0.01"));
  EXPECT_FALSE(Match(0.4, Complex(0.44, 0), "0.01"));
  EXPECT_TRUE(Match(111.0, Complex(100.0, 0), "10%", true));
}

TEST(ToleranceTest, ABadToleranceIsAnError) {
  EXPECT_THAT(CompareWithTolerance(1, 1, "abc"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompareWithTolerance(1, 1, "(%"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace larch::capa
