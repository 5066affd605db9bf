#include "larch/enrollment/enrollment_service.h"
#include "larch/common/strings.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "larch/events/event_data.h"
#include "larch/events/event_types.h"
#include "larch/storage/job_store.h"

namespace larch::enrollment {

using storage::Int;
using storage::Null;
using storage::OptionalInt;
using storage::Text;

namespace {

constexpr storage::Query kSelectCourse{
    "enrollment.select_course",
    "SELECT course_key, display_name, start_at, end_at, enrollment_start, enrollment_end, "
    "invitation_only, max_student_enrollments_allowed, self_paced FROM courses "
    "WHERE course_key = ?"};

constexpr storage::Query kSelectUser{
    "enrollment.select_user",
    "SELECT u.id, u.username, u.email, u.is_active, COALESCE(p.name, '') FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = ?"};

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

constexpr storage::Query kInsertEnrollment{
    "enrollment.insert_enrollment",
    "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id"};

constexpr storage::Query kUpdateEnrollment{
    "enrollment.update_enrollment", "UPDATE enrollments SET is_active = ?, mode = ? WHERE id = ?"};

constexpr storage::Query kInsertHistory{
    "enrollment.insert_history",
    "INSERT INTO enrollment_history (enrollment_id, user_id, course_key, created, is_active, "
    "mode, history_date, history_type, history_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"};

constexpr storage::Query kHasAllowance{
    "enrollment.has_allowance",
    "SELECT auto_enroll FROM enrollment_allowed WHERE lower(email) = lower(?) AND course_key = ?"};

constexpr storage::Query kUpsertAllowance{
    "enrollment.upsert_allowance",
    "INSERT INTO enrollment_allowed (email, course_key, auto_enroll, created) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (email, course_key) DO UPDATE SET auto_enroll = excluded.auto_enroll"};

constexpr storage::Query kDeleteAllowance{
    "enrollment.delete_allowance",
    "DELETE FROM enrollment_allowed WHERE lower(email) = lower(?) AND course_key = ?"};

constexpr storage::Query kPendingAllowances{
    "enrollment.pending_allowances",
    "SELECT id, course_key, auto_enroll FROM enrollment_allowed "
    "WHERE lower(email) = lower(?) AND user_id IS NULL ORDER BY id"};

constexpr storage::Query kLinkAllowance{"enrollment.link_allowance",
                                        "UPDATE enrollment_allowed SET user_id = ? WHERE id = ?"};

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

struct UserRow {
  int64_t id = 0;
  std::string username;
  std::string email;
  bool is_active = false;
  std::string name;
};

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

UserRow UserFromRow(const storage::Row& row) {
  return UserRow{row.GetInt(0), row.GetText(1), row.GetText(2), row.GetBool(3), row.GetText(4)};
}

StatusOr<std::optional<CourseInfo>> LoadCourse(storage::Executor& ex, std::string_view key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectCourse, {Text(std::string(key))}));
  if (rs.empty()) return std::optional<CourseInfo>();
  const storage::Row& row = rs.rows[0];
  CourseInfo c;
  c.course_key = row.GetText(0);
  c.display_name = row.GetText(1);
  c.start = row.GetOptionalInt(2);
  c.end = row.GetOptionalInt(3);
  c.enrollment_start = row.GetOptionalInt(4);
  c.enrollment_end = row.GetOptionalInt(5);
  c.invitation_only = row.GetBool(6);
  c.max_student_enrollments_allowed = row.GetOptionalInt(7);
  c.self_paced = row.GetBool(8);
  return std::optional<CourseInfo>(std::move(c));
}

StatusOr<std::optional<UserRow>> LoadUser(storage::Executor& ex, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kSelectUser, {Int(user_id)}));
  if (rs.empty()) return std::optional<UserRow>();
  return std::optional<UserRow>(UserFromRow(rs.rows[0]));
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

}  // namespace

struct EnrollmentService::PendingEvent {
  const char* type;
  events::CourseEnrollmentData data;
};

