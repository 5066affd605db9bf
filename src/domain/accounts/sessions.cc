#include "larch/accounts/sessions.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "larch/accounts/passwords.h"
#include "larch/accounts/user_store.h"

namespace larch::accounts {
namespace {

constexpr storage::Query kInsertSession{
    "accounts.sessions.insert",
    "INSERT INTO sessions (session_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"};
constexpr storage::Query kLookupSession{
    "accounts.sessions.lookup", "SELECT user_id, expires_at FROM sessions WHERE session_hash = ?"};
constexpr storage::Query kDeleteSession{"accounts.sessions.delete",
                                        "DELETE FROM sessions WHERE session_hash = ?"};
constexpr storage::Query kDeleteUserSessions{"accounts.sessions.delete_user",
                                             "DELETE FROM sessions WHERE user_id = ?"};
constexpr storage::Query kPurgeSessions{"accounts.sessions.purge",
                                        "DELETE FROM sessions WHERE expires_at <= ?"};

// Cookie values are 64 lowercase hex characters; anything else cannot be a
// session and needs no database round trip.
bool WellFormed(std::string_view raw) {
  return raw.size() == 64 && std::all_of(raw.begin(), raw.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

SessionStore::SessionStore(storage::Database& db, const Clock& clock, Random& random,
                           int64_t max_age_secs)
    : db_(db), clock_(clock), random_(random), max_age_secs_(max_age_secs) {}

StatusOr<std::string> SessionStore::Create(int64_t user_id) {
  std::string raw = random_.HexToken(32);
  int64_t now = clock_.NowMicros();
  LARCH_RETURN_IF_ERROR(db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
    return txn
        .Execute(kInsertSession, {storage::Text(TokenHash(raw)), storage::Int(user_id),
                                  storage::Int(now), storage::Int(now + max_age_secs_ * 1'000'000)})
        .status();
  }));
  return raw;
}

StatusOr<std::optional<int64_t>> SessionStore::Lookup(std::string_view raw) {
  if (!WellFormed(raw)) return std::optional<int64_t>();
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         txn->Execute(kLookupSession, {storage::Text(TokenHash(raw))}));
  if (rs.rows.empty() || rs.rows[0].GetInt(1) <= clock_.NowMicros()) {
    return std::optional<int64_t>();
  }
  return std::optional<int64_t>(rs.rows[0].GetInt(0));
}

StatusOr<std::optional<User>> SessionStore::LookupUser(std::string_view raw) {
  if (!WellFormed(raw)) return std::optional<User>();
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         txn->Execute(kLookupSession, {storage::Text(TokenHash(raw))}));
  if (rs.rows.empty() || rs.rows[0].GetInt(1) <= clock_.NowMicros()) {
    return std::optional<User>();
  }
  // The user row is UserStore's; both reads share the one snapshot.
  return UserStore::FindById(*txn, rs.rows[0].GetInt(0));
}

Status SessionStore::Delete(std::string_view raw) {
  if (!WellFormed(raw)) return OkStatus();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
    return txn.Execute(kDeleteSession, {storage::Text(TokenHash(raw))}).status();
  });
}

Status SessionStore::DeleteAllForUser(int64_t user_id) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](auto& txn) {
    return txn.Execute(kDeleteUserSessions, {storage::Int(user_id)}).status();
  });
}

StatusOr<int64_t> SessionStore::PurgeExpired() {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kPurgeSessions, {storage::Int(clock_.NowMicros())}));
        return rs.rows_affected;
      });
}

}  // namespace larch::accounts
