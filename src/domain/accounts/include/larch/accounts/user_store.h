// UserStore: the one owner of the SQL on the `users` table (Django's
// auth_user). Every module that reads or writes a user row calls it: inside
// accounts, AccountService, SessionStore, retirement and import-users; from
// other domain modules, oauth (the bearer token's owner), enrollment (the
// learner and actor of an enrollment, the bulk and batch lookups) and
// milestones (does the user exist). Nobody else names `users` in SQL.
//
// Where it lives: domain modules may depend on each other
// (scripts/check_layers.sh's `domain` row) as long as the CMake graph has no
// cycle. accounts depends on no other domain module, so the modules that need
// users (oauth, enrollment, milestones) depend on accounts, in that one
// direction; the store is accounts' and nothing below accounts needs it.
//
// Every method runs on the caller's transaction (storage::Executor), so a use
// case keeps its one transaction and its isolation; the store opens none. A
// lookup that finds nothing is nullopt (or absent from the map), never an
// error; errors are the storage's own (kUnavailable, kAborted, ...), and
// writes that break the case-insensitive uniqueness of username or email are
// kAlreadyExists.
//
// Thread safety: stateless; as safe as the Executor passed in.
#ifndef LARCH_ACCOUNTS_USER_STORE_H_
#define LARCH_ACCOUNTS_USER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larch/accounts/user.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::accounts {

// What other modules print about a user: the row's identity and activation
// with the profile's full name ("" without a profile). The openedx-events
// UserData of the enrollment events is built from it.
struct UserSummary {
  int64_t id = 0;
  std::string username;
  std::string email;
  bool is_active = false;
  std::string name;
};

// The identity columns import-users matches rows against, lowercased.
struct UserLoginKeys {
  int64_t id = 0;
  std::string username_lower;
  std::string email_lower;
};

// The columns an import may overwrite on an existing user. An empty
// password keeps the stored one.
struct ImportedUserFields {
  std::string username;
  std::string email;
  std::string password;
  std::string first_name;
  std::string last_name;
  bool is_active = false;
  bool is_staff = false;
  bool is_superuser = false;
};

class UserStore {
 public:
  // ------------------------------------------------------------ lookups
  // The full row; nullopt when there is no such user. The bearer-token owner
  // (username, is_staff, is_superuser, is_active) is read with FindById.
  static StatusOr<std::optional<User>> FindById(storage::Executor& ex, int64_t id);
  // Case-insensitive (the unique indexes are on lower(username), lower(email)).
  static StatusOr<std::optional<User>> FindByUsername(storage::Executor& ex,
                                                      std::string_view username);
  static StatusOr<std::optional<User>> FindByEmail(storage::Executor& ex, std::string_view email);
  // One indexed probe of the primary key.
  static StatusOr<bool> Exists(storage::Executor& ex, int64_t id);

  // The user with the profile name; nullopt when absent.
  static StatusOr<std::optional<UserSummary>> FindSummary(storage::Executor& ex, int64_t id);
  // The users with these ids (duplicates allowed), keyed by id; missing ids
  // are absent. Reads in chunks of a few hundred ids per statement.
  static StatusOr<std::unordered_map<int64_t, UserSummary>> FindSummaries(storage::Executor& ex,
                                                                          std::vector<int64_t> ids);
  // Every user whose lowercased username or email is one of `lowered` (the
  // caller lowercases, with AsciiLower), in no particular order and each
  // user once per chunk it matches in; chunked like FindSummaries.
  static StatusOr<std::vector<UserSummary>> FindSummariesByLogin(
      storage::Executor& ex, const std::vector<std::string>& lowered);
  // Ids, ascending, of the users whose username (or, with `or_email`, whose
  // email) contains `text`, case-insensitively (Django's __icontains).
  static StatusOr<std::vector<int64_t>> SearchIds(storage::Executor& ex, std::string_view text,
                                                  bool or_email);
  // Every user's id with lowercased username and email (import-users' map).
  static StatusOr<std::vector<UserLoginKeys>> ListLoginKeys(storage::Executor& ex);

  // ------------------------------------------------------------- writes
  // Inserts `user` (its id is ignored) and returns the new id.
  static StatusOr<int64_t> Insert(storage::Executor& ex, const User& user);
  static Status Activate(storage::Executor& ex, int64_t id);
  // `encoded` is the Django password hash to store.
  static Status SetPassword(storage::Executor& ex, int64_t id, std::string_view encoded);
  // A successful login: last_login and the (possibly re-hashed) password.
  static Status RecordLogin(storage::Executor& ex, int64_t id, int64_t now,
                            std::string_view encoded);
  // Retirement: the row keeps its id and username, with a retired email and
  // an unusable password.
  static Status Retire(storage::Executor& ex, int64_t id, std::string_view retired_email,
                       std::string_view unusable_password);
  // import-users' update of an existing row.
  static Status UpdateImported(storage::Executor& ex, int64_t id, const ImportedUserFields& fields);
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_USER_STORE_H_
