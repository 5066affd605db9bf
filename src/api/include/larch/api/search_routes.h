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
// concurrently (SearchIndex, CourseCatalog and RoleStore are thread-safe).
#ifndef LARCH_API_SEARCH_ROUTES_H_
#define LARCH_API_SEARCH_ROUTES_H_

#include <string>
#include <vector>

#include "larch/accounts/roles.h"
#include "larch/api/course_catalog.h"
#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/http/router.h"
#include "larch/storage/database.h"

namespace larch::milestones {
class MilestoneService;
}

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct SearchApiDeps {
  const config::Settings& settings;
  const Clock& clock;
  storage::Database& db;
  CourseCatalog& catalog;
  accounts::RoleStore& roles;
  // COURSE_DISCOVERY_FILTERS: the facets discovery filters on and counts
  // (edx-search's default when empty: org, modes, language).
  std::vector<std::string> course_discovery_filters = {};
  // Prerequisites and entrance exams hide content from courseware search as
  // they do in the Blocks API; null = no gating.
  milestones::MilestoneService* milestones = nullptr;
};

// Adds the enabled routes listed above. Aborts (via Router::Add) on a
// duplicate route.
void RegisterSearchRoutes(http::Router& router, const SearchApiDeps& deps);

}  // namespace larch::api

#endif  // LARCH_API_SEARCH_ROUTES_H_
