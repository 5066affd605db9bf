// Feeds arbitrary bytes to the multipart/form-data parser: the first line is
// the Content-Type header value, the rest the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larch/http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view content_type = newline == std::string_view::npos
                                      ? "multipart/form-data; boundary=b"
                                      : input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? input : input.substr(newline + 1);
  auto parts = larch::http::ParseMultipartFormData(content_type, body);
  if (parts.ok()) {
    for (const auto& part : *parts) {
      if (part.name.empty()) __builtin_trap();
    }
  }
  return 0;
}
