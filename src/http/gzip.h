// gzip helpers shared by the server (dynamic responses) and StaticFiles.
#ifndef LARCH_HTTP_GZIP_H_
#define LARCH_HTTP_GZIP_H_

#include <string>
#include <string_view>

#include "larch/http/response.h"

namespace larch::http::internal {

// Bodies at or below this size are not worth compressing.
inline constexpr size_t kGzipMinBytes = 1024;

// gzip-wraps `in` into `out`; false only if zlib fails (out of memory).
bool GzipCompress(std::string_view in, std::string& out);
// True when Accept-Encoding lists gzip (or *) without q=0.
bool AcceptsGzip(std::string_view accept_encoding);
// JSON, text/*, JavaScript, SVG, XML.
bool IsCompressibleType(std::string_view content_type);
// Compresses `response` in place when it is big and compressible and the
// client accepts gzip; adds Vary: Accept-Encoding whenever the choice
// depended on the request header.
void MaybeGzip(std::string_view accept_encoding, Response& response);

}  // namespace larch::http::internal

#endif  // LARCH_HTTP_GZIP_H_
