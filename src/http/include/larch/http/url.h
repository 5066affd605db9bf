// URL and header value codecs shared by the HTTP layer: percent-decoding,
// query strings, application/x-www-form-urlencoded bodies and Cookie headers.
// These parse untrusted input, so they never fail: malformed pieces are kept
// literally (as Django does) or skipped.
//
// Thread safety: pure functions, safe from any thread.
#ifndef LARCH_HTTP_URL_H_
#define LARCH_HTTP_URL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larch::http {

using ParamList = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes; an invalid escape ("%zz", a trailing "%") is kept as
// written. With `plus_as_space`, '+' becomes ' ' (query strings and forms
// only; in paths '+' is a literal plus, which course keys rely on).
std::string PercentDecode(std::string_view in, bool plus_as_space = false);

// Encodes everything except RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view in);

// "a=1&b=x+y&a=2" -> {{"a","1"},{"b","x y"},{"a","2"}} in order. A pair
// without '=' has an empty value; empty pairs ("a=1&&b") are skipped.
ParamList ParseQueryString(std::string_view query);

// "a=1; b=\"two\"" -> {{"a","1"},{"b","two"}}. Values are not
// percent-decoded (Django does not either); surrounding quotes are removed.
ParamList ParseCookieHeader(std::string_view header);

// ASCII case-insensitive equality, for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace larch::http

#endif  // LARCH_HTTP_URL_H_
