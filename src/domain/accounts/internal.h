// Helpers shared by the accounts sources; not part of the public API.
#ifndef LARCH_ACCOUNTS_INTERNAL_H_
#define LARCH_ACCOUNTS_INTERNAL_H_

#include <cstdint>
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
std::string Trim(std::string_view text);
bool IsValidUsername(std::string_view username);
// Django's EmailValidator in spirit: local@domain with a dotted domain.
bool IsValidEmail(std::string_view email);
// ISO 3166-1 alpha-2 codes (django-countries).
bool IsCountryCode(std::string_view code);
std::string ToBase36(int64_t value);

// Column list every user SELECT uses, in the order UserFromRow reads.
inline constexpr const char* kUserColumns =
    "id, username, email, password, first_name, last_name, is_active, is_staff, is_superuser, "
    "date_joined, last_login";
User UserFromRow(const storage::Row& row, size_t offset = 0);

}  // namespace larch::accounts::internal

#endif  // LARCH_ACCOUNTS_INTERNAL_H_
