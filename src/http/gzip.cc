#include "gzip.h"

#include <zlib.h>

#include "larch/common/strings.h"

namespace larch::http::internal {

namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool ContainsIgnoreCase(std::string_view s, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (EqualsIgnoreCase(s.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

}  // namespace

bool GzipCompress(std::string_view in, std::string& out) {
  z_stream stream{};
  // 15 window bits + 16 selects the gzip wrapper; level 6 is zlib's default
  // balance, memLevel 8 its default.
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&stream, static_cast<uLong>(in.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  size_t written = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return false;
  out.resize(written);
  return true;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = TrimBlanks(accept_encoding.substr(0, comma));
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::string_view coding = TrimBlanks(item.substr(0, item.find(';')));
    if (!EqualsIgnoreCase(coding, "gzip") && coding != "*") continue;
    size_t semi = item.find(';');
    if (semi == std::string_view::npos) return true;
    std::string_view param = TrimBlanks(item.substr(semi + 1));
    if (!StartsWithIgnoreCase(param, "q=")) return true;
    std::string_view q = TrimBlanks(param.substr(2));
    bool zero = !q.empty() && q[0] == '0';
    for (size_t i = 1; zero && i < q.size(); ++i) {
      if (q[i] != '.' && q[i] != '0') zero = false;
    }
    if (!zero) return true;
  }
  return false;
}

bool IsCompressibleType(std::string_view content_type) {
  std::string_view type = TrimBlanks(content_type.substr(0, content_type.find(';')));
  if (StartsWithIgnoreCase(type, "text/")) return true;
  return ContainsIgnoreCase(type, "json") || ContainsIgnoreCase(type, "javascript") ||
         ContainsIgnoreCase(type, "xml") || ContainsIgnoreCase(type, "svg");
}

void MaybeGzip(std::string_view accept_encoding, Response& response) {
  if (response.body.size() <= kGzipMinBytes || response.status == 206 || response.status < 200 ||
      response.status == 204 || response.status == 304) {
    return;
  }
  if (response.Header("content-encoding").has_value()) return;
  std::optional<std::string_view> type = response.Header("content-type");
  if (!type.has_value() || !IsCompressibleType(*type)) return;
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (!AcceptsGzip(accept_encoding)) return;
  std::string compressed;
  if (!GzipCompress(response.body, compressed)) return;
  response.body = std::move(compressed);
  response.headers.emplace_back("Content-Encoding", "gzip");
}

}  // namespace larch::http::internal
