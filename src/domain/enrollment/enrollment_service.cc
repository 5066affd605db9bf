#include "larch/enrollment/enrollment_service.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "enrollment_internal.h"
#include "larch/events/event_data.h"
#include "larch/events/event_types.h"

namespace larch::enrollment {

using storage::Int;
using storage::OptionalInt;
using storage::Text;

namespace {

constexpr storage::Query kSelectEnrollment{
    "enrollment.select_enrollment",
    "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
    "WHERE user_id = ? AND course_key = ?"};

constexpr storage::Query kListActive{
    "enrollment.list_active",
    "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
    "WHERE user_id = ? AND is_active = 1 ORDER BY created, id"};

constexpr storage::Query kCountActive{
    "enrollment.count_active",
    "SELECT COUNT(*) FROM enrollments WHERE course_key = ? AND is_active = 1"};

// A racing request on another node may insert the same (user, course)
// first: no row comes back, and the caller re-reads the one that won.
constexpr storage::Query kInsertEnrollment{
    "enrollment.insert_enrollment",
    "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, course_key) DO NOTHING RETURNING id"};

// Compare-and-set on the state the caller read: 0 rows when a concurrent
// transaction changed it first (PostgreSQL re-checks the WHERE on the row it
// waited for), so each real change writes one history row.
constexpr storage::Query kUpdateEnrollment{
    "enrollment.update_enrollment",
    "UPDATE enrollments SET is_active = ?, mode = ? WHERE id = ? AND is_active = ? AND mode = ?"};

// How often a write that lost a race re-reads and decides again.
constexpr int kRaceAttempts = 4;

Status LostRaces(std::string_view course_key) {
  return AbortedError(std::string("enrollment in ") + std::string(course_key) +
                      " kept changing under concurrent writes");
}

constexpr storage::Query kInsertHistory{
    "enrollment.insert_history",
    "INSERT INTO enrollment_history (enrollment_id, user_id, course_key, created, is_active, "
    "mode, history_date, history_type, history_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"};

constexpr storage::Query kUpsertAttribute{
    "enrollment.upsert_attribute",
    "INSERT INTO enrollment_attributes (enrollment_id, namespace, name, value) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (enrollment_id, namespace, name) "
    "DO UPDATE SET value = excluded.value"};

constexpr storage::Query kSelectAttributes{
    "enrollment.select_attributes",
    "SELECT a.namespace, a.name, a.value FROM enrollment_attributes a "
    "JOIN enrollments e ON e.id = a.enrollment_id WHERE e.user_id = ? AND e.course_key = ? "
    "ORDER BY a.namespace, a.name"};

}  // namespace

namespace internal {

Enrollment EnrollmentFromRow(const storage::Row& row) {
  Enrollment e;
  e.id = row.GetInt(0);
  e.user_id = row.GetInt(1);
  e.course_key = row.GetText(2);
  e.created = row.GetInt(3);
  e.is_active = row.GetBool(4);
  e.mode = row.GetText(5);
  return e;
}

StatusOr<std::optional<Enrollment>> LoadEnrollment(storage::Executor& ex, int64_t user_id,
                                                   std::string_view key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectEnrollment, {Int(user_id), Text(std::string(key))}));
  if (rs.empty()) return std::optional<Enrollment>();
  return std::optional<Enrollment>(EnrollmentFromRow(rs.rows[0]));
}

Status InsertHistory(storage::Executor& ex, const Enrollment& e, int64_t now, const char* type,
                     std::optional<int64_t> actor) {
  return ex
      .Execute(kInsertHistory,
               {Int(e.id), Int(e.user_id), Text(e.course_key), Int(e.created),
                storage::Bool(e.is_active), Text(e.mode), Int(now), Text(type), OptionalInt(actor)})
      .status();
}

CourseInfo CourseStub(std::string_view key) {
  CourseInfo c;
  c.course_key = std::string(key);
  return c;
}

UserRow UserStub(int64_t id) {
  UserRow u;
  u.id = id;
  return u;
}

Status CourseNotFound(std::string_view key) {
  return NotFoundError("No course '" + std::string(key) + "' found for enrollment")
      .WithErrorCode("course-not-found");
}

