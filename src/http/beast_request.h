// Conversion from a parsed Beast message to a larch Request, shared by the
// server and ParseRequestForTest so both take the same path.
#ifndef LARCH_HTTP_BEAST_REQUEST_H_
#define LARCH_HTTP_BEAST_REQUEST_H_

#include <boost/beast/http.hpp>

#include "larch/common/status.h"
#include "larch/http/request.h"

namespace larch::http::internal {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// kInvalidArgument when the target is neither origin-form ("/..."),
// absolute-form ("http://host/...") nor "*".
StatusOr<Request> RequestFromBeast(BeastRequest&& message);
// The same without the body (for checks that run before it is read).
StatusOr<Request> RequestHeadersFromBeast(const BeastRequest& message);

// 413 for body_limit, 431 for header_limit, 400 for everything else.
int HttpStatusForParseError(const boost::beast::error_code& ec);

}  // namespace larch::http::internal

#endif  // LARCH_HTTP_BEAST_REQUEST_H_
