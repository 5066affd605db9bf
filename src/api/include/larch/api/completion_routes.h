// larch::api completion endpoints (openedx/completion and edx-platform's
// courseware API) and the completion block handlers:
//   POST /api/completion/v1/completion-batch
//        {"username", "course_key", "blocks": {usage_key: float}}
//        -> 200 {"detail": "ok"}; the CompletionBatchView's 400/403/404
//        {"detail": ...} bodies otherwise (docs/api/completion.md)
//   GET  /api/completion/v1/subsection-completion/{username}/{course_key}/{id}
//        -> {"completion": 0 or 1} for the caller's own subsection
//   GET  /api/courseware/resume/{course_key}
//        -> {"block_id", "section_id", "unit_id"}: the caller's latest
//        completion in the course and its sequential and vertical (all null
//        when there is none)
// and, through the api::BlockHandlers table (courseware_routes.h):
//   publish_completion on any block ("*"): {"completion": x} for the block
//     itself, or {"block_key", "completion"} for a descendant completable by
//     viewing (VerticalBlock's form) -> {"result": "ok"}
//   sequential xmodule_handler/goto_position, goto_position:
//     {"position": n} -> {"success": true}
//   sequential xmodule_handler/get_completion, get_completion:
//     {"usage_key": vertical} -> {"complete": bool}
//
// Access: completion-batch lets a learner write their own completions and
// global staff anyone's (IsStaffOrOwner); anonymous callers get 401. The
// block handlers run after courseware_routes.h's checks (enrolled or staff,
// block visible).
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_COMPLETION_ROUTES_H_
#define LARCH_API_COMPLETION_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/api/courseware_routes.h"
#include "larch/completion/completion_service.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct CompletionRoutesContext {
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  completion::CompletionService& completion;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterCompletionRoutes(http::Router& router, CompletionRoutesContext& context);

// Adds publish_completion ("*") and the sequential's goto_position and
// get_completion (as xmodule_handler suffixes and as handlers) to `handlers`.
void AddCompletionHandlers(BlockHandlers& handlers, CompletionRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_COMPLETION_ROUTES_H_
