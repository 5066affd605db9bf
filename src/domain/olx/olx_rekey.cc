// RekeyCourse: an export imported into another course run.
#include <string>
#include <utility>

#include "larch/olx/olx.h"

namespace larch::olx {
namespace {

StatusOr<keys::UsageKey> Moved(const keys::UsageKey& key, const keys::CourseKey& to) {
  if (key.in_library()) return key;
  return to.MakeUsageKey(key.block_type, key.block_id);
}

// Rewrites, in place, string values (at any depth) that are usage keys of
// the old run.
void RekeyStrings(nlohmann::json& value, const keys::CourseKey& from, const keys::CourseKey& to) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.rfind("block-v1:", 0) != 0 && text.rfind("i4x://", 0) != 0) return;
    auto key = keys::UsageKey::Parse(text);
    if (!key.ok() || key->in_library() || key->course_key().org != from.org ||
        key->course_key().course != from.course ||
        (!key->course_key().run.empty() && key->course_key().run != from.run)) {
      return;
    }
    auto moved = to.MakeUsageKey(key->block_type, key->block_id);
    if (moved.ok()) value = moved->ToString();
    return;
  }
  if (value.is_structured()) {
    for (auto& item : value) RekeyStrings(item, from, to);
  }
}

}  // namespace

Status RekeyCourse(Course& course, const keys::CourseKey& key) {
  if (course.key == key) return OkStatus();
  const keys::CourseKey from = course.key;
  // Every key is checked before anything moves, so a failure leaves `course`
  // as it was.
  for (const auto& [old_key, block] : course.tree.blocks) {
    LARCH_RETURN_IF_ERROR(Moved(old_key, key).status());
  }
  BlockTree tree;
  LARCH_ASSIGN_OR_RETURN(tree.root, Moved(course.tree.root, key));
  for (auto& [old_key, block] : course.tree.blocks) {
    Block moved = std::move(block);
    LARCH_ASSIGN_OR_RETURN(moved.key, Moved(old_key, key));
    if (moved.parent.has_value()) {
      LARCH_ASSIGN_OR_RETURN(moved.parent, Moved(*moved.parent, key));
    }
    for (keys::UsageKey& child : moved.children) {
      LARCH_ASSIGN_OR_RETURN(child, Moved(child, key));
    }
    RekeyStrings(moved.fields, from, key);
    RekeyStrings(moved.inherited, from, key);
    keys::UsageKey new_key = moved.key;
    tree.blocks.emplace(std::move(new_key), std::move(moved));
  }
  course.tree = std::move(tree);
  RekeyStrings(course.policy, from, key);
  course.key = key;
  return OkStatus();
}

}  // namespace larch::olx
