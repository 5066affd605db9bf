#include "larch/api/courseware_routes.h"

#include <memory>
#include <optional>
#include <string>

#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;

Response NotFound(const Request& request) {
  return http::ErrorResponse(NotFoundError("no such block or handler"), request.request_id());
}

class CoursewareRoutes {
 public:
  explicit CoursewareRoutes(CoursewareRoutesContext& ctx) : ctx_(ctx) {}

  // Resolves the block, checks access (see the header), then runs the
  // handler the table has for the block's type.
  Response Handle(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) {
      Response response = Response::Text(403, "Unauthenticated");
      response.SetHeader("Content-Type", "text/html; charset=utf-8");
      return response;
    }
    std::string course_key(request.PathParam("course_id"));
    StatusOr<keys::UsageKey> usage =
        keys::UsageKey::Parse(std::string(request.PathParam("usage_id")));
    if (!usage.ok() || usage->course_key().ToString() != course_key) return NotFound(request);
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return NotFound(request);
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    int index = (*tree)->Find(usage->ToString());
    if (index < 0) return NotFound(request);
    const BlockHandler* handler =
        ctx_.handlers.Find((*tree)->blocks[index].type, request.PathParam("handler"));
    if (handler == nullptr) return NotFound(request);
    bool global_staff = caller->is_staff || caller->is_superuser;
    // see_all is the course staff role (or global staff).
    StatusOr<content_gate::ContentAccess> access =
        ctx_.gate.AccessFor(caller->user_id, global_staff, course_key);
    if (!access.ok()) return http::ErrorResponse(access.status(), request.request_id());
    bool staff = access->see_all;
    if (!staff) {
      StatusOr<std::optional<enrollment::Enrollment>> enrolled =
          ctx_.enrollments.Get(caller->user_id, course_key);
      if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), request.request_id());
      if (!enrolled->has_value() || !(*enrolled)->is_active) return NotFound(request);
    }
    if (!content_gate::ContentGate::VisibleWithAncestors(**tree, index, *access)) {
      return NotFound(request);
    }
    BlockHandlerCall call{caller->user_id,
                          staff,
                          *tree,
                          index,
                          std::string(request.PathParam("handler")),
                          std::string(request.PathParam("suffix")),
                          &request,
                          *access};
    return (*handler)(call);
  }

 private:
  CoursewareRoutesContext& ctx_;
};

}  // namespace

int EnclosingSequence(const courses::CourseTree& tree, int index) {
  for (int i = index; i >= 0; i = tree.blocks[static_cast<size_t>(i)].parent) {
    if (tree.blocks[static_cast<size_t>(i)].type == "sequential") return i;
  }
  return -1;
}

BlockHandler ProblemHandler(problems::ProblemService& problems, special_exams::ExamService* exams) {
  return [&problems, exams](const BlockHandlerCall& call) {
    const Request& request = *call.request;
    problems::ProblemRequest problem{call.user_id,     call.staff,  call.tree,
                                     call.block_index, call.suffix, request.FormValues()};
    if (exams != nullptr) {
      // A timed exam's problems take answers only while its clock runs.
      int sequence = EnclosingSequence(*call.tree, call.block_index);
      if (sequence >= 0) {
        StatusOr<special_exams::SequenceGate> gate =
            exams->GateFor(*call.tree, sequence, call.user_id, call.staff);
        if (!gate.ok()) return http::ErrorResponse(gate.status(), request.request_id());
        problem.closed = !gate->submissions_open;
      }
    }
    StatusOr<nlohmann::json> reply = problems.Handle(problem);
    if (!reply.ok()) {
      if (reply.status().code() == StatusCode::kNotFound) return NotFound(request);
      return http::ErrorResponse(reply.status(), request.request_id());
    }
    return Response::Json(200, *reply);
  };
}

void RegisterCoursewareRoutes(http::Router& router, CoursewareRoutesContext& context) {
  auto routes = std::make_shared<CoursewareRoutes>(context);
  router.Post("/courses/{course_id:course_key}/xblock/{usage_id}/handler/{handler}",
              [routes](Request& request) { return routes->Handle(request); });
  router.Post("/courses/{course_id:course_key}/xblock/{usage_id}/handler/{handler}/{suffix}",
              [routes](Request& request) { return routes->Handle(request); });
}

}  // namespace larch::api
