// Private to the course endpoints (courses_routes.cc: shared helpers and
// registration; course_list_routes.cc: the Courses API; blocks_routes.cc:
// the Blocks API; milestone_routes.cc: the staff-only milestone admin
// endpoints): request parameters, the effective user and error responses.
//
// Thread safety: pure functions over the request and the context's
// thread-safe services.
#ifndef LARCH_API_COURSES_ROUTES_INTERNAL_H_
#define LARCH_API_COURSES_ROUTES_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/courses_routes.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"

namespace larch::api::internal {

// Query parameters for GET, form (or JSON object) fields for POST.
class Params {
 public:
  explicit Params(const http::Request& request);

  std::optional<std::string> Get(std::string_view name) const;
  // Repeated values, each also split on commas (MultiValueField).
  std::vector<std::string> GetAll(std::string_view name) const;

 private:
  http::ParamList values_;
};

// Django's NullBooleanField reading.
std::optional<bool> ParseBool(const std::optional<std::string>& value);
// A positive whole number of at most 9 digits; nullopt otherwise.
std::optional<int64_t> ParsePositive(const std::string& text);

http::Response StorageError(const Status& status);
nlohmann::json OptionalTime(const std::optional<int64_t>& micros);
nlohmann::json OptionalString(const std::optional<std::string>& value);

// A user the endpoints act for.
struct ViewUser {
  int64_t id = 0;
  std::string username;
  bool is_staff = false;
  bool is_superuser = false;
};

// Who a request acts for: nullopt for the anonymous user.
struct EffectiveUser {
  std::optional<ViewUser> user;
  bool global_staff() const { return user.has_value() && (user->is_staff || user->is_superuser); }
};

// The caller of the request; no user when anonymous.
EffectiveUser CallerUser(const http::Request& request);

// The user named exactly `username`; kNotFound ("user not found: ...") when
// there is none, other errors are storage errors.
StatusOr<ViewUser> FindNamedUser(CourseRoutesContext& ctx, const std::string& username);

// get_effective_user: '' is the anonymous view, the caller's own name is the
// caller, anyone else needs a staff caller (kPermissionDenied otherwise,
// kNotFound when unknown).
StatusOr<EffectiveUser> ResolveUser(const http::Request& request, CourseRoutesContext& ctx,
                                    const std::string& username);

// ResolveUser's and FindNamedUser's errors as responses (403, 404, 500).
http::Response UserError(const Status& status);

// Course staff, instructor or global staff of the course.
bool IsCourseStaff(CourseRoutesContext& ctx, const EffectiveUser& effective,
                   const std::string& course_key);

// A DRF {"detail": text} response (authentication) in the
// DeveloperErrorViewMixin shape, keeping its status and headers.
http::Response AsDeveloperError(http::Response response);

// The endpoint groups; each adds its routes (courses_routes.h lists them).
void RegisterCourseListRoutes(http::Router& router, CourseRoutesContext& context);
void RegisterBlocksRoutes(http::Router& router, CourseRoutesContext& context);
void RegisterMilestoneAdminRoutes(http::Router& router, CourseRoutesContext& context,
                                  milestones::MilestoneService& service);

}  // namespace larch::api::internal

#endif  // LARCH_API_COURSES_ROUTES_INTERNAL_H_