namespace {

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
    return InvalidArgumentError("The [" + mode +
                                "] course mode is expired or otherwise unavailable for "
                                "course run [" +
                                std::string(course_key) + "].")
        .WithErrorCode("mode-unavailable");
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
  if (existing.has_value() && existing->is_active) {
    result.enrollment = *existing;
    result.already_active = true;
    return result;
  }
  Enrollment e;
  if (existing.has_value()) {
    e = *existing;
    e.is_active = true;
    e.mode = mode;
    LARCH_RETURN_IF_ERROR(
        txn.Execute(kUpdateEnrollment, {storage::Bool(true), Text(mode), Int(e.id)}).status());
    LARCH_RETURN_IF_ERROR(InsertHistory(txn, e, now, "~", options.actor_user_id));
  } else {
    e.user_id = user_id;
    e.course_key = course->course_key;
    e.created = now;
    e.is_active = true;
    e.mode = mode;
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kInsertEnrollment,
                    {Int(user_id), Text(e.course_key), Int(now), storage::Bool(true), Text(mode)}));
    e.id = rs.rows[0].GetInt(0);
    LARCH_RETURN_IF_ERROR(InsertHistory(txn, e, now, "+", options.actor_user_id));
    result.created = true;
  }
  // Upstream creates the row inactive and then activates it through
  // update_enrollment, so every (re)enrollment reports a change first.
  events::CourseEnrollmentData data = EventData(*user, *course, e, actor);
  pending.push_back({events::kCourseEnrollmentChanged, data});
  pending.push_back({events::kCourseEnrollmentCreated, data});
  result.enrollment = e;
  return result;
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
  Enrollment e = *existing;
  const bool activation_changed = is_active.has_value() && *is_active != e.is_active;
  const bool mode_changed = mode.has_value() && *mode != e.mode;
  if (!activation_changed && !mode_changed) return e;
  if (activation_changed) e.is_active = *is_active;
  if (mode_changed) e.mode = *mode;
  LARCH_RETURN_IF_ERROR(
      txn.Execute(kUpdateEnrollment, {storage::Bool(e.is_active), Text(e.mode), Int(e.id)})
          .status());
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

Status EnrollmentService::AllowEmail(std::string_view email, std::string_view course_key,
                                     bool auto_enroll) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(kUpsertAllowance, {Text(AsciiLower(email)), Text(std::string(course_key)),
                                    storage::Bool(auto_enroll), Int(clock_.NowMicros())})
        .status();
  });
}

Status EnrollmentService::DisallowEmail(std::string_view email, std::string_view course_key) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn.Execute(kDeleteAllowance, {Text(std::string(email)), Text(std::string(course_key))})
        .status();
  });
}

StatusOr<bool> EnrollmentService::IsEmailAllowed(std::string_view email,
                                                 std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<bool> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kHasAllowance, {Text(std::string(email)), Text(std::string(course_key))}));
        return !rs.empty();
      });
}

StatusOr<int64_t> EnrollmentService::ApplyPendingEnrollments(int64_t user_id) {
  struct Pending {
    int64_t id;
    std::string course_key;
    bool auto_enroll;
  };
  auto rows = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<Pending>> {
        LARCH_ASSIGN_OR_RETURN(std::optional<UserRow> user, LoadUser(txn, user_id));
        if (!user.has_value()) {
          return NotFoundError("no user with id " + std::to_string(user_id))
              .WithErrorCode("user-not-found");
        }
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kPendingAllowances, {Text(user->email)}));
        std::vector<Pending> out;
        for (const storage::Row& row : rs.rows) {
          out.push_back({row.GetInt(0), row.GetText(1), row.GetBool(2)});
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kLinkAllowance, {Int(user_id), Int(row.GetInt(0))}).status());
        }
        return out;
      });
  if (!rows.ok()) return rows.status();
  int64_t enrolled = 0;
  for (const Pending& p : *rows) {
    if (!p.auto_enroll) continue;
    EnrollOptions options;
    options.check_access = false;
    options.validate_mode = false;
    auto r = Enroll(user_id, p.course_key, options);
    if (!r.ok()) {
      spdlog::warn("enrollment: pending enrollment of user {} in {} failed: {}", user_id,
                   p.course_key, r.status().ToString());
      continue;
    }
    if (!r->already_active) ++enrolled;
  }
  return enrolled;
}

