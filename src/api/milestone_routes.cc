// Larch's staff-only milestone admin endpoints (docs/milestones.md).
#include <time.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "courses_routes_internal.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api::internal {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

json MilestoneJson(const milestones::RequiredMilestone& m) {
  json out{{"id", m.id},
           {"namespace", m.milestone_namespace},
           {"name", m.name},
           {"display_name", m.display_name}};
  if (m.kind == milestones::MilestoneKind::kEntranceExam) {
    out["kind"] = "entrance_exam";
    out["entrance_exam_id"] = m.entrance_exam_id;
  } else {
    out["kind"] = "prerequisite";
    out["prerequisite_course"] = m.prerequisite_course;
  }
  return out;
}

// Larch's own staff-only view of edx-milestones (Open edX has no REST API
// for it): inspect a course's milestones and record fulfilments by hand,
// e.g. for learners who completed a prerequisite elsewhere.
class MilestoneRoutes {
 public:
  MilestoneRoutes(CourseRoutesContext& ctx, milestones::MilestoneService& service)
      : ctx_(ctx), service_(service) {}

  // GET .../milestones/{course_key}/[?username=]: the required milestones,
  // and with a username what that user still lacks and whether the course
  // is gated for them (flags applied, staff exemption not).
  Response Show(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    if (!auth.principal->is_staff && !auth.principal->is_superuser) return Forbidden();
    std::string course_key(request.PathParam("course_key"));
    StatusOr<std::vector<milestones::RequiredMilestone>> required =
        service_.RequiredMilestones(course_key);
    if (!required.ok()) return StorageError(required.status());
    json body{{"course_id", course_key},
              {"flags",
               {{"MILESTONES_APP", service_.flags().milestones_app},
                {"ENABLE_PREREQUISITE_COURSES", service_.flags().prerequisite_courses},
                {"ENTRANCE_EXAMS", service_.flags().entrance_exams}}},
              {"required", json::array()}};
    for (const auto& m : *required) body["required"].push_back(MilestoneJson(m));
    if (std::optional<std::string> username = request.Query("username")) {
      StatusOr<ViewUser> user = FindNamedUser(ctx_, *username);
      if (!user.ok()) return UserError(user.status());
      StatusOr<std::vector<milestones::RequiredMilestone>> missing =
          service_.UnfulfilledMilestones(user->id, course_key);
      if (!missing.ok()) return StorageError(missing.status());
      body["username"] = user->username;
      body["unfulfilled"] = json::array();
      for (const auto& m : *missing) body["unfulfilled"].push_back(MilestoneJson(m));
      body["gated"] = !missing->empty();
    }
    return Response::Json(200, body);
  }

  // POST .../milestones/{course_key}/fulfill/ with JSON {"username", "kind":
  // "course_completion" | "entrance_exam"} or {"username", "milestone_id"}.
  // course_completion does what a certificate in the course does.
  Response Fulfill(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    if (!auth.principal->is_staff && !auth.principal->is_superuser) return Forbidden();
    std::string course_key(request.PathParam("course_key"));
    StatusOr<json> body = request.JsonBody();
    if (!body.ok() || !body->is_object()) {
      return DeveloperError(400, "Expected a JSON object body.");
    }
    auto username = body->find("username");
    if (username == body->end() || !username->is_string()) {
      return FieldError("username", "This field is required.");
    }
    StatusOr<ViewUser> user = FindNamedUser(ctx_, username->get<std::string>());
    if (!user.ok()) return UserError(user.status());
    json reply{{"course_id", course_key}, {"username", user->username}};
    auto milestone_id = body->find("milestone_id");
    std::string kind = body->value("kind", json()).is_string() ? (*body)["kind"].get<std::string>()
                                                               : std::string();
    if (milestone_id != body->end() && milestone_id->is_number_integer()) {
      Status status = service_.Fulfill(user->id, milestone_id->get<int64_t>());
      if (!status.ok()) return MilestoneError(status);
      reply["milestone_id"] = *milestone_id;
    } else if (kind == "course_completion") {
      StatusOr<int64_t> added = service_.FulfillCoursePrerequisite(user->id, course_key);
      if (!added.ok()) return MilestoneError(added.status());
      reply["kind"] = kind;
      reply["fulfilled"] = *added;
    } else if (kind == "entrance_exam") {
      Status status = service_.FulfillEntranceExam(user->id, course_key);
      if (!status.ok()) return MilestoneError(status);
      reply["kind"] = kind;
    } else {
      return FieldError("kind", "Expected course_completion, entrance_exam or a milestone_id.");
    }
    return Response::Json(200, reply);
  }

 private:
  static Response Forbidden() {
    return Detail(403, "You do not have permission to perform this action.");
  }
  static Response MilestoneError(const Status& status) {
    if (status.code() == StatusCode::kNotFound) return DeveloperError(404, status.message());
    return StorageError(status);
  }

  CourseRoutesContext& ctx_;
  milestones::MilestoneService& service_;
};

}  // namespace

void RegisterMilestoneAdminRoutes(http::Router& router, CourseRoutesContext& context,
                                  milestones::MilestoneService& service) {
  auto admin = std::make_shared<MilestoneRoutes>(context, service);
  router.Get("/api/larch/v1/milestones/{course_key:course_key}/",
             [admin](Request& request) { return admin->Show(request); });
  router.Post("/api/larch/v1/milestones/{course_key:course_key}/fulfill/",
              [admin](Request& request) { return admin->Fulfill(request); });
}

}  // namespace larch::api::internal
