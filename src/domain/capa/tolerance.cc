#include "larch/capa/tolerance.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include <boost/multiprecision/cpp_dec_float.hpp>

namespace larch::capa {
namespace {

// 100 significant digits: the difference of two 17-digit decimals is exact
// unless their exponents are more than 80 apart, when the smaller one cannot
// change the comparison anyway.
using Decimal = boost::multiprecision::cpp_dec_float_100;

// Python's Decimal(str(x)): the shortest representation that reads back as x.
Decimal ExactDecimal(double x) {
  std::array<char, 64> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), x);
  return Decimal(std::string(text.data(), result.ptr));
}

bool IsInf(Complex z) { return std::isinf(z.real()) || std::isinf(z.imag()); }

}  // namespace

StatusOr<bool> CompareWithTolerance(Complex student, Complex staff, std::string_view tolerance,
                                    bool relative) {
  if (tolerance == kDefaultTolerance) relative = true;
  double amount = 0.0;
  if (!tolerance.empty() && tolerance.back() == '%') {
    LARCH_ASSIGN_OR_RETURN(Complex percent, Evaluate(tolerance.substr(0, tolerance.size() - 1)));
    amount = percent.real() * 0.01;
    if (!relative) amount *= std::abs(staff);
  } else {
    LARCH_ASSIGN_OR_RETURN(Complex absolute, Evaluate(tolerance));
    amount = absolute.real();
  }
  return CompareWithTolerance(student, staff, amount, relative);
}

bool CompareWithTolerance(Complex student, Complex staff, double amount, bool relative) {
  if (relative) amount *= std::max(std::abs(student), std::abs(staff));
  if (IsInf(student) || IsInf(staff)) return student == staff;
  if (student.imag() == 0.0 && staff.imag() == 0.0) {
    if (std::isnan(student.real()) || std::isnan(staff.real()) || std::isnan(amount)) {
      return false;
    }
    const Decimal difference = abs(ExactDecimal(student.real()) - ExactDecimal(staff.real()));
    return difference <= ExactDecimal(amount);
  }
  return std::abs(student - staff) <= amount;
}

}  // namespace larch::capa