events::SubscriptionId EnrollmentService::SubscribeToRegistrations() {
  return bus_.Subscribe(
      events::kStudentRegistrationCompleted, [this](const events::Event& event) -> Status {
        const nlohmann::json& user = event.data.value("user", nlohmann::json());
        if (!user.is_object() || !user.contains("id") || !user["id"].is_number_integer()) {
          return InvalidArgumentError("registration event without user.id");
        }
        return ApplyPendingEnrollments(user["id"].get<int64_t>()).status();
      });
}

namespace {

// Rows per multi-row INSERT: 5 parameters each stays far below SQLite's
// 32766 bound parameters and PostgreSQL's 65535.
constexpr size_t kBatchRows = 500;

std::string ValuesList(size_t rows, std::string_view tuple) {
  std::string out;
  out.reserve(rows * (tuple.size() + 2));
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) out += ", ";
    out += tuple;
  }
  return out;
}

constexpr storage::Query kReactivate{
    "enrollment.batch_reactivate",
    "UPDATE enrollments SET is_active = 1, mode = ? WHERE user_id = ? AND course_key = ? "
    "AND is_active = 0 RETURNING id, created"};

// Placeholders "?, ?, ..." for an IN list of `n` values.
std::string Placeholders(size_t n) { return ValuesList(n, "?"); }

constexpr char kUserColumns[] =
    "SELECT u.id, u.username, u.email, u.is_active, COALESCE(p.name, '') FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE ";

// The users with these ids (missing ones are absent), read in chunks.
StatusOr<std::unordered_map<int64_t, UserRow>> LoadUsersById(storage::Executor& ex,
                                                             std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_map<int64_t, UserRow> out;
  out.reserve(ids.size());
  for (size_t begin = 0; begin < ids.size(); begin += kBatchRows) {
    const size_t n = std::min(kBatchRows, ids.size() - begin);
    const std::string sql = std::string(kUserColumns) + "u.id IN (" + Placeholders(n) + ")";
    std::vector<storage::SqlValue> params;
    params.reserve(n);
    for (size_t i = begin; i < begin + n; ++i) params.push_back(Int(ids[i]));
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"enrollment.users_by_id", sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) {
      UserRow u = UserFromRow(row);
      out.emplace(u.id, std::move(u));
    }
  }
  return out;
}

// Users by lowercased username or email, for a list of lowercased
// identifiers, read in chunks.
StatusOr<std::vector<UserRow>> LoadUsersByIdentifier(storage::Executor& ex,
                                                     const std::vector<std::string>& lowered) {
  std::vector<UserRow> out;
  for (size_t begin = 0; begin < lowered.size(); begin += kBatchRows) {
    const size_t n = std::min(kBatchRows, lowered.size() - begin);
    const std::string list = Placeholders(n);
    std::string sql(kUserColumns);
    sql += "lower(u.username) IN (";
    sql += list;
    sql += ") OR lower(u.email) IN (";
    sql += list;
    sql += ")";
    std::vector<storage::SqlValue> params;
    params.reserve(n * 2);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = begin; i < begin + n; ++i) params.push_back(Text(lowered[i]));
    }
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        ex.Execute(storage::Query{"enrollment.users_by_identifier", sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) out.push_back(UserFromRow(row));
  }
  return out;
}

}  // namespace

StatusOr<BatchStats> EnrollmentService::BatchEnroll(
    const std::vector<std::pair<int64_t, std::string>>& pairs, std::string_view mode,
    bool publish_events, std::optional<int64_t> actor_user_id) {
  if (!IsKnownModeSlug(mode)) {
    return InvalidArgumentError("unknown course mode '" + std::string(mode) + "'")
        .WithErrorCode("invalid-mode");
  }
  std::vector<PendingEvent> pending;
  auto stats = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<BatchStats> {
        pending.clear();
        return BatchEnrollInTxn(txn, pairs, mode, publish_events, actor_user_id, pending);
      });
  if (stats.ok()) Publish(pending);
  return stats;
}

