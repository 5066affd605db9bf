// Feeds arbitrary bytes as a JSON and as a form body to the parsers of the
// edx-proctoring request bodies (api/special_exam_bodies.h): the fields are
// taken as internal::FormMap takes them, and each parser must either
// accept them with positive ids or refuse with kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/http/request.h"
#include "special_exam_bodies.h"

namespace {

std::map<std::string, std::string> Fields(const larch::http::Request& request, bool json_body) {
  std::map<std::string, std::string> form;
  if (json_body) {
    auto body = request.JsonBody();
    if (!body.ok() || !body->is_object()) return form;
    for (const auto& [key, value] : body->items()) {
      if (value.is_string()) form[key] = value.get<std::string>();
      if (value.is_boolean()) form[key] = value.get<bool>() ? "true" : "false";
      if (value.is_number()) form[key] = value.dump();
    }
    return form;
  }
  for (const auto& [key, value] : request.FormValues()) form.emplace(key, value);
  return form;
}

void Check(const larch::Status& status) {
  if (!status.ok() && status.code() != larch::StatusCode::kInvalidArgument) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (bool json_body : {true, false}) {
    larch::http::Request request("PUT", "/api/edx_proctoring/v1/proctored_exam/attempt/1");
    request.AddHeader("Content-Type",
                      json_body ? "application/json" : "application/x-www-form-urlencoded");
    request.set_body(text);
    std::map<std::string, std::string> form = Fields(request, json_body);
    auto create = larch::api::internal::ParseCreateAttemptBody(form);
    Check(create.status());
    if (create.ok() && create->exam_id <= 0) std::abort();
    auto action = larch::api::internal::ParseAttemptActionBody(form);
    Check(action.status());
    if (action.ok() && (action->action.empty() || (action->user_id && *action->user_id <= 0))) {
      std::abort();
    }
    for (bool remove : {false, true}) {
      auto allowance = larch::api::internal::ParseAllowanceBody(form, remove);
      Check(allowance.status());
      if (allowance.ok() && allowance->exam_id <= 0) std::abort();
    }
  }
  return 0;
}
