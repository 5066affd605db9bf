// Feeds arbitrary bytes to the depth-checked JSON parse every request body
// goes through (larch::ParseJson via Request::JsonBody), then runs the
// recursive operations handlers run on a parsed value (copy, dump,
// comparison), which overflow the stack when the depth check fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/common/json.h"
#include "larch/http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  larch::StatusOr<nlohmann::json> parsed = larch::ParseJson(text);
  if (parsed.ok()) {
    nlohmann::json copy = *parsed;
    (void)copy.dump();
    (void)(copy == *parsed);
  }
  larch::http::Request request("POST", "/api/enrollment/v1/enrollment");
  request.AddHeader("Content-Type", "application/json");
  request.set_body(std::string(text));
  larch::StatusOr<nlohmann::json> body = request.JsonBody();
  if (body.ok()) (void)body->dump();
  return 0;
}
