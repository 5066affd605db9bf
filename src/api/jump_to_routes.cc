// GET /courses/{course_id}/jump_to/{usage_id}: Open edX's jump_to view, the
// permanent link to any block that the outline (lms_web_url, resume_course),
// search results and the dates tab hand out. It answers 302 to the learning
// app's courseware path for the block (frontend-app-learning's "liberal
// courseware paths", its ADR 8): a block inside a unit goes to
// /learning/course/{course}/{sequence}/{unit}, a sequence or a section to
// /learning/course/{course}/{block}, the course itself to its home. Access is
// the courseware's to check, as upstream leaves it to the MFE.
#include <memory>
#include <string>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/outline_routes.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;

// The nearest ancestor-or-self of `index` of `type`, or -1.
int AncestorOfType(const CourseTree& tree, int index, std::string_view type) {
  while (index >= 0) {
    const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
    if (block.type == type) return index;
    index = block.parent;
  }
  return -1;
}

Response JumpTo(OutlineRoutesContext& ctx, Request& request) {
  std::string course_key(request.PathParam("course_key"));
  StatusOr<std::shared_ptr<const CourseTree>> tree = ctx.catalog.GetTree(course_key);
  if (!tree.ok() && tree.status().code() != StatusCode::kNotFound) {
    return http::ErrorResponse(tree.status(), request.request_id());
  }
  if (!tree.ok() || (*tree)->root < 0) return internal::Detail(404, "Not found.");
  const CourseTree& t = **tree;
  int index = t.Find(request.PathParam("usage_id"));
  if (index < 0) return internal::Detail(404, "Not found.");
  const std::string base = "/learning/course/" + course_key;
  if (index == t.root) return Response::Redirect(base + "/home");
  int sequence = AncestorOfType(t, index, "sequential");
  int unit = AncestorOfType(t, index, "vertical");
  auto key = [&](int i) -> const std::string& {
    return t.blocks[static_cast<size_t>(i)].usage_key;
  };
  if (sequence >= 0 && unit >= 0 && t.blocks[static_cast<size_t>(unit)].parent == sequence) {
    return Response::Redirect(base + "/" + key(sequence) + "/" + key(unit));
  }
  if (sequence >= 0) return Response::Redirect(base + "/" + key(sequence));
  int section = AncestorOfType(t, index, "chapter");
  return Response::Redirect(base + "/" + key(section >= 0 ? section : index));
}

}  // namespace

namespace internal {

void RegisterJumpToRoute(http::Router& router, OutlineRoutesContext& context) {
  OutlineRoutesContext* ctx = &context;
  router.Get("/courses/{course_key:course_key}/jump_to/{usage_id}",
             [ctx](Request& request) { return JumpTo(*ctx, request); });
}

}  // namespace internal
}  // namespace larch::api
