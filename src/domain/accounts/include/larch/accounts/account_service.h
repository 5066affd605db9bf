// Accounts: registration, activation, login, password reset/change, the
// accounts API object and preferences, as Open edX's user_authn and
// user_api apps do them (same validation rules, messages and error codes).
//
// Every write and the mail it causes (jobs of kind "mail.send", payload
// {"to": [...], "subject", "text", "html"}) happen in one transaction.
// Events: org.openedx.learning.student.registration.completed.v1 after a
// registration commits, org.openedx.learning.auth.session.login.completed.v1
// after a successful Authenticate.
//
// Thread safety: AccountService is thread-safe (it holds no mutable state
// besides what the Database, Clock, Random and EventBus synchronize).
#ifndef LARCH_ACCOUNTS_ACCOUNT_SERVICE_H_
#define LARCH_ACCOUNTS_ACCOUNT_SERVICE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/accounts/password_policy.h"
#include "larch/accounts/passwords.h"
#include "larch/accounts/user.h"
#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/config/settings.h"
#include "larch/events/event_bus.h"
#include "larch/storage/database.h"

namespace larch::accounts {

// Built from config::Settings by the app (AccountsOptionsFromSettings).
struct AccountsOptions {
  std::string lms_base_url = "http://127.0.0.1:8000";
  std::string platform_name = "Larch";
  std::string default_from_email = "no-reply@example.com";
  PasswordPolicy password_policy;
  // Empty means any address (REGISTRATION_EMAIL_PATTERNS_ALLOWED = None);
  // otherwise the email must fully match one (ECMAScript regex,
  // case-insensitive).
  std::vector<std::string> email_patterns_allowed;
  // REGISTRATION_EXTRA_FIELDS: field -> "required" | "optional" | "hidden".
  std::map<std::string, std::string> extra_fields;
  // REGISTRATION_CUSTOM_FIELDS: [{"name", "label", "type", "required",
  // "options", "instructions", "restrictions"}]; values land in
  // extended_profile.
  nlohmann::json custom_fields = nlohmann::json::array();
  bool enable_max_failed_login_attempts = true;
  int64_t max_failed_login_attempts_allowed = 6;
  int64_t max_failed_login_attempts_lockout_period_secs = 1800;
  int64_t password_reset_timeout_secs = 259'200;
  bool allow_public_account_creation = true;
  // New accounts are active at once and get no activation mail.
  bool skip_email_validation = false;
  // Usernames registration refuses as if taken (case-insensitive): the
  // RETIREMENT_SERVICE_WORKER_USERNAME, which only an operator may create
  // (CreateServiceUser).
  std::vector<std::string> reserved_usernames;
};

// Falls back to the default PasswordPolicy when AUTH_PASSWORD_VALIDATORS is
// invalid; use LoadAccountsOptions to fail instead.
AccountsOptions AccountsOptionsFromSettings(const config::Settings& settings);
// kInvalidArgument naming the bad validator or email pattern.
StatusOr<AccountsOptions> LoadAccountsOptions(const config::Settings& settings);

struct FieldErrors {
  std::map<std::string, std::string> errors;  // field -> user message
};

struct RegistrationResult {
  User user;
  Profile profile;
};

class AccountService {
 public:
  AccountService(storage::Database& db, const Clock& clock, Random& random,
                 events::EventBus& events, AccountsOptions options);

  const AccountsOptions& options() const { return options_; }
  const PasswordHasher& hasher() const { return hasher_; }

  // The registration form description Open edX's RegistrationView GET
  // returns: {"method": "post", "submit_url": "/api/user/v2/account/registration/",
  // "fields": [{"name", "label", "type", "required", "placeholder",
  // "instructions", "restrictions", "options", "errorMessages",
  // "defaultValue", "supplementalLink", "supplementalText", "loginIssueSupportLink"}]}.
  nlohmann::json RegistrationForm() const;

  struct RegistrationErrors {
    std::map<std::string, std::string> fields;  // field -> user message
    std::string error_code;                     // "validation-error", "duplicate-email", ...
    std::vector<std::string> username_suggestions;
  };
  // `form` is the POSTed form (email, name, username, password, honor_code,
  // terms_of_service, country, extra and custom fields). On success the user
  // (inactive unless skip_email_validation), profile and activation token
  // exist and the activation mail (LMS_BASE_URL/activate/<key>) is enqueued.
  // Failures fill `errors` (may be null):
  //   kInvalidArgument  field validation; error_code "validation-error" or
  //                     "invalid-country" (HTTP 400)
  //   kAlreadyExists    duplicate email/username; error_code
  //                     "duplicate-email" | "duplicate-username" |
  //                     "duplicate-email-username", with suggestions (409)
  //   kPermissionDenied ALLOW_PUBLIC_ACCOUNT_CREATION is off
  //                     ("Account creation not allowed.") (403)
  StatusOr<RegistrationResult> Register(const std::map<std::string, std::string>& form,
                                        RegistrationErrors* errors);

  // POST /api/user/v1/validation/registration: {"validation_decisions":
  // {field: "" | message} for each field present in `form`,
  // "username_suggestions": [...]}.
  nlohmann::json ValidateRegistration(const std::map<std::string, std::string>& form);

  // Activates the account of an unused activation key. Keys are single use:
  // kNotFound for unknown or already used keys.
  Status Activate(std::string_view activation_key);

  // Re-sends the activation mail of an inactive account: a new single-use
  // key and the mail job, in one transaction (student's
  // compose_and_send_activation_email). True when a mail was enqueued, false
  // for an account that is already active. kNotFound for no such user.
  StatusOr<bool> ResendActivationEmail(int64_t user_id);

