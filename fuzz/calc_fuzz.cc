// Feeds arbitrary bytes to the formula evaluator students' answers reach
// (numericalresponse, formularesponse), case-sensitive and not, with a few
// variables defined.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larch/capa/calc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::capa::CalcOptions options;
  options.variables = {{"x", 1.5}, {"R_{1}", 2.0}, {"y'", -3.0}};
  (void)larch::capa::Evaluate(text, options);
  options.case_sensitive = true;
  (void)larch::capa::Evaluate(text, options);
  return 0;
}
