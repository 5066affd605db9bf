#include "special_exam_bodies.h"

#include <charconv>

namespace larch::api::internal {
namespace {

const std::string* Field(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

// Python's `str(value).lower() == 'true'` of the views.
bool TrueText(const std::string* value) {
  if (value == nullptr || value->size() != 4) return false;
  std::string lower;
  for (char c : *value) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "true";
}

}  // namespace

StatusOr<int64_t> ParseId(std::string_view text, std::string_view field) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return InvalidArgumentError(std::string(field) + " must be a positive integer.");
  }
  return id;
}

StatusOr<CreateAttemptBody> ParseCreateAttemptBody(const std::map<std::string, std::string>& form) {
  const std::string* exam_id = Field(form, "exam_id");
  if (exam_id == nullptr) return InvalidArgumentError("exam_id is required.");
  CreateAttemptBody body;
  LARCH_ASSIGN_OR_RETURN(body.exam_id, ParseId(*exam_id, "exam_id"));
  body.start_clock = TrueText(Field(form, "start_clock"));
  return body;
}

StatusOr<AttemptActionBody> ParseAttemptActionBody(const std::map<std::string, std::string>& form) {
  const std::string* action = Field(form, "action");
  if (action == nullptr || action->empty()) return InvalidArgumentError("action is required.");
  AttemptActionBody body;
  body.action = *action;
  const std::string* user_id = Field(form, "user_id");
  if (user_id != nullptr && !user_id->empty()) {
    LARCH_ASSIGN_OR_RETURN(body.user_id, ParseId(*user_id, "user_id"));
  }
  return body;
}

StatusOr<AllowanceBody> ParseAllowanceBody(const std::map<std::string, std::string>& form,
                                           bool remove) {
  AllowanceBody body;
  const std::string* exam_id = Field(form, "exam_id");
  if (exam_id == nullptr) return InvalidArgumentError("exam_id is required.");
  LARCH_ASSIGN_OR_RETURN(body.exam_id, ParseId(*exam_id, "exam_id"));
  const std::string* key = Field(form, "key");
  if (key == nullptr || key->empty()) return InvalidArgumentError("key is required.");
  body.key = *key;
  if (remove) {
    const std::string* user_id = Field(form, "user_id");
    if (user_id == nullptr) return InvalidArgumentError("user_id is required.");
    LARCH_ASSIGN_OR_RETURN(body.user_id, ParseId(*user_id, "user_id"));
    return body;
  }
  const std::string* user_info = Field(form, "user_info");
  if (user_info == nullptr || user_info->empty()) {
    return InvalidArgumentError("user_info is required.");
  }
  body.user_info = *user_info;
  const std::string* value = Field(form, "value");
  if (value == nullptr) return InvalidArgumentError("value is required.");
  body.value = *value;
  return body;
}

}  // namespace larch::api::internal
