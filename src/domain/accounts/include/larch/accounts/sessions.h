// Server-side login sessions (Django's sessionid cookie). The cookie value is
// a random 32-byte token in hex; only its SHA-256 is stored, so a database
// leak does not leak live sessions.
//
// Thread safety: SessionStore is thread-safe.
#ifndef LARCH_ACCOUNTS_SESSIONS_H_
#define LARCH_ACCOUNTS_SESSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larch/accounts/user.h"
#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::accounts {

class SessionStore {
 public:
  SessionStore(storage::Database& db, const Clock& clock, Random& random, int64_t max_age_secs);

  // A new session for `user_id`, valid max_age_secs; returns the raw cookie
  // value. kFailedPrecondition when the user does not exist.
  StatusOr<std::string> Create(int64_t user_id);
  // The session's user id; nullopt for unknown, malformed or expired values.
  // One indexed SELECT, read-only transaction.
  StatusOr<std::optional<int64_t>> Lookup(std::string_view raw);
  // Like Lookup but returns the user (UserStore::FindById in the same
  // read-only transaction; two primary-key probes). Inactive
  // (not yet activated) users keep their session, as Open edX's
  // SessionAuthenticationAllowInactiveUser does; callers that need an active
  // account check user.is_active.
  StatusOr<std::optional<User>> LookupUser(std::string_view raw);
  // Ends one session; OK when it did not exist.
  Status Delete(std::string_view raw);
  // Ends every session of the user (password change/reset, deactivation).
  Status DeleteAllForUser(int64_t user_id);
  // Removes expired rows; returns how many. For a periodic job.
  StatusOr<int64_t> PurgeExpired();

  int64_t max_age_secs() const { return max_age_secs_; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  const int64_t max_age_secs_;
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_SESSIONS_H_
