// Private helpers of the completion and outline routes.
#ifndef LARCH_API_COMPLETION_INTERNAL_H_
#define LARCH_API_COMPLETION_INTERNAL_H_

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/api/outline_routes.h"
#include "larch/common/status.h"
#include "larch/completion/completion_service.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"

namespace larch::api::internal {

// Which blocks of `tree` the viewer sees, by index, as the Blocks API
// prunes them: a block hidden by the visibility rule (staff-only, not
// started) or closed by milestones takes its subtree with it; unmet
// prerequisites leave only the course block.
std::vector<bool> VisibleBlocks(const courses::CourseTree& tree,
                                const content_gate::ContentAccess& access);

// The progress tab's completion_summary for `user_id`
// (get_course_blocks_completion_summary): the units under the course's
// sequentials the learner sees, counted complete or incomplete
// ({"complete_count", "incomplete_count", "locked_count"}; nothing is
// locked without content-type gating).
StatusOr<nlohmann::json> CompletionSummary(completion::CompletionService& completion,
                                           const content_gate::ContentGate& gate,
                                           const courses::CourseTree& tree, int64_t user_id);

// GET /api/course_home/v1/navigation/{course_key} (navigation_routes.cc),
// registered by RegisterOutlineRoutes.
void RegisterNavigationRoute(http::Router& router, OutlineRoutesContext& context);
// GET /courses/{course_id}/jump_to/{usage_id} (jump_to_routes.cc), registered
// by RegisterOutlineRoutes.
void RegisterJumpToRoute(http::Router& router, OutlineRoutesContext& context);

}  // namespace larch::api::internal

#endif  // LARCH_API_COMPLETION_INTERNAL_H_
