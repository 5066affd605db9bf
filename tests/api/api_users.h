// The users and OAuth2 clients most scenario tests set up before they start
// the server, and the password grant that turns a user into a token. Each
// call returns what the command or request gave, so the test keeps its own
// assertions.
//
// Thread safety: plain functions; one test thread.
#ifndef LARCH_TESTS_API_API_USERS_H_
#define LARCH_TESTS_API_API_USERS_H_

#include <map>
#include <string>
#include <vector>

#include "larch/common/http_client.h"
#include "larch/common/status.h"
#include "larch_process.h"

namespace larch::testing {

using LarchEnv = std::map<std::string, std::string>;

// Django's pbkdf2_sha256 hash of "password" (1000 iterations), which
// import-users keeps as is.
inline constexpr char kPasswordHash[] =
    "pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM=";

// `larch createsuperuser` in `data_dir`, e-mail address
// "<username>@example.com".
CommandResult CreateSuperuser(const std::string& data_dir, const std::string& username,
                              const std::string& password, const LarchEnv& env);

// `larch create-oauth-client` in `data_dir`: a password-grant client whose
// name and client id are `client_id`.
CommandResult CreatePasswordClient(const std::string& data_dir, const std::string& client_id,
                                   const std::string& client_secret, const LarchEnv& env);

// Writes <data_dir>/users.csv with one active user per name (e-mail
// "<name>@example.com", full name the username, `password_hash` as the
// password) and runs `larch import-users` on it.
CommandResult ImportUsers(const std::string& data_dir, const std::vector<std::string>& usernames,
                          const std::string& password_hash, const LarchEnv& env);

// POSTs the password grant of client `client_id` for `username` to
// <base_url>/oauth2/access_token (username and password percent-encoded,
// `extra_form` such as "&token_type=jwt" appended as it is).
StatusOr<HttpClientResponse> PasswordGrant(const std::string& base_url,
                                           const std::string& client_id,
                                           const std::string& client_secret,
                                           const std::string& username, const std::string& password,
                                           const std::string& extra_form = "");

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_API_USERS_H_