events::CourseEnrollmentData EventData(const UserRow& user, const CourseInfo& course,
                                       const Enrollment& e, const std::optional<UserRow>& actor) {
  events::CourseEnrollmentData d;
  d.user = events::UserData{user.id, user.is_active, user.username, user.email, user.name};
  d.course = events::CourseData{course.course_key, course.display_name, course.start, course.end};
  d.mode = e.mode;
  d.is_active = e.is_active;
  d.creation_date = e.created;
  if (actor.has_value()) {
    d.created_by =
        events::UserData{actor->id, actor->is_active, actor->username, actor->email, actor->name};
  }
  return d;
}

}  // namespace internal

using internal::CourseNotFound;
using internal::CourseStub;
using internal::EnrollmentFromRow;
using internal::EventData;
using internal::InsertHistory;
using internal::kHasAllowance;
using internal::LoadCourse;
using internal::LoadEnrollment;
using internal::LoadUser;
using internal::UserRow;
using internal::UserStub;

namespace {

Status ModeUnavailable(std::string_view mode, std::string_view course_key) {
  return InvalidArgumentError("The [" + std::string(mode) +
                              "] course mode is expired or otherwise unavailable for "
                              "course run [" +
                              std::string(course_key) + "].")
      .WithErrorCode("mode-unavailable");
}

}  // namespace

EnrollmentService::EnrollmentService(storage::Database& db, const Clock& clock,
                                     events::EventBus& bus)
    : db_(db), clock_(clock), bus_(bus) {}

void EnrollmentService::Publish(const std::vector<PendingEvent>& pending) {
  for (const PendingEvent& event : pending) {
    Status s = bus_.Publish(event.type, events::EnrollmentPayload(event.data));
    if (!s.ok()) spdlog::warn("enrollment: publishing {} failed: {}", event.type, s.ToString());
  }
}

StatusOr<CourseInfo> EnrollmentService::GetCourse(std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<CourseInfo> {
        LARCH_ASSIGN_OR_RETURN(std::optional<CourseInfo> course, LoadCourse(txn, course_key));
        if (!course.has_value()) return CourseNotFound(course_key);
        return std::move(*course);
      });
}

StatusOr<std::vector<CourseMode>> EnrollmentService::ModesForCourse(std::string_view course_key,
                                                                    bool include_expired,
                                                                    bool only_selectable) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CourseModeStore::ModesForCourse(txn, course_key, clock_.NowMicros(), include_expired,
                                           only_selectable);
  });
}

StatusOr<EnrollResult> EnrollmentService::Enroll(int64_t user_id, std::string_view course_key,
                                                 const EnrollOptions& options) {
  std::vector<PendingEvent> pending;
  auto result = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<EnrollResult> {
        pending.clear();
        return EnrollInTxn(txn, user_id, course_key, options, pending);
      });
  if (result.ok()) Publish(pending);
  return result;
}

