// Private helpers of the completion and outline routes.
#ifndef LARCH_API_COMPLETION_INTERNAL_H_
#define LARCH_API_COMPLETION_INTERNAL_H_

#include <vector>

#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"

namespace larch::api::internal {

// Which blocks of `tree` the viewer sees, by index, as the Blocks API
// prunes them: a block hidden by the visibility rule (staff-only, not
// started) or closed by milestones takes its subtree with it; unmet
// prerequisites leave only the course block.
std::vector<bool> VisibleBlocks(const courses::CourseTree& tree,
                                const content_gate::ContentAccess& access);

}  // namespace larch::api::internal

#endif  // LARCH_API_COMPLETION_INTERNAL_H_
