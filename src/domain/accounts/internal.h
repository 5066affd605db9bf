// Helpers shared by the accounts sources; not part of the public API.
#ifndef LARCH_ACCOUNTS_INTERNAL_H_
#define LARCH_ACCOUNTS_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/accounts/user.h"
#include "larch/common/status.h"
#include "larch/common/strings.h"
#include "larch/storage/database.h"

namespace larch::accounts::internal {

std::string Base64Encode(std::string_view bytes);
// Number of Unicode code points (Python's len() on the decoded string);
// invalid bytes count one each.
size_t CodePointCount(std::string_view utf8);
using ::larch::AsciiLower;
// larch::TrimAsciiWhitespace as a string, which the form code stores.
inline std::string Trim(std::string_view text) { return std::string(TrimAsciiWhitespace(text)); }
bool IsValidUsername(std::string_view username);
// Django's EmailValidator in spirit: local@domain with a dotted domain.
bool IsValidEmail(std::string_view email);
// ISO 3166-1 alpha-2 codes (django-countries).
bool IsCountryCode(std::string_view code);
std::string ToBase36(int64_t value);

// A user row as UserStore selects it (id, username, email, password,
// first_name, last_name, is_active, is_staff, is_superuser, date_joined,
// last_login), starting at column `offset`.
User UserFromRow(const storage::Row& row, size_t offset = 0);

// Open edX's SOCIAL_PLATFORMS url_stub of `platform` ("facebook" ->
// "facebook.com/"); nullopt for an unknown platform.
std::optional<std::string_view> SocialUrlStub(std::string_view platform);
// Open edX's format_social_link: "" for "", "https://www.<stub><username>"
// when `link` is a username or a URL holding <stub><username>, nullopt when
// no username without "/" can be read from it.
std::optional<std::string> FormatSocialLink(std::string_view url_stub, std::string_view link);

// The profile row written beside UserStore::Insert by registration,
// createsuperuser and create-service-user (account_service.cc).
Status InsertProfile(storage::Executor& ex, const Profile& p);

// Open edX's destroy_oauth_tokens: deletes every refresh and access token of
// the user, inside the caller's transaction (password reset and change,
// retirement). JWTs are stateless and stay valid until they expire.
Status DestroyOAuthTokens(storage::Executor& ex, int64_t user_id);

// Queues one mail (a "mail.send" job) inside the caller's transaction.
Status EnqueueMail(storage::Executor& ex, int64_t now, const std::string& to,
                   const std::string& subject, const std::string& text, const std::string& html);

}  // namespace larch::accounts::internal

#endif  // LARCH_ACCOUNTS_INTERNAL_H_
