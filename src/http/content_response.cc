#include "larch/http/content_response.h"

#include <string>

#include "http_date.h"
#include "larch/http/error_mapping.h"
#include "range.h"

namespace larch::http {
namespace {

bool NotModified(const Request& request, const ContentMeta& meta) {
  if (std::optional<std::string_view> tags = request.Header("if-none-match"); tags.has_value()) {
    return internal::IfNoneMatchMatches(*tags, meta.etag);
  }
  std::optional<std::string_view> since = request.Header("if-modified-since");
  if (!since.has_value() || !meta.last_modified.has_value()) return false;
  std::optional<int64_t> when = internal::ParseHttpDate(*since);
  return when.has_value() && *meta.last_modified <= *when;
}

// Sends [first, first + length): the body on GET, its length on HEAD.
Response Body(const Request& request, Response response, uint64_t first, uint64_t length,
              const ContentReader& read) {
  if (request.method() == "HEAD") {
    response.headers.emplace_back("Content-Length", std::to_string(length));
    return response;
  }
  StatusOr<std::string> bytes = read(first, length);
  if (!bytes.ok()) return ErrorResponse(bytes.status(), request.request_id());
  response.body = std::move(*bytes);
  return response;
}

}  // namespace

Response ServeContent(const Request& request, const ContentMeta& meta, const ContentReader& read) {
  Response response;
  response.headers.emplace_back("ETag", meta.etag);
  if (meta.last_modified.has_value()) {
    response.headers.emplace_back("Last-Modified", internal::FormatHttpDate(*meta.last_modified));
  }
  response.headers.emplace_back("Accept-Ranges", "bytes");
  if (!meta.cache_control.empty())
    response.headers.emplace_back("Cache-Control", meta.cache_control);
  if (NotModified(request, meta)) {
    response.status = 304;
    return response;
  }
  response.headers.emplace_back("Content-Type", meta.content_type);
  if (std::optional<std::string_view> range = request.Header("range"); range.has_value()) {
    uint64_t first = 0;
    uint64_t last = 0;
    switch (internal::ParseRange(*range, meta.size, first, last)) {
      case internal::RangeResult::kUnsatisfiable: {
        Response unsatisfiable = ErrorResponse(
            Status(StatusCode::kOutOfRange, "range not satisfiable").WithErrorCode("bad_range"),
            request.request_id());
        unsatisfiable.status = 416;
        unsatisfiable.headers.emplace_back("Content-Range", "bytes */" + std::to_string(meta.size));
        return unsatisfiable;
      }
      case internal::RangeResult::kRange:
        response.status = 206;
        response.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                           std::to_string(last) + "/" +
                                                           std::to_string(meta.size));
        return Body(request, std::move(response), first, last - first + 1, read);
      case internal::RangeResult::kNone:
        break;
    }
  }
  return Body(request, std::move(response), 0, meta.size, read);
}

}  // namespace larch::http