StatusOr<BatchStats> EnrollmentService::BatchEnrollInTxn(
    storage::Transaction& txn, const std::vector<std::pair<int64_t, std::string>>& pairs,
    std::string_view mode, bool publish_events, std::optional<int64_t> actor_user_id,
    std::vector<PendingEvent>& pending) {
  const int64_t now = clock_.NowMicros();
  BatchStats stats;
  std::vector<Enrollment> changed;
  changed.reserve(pairs.size());
  // Pairs the INSERTs skipped because the enrollment already existed.
  std::vector<size_t> conflicts;
  const std::string mode_text(mode);
  for (size_t begin = 0; begin < pairs.size(); begin += kBatchRows) {
    const size_t n = std::min(kBatchRows, pairs.size() - begin);
    const std::string sql =
        "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) VALUES " +
        ValuesList(n, "(?, ?, ?, 1, ?)") +
        " ON CONFLICT (user_id, course_key) DO NOTHING RETURNING id, user_id, course_key";
    std::vector<storage::SqlValue> params;
    params.reserve(n * 4);
    for (size_t i = begin; i < begin + n; ++i) {
      params.push_back(Int(pairs[i].first));
      params.push_back(Text(pairs[i].second));
      params.push_back(Int(now));
      params.push_back(Text(mode_text));
    }
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(storage::Query{"enrollment.batch_insert", sql.c_str()}, params));
    for (storage::Row& row : rs.rows) {
      changed.push_back(
          Enrollment{row.GetInt(0), row.GetInt(1), row.GetText(2), now, true, mode_text});
    }
    if (rs.rows.size() < n) {
      // Only chunks with conflicts pay for finding them.
      std::unordered_set<std::string> inserted;
      auto key_of = [](int64_t user, const std::string& course) {
        return std::to_string(user) + '\n' + course;
      };
      for (const storage::Row& row : rs.rows) {
        inserted.insert(key_of(row.GetInt(1), row.GetText(2)));
      }
      for (size_t i = begin; i < begin + n; ++i) {
        if (inserted.erase(key_of(pairs[i].first, pairs[i].second)) == 0) {
          conflicts.push_back(i);
        }
      }
    }
  }
  stats.inserted = static_cast<int64_t>(changed.size());
  for (size_t index : conflicts) {
    const auto& [user_id, course_key] = pairs[index];
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kReactivate, {Text(mode_text), Int(user_id), Text(course_key)}));
    if (rs.empty()) {
      ++stats.unchanged;
      continue;
    }
    ++stats.reactivated;
    changed.push_back(Enrollment{rs.rows[0].GetInt(0), user_id, course_key, rs.rows[0].GetInt(1),
                                 true, mode_text});
  }
  for (size_t begin = 0; begin < changed.size(); begin += kBatchRows) {
    const size_t n = std::min(kBatchRows, changed.size() - begin);
    const std::string sql =
        "INSERT INTO enrollment_history (enrollment_id, user_id, course_key, created, "
        "is_active, mode, history_date, history_type, history_user_id) VALUES " +
        ValuesList(n, "(?, ?, ?, ?, 1, ?, ?, ?, ?)");
    std::vector<storage::SqlValue> params;
    params.reserve(n * 8);
    for (size_t i = begin; i < begin + n; ++i) {
      const Enrollment& e = changed[i];
      params.push_back(Int(e.id));
      params.push_back(Int(e.user_id));
      params.push_back(Text(e.course_key));
      params.push_back(Int(e.created));
      params.push_back(Text(e.mode));
      params.push_back(Int(now));
      params.push_back(Text(i < static_cast<size_t>(stats.inserted) ? "+" : "~"));
      params.push_back(OptionalInt(actor_user_id));
    }
    LARCH_RETURN_IF_ERROR(
        txn.Execute(storage::Query{"enrollment.batch_history", sql.c_str()}, params).status());
  }
  if (publish_events && !changed.empty()) {
    std::unordered_map<std::string, CourseInfo> courses;
    std::optional<UserRow> actor;
    if (actor_user_id.has_value()) {
      LARCH_ASSIGN_OR_RETURN(actor, LoadUser(txn, *actor_user_id));
    }
    std::vector<int64_t> user_ids;
    user_ids.reserve(changed.size());
    for (const Enrollment& e : changed) user_ids.push_back(e.user_id);
    LARCH_ASSIGN_OR_RETURN(auto users, LoadUsersById(txn, user_ids));
    pending.reserve(pending.size() + changed.size() * 2);
    for (const Enrollment& e : changed) {
      auto it = courses.find(e.course_key);
      if (it == courses.end()) {
        LARCH_ASSIGN_OR_RETURN(std::optional<CourseInfo> c, LoadCourse(txn, e.course_key));
        it = courses.emplace(e.course_key, c.value_or(CourseStub(e.course_key))).first;
      }
      auto user = users.find(e.user_id);
      events::CourseEnrollmentData data =
          EventData(user == users.end() ? UserStub(e.user_id) : user->second, it->second, e, actor);
      pending.push_back({events::kCourseEnrollmentChanged, data});
      pending.push_back({events::kCourseEnrollmentCreated, std::move(data)});
    }
  }
  return stats;
}

