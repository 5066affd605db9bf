// The formula evaluator against openedx-calc's own expectations
// (tests/test_calc.py) and the Python value rules it inherits.
#include "larch/capa/calc.h"

#include <cmath>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

double Real(std::string_view expression, const CalcOptions& options = {}) {
  StatusOr<Complex> value = Evaluate(expression, options);
  EXPECT_TRUE(value.ok()) << expression << ": " << value.status().message();
  return value.ok() ? value->real() : std::nan("");
}

TEST(CalcTest, Numbers) {
  EXPECT_EQ(Real("13"), 13);
  EXPECT_EQ(Real("3.14"), 3.14);
  EXPECT_EQ(Real(".618033989"), 0.618033989);
  EXPECT_EQ(Real("-.618033989"), -0.618033989);
  EXPECT_EQ(Real("4."), 4.0);
  for (const char* fifty : {"50", "50.0", "5e1", "5e+1", "50e0", "50.0e0", "500e-1", "5E1"}) {
    EXPECT_EQ(Real(fifty), 50) << fifty;
  }
  EXPECT_NE(Real("5.01e1"), 50);
  EXPECT_DOUBLE_EQ(Real("4.2%"), 0.042);
  EXPECT_DOUBLE_EQ(Real("-50%"), -0.5);
  EXPECT_TRUE(std::isnan(Real("")));
  EXPECT_TRUE(std::isnan(Real("   ")));
}

TEST(CalcTest, OperatorsAndPrecedence) {
  EXPECT_EQ(Real("5.0 + 2.0"), 7);
  EXPECT_EQ(Real("5.0 - 2.0"), 3);
  EXPECT_EQ(Real("5.0 * 2.0"), 10);
  EXPECT_EQ(Real("5.0 / 2.0"), 2.5);
  EXPECT_EQ(Real("5.0 ^ 2.0"), 25);
  EXPECT_EQ(Real("2^3^2"), 512);  // Right-associative.
  EXPECT_EQ(Real("-2^2"), -4);    // The sum's sign binds loosest.
  EXPECT_EQ(Real("3*-2^2"), 12);  // ...but a number's own sign binds tightest.
  EXPECT_EQ(Real("2^-1"), 0.5);
  EXPECT_EQ(Real("1||1"), 0.5);
  EXPECT_EQ(Real("1||1||2"), 0.4);
  EXPECT_TRUE(std::isnan(Real("0||1")));
  EXPECT_NEAR(Real("(2^2+1.0)/sqrt(5e0)*5-1"), 10.180, 1e-3);
  EXPECT_NEAR(Real("1+1/(1+1/(1+1/(1+1)))"), 1.6, 1e-12);
}

TEST(CalcTest, ComplexValues) {
  StatusOr<Complex> value = Evaluate("j||1");
  ASSERT_TRUE(value.ok());
  EXPECT_NEAR(value->real(), 0.5, 1e-15);
  EXPECT_NEAR(value->imag(), 0.5, 1e-15);
  value = Evaluate("sqrt(-4)");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, Complex(0, 2));
  value = Evaluate("10*i");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, Complex(0, 10));
  value = Evaluate("(-8)^(1/3)");  // Python goes complex.
  ASSERT_TRUE(value.ok());
  EXPECT_NEAR(value->real(), 1.0, 1e-12);
  EXPECT_NEAR(value->imag(), std::sqrt(3.0), 1e-12);
  value = Evaluate("ln(-1)");
  ASSERT_TRUE(value.ok());
  EXPECT_NEAR(value->imag(), M_PI, 1e-15);
  EXPECT_TRUE(std::isnan(Real("arccosh(0.5)")));  // numpy's real arccosh.
}

