// The formula evaluator behind numericalresponse and formularesponse: the
// grammar and values of openedx-calc's `evaluator(variables, functions,
// expression, case_sensitive)` (openedx/openedx-calc calc/calc.py and
// calc/functions.py, read at f60d36e; docs/formats/capa.md says where Larch
// deviates).
//
// Grammar, loosest first; whitespace may separate tokens but not the digits
// of a number or the letters of a name:
//   sum      := [+|-] product ((+|-) product)*
//   product  := parallel ((*|/) parallel)*
//   parallel := power (|| power)*          a||b = 1/(1/a + 1/b); NaN with a 0
//   power    := atom (^ atom)*             right-associative
//   atom     := number | name ( sum ) | variable | ( sum )
//   number   := [+|-] (digits [. [digits]] | . digits) [E [+|-] digits] [%]
//   variable := a letter, then letters, digits, _ and trailing primes ('),
//               or a tensor name such as U_{ij}^{12}
// There is no implicit multiplication ("2x" does not parse). Names are
// case-insensitive unless asked otherwise. The constants are e, pi, i and j;
// the functions sin cos tan sec csc cot sqrt log10 log2 ln exp arccos arcsin
// arctan arcsec arccsc arccot abs fact factorial sinh cosh tanh sech csch
// coth arcsinh arccosh arctanh arcsech arccsch arccoth, with numpy's values
// (sqrt, logs, arcsin, arccos and arctanh go complex outside their real
// domain; the others give NaN there).
//
// Values keep Python's distinctions where they change a result: integers
// stay integers (fact() takes only those), a negative base to a fractional
// power goes complex, and division by an exact zero is an error unless a
// function result (a numpy value) is involved, in which case it is infinite.
//
// Errors are kInvalidArgument with upstream's student-facing messages
// ("Invalid Input: ..."). The nesting depth and the expression length are
// limited (kMaxCalcDepth, kMaxCalcLength), so hostile input is refused
// rather than exhausting the stack.
//
// Thread safety: pure functions.
#ifndef LARCH_CAPA_CALC_H_
#define LARCH_CAPA_CALC_H_

#include <complex>
#include <map>
#include <string>
#include <string_view>

#include "larch/common/status.h"

namespace larch::capa {

using Complex = std::complex<double>;

inline constexpr int kMaxCalcDepth = 64;
inline constexpr std::size_t kMaxCalcLength = 4096;

struct CalcOptions {
  // Extra variables (formularesponse samples, the problem's context); they
  // override the constants of the same name.
  std::map<std::string, Complex> variables;
  bool case_sensitive = false;
  // Treat the extra variables as Python complex numbers even when their
  // imaginary part is 0, as formularesponse's samples are (complex(x)):
  // functions then take their complex branch instead of giving NaN.
  bool complex_variables = false;
};

// The value of `expression`. An empty or blank expression is NaN, as
// upstream's.
StatusOr<Complex> Evaluate(std::string_view expression, const CalcOptions& options = {});

}  // namespace larch::capa

#endif  // LARCH_CAPA_CALC_H_
