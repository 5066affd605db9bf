// Test-only helpers for suites that need courses and users without the
// courses importer or the accounts service (tests, bench/micro); kept in test
// support so no module exports them. Rows are inserted with plain SQL.
// FaultyDatabaseForTest wraps a Database and fails chosen statements, to show
// that a failure rolls a use case back or reaches the client as itself.
//
// Thread safety: as the Database passed in; set the fault before use.
#ifndef LARCH_TESTING_ENROLLMENT_ROWS_H_
#define LARCH_TESTING_ENROLLMENT_ROWS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::enrollment {

struct CourseRowForTest {
  std::string course_key = "course-v1:edX+DemoX+Demo_Course";
  std::string org = "edX";
  std::string number = "DemoX";
  std::string run = "Demo_Course";
  std::string display_name = "Demo Course";
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> enrollment_start;
  std::optional<int64_t> enrollment_end;
  bool invitation_only = false;
  std::optional<int64_t> max_student_enrollments_allowed;
  bool self_paced = false;
};

inline Status InsertCourseForTest(storage::Database& db, const CourseRowForTest& c) {
  static constexpr storage::Query kInsert{
      "test.insert_course",
      "INSERT INTO courses (course_key, org, number, run, display_name, start_at, end_at, "
      "enrollment_start, enrollment_end, invitation_only, max_student_enrollments_allowed, "
      "self_paced, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"};
  return db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(
            kInsert,
            {storage::Text(c.course_key), storage::Text(c.org), storage::Text(c.number),
             storage::Text(c.run), storage::Text(c.display_name), storage::OptionalInt(c.start),
             storage::OptionalInt(c.end), storage::OptionalInt(c.enrollment_start),
             storage::OptionalInt(c.enrollment_end), storage::Bool(c.invitation_only),
             storage::OptionalInt(c.max_student_enrollments_allowed), storage::Bool(c.self_paced)})
        .status();
  });
}

// Returns the new user's id.
inline StatusOr<int64_t> InsertUserForTest(storage::Database& db, const std::string& username,
                                           const std::string& email, bool is_staff = false) {
  static constexpr storage::Query kInsert{
      "test.insert_user",
      "INSERT INTO users (username, email, is_active, is_staff, date_joined) "
      "VALUES (?, ?, 1, ?, 0) RETURNING id"};
  return storage::RunWithResult(
      db, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kInsert, {storage::Text(username), storage::Text(email),
                                                     storage::Bool(is_staff)}));
        return rs.rows[0].GetInt(0);
      });
}

// Forwards to `inner`, except that every statement whose Query name starts
// with `failing_prefix` returns `failure` instead of running.
class FaultyDatabaseForTest final : public storage::Database {
 public:
  explicit FaultyDatabaseForTest(storage::Database& inner) : inner_(inner) {}

  void FailStatementsForTest(std::string prefix, Status failure) {
    prefix_ = std::move(prefix);
    failure_ = std::move(failure);
    failing_ = true;
  }
  void HealForTest() { failing_ = false; }

  storage::Backend backend() const override { return inner_.backend(); }
  StatusOr<std::unique_ptr<storage::Transaction>> Begin(storage::TxnMode mode) override {
    LARCH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Transaction> txn, inner_.Begin(mode));
    return std::unique_ptr<storage::Transaction>(new Txn(std::move(txn), *this));
  }
  Status Ping() override { return inner_.Ping(); }

 private:
  class Txn final : public storage::Transaction {
   public:
    Txn(std::unique_ptr<storage::Transaction> inner, FaultyDatabaseForTest& db)
        : inner_(std::move(inner)), db_(db) {}
    using storage::Executor::Execute;
    storage::Backend backend() const override { return inner_->backend(); }
    StatusOr<storage::ResultSet> Execute(const storage::Query& query,
                                         std::span<const storage::SqlValue> params) override {
      if (db_.failing_ && std::string_view(query.name).starts_with(db_.prefix_)) {
        return db_.failure_;
      }
      return inner_->Execute(query, params);
    }
    Status ExecuteScript(std::string_view sql) override { return inner_->ExecuteScript(sql); }
    Status Commit() override { return inner_->Commit(); }

   private:
    std::unique_ptr<storage::Transaction> inner_;
    FaultyDatabaseForTest& db_;
  };

  storage::Database& inner_;
  bool failing_ = false;
  std::string prefix_;
  Status failure_ = OkStatus();
};

}  // namespace larch::enrollment

#endif  // LARCH_TESTING_ENROLLMENT_ROWS_H_
