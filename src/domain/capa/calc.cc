#include "larch/capa/calc.h"

#include "larch/common/strings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace larch::capa {
namespace {

// A value as Python would hold it: the type decides int-only functions,
// true division and where a power goes complex; `numpy` marks a function
// result, whose arithmetic gives inf/NaN where Python's raises.
struct Value {
  enum Type { kInt, kFloat, kComplex };
  Complex v;
  Type type = kInt;
  bool numpy = false;
};

Value Real(double x, Value::Type type, bool numpy) { return {Complex(x, 0.0), type, numpy}; }

bool IsReal(const Value& value) { return value.type != Value::kComplex; }

Value::Type Wider(const Value& a, const Value& b) { return std::max(a.type, b.type); }

// The parse tree. Operators are kept beside their operands: ops[i] is the
// operator before kids[i] (sum: the sign; product: '*' or '/').
struct Node {
  enum Kind { kNumber, kVariable, kFunction, kSum, kProduct, kParallel, kPower };
  Kind kind = kNumber;
  Value number;
  std::string name;
  std::vector<Node> kids;
  std::vector<char> ops;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<Node> ParseAll() {
    std::optional<Node> tree = Sum();
    SkipSpace();
    if (!tree || pos_ != text_.size() || too_deep_) return std::nullopt;
    return tree;
  }

