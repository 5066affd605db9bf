// The one place where a larch::Status becomes an HTTP error response in the
// Open edX shape {"error_code", "developer_message", "user_message"}.
//
// Thread safety: pure functions, safe from any thread.
#ifndef LARCH_HTTP_ERROR_MAPPING_H_
#define LARCH_HTTP_ERROR_MAPPING_H_

#include <string_view>

#include "larch/common/status.h"
#include "larch/http/response.h"

namespace larch::http {

// The HTTP status for a canonical code (kOk -> 200, unknown -> 500).
int HttpStatusForCode(StatusCode code);

// "not_found", "invalid_argument"...: the default error_code field.
std::string_view DefaultErrorCode(StatusCode code);

// A generic, client-safe sentence for the code.
std::string_view GenericUserMessage(StatusCode code);

// The JSON error response for `status`. For 5xx the developer message is a
// generic text naming the request id (the real message is logged at error
// level with that id), so internals never reach clients. An OK status is a
// bug in the caller and yields a 500.
Response ErrorResponse(const Status& status, std::string_view request_id);

}  // namespace larch::http

#endif  // LARCH_HTTP_ERROR_MAPPING_H_
