// Feeds arbitrary Range / If-None-Match / If-Modified-Since values (split
// from the input at NUL bytes; the first byte picks the content size) to
// http::ServeContent, which serves course assets from their blobs. The
// answer is 200, 206, 304 or 416; the reader is only asked for bytes inside
// the content, and a 206 body is exactly its Content-Range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larch/http/content_response.h"
#include "larch/http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint64_t content_size = data[0] * 37u;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string parts[3];
  for (size_t i = 0, part = 0; i < input.size() && part < 3; ++i) {
    if (input[i] == '\0') {
      ++part;
    } else {
      parts[part] += input[i];
    }
  }
  larch::http::Request request(data[0] % 2 == 0 ? "GET" : "HEAD", "/asset-v1:x");
  if (!parts[0].empty()) request.AddHeader("Range", parts[0]);
  if (!parts[1].empty()) request.AddHeader("If-None-Match", parts[1]);
  if (!parts[2].empty()) request.AddHeader("If-Modified-Since", parts[2]);
  larch::http::ContentMeta meta;
  meta.size = content_size;
  meta.etag = "\"abc\"";
  meta.last_modified = 1'700'000'000;
  const std::string content(content_size, 'x');
  larch::http::Response response = larch::http::ServeContent(
      request, meta, [&](uint64_t offset, uint64_t length) -> larch::StatusOr<std::string> {
        if (offset > content_size || length > content_size - offset) __builtin_trap();
        return content.substr(offset, length);
      });
  switch (response.status) {
    case 200:
    case 304:
    case 416:
      break;
    case 206:
      if (request.method() == "GET" &&
          (response.body.empty() || response.body.size() > content_size)) {
        __builtin_trap();
      }
      break;
    default:
      __builtin_trap();
  }
  return 0;
}