  bool too_deep() const { return too_deep_; }
  const std::set<std::string>& variables() const { return variables_; }
  const std::set<std::string>& functions() const { return functions_; }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\n\r", text_[pos_]) != nullptr) ++pos_;
  }
  bool Peek(std::string_view token) {
    SkipSpace();
    return text_.substr(pos_, token.size()) == token;
  }
  bool Eat(std::string_view token) {
    if (!Peek(token)) return false;
    pos_ += token.size();
    return true;
  }
  bool IsDigit(std::size_t at) const {
    return at < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at])) != 0;
  }
  bool IsAlpha(std::size_t at) const {
    return at < text_.size() && std::isalpha(static_cast<unsigned char>(text_[at])) != 0;
  }
  bool IsAlnum(std::size_t at) const { return IsAlpha(at) || IsDigit(at); }
  std::size_t Digits(std::size_t at) const {
    while (IsDigit(at)) ++at;
    return at;
  }

  std::optional<char> Sign() {
    if (Eat("+")) return '+';
    if (Eat("-")) return '-';
    return std::nullopt;
  }

  std::optional<Node> Sum() {
    if (++depth_ > kMaxCalcDepth) {
      too_deep_ = true;
      return std::nullopt;
    }
    Node node{Node::kSum, {}, {}, {}, {}};
    const std::optional<char> lead = Sign();
    std::optional<Node> first = Product();
    if (!first) return std::nullopt;
    node.ops.push_back(lead.value_or('+'));
    node.kids.push_back(std::move(*first));
    while (true) {
      const std::size_t mark = pos_;
      const std::optional<char> sign = Sign();
      std::optional<Node> next = sign ? Product() : std::nullopt;
      if (!next) {
        pos_ = mark;
        break;
      }
      node.ops.push_back(*sign);
      node.kids.push_back(std::move(*next));
    }
    --depth_;
    return node;
  }

  std::optional<Node> Product() {
    Node node{Node::kProduct, {}, {}, {}, {'*'}};
    std::optional<Node> first = Parallel();
    if (!first) return std::nullopt;
    node.kids.push_back(std::move(*first));
    while (true) {
      const std::size_t mark = pos_;
      const char op = Eat("*") ? '*' : Eat("/") ? '/' : '\0';
      std::optional<Node> next = op != '\0' ? Parallel() : std::nullopt;
      if (!next) {
        pos_ = mark;
        break;
      }
      node.ops.push_back(op);
      node.kids.push_back(std::move(*next));
    }
    return node;
  }

  // parallel and power: one operand after another with a fixed operator.
  std::optional<Node> Chain(Node::Kind kind, std::string_view op) {
    Node node{kind, {}, {}, {}, {}};
    std::optional<Node> first = kind == Node::kParallel ? Chain(Node::kPower, "^") : Atom();
    if (!first) return std::nullopt;
    node.kids.push_back(std::move(*first));
    while (true) {
      const std::size_t mark = pos_;
      std::optional<Node> next;
      if (Eat(op)) next = kind == Node::kParallel ? Chain(Node::kPower, "^") : Atom();
      if (!next) {
        pos_ = mark;
        break;
      }
      node.kids.push_back(std::move(*next));
    }
    return node;
  }
  std::optional<Node> Parallel() { return Chain(Node::kParallel, "||"); }

  std::optional<Node> Atom() {
    const std::size_t mark = pos_;
    if (std::optional<Node> number = Number()) return number;
    pos_ = mark;
    if (std::optional<Node> function = Function()) return function;
    pos_ = mark;
    if (std::optional<Node> variable = Variable()) return variable;
    pos_ = mark;
    if (Eat("(")) {
      std::optional<Node> inner = Sum();
      if (inner && Eat(")")) return inner;
    }
    pos_ = mark;
    return std::nullopt;
  }

  std::optional<Node> Number() {
    std::string literal;
    if (const std::optional<char> sign = Sign()) literal += *sign;
    SkipSpace();
    std::size_t end = pos_;
    if (IsDigit(end)) {
      end = Digits(end);
      if (end < text_.size() && text_[end] == '.') end = Digits(end + 1);
    } else if (end < text_.size() && text_[end] == '.' && IsDigit(end + 1)) {
      end = Digits(end + 1);
    } else {
      return std::nullopt;
    }
    literal.append(text_.substr(pos_, end - pos_));
    pos_ = end;
    bool is_float = literal.find('.') != std::string::npos;
    const std::size_t before_exponent = pos_;
    if (Eat("e") || Eat("E")) {
      const std::optional<char> sign = Sign();
      SkipSpace();
      if (IsDigit(pos_)) {
        const std::size_t digits_end = Digits(pos_);
        literal += 'e';
        if (sign) literal += *sign;
        literal.append(text_.substr(pos_, digits_end - pos_));
        pos_ = digits_end;
        is_float = true;
      } else {
        pos_ = before_exponent;
      }
    }
    double value = std::strtod(literal.c_str(), nullptr);
    if (Eat("%")) {
      value *= 0.01;
      is_float = true;
    }
    Node node{Node::kNumber, {}, {}, {}, {}};
    node.number = Real(value, is_float ? Value::kFloat : Value::kInt, false);
    return node;
  }

  // A plain name: a letter, then letters, digits and '_', then primes.
  std::optional<std::string> PlainName() {
    SkipSpace();
    if (!IsAlpha(pos_)) return std::nullopt;
    std::size_t end = pos_ + 1;
    while (IsAlnum(end) || (end < text_.size() && text_[end] == '_')) ++end;
    while (end < text_.size() && text_[end] == '\'') ++end;
    std::string name(text_.substr(pos_, end - pos_));
    pos_ = end;
    return name;
  }

  // U_{ij}, U^{12}, U_{ij}^{12}, each with trailing primes.
  std::optional<std::string> TensorName() {
    SkipSpace();
    if (!IsAlpha(pos_)) return std::nullopt;
    std::size_t end = pos_ + 1;
    while (IsAlnum(end)) ++end;
    const auto indices = [&](std::string_view open, std::size_t at) -> std::size_t {
      if (text_.substr(at, open.size()) != open || !IsAlnum(at + open.size())) return 0;
      std::size_t close = at + open.size();
      while (IsAlnum(close)) ++close;
      return close < text_.size() && text_[close] == '}' ? close + 1 : 0;
    };
    const std::size_t lower = indices("_{", end);
    const std::size_t upper = indices("^{", lower != 0 ? lower : end);
    if (upper == 0 && lower == 0) return std::nullopt;
    end = upper != 0 ? upper : lower;
    while (end < text_.size() && text_[end] == '\'') ++end;
    std::string name(text_.substr(pos_, end - pos_));
    pos_ = end;
    return name;
  }

  std::optional<Node> Function() {
    std::optional<std::string> name = PlainName();
    if (!name || !Eat("(")) return std::nullopt;
    std::optional<Node> argument = Sum();
    if (!argument || !Eat(")")) return std::nullopt;
    functions_.insert(*name);
    Node node{Node::kFunction, {}, std::move(*name), {}, {}};
    node.kids.push_back(std::move(*argument));
    return node;
  }

  std::optional<Node> Variable() {
    const std::size_t mark = pos_;
    std::optional<std::string> name = TensorName();
    if (!name) {
      pos_ = mark;
      name = PlainName();
    }
    if (!name) return std::nullopt;
    variables_.insert(*name);
    return Node{Node::kVariable, {}, std::move(*name), {}, {}};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool too_deep_ = false;
  // Names seen, including those of alternatives later abandoned, as
  // pyparsing's parse actions record them.
  std::set<std::string> variables_;
  std::set<std::string> functions_;
};

