// larch::api unit page: GET /xblock/{usage_key}, the page the learning
// micro-frontend puts in its iframe (lms/djangoapps/courseware/views/
// views.py render_xblock, with ?view=student_view&show_title=0&
// show_bookmark_button=0&recheck_access=1). A vertical renders its visible
// children in order; any leaf renders alone; other containers list their
// children. The page is self-contained (styles and script inline) and its
// script posts to the blocks' handlers (courseware_routes.h) with the
// page's CSRF token.
//
// Access as render_xblock: a view other than student_view/public_view is
// 400 with upstream's message; a malformed key, an unknown course or block,
// an anonymous caller, a caller neither enrolled nor course staff, and a
// block the caller may not see (content_gate for the block and its
// ancestors, plus hide_after_due past the due date) are a 404 page
// (render_xblock turns every CourseAccessRedirect into Http404). Children
// the caller may not see are left out of a vertical.
//
// AddBuiltinBlockHandlers registers the handlers of poll, survey (vote,
// get_results, student_voted: XBlock json_handlers, the body is JSON) and
// word_cloud (xmodule_handler submit|get_state with student_words[] form
// fields, and handle_submission|handle_get_state with a JSON body).
//
// Thread safety: register before serving; the handlers then run
// concurrently (the services are thread-safe).
#ifndef LARCH_API_UNIT_PAGE_ROUTES_H_
#define LARCH_API_UNIT_PAGE_ROUTES_H_

#include "larch/api/account_routes.h"
#include "larch/api/courseware_routes.h"
#include "larch/builtin_blocks/builtin_blocks.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/problems/problem_service.h"

namespace larch::api {

// Everything the page uses; all references must outlive the router.
struct UnitPageRoutesContext {
  // The settings (FALLBACK_TO_ENGLISH_TRANSCRIPTS) and the CSRF cookie.
  AccountRoutesContext& accounts;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  problems::ProblemService& problems;
  builtin_blocks::BuiltinBlockService& blocks;
  // Timed exams; null when ENABLE_SPECIAL_EXAMS is off.
  special_exams::ExamService* exams = nullptr;
};

// Adds GET /xblock/{usage_key}. RegisterAccountRoutes must run on the same
// router (the caller comes from api::CurrentPrincipal).
void RegisterUnitPageRoutes(http::Router& router, UnitPageRoutesContext& context);

// Adds the poll, survey and word_cloud handlers to `handlers`; `blocks`
// must outlive them.
void AddBuiltinBlockHandlers(BlockHandlers& handlers, builtin_blocks::BuiltinBlockService& blocks);

}  // namespace larch::api

#endif  // LARCH_API_UNIT_PAGE_ROUTES_H_
