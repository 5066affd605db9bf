// AccountService: password reset and change, and preferences (the rest is
// in account_service.cc).
#include <map>
#include <string>

#include "account_queries.h"
#include "internal.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/user_store.h"

namespace larch::accounts {

using storage::Int;
using storage::Text;

// --------------------------------------------------------- password reset

Status AccountService::RequestPasswordReset(std::string_view email) {
  auto user = GetUserByEmail(email);
  if (user.status().code() == StatusCode::kNotFound) return OkStatus();
  LARCH_RETURN_IF_ERROR(user.status());
  std::string token = random_.HexToken(20);
  int64_t now = clock_.NowMicros();
  std::string link = options_.lms_base_url + "/password_reset_confirm/" +
                     internal::ToBase36(user->id) + "-" + token + "/";
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(
        txn.Execute(kInsertToken,
                    {Text(TokenHash(token)), Text("password_reset"), Int(user->id), Int(now),
                     Int(now + options_.password_reset_timeout_secs * 1'000'000)})
            .status());
    std::string text =
        "You're receiving this e-mail because you requested a password reset for "
        "your user account at " +
        options_.platform_name +
        ".\n\nPlease go to the following page and choose a new password:\n\n" + link +
        "\n\nIf you didn't request this change, you can disregard this "
        "email - we have not yet reset your password.\n";
    std::string html =
        "<p>You're receiving this e-mail because you requested a password reset "
        "for your user account at " +
        options_.platform_name + ".</p><p><a href=\"" + link + "\">Change my Password</a></p>";
    return internal::EnqueueMail(txn, now, user->email,
                                 "Password reset on " + options_.platform_name, text, html);
  });
}

// The policy check of a reset or a change: kInvalidArgument with the first
// message as user message, and every message in *policy_errors.
static Status CheckNewPassword(const PasswordPolicy& policy, std::string_view new_password,
                               const User& user, const std::string& name,
                               std::vector<std::string>* policy_errors) {
  std::vector<std::string> errors = policy.Validate(new_password, user.username, user.email, name);
  if (errors.empty()) return OkStatus();
  if (policy_errors != nullptr) *policy_errors = errors;
  return InvalidArgumentError("new password violates the policy").WithUserMessage(errors[0]);
}

Status AccountService::ResetPassword(std::string_view token, std::string_view new_password,
                                     std::vector<std::string>* policy_errors) {
  std::string_view raw = token;
  std::optional<std::string> uidb36;
  if (size_t dash = token.find('-'); dash != std::string_view::npos) {
    uidb36 = std::string(token.substr(0, dash));
    raw = token.substr(dash + 1);
  }
  while (!raw.empty() && raw.back() == '/') raw.remove_suffix(1);
  std::string hash = TokenHash(raw);
  Status not_found = NotFoundError("unknown, used or expired reset token")
                         .WithUserMessage(
                             "The password reset link was invalid, possibly because the "
                             "link has already been used. Please request a new password "
                             "reset.");
  int64_t now = clock_.NowMicros();
  int64_t user_id = 0;
  {
    LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                           txn->Execute(kSelectToken, {Text(hash), Text("password_reset")}));
    if (rs.rows.empty() || !rs.rows[0].IsNull(2) ||
        (!rs.rows[0].IsNull(1) && rs.rows[0].GetInt(1) <= now)) {
      return not_found;
    }
    user_id = rs.rows[0].GetInt(0);
    if (uidb36 && *uidb36 != internal::ToBase36(user_id)) return not_found;
  }
  LARCH_ASSIGN_OR_RETURN(User user, GetUserById(user_id));
  std::string name;
  if (auto profile = GetProfile(user_id); profile.ok()) name = profile->name;
  LARCH_RETURN_IF_ERROR(
      CheckNewPassword(options_.password_policy, new_password, user, name, policy_errors));
  std::string encoded = hasher_.Hash(new_password);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet used, txn.Execute(kUseToken, {Int(now), Text(hash)}));
    if (used.rows_affected == 0) return not_found;  // a concurrent reset won
    LARCH_RETURN_IF_ERROR(
        txn.Execute(kUseAllTokens, {Int(now), Int(user_id), Text("password_reset")}).status());
    LARCH_RETURN_IF_ERROR(UserStore::SetPassword(txn, user_id, encoded));
    LARCH_RETURN_IF_ERROR(UserStore::Activate(txn, user_id));
    LARCH_RETURN_IF_ERROR(txn.Execute(kClearFailures, {Int(user_id)}).status());
    LARCH_RETURN_IF_ERROR(internal::DestroyOAuthTokens(txn, user_id));
    return txn.Execute(kDeleteUserSessions, {Int(user_id)}).status();
  });
}

Status AccountService::ChangePassword(int64_t user_id, std::string_view old_password,
                                      std::string_view new_password,
                                      std::vector<std::string>* policy_errors) {
  LARCH_ASSIGN_OR_RETURN(User user, GetUserById(user_id));
  if (!hasher_.Verify(old_password, user.password)) {
    return UnauthenticatedError("old password does not match")
        .WithUserMessage("Old password is incorrect.");
  }
  std::string name;
  if (auto profile = GetProfile(user_id); profile.ok()) name = profile->name;
  LARCH_RETURN_IF_ERROR(
      CheckNewPassword(options_.password_policy, new_password, user, name, policy_errors));
  std::string encoded = hasher_.Hash(new_password);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(UserStore::SetPassword(txn, user_id, encoded));
    return internal::DestroyOAuthTokens(txn, user_id);
  });
}

// ------------------------------------------------------------ preferences

StatusOr<std::map<std::string, std::string>> AccountService::GetPreferences(int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn->Execute(kSelectPrefs, {Int(user_id)}));
  std::map<std::string, std::string> out;
  for (const storage::Row& row : rs.rows) out[row.GetText(0)] = row.GetText(1);
  return out;
}

Status AccountService::SetPreference(int64_t user_id, std::string_view key,
                                     std::string_view value) {
  if (key.empty() || key.size() > 255) {
    return InvalidArgumentError("preference key must be 1..255 characters")
        .WithUserMessage("Preference '" + std::string(key) + "' is not valid.");
  }
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return txn
        .Execute(kUpsertPref, {Int(user_id), Text(std::string(key)), Text(std::string(value))})
        .status();
  });
}

Status AccountService::DeletePreference(int64_t user_id, std::string_view key) {
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                           txn.Execute(kDeletePref, {Int(user_id), Text(std::string(key))}));
    if (rs.rows_affected == 0) return NotFoundError("no such preference");
    return OkStatus();
  });
}

}  // namespace larch::accounts