// --- Evaluation --------------------------------------------------------

Status MathError(const std::string& message) { return InvalidArgumentError(message); }

StatusOr<Value> Add(const Value& a, const Value& b, char op) {
  return Value{op == '+' ? a.v + b.v : a.v - b.v, Wider(a, b), a.numpy || b.numpy};
}

StatusOr<Value> Divide(const Value& a, const Value& b) {
  const bool numpy = a.numpy || b.numpy;
  const Value::Type type = std::max(Value::kFloat, Wider(a, b));
  if (b.v == Complex(0.0, 0.0)) {
    if (!numpy) return MathError("division by zero");
    if (IsReal(a) && IsReal(b)) return Real(a.v.real() / 0.0, type, true);
  }
  if (IsReal(a) && IsReal(b)) return Real(a.v.real() / b.v.real(), type, numpy);
  return Value{a.v / b.v, type, numpy};
}

StatusOr<Value> Multiply(const Value& a, const Value& b, char op) {
  if (op == '/') return Divide(a, b);
  if (IsReal(a) && IsReal(b)) return Real(a.v.real() * b.v.real(), Wider(a, b), a.numpy || b.numpy);
  return Value{a.v * b.v, Wider(a, b), a.numpy || b.numpy};
}

// Python's ** (and numpy's, for a function result).
StatusOr<Value> Power(const Value& base, const Value& exponent) {
  const bool numpy = base.numpy || exponent.numpy;
  const bool zero_base = base.v == Complex(0.0, 0.0);
  if (IsReal(base) && IsReal(exponent)) {
    const double b = base.v.real();
    const double e = exponent.v.real();
    if (zero_base && e < 0 && !numpy) {
      return MathError("0.0 cannot be raised to a negative power");
    }
    if (b < 0 && e != std::floor(e) && !numpy) {
      return Value{std::pow(Complex(b, 0.0), Complex(e, 0.0)), Value::kComplex, false};
    }
    Value::Type type = Wider(base, exponent);
    if (type == Value::kInt && e < 0) type = Value::kFloat;
    const double result = std::pow(b, e);
    if (std::isinf(result) && type == Value::kFloat && !numpy && std::isfinite(b)) {
      return MathError("(34, 'Numerical result out of range')");
    }
    return Real(result, type, numpy);
  }
  if (zero_base && !numpy) return MathError("0.0 to a negative or complex power");
  return Value{std::pow(base.v, exponent.v), Value::kComplex, numpy};
}

StatusOr<Value> Parallel(const std::vector<Value>& values) {
  if (values.size() == 1) return values.front();
  bool numpy = false;
  for (const Value& value : values) {
    if (value.v == Complex(0.0, 0.0)) return Real(std::nan(""), Value::kFloat, false);
    numpy = numpy || value.numpy;
  }
  Value sum = Real(0.0, Value::kInt, false);
  const Value one = Real(1.0, Value::kFloat, false);
  for (const Value& value : values) {
    LARCH_ASSIGN_OR_RETURN(Value reciprocal, Divide(one, value));
    LARCH_ASSIGN_OR_RETURN(sum, Add(sum, reciprocal, '+'));
  }
  return Divide(one, sum);
}

Value Numpy(Complex v) { return {v, v.imag() == 0.0 ? Value::kFloat : Value::kComplex, true}; }
Value NumpyReal(double x) { return Real(x, Value::kFloat, true); }
Value NumpyComplex(Complex v) { return {v, Value::kComplex, true}; }

// numpy's element function: real in, real out (NaN outside the domain).
Value Elementwise(const Value& x, double (*real)(double), Complex (*complex)(const Complex&)) {
  if (IsReal(x)) return NumpyReal(real(x.v.real()));
  return NumpyComplex(complex(x.v));
}

