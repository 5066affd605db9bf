// learner_home::LearnerHomeService: what the learner dashboard shows
// (Open edX's lms/djangoapps/learner_home InitializeView): the learner and
// one card per active enrollment, newest first, with the course overview,
// its selectable modes, whether the learner passes (the stored course
// grade), where they resume (their latest completion), and the courseware
// access checks (unmet prerequisites, too early, staff).
//
// Everything a card needs is read in one read transaction with one
// statement per table for all cards (enrollments, courses, course modes,
// persistent course grades, block completions, course access roles), not one
// per card. Outside it: the course tree of a card with a resume block
// (CourseCatalog's cache, keyed by the version just read, so a warm cache
// costs nothing) and, only for courses that name prerequisites, the
// milestones gate.
//
// Thread safety: LearnerHomeService is thread-safe (state is in the
// database and the catalog, both thread-safe).
#ifndef LARCH_LEARNER_HOME_LEARNER_HOME_H_
#define LARCH_LEARNER_HOME_LEARNER_HOME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/accounts/user.h"
#include "larch/certificates/certificates.h"
#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/course_modes.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/milestones/milestones.h"
#include "larch/storage/database.h"

namespace larch::learner_home {

// One course card (LearnerEnrollmentSerializer's facts).
struct CourseCard {
  enrollment::Enrollment enrollment;
  courses::CourseOverview course;
  // modes_for_course: unexpired and selectable, the default mode when none.
  std::vector<enrollment::CourseMode> modes;
  // course_overview.has_started() / has_ended() at the time of the read.
  bool is_started = false;
  bool is_archived = false;
  // user_has_passing_grade_in_course: the stored course grade has passed.
  bool is_passing = false;
  // The learner's latest completed block and the sequential and vertical
  // holding it (the resume button); unset when they have not started or the
  // block is no longer in the course.
  std::optional<std::string> resume_block;
  std::optional<std::string> resume_sequential;
  std::optional<std::string> resume_vertical;
  // check_course_access: prerequisites not completed, the course not open
  // to the learner yet (start, less days_early_for_beta for beta testers),
  // and administrative access (global staff, course or org staff/instructor).
  bool has_unmet_prerequisites = false;
  bool is_too_early = false;
  bool is_staff = false;
  // CertificateSerializer.get_availableDate: certificate_available_date for
  // "end_with_date", the course end for "end", else unset.
  std::optional<int64_t> certificate_available_date;
  // The learner's certificate row in the course, and whether the course
  // shows certificates yet (certificates_viewable_for_course).
  std::optional<certificates::Certificate> certificate;
  bool certificates_viewable = false;
  // The course's verified mode when the learner may upgrade to it (enrolled
  // in an upsell mode, audit or honor, and the mode has not expired).
  std::optional<enrollment::CourseMode> upsell_mode;
};

struct Dashboard {
  accounts::User user;
  std::vector<CourseCard> cards;  // newest enrollment first
};

class LearnerHomeService {
 public:
  // All must outlive the service; `milestones` may be null (milestones off).
  LearnerHomeService(storage::Database& db, courses::CourseCatalog& catalog, const Clock& clock,
                     milestones::MilestoneService* milestones);

  // The dashboard of user `user_id`. kNotFound when there is no such user.
  // Enrollments in courses that no longer exist are left out (as upstream
  // skips enrollments without a course overview). Storage errors otherwise.
  StatusOr<Dashboard> ForUser(int64_t user_id);

  // The dashboard of the user named `username_or_email` (upstream's
  // get_user_by_username_or_email: a username match wins over an email
  // match). kNotFound when neither names a user.
  StatusOr<Dashboard> ForLogin(std::string_view username_or_email);

 private:
  StatusOr<Dashboard> Load(storage::Transaction& txn, accounts::User user, int64_t now);
  Status AddResume(CourseCard& card, const std::string& block_key);

  storage::Database& db_;
  courses::CourseCatalog& catalog_;
  const Clock& clock_;
  milestones::MilestoneService* milestones_;
};

}  // namespace larch::learner_home

#endif  // LARCH_LEARNER_HOME_LEARNER_HOME_H_
