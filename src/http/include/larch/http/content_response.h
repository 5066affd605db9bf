// ServeContent: answers GET/HEAD for content that is not a local file (a
// blob of the file store) with the validation and range handling of
// StaticFiles: ETag and Last-Modified, If-None-Match / If-Modified-Since
// (304), one byte range (206, 416 with Content-Range "bytes */size"),
// Accept-Ranges. Only the bytes sent are read.
//
// Thread safety: a free function; safe from any thread when `read` is.
#ifndef LARCH_HTTP_CONTENT_RESPONSE_H_
#define LARCH_HTTP_CONTENT_RESPONSE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "larch/common/status.h"
#include "larch/http/request.h"
#include "larch/http/response.h"

namespace larch::http {

struct ContentMeta {
  uint64_t size = 0;
  // The strong validator, quoted: "\"<sha256>\"".
  std::string etag;
  // Unix seconds; no Last-Modified (nor If-Modified-Since) when unset.
  std::optional<int64_t> last_modified;
  std::string content_type = "application/octet-stream";
  // Sent as Cache-Control on 200, 206 and 304 when not empty.
  std::string cache_control;
};

// Returns bytes [offset, offset + length) of the content.
using ContentReader = std::function<StatusOr<std::string>(uint64_t offset, uint64_t length)>;

// The answer to `request` for the content `meta` describes. A failing
// `read` becomes its error response (error_mapping.h).
Response ServeContent(const Request& request, const ContentMeta& meta, const ContentReader& read);

}  // namespace larch::http

#endif  // LARCH_HTTP_CONTENT_RESPONSE_H_