// numpy.lib.scimath: complex where the real function has no real value.
Value Scimath(const Value& x, bool (*in_domain)(double), double (*real)(double),
              Complex (*complex)(const Complex&)) {
  if (IsReal(x) && in_domain(x.v.real())) return NumpyReal(real(x.v.real()));
  return NumpyComplex(complex(IsReal(x) ? Complex(x.v.real(), 0.0) : x.v));
}

StatusOr<Value> Reciprocal(const Value& x) { return Divide(Real(1.0, Value::kFloat, false), x); }

StatusOr<Value> Factorial(const Value& x) {
  if (x.type != Value::kInt) {
    return MathError("'" + std::string(x.type == Value::kComplex ? "complex" : "float") +
                     "' object cannot be interpreted as an integer");
  }
  const double n = x.v.real();
  if (n < 0) return MathError("factorial() not defined for negative values");
  double result = 1.0;
  for (double k = 2; k <= n && std::isfinite(result); ++k) result *= k;
  return Real(result, Value::kInt, false);
}

StatusOr<Value> CallTrig(const std::string& name, const Value& x);

StatusOr<Value> Call(const std::string& name, const Value& x) {
  using D = double (*)(double);
  using Z = Complex (*)(const Complex&);
  static const auto positive = [](double v) { return v >= 0; };
  static const auto unit = [](double v) { return v >= -1 && v <= 1; };
  if (name == "sqrt")
    return Scimath(x, positive, static_cast<D>(std::sqrt), static_cast<Z>(std::sqrt));
  if (name == "ln") return Scimath(x, positive, static_cast<D>(std::log), static_cast<Z>(std::log));
  if (name == "log10") {
    return Scimath(x, positive, static_cast<D>(std::log10), static_cast<Z>(std::log10));
  }
  if (name == "log2") {
    return Scimath(x, positive, static_cast<D>(std::log2),
                   [](const Complex& z) { return std::log(z) / std::numbers::ln2; });
  }
  if (name == "arcsin")
    return Scimath(x, unit, static_cast<D>(std::asin), static_cast<Z>(std::asin));
  if (name == "arccos")
    return Scimath(x, unit, static_cast<D>(std::acos), static_cast<Z>(std::acos));
  if (name == "arctanh") {
    return Scimath(x, unit, static_cast<D>(std::atanh), static_cast<Z>(std::atanh));
  }
  if (name == "abs") {
    if (IsReal(x)) return Real(std::fabs(x.v.real()), x.type, true);
    return NumpyReal(std::abs(x.v));
  }
  if (name == "fact" || name == "factorial") return Factorial(x);
  return CallTrig(name, x);
}

StatusOr<Value> CallTrig(const std::string& name, const Value& x) {
  using D = double (*)(double);
  using Z = Complex (*)(const Complex&);
  static const std::map<std::string, std::pair<D, Z>> kPlain = {
      {"sin", {std::sin, std::sin}},         {"cos", {std::cos, std::cos}},
      {"tan", {std::tan, std::tan}},         {"exp", {std::exp, std::exp}},
      {"arctan", {std::atan, std::atan}},    {"sinh", {std::sinh, std::sinh}},
      {"cosh", {std::cosh, std::cosh}},      {"tanh", {std::tanh, std::tanh}},
      {"arcsinh", {std::asinh, std::asinh}}, {"arccosh", {std::acosh, std::acosh}},
  };
  if (const auto it = kPlain.find(name); it != kPlain.end()) {
    return Elementwise(x, it->second.first, it->second.second);
  }
  // functions.py: 1/f(x) on a numpy value, or f(1./x) on the argument.
  static const std::map<std::string, std::string> kOneOver = {{"sec", "cos"},   {"csc", "sin"},
                                                              {"cot", "tan"},   {"sech", "cosh"},
                                                              {"csch", "sinh"}, {"coth", "tanh"}};
  if (const auto it = kOneOver.find(name); it != kOneOver.end()) {
    LARCH_ASSIGN_OR_RETURN(Value inner, CallTrig(it->second, x));
    return Reciprocal(inner);
  }
  static const std::map<std::string, std::pair<D, Z>> kOfReciprocal = {
      {"arcsec", {std::acos, std::acos}},
      {"arccsc", {std::asin, std::asin}},
      {"arcsech", {std::acosh, std::acosh}},
      {"arccsch", {std::asinh, std::asinh}},
      {"arccoth", {std::atanh, std::atanh}}};
  if (const auto it = kOfReciprocal.find(name); it != kOfReciprocal.end()) {
    LARCH_ASSIGN_OR_RETURN(Value inverse, Reciprocal(x));
    return Elementwise(inverse, it->second.first, it->second.second);
  }
  if (name == "arccot") {
    const Value atan = Elementwise(x, std::atan, std::atan);
    const double half_pi = (x.v.real() < 0 ? -1.0 : 1.0) * std::numbers::pi / 2;
    return Numpy(half_pi - atan.v);
  }
  return MathError("Invalid Input: " + name + " not permitted in answer as a function");
}

