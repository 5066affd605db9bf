#include "larch/content_gate/content_gate.h"

#include <vector>

#include "larch/common/strings.h"
#include "larch/keys/keys.h"

namespace larch::content_gate {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// The block is not before its start (beta testers days_early_for_beta
// sooner); a block without a start is always started.
bool Started(const courses::CatalogBlock& block, const ContentAccess& access) {
  if (!block.start.has_value()) return true;
  int64_t start = *block.start;
  if (access.beta_tester) start -= block.days_early_for_beta * kMicrosPerDay;
  return start <= access.now;
}

}  // namespace

ContentGate::ContentGate(accounts::RoleStore& roles, const Clock& clock,
                         milestones::MilestoneService* milestones)
    : roles_(roles), clock_(clock), milestones_(milestones) {}

CourseAccess ContentGate::RolesFor(int64_t user_id, bool global_staff,
                                   std::string_view course_key) const {
  CourseAccess access;
  if (global_staff) {
    access.staff = true;
    return access;
  }
  StatusOr<std::vector<accounts::RoleGrant>> grants = roles_.RolesFor(user_id);
  if (!grants.ok()) return access;
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course_key);
  std::string org = key.ok() ? AsciiLower(key->org) : std::string();
  for (const accounts::RoleGrant& grant : *grants) {
    bool applies = grant.course_id.empty() ? !org.empty() && AsciiLower(grant.org) == org
                                           : grant.course_id == course_key;
    if (!applies) continue;
    if (grant.role == accounts::CourseRole::kBetaTester) {
      access.beta_tester = true;
    } else {
      access.staff = true;
    }
  }
  return access;
}

ContentAccess ContentGate::RoleAccess(std::optional<int64_t> user_id, bool global_staff,
                                      std::string_view course_key) const {
  ContentAccess access;
  access.now = clock_.NowMicros();
  if (!user_id.has_value()) return access;
  CourseAccess roles = RolesFor(*user_id, global_staff, course_key);
  access.see_all = roles.staff;
  access.beta_tester = roles.beta_tester;
  return access;
}

StatusOr<ContentAccess> ContentGate::AccessFor(std::optional<int64_t> user_id, bool global_staff,
                                               std::string_view course_key) const {
  ContentAccess access = RoleAccess(user_id, global_staff, course_key);
  if (access.see_all || milestones_ == nullptr) return access;
  LARCH_ASSIGN_OR_RETURN(milestones::CourseGate gate,
                         milestones_->GateFor(user_id.value_or(0), course_key));
  if (!gate.unmet_prerequisites.empty()) {
    access.milestones = MilestoneGate::kPrerequisites;
  } else if (gate.entrance_exam_pending) {
    access.milestones = MilestoneGate::kEntranceExam;
    access.entrance_exam_id = gate.entrance_exam_id;
  }
  return access;
}

ContentAccess ContentGate::SeeAll() const {
  ContentAccess access;
  access.see_all = true;
  access.now = clock_.NowMicros();
  return access;
}

bool ContentGate::Visible(const courses::CatalogBlock& block, const ContentAccess& access) {
  if (access.see_all) return true;
  if (block.visible_to_staff_only) return false;
  if (block.type == "course") return true;
  return Started(block, access);
}

bool ContentGate::HiddenAfterDue(const courses::CatalogBlock& block, const ContentAccess& access) {
  if (access.see_all) return false;
  auto setting = [&block](const char* name) -> const nlohmann::json* {
    for (const nlohmann::json* source : {&block.inherited, &block.fields}) {
      auto it = source->find(name);
      if (it != source->end() && !it->is_null()) return &*it;
    }
    return nullptr;
  };
  const nlohmann::json* hide = setting("hide_after_due");
  if (hide == nullptr) return false;
  bool on = hide->is_boolean()  ? hide->get<bool>()
            : hide->is_string() ? AsciiLower(hide->get<std::string>()) == "true"
                                : false;
  if (!on) return false;
  const nlohmann::json* due = setting("due");
  if (due == nullptr || !due->is_string()) return false;
  StatusOr<int64_t> when = ParseIso8601(due->get<std::string>());
  return when.ok() && *when < access.now;
}

bool ContentGate::DeniedByMilestones(const courses::CatalogBlock& block,
                                     const ContentAccess& access) {
  if (access.see_all) return false;
  switch (access.milestones) {
    case MilestoneGate::kNone:
      return false;
    case MilestoneGate::kPrerequisites:
      return block.type != "course";
    case MilestoneGate::kEntranceExam:
      return block.type == "chapter" && block.usage_key != access.entrance_exam_id;
  }
  return false;
}

bool ContentGate::VisibleWithAncestors(const courses::CourseTree& tree, int index,
                                       const ContentAccess& access, bool honour_hide_after_due) {
  if (access.see_all) return true;
  if (access.milestones == MilestoneGate::kPrerequisites) return false;
  for (int i = index; i >= 0; i = tree.blocks[static_cast<size_t>(i)].parent) {
    const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(i)];
    if (DeniedByMilestones(block, access) || !Visible(block, access)) return false;
    if (honour_hide_after_due && HiddenAfterDue(block, access)) return false;
  }
  return true;
}

bool ContentGate::HiddenAfterDueWithAncestors(const courses::CourseTree& tree, int index,
                                              const ContentAccess& access) {
  if (access.see_all) return false;
  for (int i = index; i >= 0; i = tree.blocks[static_cast<size_t>(i)].parent) {
    if (HiddenAfterDue(tree.blocks[static_cast<size_t>(i)], access)) return true;
  }
  return false;
}

}  // namespace larch::content_gate
