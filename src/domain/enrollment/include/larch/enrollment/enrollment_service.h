// Course enrollment (Open edX's CourseEnrollment, enrollments api and the
// instructor's bulk enrollment): enroll, reactivate, change mode, unenroll,
// with a student_courseenrollment_history row per change and the
// openedx-events COURSE_ENROLLMENT_CREATED / COURSE_ENROLLMENT_CHANGED /
// COURSE_UNENROLLMENT_COMPLETED published after the transaction commits.
// Access checks (when asked for): the enrollment window, the course's
// max_student_enrollments_allowed and invitation-only courses, which admit
// only emails listed in enrollment_allowed.
//
// Course facts come from courses::CourseStore and users from
// accounts::UserStore, in the enrollment's own transaction; this module's SQL
// is on its own tables only (enrollments, their history and attributes,
// enrollment_allowed, course_modes).
//
// Thread safety: EnrollmentService is thread-safe (state lives in the
// database; the bus is thread-safe).
#ifndef LARCH_ENROLLMENT_ENROLLMENT_SERVICE_H_
#define LARCH_ENROLLMENT_ENROLLMENT_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/course_modes.h"
#include "larch/events/event_bus.h"
#include "larch/storage/database.h"

namespace larch::enrollment {

struct Enrollment {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string course_key;
  int64_t created = 0;  // micros since epoch
  bool is_active = false;
  std::string mode;
};

// The courses columns enrollment needs, as courses::CourseStore reads them.
using CourseInfo = courses::CourseEnrollmentInfo;

struct EnrollOptions {
  // nullopt: DefaultEnrollmentMode of the course's modes.
  std::optional<std::string> mode;
  // Enforce the enrollment window, capacity and invitation-only rules
  // (CourseEnrollment.enroll(check_access=True)). Staff tools pass false.
  bool check_access = true;
  // Reject modes the course does not offer (expired ones included only when
  // include_expired_modes); the enrollments API validates, batch tools do not.
  bool validate_mode = true;
  bool include_expired_modes = false;
  // Who made the change: history_user_id and the events' created_by.
  std::optional<int64_t> actor_user_id;
};

struct EnrollResult {
  Enrollment enrollment;
  // A new row was inserted (false for a reactivation or an already active one).
  bool created = false;
  // The enrollment was already active: nothing changed, no event was sent.
  bool already_active = false;
};

// A row of the instructor bulk enrollment report
// (students_update_enrollment): the state before and after.
struct BulkState {
  bool user = false;        // a registered user has this identifier
  bool enrollment = false;  // actively enrolled
  bool allowed = false;     // an enrollment_allowed row exists
  bool auto_enroll = false;
};
struct BulkResult {
  std::string identifier;
  bool invalid_identifier = false;
  bool error = false;
  BulkState before;
  BulkState after;
};

// One enrollment_attributes row (CourseEnrollmentAttribute), e.g.
// {"credit", "provider_id", "hogwarts"}.
struct EnrollmentAttribute {
  std::string name_space;  // "namespace" upstream
  std::string name;
  std::string value;
  friend bool operator==(const EnrollmentAttribute&, const EnrollmentAttribute&) = default;
};

// EnrollmentListView.post after the route decided who may ask for what.
struct CreateEnrollmentRequest {
  int64_t user_id = 0;
  std::string course_key;
  std::optional<std::string> mode;  // nullopt: keep, or the course's default
  std::optional<bool> is_active;    // nullopt: active
  // Global staff or the API key: may change the mode or the activation of
  // an existing enrollment (update_enrollment) instead of enrolling.
  bool privileged = false;
  // The API key: expired modes still count when such a change names a mode.
  bool include_expired_modes = false;
  // false for global staff's force_enrollment.
  bool check_access = true;
  // Stored on the enrollment (SetAttributes) in the same transaction.
  std::vector<EnrollmentAttribute> attributes;
  std::optional<int64_t> actor_user_id;
};

// One enrollment_allowed row (CourseEnrollmentAllowed). user_id is set once
// the person registered and the allowance was applied.
struct Allowance {
  std::string email;
  std::string course_key;
  bool auto_enroll = false;
  std::optional<int64_t> user_id;
  int64_t created = 0;  // micros since epoch
};

// A row of the staff enrollment listing (CourseEnrollmentsApiListView).
struct EnrollmentListItem {
  int64_t id = 0;
  int64_t created = 0;
  std::string mode;
  bool is_active = false;
  std::string username;
  std::string course_key;
};

// Filters of ListEnrollments; empty vectors do not filter.
struct EnrollmentFilter {
  std::optional<std::string> course_key;  // exact
  // Case-insensitive substrings of the course key (any of them matches), so a
  // course id without its run selects every run.
  std::vector<std::string> course_key_substrings;
  std::vector<std::string> usernames;  // exact
  std::vector<std::string> emails;     // exact
};

// A keyset position in the (created, id) descending order of ListEnrollments.
struct EnrollmentCursor {
  int64_t created = 0;
  int64_t id = 0;
  // true: the page before this position (walking back), else the page after.
  bool reverse = false;
};

struct EnrollmentPage {
  std::vector<EnrollmentListItem> items;  // newest first
  // More rows exist beyond the page in the direction walked.
  bool more = false;
};

// The active learners of one course in enrollment id order: the rows the
// grades API and the gradebook page through (CourseEnrollmentPagination,
// ordering "id"), with the filters of GradebookView.
struct RosterQuery {
  std::string course_key;
  // Keyset position: the rows after this enrollment id, or with `backward`
  // the rows before it (returned in ascending order all the same).
  std::optional<int64_t> position;
  bool backward = false;
  int64_t page_size = 50;
  std::string mode;               // exact; "" does not filter
  std::string username_contains;  // case-insensitive; "" does not filter
  std::string user_contains;      // username or email, case-insensitive
};

struct RosterEntry {
  int64_t enrollment_id = 0;
  int64_t user_id = 0;
  std::string mode;
  std::string username;
  std::string email;
  std::string full_name;  // the profile's name, "" without one
};

struct RosterPage {
  std::vector<RosterEntry> entries;  // ascending enrollment id
  bool more = false;                 // rows exist beyond the page, in the direction walked
  int64_t total = 0;                 // active enrollments in the course
  int64_t filtered = 0;              // those the filters keep
};

struct BatchStats {
  int64_t inserted = 0;
  int64_t reactivated = 0;
  int64_t unchanged = 0;  // already active
};

// Reads of the enrollments table for other modules, in the caller's
// transaction (the table's SQL stays in this module).
class EnrollmentStore {
 public:
  // Keys of the user's active enrollments, sorted; empty for an unknown user.
  static StatusOr<std::vector<std::string>> ActiveCourseKeys(storage::Executor& ex,
                                                             int64_t user_id);
  // Whether the user has an enrollment in the course, active or not
  // (CourseEnrollment.objects.get in the grades views).
  static StatusOr<bool> HasEnrollment(storage::Executor& ex, int64_t user_id,
                                      std::string_view course_key);
  // The user's enrollment in the course, active or not; nullopt without one
  // (CourseEnrollment.enrollment_mode_for_user's row).
  static StatusOr<std::optional<Enrollment>> Find(storage::Executor& ex, int64_t user_id,
                                                  std::string_view course_key);
  // The user's active enrollments, newest first (created, then id,
  // descending): the learner dashboard's cards. Empty for an unknown user.
  static StatusOr<std::vector<Enrollment>> ListActiveNewestFirst(storage::Executor& ex,
                                                                 int64_t user_id);
  // Every enrollment of the course, active or not, by user id ascending
  // (users_enrolled_in(include_inactive=True): the instructor's reports).
  static StatusOr<std::vector<Enrollment>> ListForCourse(storage::Executor& ex,
                                                         std::string_view course_key);
};

class EnrollmentService {
 public:
  // All references must outlive the service.
  EnrollmentService(storage::Database& db, const Clock& clock, events::EventBus& bus);

