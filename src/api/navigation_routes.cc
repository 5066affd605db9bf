// GET /api/course_home/v1/navigation/{course_key} (CourseNavigationBlocksView):
// the sidebar's blocks from the course down to the units, with the
// navigation's own completion rules (mark_complete_recursive and
// get_block_completion_stat), registered with the outline
// (outline_routes.h, docs/api/course_home.md).
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/api/outline_routes.h"
#include "larch/completion/completion.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;
using nlohmann::json;

const json* Field(const CatalogBlock& block, const char* name, bool inherited) {
  if (inherited) {
    auto it = block.inherited.find(name);
    if (it != block.inherited.end()) return it->is_null() ? nullptr : &*it;
  }
  auto it = block.fields.find(name);
  return it == block.fields.end() || it->is_null() ? nullptr : &*it;
}

bool IsContainer(std::string_view type) {
  return type == "course" || type == "chapter" || type == "sequential" || type == "vertical";
}

class NavigationWriter {
 public:
  NavigationWriter(const CourseTree& tree, const std::vector<bool>& visible,
                   std::unordered_map<std::string_view, double> values, std::string base,
                   bool enable_links)
      : tree_(tree),
        visible_(visible),
        values_(std::move(values)),
        base_(std::move(base)),
        enable_links_(enable_links) {
    stats_.resize(tree.blocks.size());
    Mark(tree.root);
  }

  json Blocks() {
    json blocks = json::object();
    Emit(tree_.root, blocks);
    return {{"blocks", std::move(blocks)}};
  }

 private:
  struct Stat {
    bool complete = false;
    double completion = 0;
    int64_t completable = 0;
  };

  std::vector<int> Shown(int index) const {
    std::vector<int> out;
    for (int child : tree_.blocks[static_cast<size_t>(index)].children) {
      if (visible_[static_cast<size_t>(child)]) out.push_back(child);
    }
    return out;
  }

  double Value(const CatalogBlock& block) const {
    auto it = values_.find(block.usage_key);
    return it == values_.end() ? 0.0 : it->second;
  }

  // mark_complete_recursive: an aggregator with children is complete when
  // its completable (not excluded) children are; anything else by its own
  // value, containers without children complete by default.
  void Mark(int index) {
    const CatalogBlock& block = tree_.blocks[static_cast<size_t>(index)];
    Stat& stat = stats_[static_cast<size_t>(index)];
    std::vector<int> children = Shown(index);
    bool aggregator = completion::ModeOf(block.type) == completion::CompletionMode::kAggregator;
    if (children.empty() || !aggregator) {
      stat.complete = Value(block) != 0.0 || IsContainer(block.type);
      stat.completion = Value(block);
      return;
    }
    stat.complete = true;
    for (int child : children) {
      Mark(child);
      const CatalogBlock& c = tree_.blocks[static_cast<size_t>(child)];
      if (completion::ModeOf(c.type) == completion::CompletionMode::kExcluded) continue;
      const Stat& s = stats_[static_cast<size_t>(child)];
      stat.complete = stat.complete && s.complete;
      if (block.type == "chapter") {
        stat.completion += s.completion;
        stat.completable += s.completable;
      } else {
        stat.completion += block.type == "vertical" ? s.completion : (s.complete ? 1 : 0);
        stat.completable += 1;
      }
    }
  }

  // get_vertical_icon_class.
  std::string VerticalIcon(int index) const {
    std::string icon = "other";
    for (int child : Shown(index)) {
      const std::string& type = tree_.blocks[static_cast<size_t>(child)].type;
      if (type == "problem") return "problem";
      if (type == "video") icon = "video";
    }
    return icon;
  }