TEST(CalcTest, Functions) {
  EXPECT_NEAR(Real("sin(pi/2)"), 1, 1e-15);
  EXPECT_NEAR(Real("sec(0)"), 1, 1e-15);
  EXPECT_NEAR(Real("arccot(-1)"), -M_PI / 4, 1e-15);
  EXPECT_NEAR(Real("arccot(1)"), M_PI / 4, 1e-15);
  EXPECT_NEAR(Real("log10(1000)"), 3, 1e-15);
  EXPECT_NEAR(Real("log2(8)"), 3, 1e-15);
  EXPECT_NEAR(Real("arcsech(0.5)"), std::acosh(2.0), 1e-15);
  EXPECT_EQ(Real("abs(-3)"), 3);
  EXPECT_EQ(Real("fact(5)"), 120);
  EXPECT_EQ(Real("factorial(2+3)"), 120);
  EXPECT_EQ(Real("fact(abs(-4))"), 24);
  EXPECT_EQ(Real("SIN(0)"), 0);               // Case-insensitive by default.
  EXPECT_TRUE(std::isinf(Real("1/sin(0)")));  // numpy divides by zero without raising.
  EXPECT_THAT(
      Evaluate("factorial(0.5)"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("cannot be interpreted as an integer")));
  EXPECT_THAT(Evaluate("fact(-1)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("negative values")));
}

TEST(CalcTest, Variables) {
  CalcOptions options;
  options.variables = {{"x", 9.72}, {"y", 7.91}, {"R1", 2.0}};
  EXPECT_DOUBLE_EQ(Real("x+y", options), 9.72 + 7.91);
  EXPECT_DOUBLE_EQ(Real("r1*2", options), 4.0);
  EXPECT_EQ(Real("13", options), 13);
  options.variables = {{"U_{ij}^{12}", 3.0}, {"x'", 2.0}, {"E", 5.0}};
  EXPECT_EQ(Real("U_{ij}^{12} * x'", options), 6);
  options.case_sensitive = true;
  EXPECT_EQ(Real("E", options), 5);
  EXPECT_NEAR(Real("e", options), M_E, 1e-15);
}

TEST(CalcTest, StudentErrorsUseUpstreamMessages) {
  EXPECT_THAT(Evaluate("5+7*QWSEKO"),
              StatusIs(StatusCode::kInvalidArgument,
                       "Invalid Input: QWSEKO not permitted in answer as a variable"));
  CalcOptions options;
  options.variables = {{"R1", 2.0}, {"R3", 4.0}};
  options.case_sensitive = true;
  EXPECT_THAT(Evaluate("r1*r3", options), StatusIs(StatusCode::kInvalidArgument,
                                                   HasSubstr("r1, r3 not permitted in answer as "
                                                             "a variable (did you mean R1, R3?)")));
  options.case_sensitive = false;
  EXPECT_THAT(Evaluate("R1(2)", options),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("did you forget to use *")));
  EXPECT_THAT(Evaluate("(1+2"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("opened but never closed")));
  EXPECT_THAT(Evaluate("(1+2))"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no matching opening parenthesis")));
  EXPECT_THAT(Evaluate("."), StatusIs(StatusCode::kInvalidArgument, HasSubstr("Could not parse")));
  EXPECT_THAT(Evaluate("1+."), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Evaluate("2x"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("Could not parse")));
  EXPECT_THAT(Evaluate("1/0"), StatusIs(StatusCode::kInvalidArgument, "division by zero"));
  EXPECT_THAT(Evaluate("1/0.0"), StatusIs(StatusCode::kInvalidArgument, "division by zero"));
  EXPECT_THAT(Evaluate("0^-1"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CalcTest, HostileInputIsRefusedNotCrashed) {
  const std::string deep = std::string(10000, '(') + "1" + std::string(10000, ')');
  EXPECT_THAT(Evaluate(deep), StatusIs(StatusCode::kInvalidArgument));
  std::string nested;
  for (int i = 0; i < 500; ++i) nested += "sin(";
  nested += "1" + std::string(500, ')');
  EXPECT_THAT(Evaluate(nested), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nested")));
  EXPECT_THAT(Evaluate(std::string(kMaxCalcLength + 1, '1')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("longer")));
  EXPECT_TRUE(std::isinf(Real("9^9^9^9")));  // An integer power: no overflow error.
  EXPECT_TRUE(std::isinf(Real("fact(100000)")));
}

}  // namespace
}  // namespace larch::capa
