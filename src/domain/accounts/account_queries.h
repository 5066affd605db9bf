// The SQL and limits AccountService's files share (account_service.cc,
// account_passwords.cc). Private to the accounts module; every statement on
// profiles, tokens, login failures and preferences it runs is here, so the
// tables have one owner. Statements on `users` are UserStore's
// (larch/accounts/user_store.h), which every module calls.
#ifndef LARCH_ACCOUNTS_ACCOUNT_QUERIES_H_
#define LARCH_ACCOUNTS_ACCOUNT_QUERIES_H_

#include "larch/storage/database.h"

namespace larch::accounts {

inline constexpr int kUsernameMin = 2;
inline constexpr int kUsernameMax = 30;
inline constexpr int kEmailMin = 3;
inline constexpr int kEmailMax = 254;
inline constexpr int kNameMax = 255;

inline constexpr storage::Query kInsertProfile{
    "accounts.profiles.insert",
    "INSERT INTO user_profiles (user_id, name, year_of_birth, gender, level_of_education, "
    "mailing_address, city, country, state, goals, bio, phone_number, language_proficiencies, "
    "social_links, extended_profile, account_privacy, profile_image_uploaded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
inline constexpr storage::Query kInsertToken{
    "accounts.tokens.insert",
    "INSERT INTO user_tokens (token_hash, purpose, user_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?)"};
inline constexpr storage::Query kSelectToken{
    "accounts.tokens.select",
    "SELECT user_id, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND purpose = ?"};
inline constexpr storage::Query kUseToken{
    "accounts.tokens.use",
    "UPDATE user_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"};
inline constexpr storage::Query kUseAllTokens{
    "accounts.tokens.use_all",
    "UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL"};
inline constexpr storage::Query kSelectFailures{
    "accounts.failures.select",
    "SELECT failure_count, lockout_until FROM login_failures WHERE user_id = ?"};
inline constexpr storage::Query kUpsertFailure{
    "accounts.failures.upsert",
    "INSERT INTO login_failures (user_id, failure_count, lockout_until) VALUES (?, 1, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET failure_count = login_failures.failure_count + 1, "
    "lockout_until = CASE WHEN login_failures.failure_count + 1 >= ? THEN ? "
    "ELSE login_failures.lockout_until END "
    "RETURNING failure_count, lockout_until"};
inline constexpr storage::Query kClearFailures{"accounts.failures.clear",
                                               "DELETE FROM login_failures WHERE user_id = ?"};
inline constexpr storage::Query kDeleteUserSessions{"accounts.sessions.delete_user_from_service",
                                                    "DELETE FROM sessions WHERE user_id = ?"};
inline constexpr storage::Query kSelectPrefs{
    "accounts.prefs.select",
    "SELECT pref_key, pref_value FROM user_preferences WHERE user_id = ? ORDER BY pref_key"};
inline constexpr storage::Query kUpsertPref{
    "accounts.prefs.upsert",
    "INSERT INTO user_preferences (user_id, pref_key, pref_value) VALUES (?, ?, ?) "
    "ON CONFLICT (user_id, pref_key) DO UPDATE SET pref_value = excluded.pref_value"};
inline constexpr storage::Query kDeletePref{
    "accounts.prefs.delete", "DELETE FROM user_preferences WHERE user_id = ? AND pref_key = ?"};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_ACCOUNT_QUERIES_H_
