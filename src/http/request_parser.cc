#include "larch/http/request_parser.h"

#include <boost/asio/buffer.hpp>

#include "beast_request.h"

namespace larch::http {

namespace internal {

StatusOr<Request> RequestFromBeast(BeastRequest&& message) {
  LARCH_ASSIGN_OR_RETURN(Request request, RequestHeadersFromBeast(message));
  request.set_body(std::move(message.body()));
  return request;
}

StatusOr<Request> RequestHeadersFromBeast(const BeastRequest& message) {
  std::string_view target(message.target().data(), message.target().size());
  bool absolute = target.starts_with("http://") || target.starts_with("https://");
  if (!target.starts_with('/') && !absolute && target != "*") {
    return InvalidArgumentError("request target must be a path");
  }
  Request request(std::string(message.method_string()), std::string(target));
  for (const auto& field : message) {
    request.AddHeader(std::string(field.name_string()), std::string(field.value()));
  }
  return request;
}

int HttpStatusForParseError(const boost::beast::error_code& ec) {
  namespace bhttp = boost::beast::http;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  return 400;
}

}  // namespace internal

StatusOr<Request> ParseRequestForTest(std::string_view raw, const ParseLimits& limits) {
  internal::BeastParser parser;
  parser.eager(true);
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(limits.max_header_bytes);
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    if (raw.empty()) return InvalidArgumentError("incomplete request");
    size_t used = parser.put(boost::asio::const_buffer(raw.data(), raw.size()), ec);
    raw.remove_prefix(used);
    // need_more means the parser wants bytes beyond what it was given; all
    // input is already here, so the request is incomplete. (Calling put
    // again without new bytes violates Beast's contract.)
    if (ec == boost::beast::http::error::need_more) {
      return InvalidArgumentError("incomplete request");
    }
    if (!ec && used == 0) return InvalidArgumentError("parser made no progress");
    if (ec) {
      int status = internal::HttpStatusForParseError(ec);
      if (status != 400) return ResourceExhaustedError(ec.message());
      return InvalidArgumentError("malformed request: " + ec.message());
    }
  }
  return internal::RequestFromBeast(parser.release());
}

}  // namespace larch::http
