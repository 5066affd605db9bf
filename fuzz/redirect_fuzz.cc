// Feeds arbitrary bytes to RedirectIsSafe (the check of every redirect
// target taken from a request). A target it accepts must, once cleaned and
// with "\" read as "/" as browsers do, be a path or name this site's host;
// nothing may crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/strings.h"
#include "larch/http/hosts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> hosts = {"lms.example.com"};
  for (bool https : {false, true}) {
    if (!larch::http::RedirectIsSafe(text, hosts, https)) continue;
    std::string url = larch::http::CleanRedirectTarget(text);
    std::replace(url.begin(), url.end(), '\\', '/');
    if (url.empty()) std::abort();
    std::string lower = larch::AsciiLower(url);
    size_t start = std::string::npos;
    if (lower.starts_with("//")) {
      start = 2;
    } else if (lower.starts_with("http://")) {
      if (https) std::abort();
      start = 7;
    } else if (lower.starts_with("https://")) {
      start = 8;
    }
    if (start == std::string::npos) continue;
    std::string_view netloc = std::string_view(lower).substr(start);
    netloc = netloc.substr(0, netloc.find_first_of("/?#"));
    if (larch::http::SplitHostPort(netloc).domain != "lms.example.com") std::abort();
  }
  return 0;
}
