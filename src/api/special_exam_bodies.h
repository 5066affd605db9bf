// Parsing the request bodies of the edx-proctoring endpoints (as the views
// read request.data): the fields a JSON object or form body carries, as
// internal::FormMap hands them over. Private to api; fuzzed by
// fuzz/special_exam_bodies_fuzz.cc.
//
// Thread safety: stateless.
#ifndef LARCH_API_SPECIAL_EXAM_BODIES_H_
#define LARCH_API_SPECIAL_EXAM_BODIES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "larch/common/status.h"

namespace larch::api::internal {

// POST attempt: {"exam_id": 1, "start_clock": "true"}.
struct CreateAttemptBody {
  int64_t exam_id = 0;
  bool start_clock = false;
};
// PUT attempt/{id}: {"action": "start", "user_id": ...}.
struct AttemptActionBody {
  std::string action;
  std::optional<int64_t> user_id;
};
// PUT allowance {exam_id, user_info, key, value}; DELETE allowance
// {exam_id, user_id, key}.
struct AllowanceBody {
  int64_t exam_id = 0;
  std::string user_info;
  int64_t user_id = 0;
  std::string key;
  std::string value;
};

// A positive id in decimal; kInvalidArgument naming `field` otherwise.
StatusOr<int64_t> ParseId(std::string_view text, std::string_view field);

// Each kInvalidArgument with the field that is missing or malformed.
StatusOr<CreateAttemptBody> ParseCreateAttemptBody(const std::map<std::string, std::string>& form);
StatusOr<AttemptActionBody> ParseAttemptActionBody(const std::map<std::string, std::string>& form);
StatusOr<AllowanceBody> ParseAllowanceBody(const std::map<std::string, std::string>& form,
                                           bool remove);

}  // namespace larch::api::internal

#endif  // LARCH_API_SPECIAL_EXAM_BODIES_H_