  // The course, or kNotFound.
  StatusOr<CourseInfo> GetCourse(std::string_view course_key);
  // ModesForCourse at the current time.
  StatusOr<std::vector<CourseMode>> ModesForCourse(std::string_view course_key,
                                                   bool include_expired = false,
                                                   bool only_selectable = true);

  // CourseEnrollment.enroll: creates the enrollment or reactivates an
  // inactive one (with the requested or default mode). An already active
  // enrollment is returned unchanged (already_active). Errors: kNotFound
  // (error_code "course-not-found" or "user-not-found"); kInvalidArgument
  // "mode-unavailable"; kFailedPrecondition "enrollment-closed",
  // "course-full" or "invitation-only" (with check_access).
  StatusOr<EnrollResult> Enroll(int64_t user_id, std::string_view course_key,
                                const EnrollOptions& options = EnrollOptions());

  // EnrollmentListView.post as one transaction: a privileged change of an
  // existing enrollment's mode or activation (update_enrollment, with the
  // mode checked against the course's modes), else Enroll followed by a
  // deactivation when is_active is false; then the attributes. Events are
  // published after the commit, so any failure leaves no row and no event.
  // Errors: Enroll's; kFailedPrecondition "mode-mismatch" for a change of
  // mode that also deactivates; kInvalidArgument "missing-attributes" for a
  // credit mode without credit:provider_id, "mode-unavailable" for a mode the
  // course does not offer; storage errors as they are.
  StatusOr<Enrollment> CreateEnrollment(const CreateEnrollmentRequest& request);