using Names = std::map<std::string, Value>;

class Evaluator {
 public:
  Evaluator(const Names& variables, bool case_sensitive)
      : variables_(variables), case_sensitive_(case_sensitive) {}

  StatusOr<Value> Eval(const Node& node) const {
    switch (node.kind) {
      case Node::kNumber:
        return node.number;
      case Node::kVariable:
        return variables_.at(Casify(node.name));
      case Node::kFunction: {
        LARCH_ASSIGN_OR_RETURN(Value argument, Eval(node.kids.front()));
        return Call(Casify(node.name), argument);
      }
      case Node::kSum:
      case Node::kProduct: {
        Value total = Real(node.kind == Node::kSum ? 0.0 : 1.0, Value::kInt, false);
        for (std::size_t i = 0; i < node.kids.size(); ++i) {
          LARCH_ASSIGN_OR_RETURN(Value kid, Eval(node.kids[i]));
          LARCH_ASSIGN_OR_RETURN(total, node.kind == Node::kSum
                                            ? Add(total, kid, node.ops[i])
                                            : Multiply(total, kid, node.ops[i]));
        }
        return total;
      }
      case Node::kParallel: {
        std::vector<Value> values;
        for (const Node& kid : node.kids) {
          LARCH_ASSIGN_OR_RETURN(Value value, Eval(kid));
          values.push_back(value);
        }
        return Parallel(values);
      }
      case Node::kPower: {
        LARCH_ASSIGN_OR_RETURN(Value result, Eval(node.kids.back()));
        for (std::size_t i = node.kids.size() - 1; i-- > 0;) {
          LARCH_ASSIGN_OR_RETURN(Value base, Eval(node.kids[i]));
          LARCH_ASSIGN_OR_RETURN(result, Power(base, result));
        }
        return result;
      }
    }
    return MathError("unknown node");
  }

  std::string Casify(const std::string& name) const {
    return case_sensitive_ ? name : AsciiLower(name);
  }

 private:
  const Names& variables_;
  bool case_sensitive_;
};