StatusOr<EnrollResult> EnrollmentService::EnrollInTxn(storage::Transaction& txn, int64_t user_id,
                                                      std::string_view course_key,
                                                      const EnrollOptions& options,
                                                      std::vector<PendingEvent>& pending) {
  const int64_t now = clock_.NowMicros();
  LARCH_ASSIGN_OR_RETURN(std::optional<CourseInfo> course, LoadCourse(txn, course_key));
  if (!course.has_value()) return CourseNotFound(course_key);
  LARCH_ASSIGN_OR_RETURN(std::optional<UserRow> user, LoadUser(txn, user_id));
  if (!user.has_value()) {
    return NotFoundError("no user with id " + std::to_string(user_id))
        .WithErrorCode("user-not-found");
  }
  LARCH_ASSIGN_OR_RETURN(
      std::vector<CourseMode> modes,
      CourseModeStore::ModesForCourse(txn, course_key, now, options.include_expired_modes,
                                      /*only_selectable=*/false));
  std::string mode = options.mode.value_or(DefaultEnrollmentMode(modes));
  if (options.validate_mode && std::none_of(modes.begin(), modes.end(),
                                            [&](const CourseMode& m) { return m.slug == mode; })) {
    return ModeUnavailable(mode, course_key);
  }
  LARCH_ASSIGN_OR_RETURN(std::optional<Enrollment> existing,
                         LoadEnrollment(txn, user_id, course_key));
  if (options.check_access) {
    bool closed = (course->enrollment_start.has_value() && now < *course->enrollment_start) ||
                  (course->enrollment_end.has_value() && now > *course->enrollment_end);
    if (closed) {
      return FailedPreconditionError("enrollment is closed for " + course->course_key)
          .WithErrorCode("enrollment-closed");
    }
    if (course->invitation_only) {
      LARCH_ASSIGN_OR_RETURN(
          storage::ResultSet allowed,
          txn.Execute(kHasAllowance, {Text(user->email), Text(course->course_key)}));
      if (allowed.empty()) {
        return FailedPreconditionError(course->course_key + " is invitation only")
            .WithErrorCode("invitation-only");
      }
    }
    if (course->max_student_enrollments_allowed.has_value()) {
      LARCH_ASSIGN_OR_RETURN(storage::ResultSet count,
                             txn.Execute(kCountActive, {Text(course->course_key)}));
      if (count.rows[0].GetInt(0) >= *course->max_student_enrollments_allowed) {
        return FailedPreconditionError(course->course_key + " is full")
            .WithErrorCode("course-full");
      }
    }
  }
  EnrollResult result;
  std::optional<UserRow> actor;
  if (options.actor_user_id.has_value()) {
    LARCH_ASSIGN_OR_RETURN(actor, LoadUser(txn, *options.actor_user_id));
  }
  for (int attempt = 0;; ++attempt) {
    if (attempt == kRaceAttempts) return LostRaces(course_key);
    if (existing.has_value() && existing->is_active) {
      result.enrollment = *existing;
      result.already_active = true;
      return result;
    }
    LARCH_ASSIGN_OR_RETURN(bool written, WriteActivation(txn, existing, user_id, course->course_key,
                                                         mode, now, options.actor_user_id, result));
    if (written) break;
    LARCH_ASSIGN_OR_RETURN(existing, LoadEnrollment(txn, user_id, course_key));
  }
  const Enrollment& e = result.enrollment;
  // Upstream creates the row inactive and then activates it through
  // update_enrollment, so every (re)enrollment reports a change first.
  events::CourseEnrollmentData data = EventData(*user, *course, e, actor);
  pending.push_back({events::kCourseEnrollmentChanged, data});
  pending.push_back({events::kCourseEnrollmentCreated, data});
  return result;
}

StatusOr<bool> EnrollmentService::WriteActivation(storage::Transaction& txn,
                                                  const std::optional<Enrollment>& existing,
                                                  int64_t user_id, const std::string& course_key,
                                                  const std::string& mode, int64_t now,
                                                  std::optional<int64_t> actor_user_id,
                                                  EnrollResult& result) {
  Enrollment e;
  if (existing.has_value()) {
    e = *existing;
    e.is_active = true;
    e.mode = mode;
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kUpdateEnrollment, {storage::Bool(true), Text(mode), Int(e.id),
                                        storage::Bool(false), Text(existing->mode)}));
    if (rs.rows_affected == 0) return false;
    LARCH_RETURN_IF_ERROR(InsertHistory(txn, e, now, "~", actor_user_id));
  } else {
    e.user_id = user_id;
    e.course_key = course_key;
    e.created = now;
    e.is_active = true;
    e.mode = mode;
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kInsertEnrollment,
                    {Int(user_id), Text(e.course_key), Int(now), storage::Bool(true), Text(mode)}));
    if (rs.empty()) return false;
    e.id = rs.rows[0].GetInt(0);
    LARCH_RETURN_IF_ERROR(InsertHistory(txn, e, now, "+", actor_user_id));
    result.created = true;
  }
  result.enrollment = e;
  return true;
}

StatusOr<Enrollment> EnrollmentService::CreateEnrollment(const CreateEnrollmentRequest& request) {
  std::vector<PendingEvent> pending;
  auto result = storage::RunWithResult(db_, storage::TxnMode::kReadWrite,
                                       [&](storage::Transaction& txn) -> StatusOr<Enrollment> {
                                         pending.clear();
                                         return CreateEnrollmentInTxn(txn, request, pending);
                                       });
  if (result.ok()) Publish(pending);
  return result;
}

