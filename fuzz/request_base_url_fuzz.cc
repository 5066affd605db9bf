// Feeds arbitrary Host / X-Forwarded-Host / X-Forwarded-Proto values (split
// from the input at NUL bytes) to http::RequestBaseUrl. The result is the
// fallback or "http(s)://" plus only host characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larch/http/hosts.h"
#include "larch/http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string parts[3];
  for (size_t i = 0, part = 0; i < input.size() && part < 3; ++i) {
    if (input[i] == '\0') {
      ++part;
    } else {
      parts[part] += input[i];
    }
  }
  larch::http::Request request("GET", "/");
  request.set_remote_address("10.0.0.1");
  request.AddHeader("Host", parts[0]);
  if (!parts[1].empty()) request.AddHeader("X-Forwarded-Host", parts[1]);
  if (!parts[2].empty()) request.AddHeader("X-Forwarded-Proto", parts[2]);
  larch::http::AbsoluteUrlPolicy policy;
  policy.allowed_hosts = {"*"};
  policy.trusted_proxies = {"10.0.0.1"};
  policy.fallback_base_url = "http://fallback";
  std::string base = larch::http::RequestBaseUrl(request, policy);
  if (base == policy.fallback_base_url) return 0;
  std::string_view rest = base;
  if (rest.rfind("https://", 0) == 0) {
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else {
    __builtin_trap();
  }
  for (char c : rest) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == ':' || c == '[' || c == ']';
    if (!ok) __builtin_trap();
  }
  return 0;
}
