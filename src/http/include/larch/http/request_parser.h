// The wire-format parser the server uses, exposed so the fuzz target and
// tests drive exactly the same code path without a socket.
//
// Thread safety: pure functions, safe from any thread.
#ifndef LARCH_HTTP_REQUEST_PARSER_H_
#define LARCH_HTTP_REQUEST_PARSER_H_

#include <cstdint>
#include <string_view>

#include "larch/common/status.h"
#include "larch/http/request.h"

namespace larch::http {

struct ParseLimits {
  uint64_t max_body_bytes = uint64_t{10} * 1024 * 1024;
  uint32_t max_header_bytes = 16 * 1024;
};

// Parses one complete request from `raw` (trailing bytes are ignored).
// kInvalidArgument for malformed or incomplete input or a target that is not
// a path; kResourceExhausted for a body or header block over the limits
// (the server answers those with 413 and 431).
StatusOr<Request> ParseRequestForTest(std::string_view raw, const ParseLimits& limits = {});

}  // namespace larch::http

#endif  // LARCH_HTTP_REQUEST_PARSER_H_