  // update_enrollment: sets the mode and/or is_active where given and
  // different; saves, records history and publishes only on a change.
  // kNotFound when the user has no enrollment in the course.
  StatusOr<Enrollment> Update(int64_t user_id, std::string_view course_key,
                              const std::optional<std::string>& mode,
                              const std::optional<bool>& is_active,
                              std::optional<int64_t> actor_user_id = std::nullopt);

  // Deactivates the enrollment (Update with is_active=false). kNotFound when
  // there is none.
  StatusOr<Enrollment> Unenroll(int64_t user_id, std::string_view course_key,
                                std::optional<int64_t> actor_user_id = std::nullopt);

  // The enrollment, active or not; nullopt when the user never enrolled.
  StatusOr<std::optional<Enrollment>> Get(int64_t user_id, std::string_view course_key);
  // Active enrollments of the user, oldest first.
  StatusOr<std::vector<Enrollment>> ListActive(int64_t user_id);
  StatusOr<int64_t> CountActive(std::string_view course_key);
  // The ids of the users with an active enrollment in the course, ascending.
  StatusOr<std::vector<int64_t>> ActiveUserIds(std::string_view course_key);

  // One page of the course's active learners (RosterQuery), with the
  // counts, in one read transaction. A page_size below 1 reads as 1.
  StatusOr<RosterPage> ListRoster(const RosterQuery& query);

  // Adds or replaces the attributes (keyed by namespace and name) of the
  // user's enrollment. kNotFound when there is no enrollment.
  Status SetAttributes(int64_t user_id, std::string_view course_key,
                       const std::vector<EnrollmentAttribute>& attributes);
  // The attributes of the user's enrollment, ordered by namespace and name;
  // empty when there is none.
  StatusOr<std::vector<EnrollmentAttribute>> GetAttributes(int64_t user_id,
                                                           std::string_view course_key);

  // Records `email` (case-insensitively) as allowed into the course
  // (CourseEnrollmentAllowed); updates auto_enroll when already present.
  Status AllowEmail(std::string_view email, std::string_view course_key, bool auto_enroll);
  // Removes the allowance; OK when there was none.
  Status DisallowEmail(std::string_view email, std::string_view course_key);
  // True when an allowance exists for the email.
  StatusOr<bool> IsEmailAllowed(std::string_view email, std::string_view course_key);

  // The allowances recorded for `email` (compared case-insensitively),
  // oldest first.
  StatusOr<std::vector<Allowance>> ListAllowances(std::string_view email);
  // Creates the allowance (email stored lowercased); kAlreadyExists when one
  // exists for the email and course. The course need not exist (as upstream,
  // which has no foreign key there).
  StatusOr<Allowance> CreateAllowance(std::string_view email, std::string_view course_key,
                                      bool auto_enroll);
  // Deletes the allowance; kNotFound when there was none.
  Status DeleteAllowance(std::string_view email, std::string_view course_key);

  // Every enrollment matching `filter`, newest first (created, then id),
  // `page_size` rows from `cursor` (nullopt: the first page).
  StatusOr<EnrollmentPage> ListEnrollments(const EnrollmentFilter& filter, int64_t page_size,
                                           const std::optional<EnrollmentCursor>& cursor);