bool IsFunctionName(const std::string& name) {
  static const std::set<std::string> kFunctions = {
      "sin",    "cos",  "tan",     "sec",       "csc",     "cot",     "sqrt",    "log10",
      "log2",   "ln",   "exp",     "arccos",    "arcsin",  "arctan",  "arcsec",  "arccsc",
      "arccot", "abs",  "fact",    "factorial", "sinh",    "cosh",    "tanh",    "sech",
      "csch",   "coth", "arcsinh", "arccosh",   "arctanh", "arcsech", "arccsch", "arccoth"};
  return kFunctions.count(name) != 0;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// "did you mean" suggestions: valid names equal to a bad one but for case.
template <typename Valid>
std::string CaseHint(const std::set<std::string>& bad, const Valid& valid) {
  std::set<std::string> hints;
  for (const std::string& name : bad) {
    for (const std::string& candidate : valid) {
      if (AsciiLower(candidate) == AsciiLower(name)) hints.insert(candidate);
    }
  }
  return hints.empty() ? "" : " (did you mean " + Join(hints) + "?)";
}

Status CheckNames(const Parser& parser, const Names& variables, const Evaluator& evaluator,
                  bool case_sensitive) {
  std::set<std::string> bad_variables;
  for (const std::string& name : parser.variables()) {
    if (variables.count(evaluator.Casify(name)) == 0) bad_variables.insert(name);
  }
  if (!bad_variables.empty()) {
    std::string message =
        "Invalid Input: " + Join(bad_variables) + " not permitted in answer as a variable";
    if (case_sensitive) {
      std::vector<std::string> valid;
      for (const auto& [name, value] : variables) valid.push_back(name);
      message += CaseHint(bad_variables, valid);
    }
    return InvalidArgumentError(message);
  }
  std::set<std::string> bad_functions;
  bool names_a_variable = false;
  for (const std::string& name : parser.functions()) {
    if (!IsFunctionName(evaluator.Casify(name))) {
      bad_functions.insert(name);
      names_a_variable = names_a_variable || variables.count(evaluator.Casify(name)) != 0;
    }
  }
  if (bad_functions.empty()) return OkStatus();
  std::string message =
      "Invalid Input: " + Join(bad_functions) + " not permitted in answer as a function";
  if (names_a_variable) message += " (did you forget to use * for multiplication?)";
  if (case_sensitive) {
    static const std::vector<std::string> kAll = {
        "sin",    "cos",  "tan",     "sec",       "csc",     "cot",     "sqrt",    "log10",
        "log2",   "ln",   "exp",     "arccos",    "arcsin",  "arctan",  "arcsec",  "arccsc",
        "arccot", "abs",  "fact",    "factorial", "sinh",    "cosh",    "tanh",    "sech",
        "csch",   "coth", "arcsinh", "arccosh",   "arctanh", "arcsech", "arccsch", "arccoth"};
    message += CaseHint(bad_functions, kAll);
  }
  return InvalidArgumentError(message);
}

Status CheckParentheses(std::string_view formula) {
  long count = 0;
  for (std::size_t i = 0; i < formula.size(); ++i) {
    if (formula[i] == '(') ++count;
    if (formula[i] == ')' && --count < 0) {
      return InvalidArgumentError("Invalid Input: A closing parenthesis was found after segment " +
                                  std::string(formula.substr(0, i)) +
                                  ", but there is no matching opening parenthesis "
                                  "before it.");
    }
  }
  if (count > 0) {
    return InvalidArgumentError("Invalid Input: Parentheses are unmatched. " +
                                std::to_string(count) +
                                " parentheses were opened but never closed.");
  }
  return OkStatus();
}

}  // namespace

StatusOr<Complex> Evaluate(std::string_view expression, const CalcOptions& options) {
  if (expression.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
    return Complex(std::nan(""), 0.0);
  }
  if (expression.size() > kMaxCalcLength) {
    return InvalidArgumentError("Invalid Input: the formula is longer than " +
                                std::to_string(kMaxCalcLength) + " characters.");
  }
  LARCH_RETURN_IF_ERROR(CheckParentheses(expression));
  Parser parser(expression);
  const std::optional<Node> tree = parser.ParseAll();
  if (!tree) {
    if (parser.too_deep()) {
      return InvalidArgumentError("Invalid Input: the formula is nested more than " +
                                  std::to_string(kMaxCalcDepth) + " levels deep.");
    }
    return InvalidArgumentError("Invalid Input: Could not parse '" + std::string(expression) +
                                "' as a formula.");
  }
  Names variables = {{"i", {Complex(0, 1), Value::kComplex, false}},
                     {"j", {Complex(0, 1), Value::kComplex, false}},
                     {"e", Real(std::numbers::e, Value::kFloat, false)},
                     {"pi", Real(std::numbers::pi, Value::kFloat, false)}};
  for (const auto& [name, value] : options.variables) {
    const bool complex = options.complex_variables || value.imag() != 0.0;
    variables[name] = {value, complex ? Value::kComplex : Value::kFloat, false};
  }
  if (!options.case_sensitive) {
    Names lowered;
    for (auto& [name, value] : variables) lowered[AsciiLower(name)] = value;
    variables = std::move(lowered);
  }
  const Evaluator evaluator(variables, options.case_sensitive);
  LARCH_RETURN_IF_ERROR(CheckNames(parser, variables, evaluator, options.case_sensitive));
  LARCH_ASSIGN_OR_RETURN(Value result, evaluator.Eval(*tree));
  return result.v;
}

}  // namespace larch::capa
