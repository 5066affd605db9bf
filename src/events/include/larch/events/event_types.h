// openedx-events event type names (openedx_events/learning/signals.py), so
// Larch emits and subscribes with exactly the strings Open edX services use on
// the event bus.
//
// Thread safety: constants only.
#ifndef LARCH_EVENTS_EVENT_TYPES_H_
#define LARCH_EVENTS_EVENT_TYPES_H_

namespace larch::events {

// Payload key "user" (UserData).
inline constexpr char kStudentRegistrationCompleted[] =
    "org.openedx.learning.student.registration.completed.v1";
inline constexpr char kSessionLoginCompleted[] =
    "org.openedx.learning.auth.session.login.completed.v1";

// Payload key "enrollment" (CourseEnrollmentData).
inline constexpr char kCourseEnrollmentCreated[] =
    "org.openedx.learning.course.enrollment.created.v1";
inline constexpr char kCourseEnrollmentChanged[] =
    "org.openedx.learning.course.enrollment.changed.v1";
inline constexpr char kCourseUnenrollmentCompleted[] =
    "org.openedx.learning.course.unenrollment.completed.v1";

// Payload key "certificate" (CertificateData).
inline constexpr char kCertificateCreated[] = "org.openedx.learning.certificate.created.v1";
inline constexpr char kCertificateChanged[] = "org.openedx.learning.certificate.changed.v1";
inline constexpr char kCertificateRevoked[] = "org.openedx.learning.certificate.revoked.v1";

// Payload key "program_certificate" (ProgramCertificateData).
inline constexpr char kProgramCertificateAwarded[] =
    "org.openedx.learning.program.certificate.awarded.v1";
inline constexpr char kProgramCertificateRevoked[] =
    "org.openedx.learning.program.certificate.revoked.v1";

// Payload key "grade" (PersistentCourseGradeData).
inline constexpr char kPersistentGradeSummaryChanged[] =
    "org.openedx.learning.course.persistent_grade_summary.changed.v1";

// Payload key "course_passing_status" (CoursePassingStatusData).
inline constexpr char kCoursePassingStatusUpdated[] =
    "org.openedx.learning.course.passing.status.updated.v1";
inline constexpr char kCcxCoursePassingStatusUpdated[] =
    "org.openedx.learning.ccx.course.passing.status.updated.v1";

// Payload key "badge" (BadgeData); emitted by openedx/credentials, listed so
// Larch can consume them.
inline constexpr char kBadgeAwarded[] = "org.openedx.learning.badge.awarded.v1";
inline constexpr char kBadgeRevoked[] = "org.openedx.learning.badge.revoked.v1";

}  // namespace larch::events

#endif  // LARCH_EVENTS_EVENT_TYPES_H_
