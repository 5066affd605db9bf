// multipart/form-data bodies (RFC 7578), the way browsers and Open edX
// clients upload files (e.g. the course import API's `course_data`). Parsing
// is done by GMime, loaded on first use so that servers which never receive
// an upload do not carry it; this module only adapts its MIME tree to plain
// structs.
//
// Thread safety: ParseMultipartFormData is reentrant (GMime is initialised
// once, thread-safely, on first use).
#ifndef LARCH_HTTP_MULTIPART_H_
#define LARCH_HTTP_MULTIPART_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"

namespace larch::http {

struct FormPart {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // set for file fields
  std::string content_type;             // "text/plain" when the part names none
  std::string data;                     // transfer-decoded bytes
};

// Parses `body` sent with `content_type` (the full header value, e.g.
// "multipart/form-data; boundary=xyz"). kInvalidArgument when the content
// type is not multipart/form-data, has no boundary, or the body holds no
// well-formed part; kUnavailable when libgmime-3.0.so.0 cannot be loaded.
// Parts without a name are skipped.
StatusOr<std::vector<FormPart>> ParseMultipartFormData(std::string_view content_type,
                                                       std::string_view body);

// The first part called `name`, or nullptr.
const FormPart* FindFormPart(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace larch::http

#endif  // LARCH_HTTP_MULTIPART_H_
