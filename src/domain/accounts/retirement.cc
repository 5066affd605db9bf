// Service accounts (the retirement service worker) and the learner's
// retirement request, as Open edX's user_api accounts app does them
// (DeactivateLogoutView, UserRetirementStatus, CanRetireUser).
#include <string>

#include "internal.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/user_store.h"

namespace larch::accounts {
namespace {

using storage::Int;
using storage::Text;

// Open edX's RETIRED_EMAIL_PREFIX and RETIRED_EMAIL_DOMAIN defaults.
constexpr char kRetiredEmailPrefix[] = "retired__user_";
constexpr char kRetiredEmailDomain[] = "retired.invalid";
// The first of Open edX's RETIREMENT_STATES; the ones retirement actions
// may not run in are its dead ends.
constexpr char kPendingState[] = "PENDING";

constexpr storage::Query kInsertServiceAccount{
    "accounts.service_accounts.insert",
    "INSERT INTO service_accounts (user_id, created_at) VALUES (?, ?)"};
constexpr storage::Query kSelectServiceAccount{
    "accounts.service_accounts.select", "SELECT user_id FROM service_accounts WHERE user_id = ?"};
constexpr storage::Query kInsertRetirement{
    "accounts.retirement.insert",
    "INSERT INTO user_retirement_status (user_id, original_username, original_email, "
    "original_name, current_state, last_state, responses, created_at, modified_at) "
    "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)"};
constexpr storage::Query kSelectRetirement{
    "accounts.retirement.by_username",
    "SELECT id, user_id, original_username, original_email, current_state "
    "FROM user_retirement_status WHERE lower(original_username) = lower(?)"};
constexpr storage::Query kEndUserTokens{
    "accounts.retirement.end_tokens",
    "UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL"};
constexpr storage::Query kEndUserSessions{"accounts.retirement.end_sessions",
                                          "DELETE FROM sessions WHERE user_id = ?"};

}  // namespace

bool AccountService::IsReservedUsername(std::string_view username) const {
  const std::string wanted = internal::AsciiLower(internal::Trim(username));
  for (const std::string& reserved : options_.reserved_usernames) {
    if (!reserved.empty() && internal::AsciiLower(reserved) == wanted) return true;
  }
  return false;
}

StatusOr<User> AccountService::CreateServiceUser(std::string_view username,
                                                 std::string_view email) {
  if (!internal::IsValidUsername(username)) {
    return InvalidArgumentError("a service username may contain letters, digits, _ and -");
  }
  if (!internal::IsValidEmail(email)) return InvalidArgumentError("not a valid email address");
  User user;
  user.username = std::string(username);
  user.email = std::string(email);
  user.is_active = true;
  user.password = hasher_.UnusablePassword();
  user.date_joined = clock_.NowMicros();
  Profile profile;
  profile.name = user.username;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
        LARCH_ASSIGN_OR_RETURN(user.id, UserStore::Insert(txn, user));
        profile.user_id = user.id;
        LARCH_RETURN_IF_ERROR(internal::InsertProfile(txn, profile));
        return txn.Execute(kInsertServiceAccount, {Int(user.id), Int(user.date_joined)}).status();
      }));
  return user;
}

StatusOr<bool> AccountService::IsServiceUser(int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         txn->Execute(kSelectServiceAccount, {Int(user_id)}));
  return !rs.rows.empty();
}

Status AccountService::RequestRetirement(int64_t user_id, std::string_view password) {
  LARCH_ASSIGN_OR_RETURN(User user, GetUserById(user_id));
  if (!hasher_.Verify(password, user.password)) {
    return UnauthenticatedError("wrong password for the retirement request")
        .WithUserMessage("Email or password is incorrect.");
  }
  std::string name;
  if (auto profile = GetProfile(user_id); profile.ok()) name = profile->name;
  // Open edX hashes the address with RETIRED_USER_SALTS; a random salt keeps
  // it unguessable here (the original stays in the retirement row).
  const std::string retired_email =
      std::string(kRetiredEmailPrefix) +
      TokenHash(internal::AsciiLower(user.email) + random_.HexToken(16)).substr(0, 40) + "@" +
      kRetiredEmailDomain;
  const std::string unusable = hasher_.UnusablePassword();
  const int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(
        txn.Execute(kInsertRetirement,
                    {Int(user_id), Text(user.username), Text(user.email), Text(name),
                     Text(kPendingState), Text(kPendingState), Int(now), Int(now)})
            .status());
    LARCH_RETURN_IF_ERROR(UserStore::Retire(txn, user_id, retired_email, unusable));
    LARCH_RETURN_IF_ERROR(txn.Execute(kEndUserTokens, {Int(now), Int(user_id)}).status());
    LARCH_RETURN_IF_ERROR(internal::DestroyOAuthTokens(txn, user_id));
    return txn.Execute(kEndUserSessions, {Int(user_id)}).status();
  });
}

StatusOr<AccountService::RetirementStatus> AccountService::GetRetirementStatus(
    std::string_view original_username) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         txn->Execute(kSelectRetirement, {Text(std::string(original_username))}));
  if (rs.rows.empty()) return NotFoundError("no retirement request status for username");
  const storage::Row& row = rs.rows[0];
  RetirementStatus status;
  status.id = row.GetInt(0);
  status.user_id = row.GetInt(1);
  status.original_username = row.GetText(2);
  status.original_email = row.GetText(3);
  status.current_state = row.GetText(4);
  return status;
}

}  // namespace larch::accounts
