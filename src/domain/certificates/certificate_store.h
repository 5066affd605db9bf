// The SQL of the certificate tables (0017_certificates.sql), in the
// caller's transaction. Private to the certificates module, which owns the
// tables.
#ifndef LARCH_CERTIFICATES_CERTIFICATE_STORE_H_
#define LARCH_CERTIFICATES_CERTIFICATE_STORE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "larch/certificates/certificates.h"
#include "larch/storage/database.h"

namespace larch::certificates::internal {

class CertificateStore {
 public:
  static StatusOr<std::optional<Certificate>> Find(storage::Executor& ex, int64_t user_id,
                                                   std::string_view course_key);
  static StatusOr<std::optional<Certificate>> FindByUuid(storage::Executor& ex,
                                                         std::string_view verify_uuid);
  static StatusOr<std::map<int64_t, Certificate>> InCourse(storage::Executor& ex,
                                                           std::string_view course_key);
  static StatusOr<std::vector<Certificate>> ForUser(storage::Executor& ex, int64_t user_id);
  // Audit records too.
  static StatusOr<std::vector<Certificate>> AllOfUser(storage::Executor& ex, int64_t user_id);
  // Inserts `cert` (its id ignored) and returns the id; kAborted when a
  // concurrent transaction inserted the learner's row first (the
  // transaction is then retried and sees it).
  static StatusOr<int64_t> Insert(storage::Executor& ex, const Certificate& cert);
  static Status Update(storage::Executor& ex, const Certificate& cert);
  static Status AddHistory(storage::Executor& ex, const Certificate& cert,
                           std::string_view history_type, std::string_view source);
  static StatusOr<std::vector<HistoryEntry>> History(storage::Executor& ex, int64_t certificate_id);

  static StatusOr<std::set<int64_t>> AllowlistedUsers(storage::Executor& ex,
                                                      std::string_view course_key);
  static Status UpsertAllowlist(storage::Executor& ex, int64_t user_id, std::string_view course_key,
                                std::string_view notes, int64_t now);
  static StatusOr<bool> DeleteAllowlist(storage::Executor& ex, int64_t user_id,
                                        std::string_view course_key);
  // The learner's place on the allowlist (allowlist = 1), if any.
  static StatusOr<std::optional<AllowlistEntry>> FindAllowlist(storage::Executor& ex,
                                                               int64_t user_id,
                                                               std::string_view course_key);

  // Users with an active invalidation of their certificate in the course.
  static StatusOr<std::set<int64_t>> InvalidatedUsers(storage::Executor& ex,
                                                      std::string_view course_key);
  // Returns the new invalidation's id.
  static StatusOr<int64_t> AddInvalidation(storage::Executor& ex, int64_t certificate_id,
                                           int64_t by, std::string_view notes, int64_t now);
  static StatusOr<bool> DeactivateInvalidations(storage::Executor& ex, int64_t certificate_id,
                                                int64_t now);
};

}  // namespace larch::certificates::internal

#endif  // LARCH_CERTIFICATES_CERTIFICATE_STORE_H_