StatusOr<Enrollment> EnrollmentService::CreateEnrollmentInTxn(
    storage::Transaction& txn, const CreateEnrollmentRequest& request,
    std::vector<PendingEvent>& pending) {
  const std::string_view course_key = request.course_key;
  LARCH_ASSIGN_OR_RETURN(std::optional<Enrollment> existing,
                         LoadEnrollment(txn, request.user_id, course_key));
  const bool mode_changed =
      existing.has_value() && request.mode.has_value() && existing->mode != *request.mode;
  const bool active_changed = existing.has_value() && request.is_active.has_value() &&
                              existing->is_active != *request.is_active;
  Enrollment e;
  if (request.privileged && (mode_changed || active_changed)) {
    LARCH_ASSIGN_OR_RETURN(e, ChangeEnrollmentInTxn(txn, *existing, request, pending));
  } else {
    EnrollOptions options;
    options.mode = request.mode;
    options.check_access = request.check_access;
    options.actor_user_id = request.actor_user_id;
    LARCH_ASSIGN_OR_RETURN(EnrollResult enrolled,
                           EnrollInTxn(txn, request.user_id, course_key, options, pending));
    e = enrolled.enrollment;
    if (!enrolled.already_active && request.is_active.has_value() && !*request.is_active) {
      LARCH_ASSIGN_OR_RETURN(e, UpdateInTxn(txn, request.user_id, course_key, std::nullopt, false,
                                            request.actor_user_id, pending));
    }
  }
  for (const EnrollmentAttribute& a : request.attributes) {
    LARCH_RETURN_IF_ERROR(
        txn.Execute(kUpsertAttribute, {Int(e.id), Text(a.name_space), Text(a.name), Text(a.value)})
            .status());
  }
  return e;
}

StatusOr<Enrollment> EnrollmentService::ChangeEnrollmentInTxn(
    storage::Transaction& txn, const Enrollment& existing, const CreateEnrollmentRequest& request,
    std::vector<PendingEvent>& pending) {
  const std::optional<std::string>& mode = request.mode;
  const bool mode_changed = mode.has_value() && existing.mode != *mode;
  if (mode_changed && request.is_active.has_value() && !*request.is_active && existing.is_active) {
    return FailedPreconditionError("Enrollment mode mismatch: active mode=" + existing.mode +
                                   ", requested mode=" + *mode + ". Won't deactivate.")
        .WithErrorCode("mode-mismatch");
  }
  if (mode.has_value() && IsCreditMode(*mode) &&
      std::none_of(request.attributes.begin(), request.attributes.end(),
                   [](const EnrollmentAttribute& a) {
                     return a.name_space + ":" + a.name == "credit:provider_id";
                   })) {
    return InvalidArgumentError("Missing enrollment attributes: requested mode=" + *mode +
                                " required attributes=['credit:provider_id']")
        .WithErrorCode("missing-attributes");
  }
  if (mode.has_value()) {
    // update_enrollment validates the mode, expired ones included for the
    // API key.
    LARCH_ASSIGN_OR_RETURN(
        std::vector<CourseMode> modes,
        CourseModeStore::ModesForCourse(txn, request.course_key, clock_.NowMicros(),
                                        request.include_expired_modes, false));
    if (std::none_of(modes.begin(), modes.end(),
                     [&](const CourseMode& m) { return m.slug == *mode; })) {
      return ModeUnavailable(*mode, request.course_key);
    }
  }
  return UpdateInTxn(txn, request.user_id, request.course_key, mode, request.is_active,
                     request.actor_user_id, pending);
}

StatusOr<Enrollment> EnrollmentService::Update(int64_t user_id, std::string_view course_key,
                                               const std::optional<std::string>& mode,
                                               const std::optional<bool>& is_active,
                                               std::optional<int64_t> actor_user_id) {
  std::vector<PendingEvent> pending;
  auto result = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Enrollment> {
        pending.clear();
        return UpdateInTxn(txn, user_id, course_key, mode, is_active, actor_user_id, pending);
      });
  if (result.ok()) Publish(pending);
  return result;
}

