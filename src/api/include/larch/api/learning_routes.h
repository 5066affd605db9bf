// larch::api the read endpoints the learning micro-frontend
// (openedx/frontend-app-learning) calls besides the course home progress tab
// and the courseware handlers, with Open edX's field names and types:
//   GET  /api/courseware/course/{course_key}           CoursewareMeta
//   GET  /api/course_home/v1/course_metadata/{course}  CourseHomeMetadata
//        (and the unversioned /api/course_home/course_metadata/ alias)
//   GET  /api/courseware/sequence/{usage_key}          SequenceBlock.get_metadata
//   GET  /api/course_home/v1/dates/{course_key}        DatesTab (and the alias)
//   GET  /api/learning_sequences/v1/course_outline/{course_key}
//   POST /api/send_account_activation_email
// (docs/api/courseware.md, docs/api/course_home.md).
//
// Every endpoint answers 401 {"detail": "Authentication credentials were
// not provided."} to an anonymous caller; the other refusals are each
// endpoint's own (see the route files). Content the content gate hides from
// the caller is never listed; course staff see everything.
//
// Thread safety: register before serving; handlers run concurrently.
#ifndef LARCH_API_LEARNING_ROUTES_H_
#define LARCH_API_LEARNING_ROUTES_H_

#include "larch/accounts/account_service.h"
#include "larch/bookmarks/bookmarks.h"
#include "larch/certificates/web_certificate.h"
#include "larch/common/clock.h"
#include "larch/completion/completion_service.h"
#include "larch/config/settings.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/http/router.h"
#include "larch/milestones/milestones.h"
#include "larch/special_exams/special_exams.h"

namespace larch::api {

// Everything the endpoints use; all references must outlive the router.
struct LearningRoutesContext {
  const config::Settings& settings;
  const Clock& clock;
  courses::CourseCatalog& catalog;
  content_gate::ContentGate& gate;
  enrollment::EnrollmentService& enrollments;
  accounts::AccountService& accounts;
  grades::GradeService& grades;
  // Null when milestones are off.
  milestones::MilestoneService* milestones;
  // The learner's completion, sequence positions and bookmarks shown in the
  // sequence metadata.
  completion::CompletionService& completion;
  bookmarks::BookmarkService& bookmarks;
  // Timed exams; null when ENABLE_SPECIAL_EXAMS is off.
  special_exams::ExamService* exams = nullptr;
  // The learner's certificate_data; null shows none.
  certificates::CertificateViews* certificates = nullptr;
};

// The caller comes from api::CurrentPrincipal (RegisterAccountRoutes first).
// courseware/course and course_home/course_metadata.
void RegisterCourseMetadataRoutes(http::Router& router, LearningRoutesContext& context);
// courseware/sequence.
void RegisterSequenceRoutes(http::Router& router, LearningRoutesContext& context);
// course_home dates.
void RegisterDatesRoutes(http::Router& router, LearningRoutesContext& context);
// learning_sequences course_outline.
void RegisterLearningSequencesRoutes(http::Router& router, LearningRoutesContext& context);
// send_account_activation_email.
void RegisterActivationEmailRoute(http::Router& router, LearningRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_LEARNING_ROUTES_H_
