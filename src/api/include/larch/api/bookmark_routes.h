// larch::api the Bookmarks API (openedx/core/djangoapps/bookmarks/views.py):
//   GET    /api/bookmarks/v1/bookmarks/?course_id=&fields=display_name,path
//          &page=&page_size=   the caller's bookmarks, newest first, paginated
//          as BookmarksPagination (10 a page, at most 100)
//   POST   /api/bookmarks/v1/bookmarks/ {"usage_id"} -> 201 the bookmark
//   GET    /api/bookmarks/v1/bookmarks/{username},{usage_id}/
//   DELETE /api/bookmarks/v1/bookmarks/{username},{usage_id}/ -> 204
// Errors are the views' {"developer_message", "user_message"} bodies
// (docs/api/bookmarks.md). Access: anonymous 401; the detail routes are the
// caller's own (IsUserInUrl: another username is 404, 403 for staff); a
// block can be bookmarked only by a caller enrolled in its course (or
// staff) who can see it.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_BOOKMARK_ROUTES_H_
#define LARCH_API_BOOKMARK_ROUTES_H_

#include "larch/bookmarks/bookmarks.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct BookmarkRoutesContext {
  const config::Settings& settings;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  bookmarks::BookmarkService& bookmarks;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
void RegisterBookmarkRoutes(http::Router& router, BookmarkRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_BOOKMARK_ROUTES_H_
