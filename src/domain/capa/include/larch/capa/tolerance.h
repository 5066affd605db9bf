// Comparing a student's number with the staff answer, as capa's
// `compare_with_tolerance` does (xmodule/capa/util.py): the rule behind
// numericalresponse, formularesponse and the numeric inputs of
// choicetextresponse.
//
//  - A tolerance ending in '%' is that percent of |staff| (relative to
//    max(|student|, |staff|) when `relative` is set, or for the default
//    "0.001%"); otherwise it is an absolute amount. Either form is a formula
//    (evaluated with calc.h), so "1e-3" and "0.5%" both work.
//  - Infinite values match only when equal; NaN never matches.
//  - Real values are compared as upstream compares them, as the decimals of
//    their shortest round-trip representations (Python's Decimal(str(x))),
//    so 0.1 + 0.2 against 0.3 behaves exactly as in Open edX; complex values
//    by the modulus of the difference.
//
// Thread safety: pure functions.
#ifndef LARCH_CAPA_TOLERANCE_H_
#define LARCH_CAPA_TOLERANCE_H_

#include <string_view>

#include "larch/capa/calc.h"
#include "larch/common/status.h"

namespace larch::capa {

inline constexpr std::string_view kDefaultTolerance = "0.001%";

// kInvalidArgument when the tolerance itself is not a formula.
StatusOr<bool> CompareWithTolerance(Complex student, Complex staff,
                                    std::string_view tolerance = kDefaultTolerance,
                                    bool relative = false);

// The same with a tolerance already a number (upstream passes floats too):
// absolute, or relative to max(|student|, |staff|) when `relative`.
bool CompareWithTolerance(Complex student, Complex staff, double tolerance, bool relative);

}  // namespace larch::capa

#endif  // LARCH_CAPA_TOLERANCE_H_