StatusOr<Enrollment> EnrollmentService::UpdateInTxn(storage::Transaction& txn, int64_t user_id,
                                                    std::string_view course_key,
                                                    const std::optional<std::string>& mode,
                                                    const std::optional<bool>& is_active,
                                                    std::optional<int64_t> actor_user_id,
                                                    std::vector<PendingEvent>& pending) {
  const int64_t now = clock_.NowMicros();
  LARCH_ASSIGN_OR_RETURN(std::optional<Enrollment> existing,
                         LoadEnrollment(txn, user_id, course_key));
  if (!existing.has_value()) {
    return NotFoundError("user " + std::to_string(user_id) + " is not enrolled in " +
                         std::string(course_key))
        .WithErrorCode("enrollment-not-found");
  }
  Enrollment e;
  bool activation_changed = false;
  for (int attempt = 0;; ++attempt) {
    if (attempt == kRaceAttempts) return LostRaces(course_key);
    e = *existing;
    activation_changed = is_active.has_value() && *is_active != e.is_active;
    const bool mode_changed = mode.has_value() && *mode != e.mode;
    if (!activation_changed && !mode_changed) return e;
    if (activation_changed) e.is_active = *is_active;
    if (mode_changed) e.mode = *mode;
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kUpdateEnrollment, {storage::Bool(e.is_active), Text(e.mode), Int(e.id),
                                        storage::Bool(existing->is_active), Text(existing->mode)}));
    if (rs.rows_affected > 0) break;
    LARCH_ASSIGN_OR_RETURN(existing, LoadEnrollment(txn, user_id, course_key));
    if (!existing.has_value()) {
      return NotFoundError("user " + std::to_string(user_id) + " is not enrolled in " +
                           std::string(course_key))
          .WithErrorCode("enrollment-not-found");
    }
  }
  LARCH_RETURN_IF_ERROR(InsertHistory(txn, e, now, "~", actor_user_id));
  LARCH_ASSIGN_OR_RETURN(std::optional<UserRow> user, LoadUser(txn, user_id));
  LARCH_ASSIGN_OR_RETURN(std::optional<CourseInfo> course, LoadCourse(txn, course_key));
  std::optional<UserRow> actor;
  if (actor_user_id.has_value()) {
    LARCH_ASSIGN_OR_RETURN(actor, LoadUser(txn, *actor_user_id));
  }
  // A course deleted after enrollment still gets its events, with the
  // key only.
  CourseInfo course_info = course.value_or(CourseStub(course_key));
  events::CourseEnrollmentData data =
      EventData(user.value_or(UserStub(user_id)), course_info, e, actor);
  pending.push_back({events::kCourseEnrollmentChanged, data});
  if (activation_changed && !e.is_active) {
    pending.push_back({events::kCourseUnenrollmentCompleted, data});
  }
  return e;
}

StatusOr<Enrollment> EnrollmentService::Unenroll(int64_t user_id, std::string_view course_key,
                                                 std::optional<int64_t> actor_user_id) {
  return Update(user_id, course_key, std::nullopt, false, actor_user_id);
}

StatusOr<std::optional<Enrollment>> EnrollmentService::Get(int64_t user_id,
                                                           std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return LoadEnrollment(txn, user_id, course_key);
  });
}

StatusOr<std::vector<Enrollment>> EnrollmentService::ListActive(int64_t user_id) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<Enrollment>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kListActive, {Int(user_id)}));
        std::vector<Enrollment> out;
        for (const storage::Row& row : rs.rows) out.push_back(EnrollmentFromRow(row));
        return out;
      });
}

StatusOr<int64_t> EnrollmentService::CountActive(std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kCountActive, {Text(std::string(course_key))}));
        return rs.rows[0].GetInt(0);
      });
}

Status EnrollmentService::SetAttributes(int64_t user_id, std::string_view course_key,
                                        const std::vector<EnrollmentAttribute>& attributes) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(std::optional<Enrollment> e, LoadEnrollment(txn, user_id, course_key));
    if (!e.has_value()) {
      return NotFoundError("user " + std::to_string(user_id) + " is not enrolled in " +
                           std::string(course_key))
          .WithErrorCode("enrollment-not-found");
    }
    for (const EnrollmentAttribute& a : attributes) {
      LARCH_RETURN_IF_ERROR(txn.Execute(kUpsertAttribute, {Int(e->id), Text(a.name_space),
                                                           Text(a.name), Text(a.value)})
                                .status());
    }
    return OkStatus();
  });
}

StatusOr<std::vector<EnrollmentAttribute>> EnrollmentService::GetAttributes(
    int64_t user_id, std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<EnrollmentAttribute>> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kSelectAttributes, {Int(user_id), Text(std::string(course_key))}));
        std::vector<EnrollmentAttribute> out;
        for (const storage::Row& row : rs.rows) {
          out.push_back({row.GetText(0), row.GetText(1), row.GetText(2)});
        }
        return out;
      });
}

}  // namespace larch::enrollment