  // unenroll_user_from_all_courses: deactivates every active enrollment of
  // the user in one transaction (history rows, events after the commit) and
  // returns the distinct organizations of all the user's enrollments, sorted
  // (upstream returns that set). kNotFound when the user does not exist.
  StatusOr<std::vector<std::string>> UnenrollFromAllCourses(
      int64_t user_id, std::optional<int64_t> actor_user_id = std::nullopt);

  // Applies the user's pending allowances (by their email): links each row
  // to the user and enrolls (without access checks) where auto_enroll is
  // set. Returns how many enrollments were made. Called on registration.
  StatusOr<int64_t> ApplyPendingEnrollments(int64_t user_id);
  // Subscribes ApplyPendingEnrollments to STUDENT_REGISTRATION_COMPLETED.
  events::SubscriptionId SubscribeToRegistrations();

  // In-process batch enrollment: every (user_id, course_key) pair becomes an
  // active enrollment in `mode` (multi-row INSERTs in one transaction,
  // inactive ones reactivated), with history rows; no access checks.
  // COURSE_ENROLLMENT_CREATED is published per new or reactivated
  // enrollment after the commit when `publish_events`.
  StatusOr<BatchStats> BatchEnroll(const std::vector<std::pair<int64_t, std::string>>& pairs,
                                   std::string_view mode, bool publish_events = true,
                                   std::optional<int64_t> actor_user_id = std::nullopt);

  // The instructor's students_update_enrollment for one course: each
  // identifier is a username or an email (users are resolved and
  // enrollments made in batches, all in one transaction). enroll: a registered user is
  // enrolled (no access checks); an unknown email gets an
  // enrollment_allowed row (auto_enroll), applied when that person
  // registers. unenroll: deactivates and drops any allowance. With
  // `email_students` a "mail.send" job is queued per affected identifier
  // in the same transaction. kNotFound when the course does not exist.
  StatusOr<std::vector<BulkResult>> BulkUpdate(std::string_view course_key,
                                               const std::vector<std::string>& identifiers,
                                               bool enroll, bool auto_enroll, bool email_students,
                                               std::optional<int64_t> actor_user_id);

 private:
  struct PendingEvent;
  void Publish(const std::vector<PendingEvent>& events);
  // The bodies of Enroll and Update inside the caller's transaction; events
  // to publish after the commit are appended to `pending`.
  StatusOr<EnrollResult> EnrollInTxn(storage::Transaction& txn, int64_t user_id,
                                     std::string_view course_key, const EnrollOptions& options,
                                     std::vector<PendingEvent>& pending);
  // Activates `existing` (or inserts a new active row when absent) with
  // `mode`, writing its history row into `result`. false, with nothing
  // written, when a concurrent transaction changed or inserted the row
  // first: the caller re-reads and decides again.
  StatusOr<bool> WriteActivation(storage::Transaction& txn,
                                 const std::optional<Enrollment>& existing, int64_t user_id,
                                 const std::string& course_key, const std::string& mode,
                                 int64_t now, std::optional<int64_t> actor_user_id,
                                 EnrollResult& result);
  StatusOr<Enrollment> CreateEnrollmentInTxn(storage::Transaction& txn,
                                             const CreateEnrollmentRequest& request,
                                             std::vector<PendingEvent>& pending);
  // The privileged change of CreateEnrollment: validations, then UpdateInTxn.
  StatusOr<Enrollment> ChangeEnrollmentInTxn(storage::Transaction& txn, const Enrollment& existing,
                                             const CreateEnrollmentRequest& request,
                                             std::vector<PendingEvent>& pending);
  StatusOr<Enrollment> UpdateInTxn(storage::Transaction& txn, int64_t user_id,
                                   std::string_view course_key,
                                   const std::optional<std::string>& mode,
                                   const std::optional<bool>& is_active,
                                   std::optional<int64_t> actor_user_id,
                                   std::vector<PendingEvent>& pending);

  // BatchEnroll's body inside the caller's transaction.
  StatusOr<BatchStats> BatchEnrollInTxn(storage::Transaction& txn,
                                        const std::vector<std::pair<int64_t, std::string>>& pairs,
                                        std::string_view mode, bool publish_events,
                                        std::optional<int64_t> actor_user_id,
                                        std::vector<PendingEvent>& pending);

  storage::Database& db_;
  const Clock& clock_;
  events::EventBus& bus_;
};

}  // namespace larch::enrollment

#endif  // LARCH_ENROLLMENT_ENROLLMENT_SERVICE_H_