StatusOr<std::vector<BulkResult>> EnrollmentService::BulkUpdate(
    std::string_view course_key, const std::vector<std::string>& identifiers, bool enroll,
    bool auto_enroll, bool email_students, std::optional<int64_t> actor_user_id) {
  std::vector<PendingEvent> pending;
  auto results = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<BulkResult>> {
        pending.clear();
        const int64_t now = clock_.NowMicros();
        LARCH_ASSIGN_OR_RETURN(std::optional<CourseInfo> course, LoadCourse(txn, course_key));
        if (!course.has_value()) return CourseNotFound(course_key);

        // Resolve every identifier at once: a username or an email, the
        // lowest user id winning when both match different users.
        std::vector<std::string> lowered;
        lowered.reserve(identifiers.size());
        for (const std::string& identifier : identifiers) lowered.push_back(AsciiLower(identifier));
        LARCH_ASSIGN_OR_RETURN(std::vector<UserRow> found, LoadUsersByIdentifier(txn, lowered));
        std::unordered_map<std::string, const UserRow*> by_identifier;
        auto remember = [&](const std::string& key, const UserRow& u) {
          auto [it, inserted] = by_identifier.emplace(key, &u);
          if (!inserted && u.id < it->second->id) it->second = &u;
        };
        for (const UserRow& u : found) {
          remember(AsciiLower(u.username), u);
          remember(AsciiLower(u.email), u);
        }

        // Current enrollments of those users and allowances of the emails.
        std::unordered_map<int64_t, bool> active;  // user id -> actively enrolled
        {
          std::vector<int64_t> ids;
          ids.reserve(found.size());
          for (const UserRow& u : found) ids.push_back(u.id);
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          for (size_t begin = 0; begin < ids.size(); begin += kBatchRows) {
            const size_t n = std::min(kBatchRows, ids.size() - begin);
            const std::string sql =
                "SELECT user_id, is_active FROM enrollments WHERE course_key = ? AND user_id IN (" +
                Placeholders(n) + ")";
            std::vector<storage::SqlValue> params{Text(course->course_key)};
            for (size_t i = begin; i < begin + n; ++i) params.push_back(Int(ids[i]));
            LARCH_ASSIGN_OR_RETURN(
                storage::ResultSet rs,
                txn.Execute(storage::Query{"enrollment.bulk_enrollments", sql.c_str()}, params));
            for (const storage::Row& row : rs.rows) active[row.GetInt(0)] = row.GetBool(1);
          }
        }
        std::vector<std::string> emails;
        emails.reserve(identifiers.size());
        for (size_t i = 0; i < identifiers.size(); ++i) {
          auto it = by_identifier.find(lowered[i]);
          emails.push_back(it != by_identifier.end() ? AsciiLower(it->second->email) : lowered[i]);
        }
        // email -> auto_enroll. Allowances are stored lowercased (AllowEmail,
        // CreateAllowance), so the (email, course_key) index applies.
        std::unordered_map<std::string, bool> allowed;
        {
          std::vector<std::string> unique_emails = emails;
          std::sort(unique_emails.begin(), unique_emails.end());
          unique_emails.erase(std::unique(unique_emails.begin(), unique_emails.end()),
                              unique_emails.end());
          for (size_t begin = 0; begin < unique_emails.size(); begin += kBatchRows) {
            const size_t n = std::min(kBatchRows, unique_emails.size() - begin);
            const std::string sql =
                "SELECT email, auto_enroll FROM enrollment_allowed WHERE course_key = ? AND "
                "email IN (" +
                Placeholders(n) + ")";
            std::vector<storage::SqlValue> params{Text(course->course_key)};
            for (size_t i = begin; i < begin + n; ++i) params.push_back(Text(unique_emails[i]));
            LARCH_ASSIGN_OR_RETURN(
                storage::ResultSet rs,
                txn.Execute(storage::Query{"enrollment.bulk_allowances", sql.c_str()}, params));
            for (const storage::Row& row : rs.rows) allowed[row.GetText(0)] = row.GetBool(1);
          }
        }

        // Walk the identifiers in order against that state (so a repeated
        // identifier sees the first one's effect), collecting the writes.
        std::vector<std::pair<int64_t, std::string>> to_enroll;
        std::vector<int64_t> to_unenroll;
        std::vector<std::pair<std::string, bool>> to_allow;
        std::vector<std::string> to_disallow;
        std::vector<BulkResult> out;
        out.reserve(identifiers.size());
        const std::string name =
            course->display_name.empty() ? course->course_key : course->display_name;
        for (size_t i = 0; i < identifiers.size(); ++i) {
          BulkResult r;
          r.identifier = identifiers[i];
          auto found_it = by_identifier.find(lowered[i]);
          const UserRow* user = found_it == by_identifier.end() ? nullptr : found_it->second;
          const std::string& email = emails[i];
          if (user == nullptr &&
              (email.find('@') == std::string::npos || email.find(' ') != std::string::npos)) {
            r.invalid_identifier = true;
            out.push_back(std::move(r));
            continue;
          }
          auto allowed_it = allowed.find(email);
          r.before.user = user != nullptr;
          r.before.enrollment = user != nullptr && active.count(user->id) != 0 && active[user->id];
          r.before.allowed = allowed_it != allowed.end();
          r.before.auto_enroll = allowed_it != allowed.end() && allowed_it->second;
          r.after = r.before;
          if (enroll) {
            if (user != nullptr) {
              if (!r.before.enrollment) to_enroll.emplace_back(user->id, course->course_key);
              active[user->id] = true;
              r.after.enrollment = true;
            } else {
              to_allow.emplace_back(email, auto_enroll);
              allowed[email] = auto_enroll;
              r.after.allowed = true;
              r.after.auto_enroll = auto_enroll;
            }
          } else {
            if (r.before.enrollment) {
              to_unenroll.push_back(user->id);
              active[user->id] = false;
              r.after.enrollment = false;
            }
            if (r.before.allowed) {
              to_disallow.push_back(email);
              allowed.erase(email);
              r.after.allowed = false;
              r.after.auto_enroll = false;
            }
          }
          const bool changed =
              r.after.enrollment != r.before.enrollment || r.after.allowed != r.before.allowed;
          if (email_students && changed) {
            std::string subject;
            std::string text;
            if (enroll && user != nullptr) {
              subject = "You have been enrolled in " + name;
              text = "Dear " + user->username + ",\n\nYou have been enrolled in " + name +
                     " by a member of the course staff.\n";
            } else if (enroll) {
              subject = "You have been invited to register for " + name;
              text = "Dear student,\n\nYou have been invited to join " + name +
                     ". To finish your registration, create an account with this email "
                     "address.\n";
            } else {
              subject = "You have been unenrolled from " + name;
              text = "Dear student,\n\nYou have been unenrolled from " + name +
                     " by a member of the course staff.\n";
            }
            storage::NewJob job;
            job.kind = "mail.send";
            job.payload = nlohmann::json{
                {"to", nlohmann::json::array({user != nullptr ? user->email : identifiers[i]})},
                {"subject", subject},
                {"text", text},
                {"html", ""}}.dump();
            LARCH_RETURN_IF_ERROR(storage::EnqueueJob(txn, job, now).status());
          }
          out.push_back(std::move(r));
        }

        if (!to_enroll.empty()) {
          // Enrollment without a requested mode gets the course's default
          // mode, for new and reactivated enrollments alike.
          LARCH_ASSIGN_OR_RETURN(std::vector<CourseMode> modes,
                                 CourseModeStore::ModesForCourse(txn, course->course_key, now,
                                                                 /*include_expired=*/false,
                                                                 /*only_selectable=*/false));
          LARCH_RETURN_IF_ERROR(BatchEnrollInTxn(txn, to_enroll, DefaultEnrollmentMode(modes),
                                                 /*publish_events=*/true, actor_user_id, pending)
                                    .status());
        }
        for (int64_t user_id : to_unenroll) {
          LARCH_RETURN_IF_ERROR(UpdateInTxn(txn, user_id, course->course_key, std::nullopt, false,
                                            actor_user_id, pending)
                                    .status());
        }
        for (const auto& [email, auto_enroll_flag] : to_allow) {
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kUpsertAllowance, {Text(email), Text(course->course_key),
                                             storage::Bool(auto_enroll_flag), Int(now)})
                  .status());
        }
        for (const std::string& email : to_disallow) {
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kDeleteAllowance, {Text(email), Text(course->course_key)}).status());
        }
        return out;
      });
  if (results.ok()) Publish(pending);
  return results;
}

