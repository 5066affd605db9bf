// IMF-fixdate formatting and parsing ("Sun, 06 Nov 1994 08:49:37 GMT") for
// Date, Last-Modified, Expires and If-Modified-Since. Locale-independent.
#ifndef LARCH_HTTP_HTTP_DATE_H_
#define LARCH_HTTP_HTTP_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larch::http::internal {

std::string FormatHttpDate(int64_t unix_seconds);
// Only IMF-fixdate; the obsolete forms are answered as "no date".
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace larch::http::internal

#endif  // LARCH_HTTP_HTTP_DATE_H_
