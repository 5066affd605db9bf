// larch::api courseware handlers: the XBlock handler URLs the learning
// micro-frontend and the unit iframe post to (lms/djangoapps/courseware
// block_render.py handle_xblock_callback):
//   POST /courses/{course_id}/xblock/{usage_id}/handler/{handler}
//   POST /courses/{course_id}/xblock/{usage_id}/handler/{handler}/{suffix}
// Capa problems answer handler xmodule_handler with suffix problem_get,
// problem_check, problem_save, problem_reset or problem_show and the
// answers as form fields (input_<id>, input_<id>[]); other block types add
// their handlers to the BlockHandlers table.
//
// Access as upstream, checked here before any handler runs: no
// authenticated caller is 403 "Unauthenticated"; an unknown course, block
// or handler, a caller who is neither enrolled nor course staff, and a
// block the caller may not see (content_gate: start dates, staff-only,
// milestones, for the block and its ancestors) are 404. Session callers
// need the CSRF token (the authentication filter checks it).
//
// Thread safety: register before serving; the handlers then run
// concurrently (they and the services must be thread-safe).
#ifndef LARCH_API_COURSEWARE_ROUTES_H_
#define LARCH_API_COURSEWARE_ROUTES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"
#include "larch/problems/problem_service.h"
#include "larch/special_exams/special_exams.h"

namespace larch::api {

// One call of a block handler, after the access checks passed.
struct BlockHandlerCall {
  int64_t user_id = 0;
  // Course staff or global staff.
  bool staff = false;
  std::shared_ptr<const courses::CourseTree> tree;
  int block_index = -1;
  std::string handler;
  // The path after the handler name ("" when there is none).
  std::string suffix;
  http::Request* request = nullptr;
  // What the content gate lets the caller see (the block itself passed).
  content_gate::ContentAccess access;
};
using BlockHandler = std::function<http::Response(const BlockHandlerCall&)>;

// Handlers by (block type, handler name). Block type "*" matches every
// block (publish_completion, say); an exact type wins over "*". Fill it
// before registering the routes; lookups are then read-only.
class BlockHandlers {
 public:
  void Add(std::string_view block_type, std::string_view handler, BlockHandler fn) {
    table_[std::string(handler)][std::string(block_type)] = std::move(fn);
  }
  const BlockHandler* Find(std::string_view block_type, std::string_view handler) const {
    auto by_type = table_.find(handler);
    if (by_type == table_.end()) return nullptr;
    auto it = by_type->second.find(block_type);
    if (it == by_type->second.end()) it = by_type->second.find(std::string_view("*"));
    return it == by_type->second.end() ? nullptr : &it->second;
  }

 private:
  // handler name -> block type -> handler; transparent, so lookups by
  // string_view do not allocate.
  std::map<std::string, std::map<std::string, BlockHandler, std::less<>>, std::less<>> table_;
};

// Everything the routes use; all references must outlive the router.
struct CoursewareRoutesContext {
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  BlockHandlers& handlers;
};

// The capa problem handler (xmodule_handler on problem blocks). With
// `exams` (ENABLE_SPECIAL_EXAMS on), a problem inside a timed exam answers
// as closed unless the learner's attempt is running (staff excepted).
BlockHandler ProblemHandler(problems::ProblemService& problems,
                            special_exams::ExamService* exams = nullptr);

// The sequential at or above `index`, -1 when there is none.
int EnclosingSequence(const courses::CourseTree& tree, int index);

// Adds the routes above. The caller comes from api::CurrentPrincipal, so
// RegisterAccountRoutes must run on the same router.
void RegisterCoursewareRoutes(http::Router& router, CoursewareRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_COURSEWARE_ROUTES_H_