namespace {

constexpr storage::Query kListAllowances{
    "enrollment.list_allowances",
    "SELECT email, course_key, auto_enroll, user_id, created FROM enrollment_allowed "
    "WHERE lower(email) = lower(?) ORDER BY id"};

constexpr storage::Query kInsertAllowance{
    "enrollment.insert_allowance",
    "INSERT INTO enrollment_allowed (email, course_key, auto_enroll, created) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (email, course_key) DO NOTHING RETURNING id"};

constexpr storage::Query kDeleteAllowanceReturning{
    "enrollment.delete_allowance_returning",
    "DELETE FROM enrollment_allowed WHERE lower(email) = lower(?) AND course_key = ? RETURNING id"};

constexpr storage::Query kUserEnrollments{
    "enrollment.user_enrollments",
    "SELECT id, user_id, course_key, created, is_active, mode FROM enrollments "
    "WHERE user_id = ? ORDER BY created, id"};

// The organization of a course key: "course-v1:ORG+..." or "ORG/...".
std::string OrgOf(std::string_view key) {
  constexpr std::string_view kPrefix = "course-v1:";
  if (key.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view rest = key.substr(kPrefix.size());
    return std::string(rest.substr(0, rest.find('+')));
  }
  return std::string(key.substr(0, key.find('/')));
}

// LIKE pattern matching `text` anywhere, with the wildcards escaped.
std::string ContainsPattern(std::string_view text) {
  std::string out = "%";
  for (char c : AsciiLower(text)) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace

StatusOr<std::vector<Allowance>> EnrollmentService::ListAllowances(std::string_view email) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<Allowance>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kListAllowances, {Text(std::string(email))}));
        std::vector<Allowance> out;
        out.reserve(rs.rows.size());
        for (const storage::Row& row : rs.rows) {
          out.push_back(Allowance{row.GetText(0), row.GetText(1), row.GetBool(2),
                                  row.GetOptionalInt(3), row.GetInt(4)});
        }
        return out;
      });
}

