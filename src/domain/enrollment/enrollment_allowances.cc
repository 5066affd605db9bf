#include "larch/enrollment/enrollment_service.h"

#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "enrollment_internal.h"
#include "larch/common/strings.h"
#include "larch/events/event_types.h"

namespace larch::enrollment {

using internal::kDeleteAllowance;
using internal::kHasAllowance;
using internal::kUpsertAllowance;
using internal::LoadUser;
using internal::UserRow;
using storage::Int;
using storage::Text;

namespace {

constexpr storage::Query kPendingAllowances{
    "enrollment.pending_allowances",
    "SELECT id, course_key, auto_enroll FROM enrollment_allowed "
    "WHERE lower(email) = lower(?) AND user_id IS NULL ORDER BY id"};

constexpr storage::Query kLinkAllowance{"enrollment.link_allowance",
                                        "UPDATE enrollment_allowed SET user_id = ? WHERE id = ?"};

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

}  // namespace

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

}  // namespace larch::enrollment
