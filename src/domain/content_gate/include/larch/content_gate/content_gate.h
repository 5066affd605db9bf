// content_gate::ContentGate: the one home of the rules that decide which
// course content a viewer may see, used by the Blocks API, courseware search
// and the transcript download:
//   - roles: global staff, course staff and instructors see everything;
//     beta testers see content days_early_for_beta sooner (CourseAccessRole
//     grants on the course, or org-wide on its org);
//   - visibility: staff-only blocks are hidden, and blocks before their
//     (inherited) start, the course block excepted;
//   - milestones (MilestonesAndSpecialExamsTransformer): unmet prerequisite
//     courses close all the course's content, a pending entrance exam every
//     chapter but the exam.
//
// Thread safety: ContentGate is thread-safe (RoleStore and MilestoneService
// are); the static rules are pure.
#ifndef LARCH_CONTENT_GATE_CONTENT_GATE_H_
#define LARCH_CONTENT_GATE_CONTENT_GATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larch/accounts/roles.h"
#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/milestones/milestones.h"

namespace larch::content_gate {

// A user's standing in one course from the role grants.
struct CourseAccess {
  bool staff = false;  // global staff, course staff or instructor
  bool beta_tester = false;
};

enum class MilestoneGate { kNone, kPrerequisites, kEntranceExam };

// What one viewer may see of one course's content, at one moment.
struct ContentAccess {
  // Staff views (course or global staff, or the Blocks API's all_blocks).
  bool see_all = false;
  bool beta_tester = false;
  MilestoneGate milestones = MilestoneGate::kNone;
  // kEntranceExam: the usage key of the chapter left open.
  std::string entrance_exam_id;
  // Micros since the epoch the start dates are compared with.
  int64_t now = 0;
};

class ContentGate {
 public:
  // `milestones` null means no milestone gating. All must outlive the gate.
  ContentGate(accounts::RoleStore& roles, const Clock& clock,
              milestones::MilestoneService* milestones);

  // Course grants, and org grants for the course's org (case-insensitively);
  // global staff are staff everywhere. A role lookup that fails counts as no
  // role.
  CourseAccess RolesFor(int64_t user_id, bool global_staff, std::string_view course_key) const;

  // The roles rule only (no milestones), for `user_id` or, when nullopt, the
  // anonymous viewer.
  ContentAccess RoleAccess(std::optional<int64_t> user_id, bool global_staff,
                           std::string_view course_key) const;
  // RoleAccess plus, for a viewer who is not staff, the milestone gate (the
  // anonymous viewer as user 0). Errors are the milestone service's.
  StatusOr<ContentAccess> AccessFor(std::optional<int64_t> user_id, bool global_staff,
                                    std::string_view course_key) const;
  // A staff view at the current time (the Blocks API's all_blocks).
  ContentAccess SeeAll() const;

  // The visibility rule for one block by itself (ancestors not looked at).
  static bool Visible(const courses::CatalogBlock& block, const ContentAccess& access);
  // HiddenContentTransformer's rule for one block by itself: hide_after_due
  // (inherited) is set and the (inherited) due date has passed, for a
  // viewer who is not staff.
  static bool HiddenAfterDue(const courses::CatalogBlock& block, const ContentAccess& access);
  // The milestone rule for one block by itself.
  static bool DeniedByMilestones(const courses::CatalogBlock& block, const ContentAccess& access);
  // Whether a learner may reach the block: milestones, visibility and
  // (unless `honour_hide_after_due` is false) hide_after_due for the block
  // and every ancestor; unmet prerequisites hide everything. Handlers, the
  // unit page, search, bookmarks and the sequence units all use it.
  static bool VisibleWithAncestors(const courses::CourseTree& tree, int index,
                                   const ContentAccess& access, bool honour_hide_after_due = true);
  // HiddenAfterDue for the block or any ancestor.
  static bool HiddenAfterDueWithAncestors(const courses::CourseTree& tree, int index,
                                          const ContentAccess& access);

 private:
  accounts::RoleStore& roles_;
  const Clock& clock_;
  milestones::MilestoneService* milestones_;
};

}  // namespace larch::content_gate

#endif  // LARCH_CONTENT_GATE_CONTENT_GATE_H_