  // Login. `login` is an email, or with `allow_username` an email or
  // username. On success updates last_login, re-hashes a password that
  // NeedsUpgrade, clears login failures and publishes
  // SESSION_LOGIN_COMPLETED. Failures (user_message set, error_code where
  // Open edX sends one):
  //   kUnauthenticated   "Email or password is incorrect." (counts a failure)
  //   kPermissionDenied  error_code "account-locked-out", lockout message
  //   kFailedPrecondition error_code "inactive-user", Open edX's activation message
  // When `failure` is given it receives the counts behind the error, which
  // Open edX sends as the login response's "context".
  struct LoginFailure {
    // Failures counted so far (0 when lockout is off or the user is unknown).
    int64_t failure_count = 0;
    // MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED and what is left of it.
    int64_t allowed_failure_attempts = 0;
    int64_t remaining_attempts = 0;
  };
  StatusOr<User> Authenticate(std::string_view login, std::string_view password,
                              bool allow_username, LoginFailure* failure = nullptr);

  // Always OK for unknown emails (no enumeration). For a
  // known user, creates a single-use token valid PASSWORD_RESET_TIMEOUT and
  // enqueues the mail with LMS_BASE_URL/password_reset_confirm/<uidb36>-<token>/.
  Status RequestPasswordReset(std::string_view email);
  // `token` is "<uidb36>-<token>" as in the link (a bare token is accepted
  // too). kNotFound: unknown, used or expired token. kInvalidArgument: the
  // policy messages, also in `policy_errors` (may be null). Success also
  // activates the account (the mail proved the address), ends every session
  // of the user and clears login failures.
  Status ResetPassword(std::string_view token, std::string_view new_password,
                       std::vector<std::string>* policy_errors);
  // kUnauthenticated when `old_password` is wrong; kInvalidArgument with
  // policy messages; kNotFound for an unknown user.
  Status ChangePassword(int64_t user_id, std::string_view old_password,
                        std::string_view new_password, std::vector<std::string>* policy_errors);

  // kNotFound when there is no such user. Username/email are case-insensitive.
  StatusOr<User> GetUserById(int64_t id);
  StatusOr<User> GetUserByUsername(std::string_view username);
  StatusOr<User> GetUserByEmail(std::string_view email);
  // kNotFound when the user has no profile row.
  StatusOr<Profile> GetProfile(int64_t user_id);

  // The accounts API object (openedx_apis.md 5.3) of `target` as `viewer`
  // (null = anonymous) sees it: the owner and staff see every field unless
  // `view_shared` (the owner's "?view=shared"); others get the fields the
  // target's account_privacy shares. Its absolute URLs start with
  // `base_url` ("scheme://host[:port]", the request's), or LMS_BASE_URL when
  // empty.
  StatusOr<nlohmann::json> AccountJson(const User& target, const User* viewer, bool view_shared,
                                       std::string_view base_url = {});

  // Applies a JSON merge-patch to the account. kInvalidArgument with
  // `field_errors` = {field: {"developer_message", "user_message"}} when any
  // field is invalid or read-only (nothing is written then). Returns the
  // updated account as the owner sees it.
  StatusOr<nlohmann::json> UpdateAccount(const User& target, const nlohmann::json& patch,
                                         nlohmann::json* field_errors);

  StatusOr<std::map<std::string, std::string>> GetPreferences(int64_t user_id);
  // kInvalidArgument for an empty key or a key longer than 255 characters.
  Status SetPreference(int64_t user_id, std::string_view key, std::string_view value);
  // kNotFound when the preference does not exist.
  Status DeletePreference(int64_t user_id, std::string_view key);

  // createsuperuser and tests: creates `user` (id and date_joined are
  // assigned; date_joined from the clock when 0) with the hashed `password`
  // (unusable when empty) and `profile`. No policy check, no mail.
  // kAlreadyExists when the username or email is taken.
  StatusOr<User> CreateUser(const User& user, std::string_view password, const Profile& profile);

  // Free variants of `name` ("name1", "name_42", ...) for duplicate errors.
  std::vector<std::string> UsernameSuggestions(std::string_view name, int count = 3);

  // --- Service accounts and retirement (retirement.cc) ---

  // True when `username` is one of options().reserved_usernames.
  bool IsReservedUsername(std::string_view username) const;

  // `larch create-service-user`: an active, non-staff user with an unusable
  // password (it authenticates through an OAuth client it owns), recorded as
  // an operator-made service account, all in one transaction. The name may
  // be a reserved one. kAlreadyExists when the username or email is taken.
  StatusOr<User> CreateServiceUser(std::string_view username, std::string_view email);
  // True when `user_id` was made by CreateServiceUser (a user registered
  // under the same name by other means is not).
  StatusOr<bool> IsServiceUser(int64_t user_id);

  // deactivate_logout/ (Open edX's create_retirement_request_and_deactivate_
  // account) for the signed-in `user_id` after checking `password`: in one
  // transaction a user_retirement_status row in state PENDING, the email
  // replaced by a retired address, an unusable password, every session,
  // OAuth token and activation/reset link ended. kUnauthenticated
  // ("Email or password is incorrect.") for a wrong password; kAlreadyExists
  // when the user already has a retirement row; kNotFound for no such user.
  Status RequestRetirement(int64_t user_id, std::string_view password);

  struct RetirementStatus {
    int64_t id = 0;
    int64_t user_id = 0;
    std::string original_username;
    std::string original_email;
    std::string current_state;
  };
  // The retirement row of `original_username` (case-insensitive); kNotFound
  // when that user never asked for retirement.
  StatusOr<RetirementStatus> GetRetirementStatus(std::string_view original_username);

 private:
  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  events::EventBus& events_;
  const AccountsOptions options_;
  const PasswordHasher hasher_;
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_ACCOUNT_SERVICE_H_