StatusOr<Allowance> EnrollmentService::CreateAllowance(std::string_view email,
                                                       std::string_view course_key,
                                                       bool auto_enroll) {
  Allowance a{AsciiLower(email), std::string(course_key), auto_enroll, std::nullopt,
              clock_.NowMicros()};
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Allowance> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kInsertAllowance, {Text(a.email), Text(a.course_key),
                                           storage::Bool(a.auto_enroll), Int(a.created)}));
        if (rs.empty()) {
          return AlreadyExistsError("an enrollment allowed with email " + a.email + " and course " +
                                    a.course_key + " already exists");
        }
        return a;
      });
}

Status EnrollmentService::DeleteAllowance(std::string_view email, std::string_view course_key) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                           txn.Execute(kDeleteAllowanceReturning,
                                       {Text(std::string(email)), Text(std::string(course_key))}));
    if (rs.empty()) {
      return NotFoundError("no enrollment allowed with email " + std::string(email) +
                           " and course " + std::string(course_key));
    }
    return OkStatus();
  });
}

StatusOr<EnrollmentPage> EnrollmentService::ListEnrollments(
    const EnrollmentFilter& filter, int64_t page_size,
    const std::optional<EnrollmentCursor>& cursor) {
  std::string sql =
      "SELECT e.id, e.created, e.mode, e.is_active, u.username, e.course_key FROM enrollments e "
      "JOIN users u ON u.id = e.user_id WHERE 1 = 1";
  std::vector<storage::SqlValue> params;
  if (filter.course_key.has_value()) {
    sql += " AND e.course_key = ?";
    params.push_back(Text(*filter.course_key));
  }
  if (!filter.course_key_substrings.empty()) {
    sql += " AND (";
    for (size_t i = 0; i < filter.course_key_substrings.size(); ++i) {
      sql += i == 0 ? "" : " OR ";
      sql += "lower(e.course_key) LIKE ? ESCAPE '\\'";
      params.push_back(Text(ContainsPattern(filter.course_key_substrings[i])));
    }
    sql += ")";
  }
  auto in_list = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql += std::string(" AND ") + column + " IN (" + Placeholders(values.size()) + ")";
    for (const std::string& v : values) params.push_back(Text(v));
  };
  in_list("u.username", filter.usernames);
  in_list("u.email", filter.emails);
  const bool reverse = cursor.has_value() && cursor->reverse;
  if (cursor.has_value()) {
    sql += reverse ? " AND (e.created > ? OR (e.created = ? AND e.id > ?))"
                   : " AND (e.created < ? OR (e.created = ? AND e.id < ?))";
    params.push_back(Int(cursor->created));
    params.push_back(Int(cursor->created));
    params.push_back(Int(cursor->id));
  }
  sql += reverse ? " ORDER BY e.created ASC, e.id ASC" : " ORDER BY e.created DESC, e.id DESC";
  sql += " LIMIT " + std::to_string(page_size + 1);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<EnrollmentPage> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(storage::Query{"enrollment.list_enrollments", sql.c_str()}, params));
        EnrollmentPage page;
        page.more = static_cast<int64_t>(rs.rows.size()) > page_size;
        for (const storage::Row& row : rs.rows) {
          if (static_cast<int64_t>(page.items.size()) == page_size) break;
          page.items.push_back(EnrollmentListItem{row.GetInt(0), row.GetInt(1), row.GetText(2),
                                                  row.GetBool(3), row.GetText(4), row.GetText(5)});
        }
        if (reverse) std::reverse(page.items.begin(), page.items.end());
        return page;
      });
}

StatusOr<std::vector<std::string>> EnrollmentService::UnenrollFromAllCourses(
    int64_t user_id, std::optional<int64_t> actor_user_id) {
  std::vector<PendingEvent> pending;
  auto orgs = storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<std::string>> {
        pending.clear();
        LARCH_ASSIGN_OR_RETURN(std::optional<UserRow> user, LoadUser(txn, user_id));
        if (!user.has_value()) {
          return NotFoundError("no user with id " + std::to_string(user_id))
              .WithErrorCode("user-not-found");
        }
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kUserEnrollments, {Int(user_id)}));
        std::vector<std::string> out;
        for (const storage::Row& row : rs.rows) {
          Enrollment e = EnrollmentFromRow(row);
          out.push_back(OrgOf(e.course_key));
          if (!e.is_active) continue;
          LARCH_RETURN_IF_ERROR(
              UpdateInTxn(txn, user_id, e.course_key, std::nullopt, false, actor_user_id, pending)
                  .status());
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
      });
  if (orgs.ok()) Publish(pending);
  return orgs;
}

}  // namespace larch::enrollment
