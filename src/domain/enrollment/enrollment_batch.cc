#include "larch/enrollment/enrollment_service.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "enrollment_internal.h"
#include "larch/common/strings.h"
#include "larch/events/event_types.h"
#include "larch/storage/job_store.h"

namespace larch::enrollment {

using internal::CourseNotFound;
using internal::CourseStub;
using internal::EventData;
using internal::kDeleteAllowance;
using internal::kUpsertAllowance;
using internal::LoadCourse;
using internal::LoadUser;
using internal::UserRow;
using internal::UserStub;
using storage::Int;
using storage::Null;
using storage::OptionalInt;
using storage::Text;

namespace internal {

std::string ValuesList(size_t rows, std::string_view tuple) {
  std::string out;
  out.reserve(rows * (tuple.size() + 2));
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) out += ", ";
    out += tuple;
  }
  return out;
}

std::string Placeholders(size_t n) { return ValuesList(n, "?"); }

}  // namespace internal

using internal::Placeholders;
using internal::ValuesList;

namespace {

// Rows per multi-row INSERT: 5 parameters each stays far below SQLite's
// 32766 bound parameters and PostgreSQL's 65535.
constexpr size_t kBatchRows = 500;

constexpr storage::Query kReactivate{
    "enrollment.batch_reactivate",
    "UPDATE enrollments SET is_active = 1, mode = ? WHERE user_id = ? AND course_key = ? "
    "AND is_active = 0 RETURNING id, created"};

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
    LARCH_ASSIGN_OR_RETURN(auto users, accounts::UserStore::FindSummaries(txn, user_ids));
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
        LARCH_ASSIGN_OR_RETURN(std::vector<UserRow> found,
                               accounts::UserStore::FindSummariesByLogin(txn, lowered));
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

}  // namespace larch::enrollment
