// larch::api search endpoints: the LMS's edx-search views (search/urls.py
// mounted at /search/, edx-search 4.x/5.x response shapes, see
// docs/api/search.md):
//   POST /search/course_discovery/  course discovery with org/modes/language
//                                   facets (FEATURES ENABLE_COURSE_DISCOVERY)
//   POST /search/{course_id}        courseware search in one course
//                                   (ENABLE_COURSEWARE_SEARCH)
//   POST /search/                   dashboard search across the caller's
//                                   active enrollments (ENABLE_DASHBOARD_SEARCH)
// A route whose flag is off is not registered, so it answers 404. The caller
// comes from api::CurrentPrincipal, so RegisterAccountRoutes (which installs
// the authentication and CSRF filter) must run on the same router.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently (SearchIndex, CourseCatalog, ContentGate and
// EnrollmentService are thread-safe).
#ifndef LARCH_API_SEARCH_ROUTES_H_
#define LARCH_API_SEARCH_ROUTES_H_

#include <string>
#include <vector>

#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/http/router.h"
#include "larch/storage/database.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct SearchRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  storage::Database& db;
  courses::CourseCatalog& catalog;
  // Hides from courseware search what the Blocks API hides (roles, start
  // dates, staff-only, prerequisites and entrance exams).
  content_gate::ContentGate& gate;
  // The enrollment checks of courseware search.
  enrollment::EnrollmentService& enrollments;
  // COURSE_DISCOVERY_FILTERS: the facets discovery filters on and counts
  // (edx-search's default when empty: org, modes, language).
  std::vector<std::string> course_discovery_filters = {};
};

// Adds the enabled routes listed above. Aborts (via Router::Add) on a
// duplicate route.
void RegisterSearchRoutes(http::Router& router, const SearchRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_SEARCH_ROUTES_H_