  void Emit(int index, json& blocks) {
    const size_t i = static_cast<size_t>(index);
    const CatalogBlock& block = tree_.blocks[i];
    std::vector<int> children = block.type == "vertical" ? std::vector<int>() : Shown(index);
    json ids = json::array();
    for (int child : children) ids.push_back(tree_.blocks[static_cast<size_t>(child)].usage_key);
    const json* format = Field(block, "format", false);
    const json* due = Field(block, "due", true);
    json completion_stat = {{"completion", stats_[i].completion},
                            {"completable_children", stats_[i].completable}};
    std::string url = base_ + "/courses/" + tree_.course_key + "/jump_to/" + block.usage_key;
    blocks[block.usage_key] = {
        {"children", std::move(ids)},
        {"complete", stats_[i].complete},
        {"completion_stat", std::move(completion_stat)},
        {"description", format != nullptr ? *format : json(nullptr)},
        {"display_name", block.display_name},
        {"due", due != nullptr ? internal::ApiDateTime(*due) : json(nullptr)},
        {"effort_activities", nullptr},
        {"effort_time", nullptr},
        {"icon", block.type == "vertical" ? json(VerticalIcon(index)) : json(nullptr)},
        {"id", block.usage_key},
        {"lms_web_url", enable_links_ ? json(url) : json(nullptr)},
        {"resume_block", false},
        {"type", block.type},
        {"has_scheduled_content", nullptr},
        {"hide_from_toc", block.hide_from_toc}};
    for (int child : children) Emit(child, blocks);
  }

  const CourseTree& tree_;
  const std::vector<bool>& visible_;
  std::unordered_map<std::string_view, double> values_;
  std::string base_;
  bool enable_links_;
  std::vector<Stat> stats_;
};

Response Navigation(OutlineRoutesContext& ctx, Request& request) {
  const oauth::Principal* caller = CurrentPrincipal(request);
  std::string course_key(request.PathParam("course_key"));
  StatusOr<std::shared_ptr<const CourseTree>> tree = ctx.catalog.GetTree(course_key);
  if (!tree.ok() && tree.status().code() != StatusCode::kNotFound) {
    return http::ErrorResponse(tree.status(), request.request_id());
  }
  if (!tree.ok() || (*tree)->root < 0) return internal::Detail(404, "Not found.");
  const CourseTree& t = **tree;
  const json* visibility = Field(t.blocks[static_cast<size_t>(t.root)], "course_visibility", false);
  bool is_public = visibility != nullptr && *visibility == "public";
  bool any_public = is_public || (visibility != nullptr && *visibility == "public_outline");
  if (caller == nullptr && !any_public) {
    return internal::Detail(401, "Authentication credentials were not provided.");
  }
  std::string base = internal::AbsoluteBaseUrl(request, ctx.settings);
  content_gate::ContentAccess access = ctx.gate.RoleAccess(std::nullopt, false, course_key);
  bool member = false;
  std::vector<completion::BlockCompletion> rows;
  if (caller != nullptr) {
    StatusOr<content_gate::ContentAccess> own =
        ctx.gate.AccessFor(caller->user_id, caller->is_staff || caller->is_superuser, course_key);
    if (!own.ok()) return http::ErrorResponse(own.status(), request.request_id());
    StatusOr<std::optional<enrollment::Enrollment>> enrolled =
        ctx.enrollments.Get(caller->user_id, course_key);
    if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), request.request_id());
    member = own->see_all || (enrolled->has_value() && (*enrolled)->is_active);
    if (member) access = *own;
    StatusOr<std::vector<completion::BlockCompletion>> found =
        ctx.completion.ForCourse(caller->user_id, course_key);
    if (!found.ok()) return http::ErrorResponse(found.status(), request.request_id());
    rows = std::move(*found);
  }
  if (!member && !any_public) return Response::Json(200, json{{"blocks", json::object()}});
  std::unordered_map<std::string_view, double> values;
  for (const completion::BlockCompletion& row : rows) values[row.block_key] = row.completion;
  std::vector<bool> visible = internal::VisibleBlocks(t, access);
  NavigationWriter writer(t, visible, std::move(values), base, member || is_public);
  return Response::Json(200, writer.Blocks());
}

}  // namespace

namespace internal {

void RegisterNavigationRoute(http::Router& router, OutlineRoutesContext& context) {
  OutlineRoutesContext* ctx = &context;
  for (const char* prefix : {"/api/course_home/v1/navigation/", "/api/course_home/navigation/"}) {
    router.Get(std::string(prefix) + "{course_key:course_key}",
               [ctx](Request& request) { return Navigation(*ctx, request); });
  }
}

}  // namespace internal
}  // namespace larch::api
