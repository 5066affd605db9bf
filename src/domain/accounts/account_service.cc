#include "larch/accounts/account_service.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "account_queries.h"
#include "internal.h"
#include "larch/accounts/user_store.h"
#include "larch/events/event_data.h"
#include "larch/events/event_types.h"
#include "larch/storage/job_store.h"

namespace larch::accounts {
namespace {

using storage::Int;
using storage::Text;

std::string Get(const std::map<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

bool IsTrue(std::string_view value) { return internal::AsciiLower(value) == "true"; }

std::string LockoutMessage(int64_t minutes) {
  return "To protect your account, it\u2019s been temporarily locked. Try again in " +
         std::to_string(minutes) +
         " minutes.<li>To be on the safe side, you can reset your password <a http=\"#login\" "
         "class=\"form-toggle\" data-type=\"password-reset\">here</a> before you try again.";
}

// Field names Open edX stores on the profile when they come with the form.
const std::set<std::string>& ProfileFormFields() {
  static const auto* fields = new std::set<std::string>{"level_of_education",
                                                        "gender",
                                                        "year_of_birth",
                                                        "mailing_address",
                                                        "goals",
                                                        "city",
                                                        "country",
                                                        "state"};
  return *fields;
}

std::string ExtraFieldRequiredMessage(const std::string& field) {
  static const auto* messages = new std::map<std::string, std::string>{
      {"level_of_education", "A level of education is required"},
      {"gender", "Your gender is required"},
      {"year_of_birth", "Your year of birth is required"},
      {"mailing_address", "Your mailing address is required"},
      {"goals", "A description of your goals is required"},
      {"city", "A city is required"},
      {"country", "A country is required"}};
  auto it = messages->find(field);
  return it == messages->end() ? "You are missing one or more required fields" : it->second;
}

// Option values of a custom select field: ["a", "b"] or [{"value": "a", ...}].
std::vector<std::string> OptionValues(const nlohmann::json& field) {
  std::vector<std::string> values;
  for (const nlohmann::json& option : field.value("options", nlohmann::json::array())) {
    if (option.is_string()) {
      values.push_back(option.get<std::string>());
    } else if (option.is_object() && option.contains("value")) {
      values.push_back(option["value"].is_string() ? option["value"].get<std::string>()
                                                   : option["value"].dump());
    }
  }
  return values;
}

}  // namespace

AccountsOptions AccountsOptionsFromSettings(const config::Settings& settings) {
  AccountsOptions options;
  options.lms_base_url = settings.lms_base_url;
  while (!options.lms_base_url.empty() && options.lms_base_url.back() == '/') {
    options.lms_base_url.pop_back();
  }
  options.platform_name = settings.platform_name;
  options.default_from_email = settings.default_from_email;
  auto policy = PasswordPolicy::FromSettings(settings.auth_password_validators);
  if (policy.ok()) {
    options.password_policy = *policy;
  } else {
    spdlog::error("AUTH_PASSWORD_VALIDATORS ignored: {}", policy.status().ToString());
  }
  if (settings.registration_email_patterns_allowed.is_array()) {
    for (const auto& pattern : settings.registration_email_patterns_allowed) {
      if (pattern.is_string()) options.email_patterns_allowed.push_back(pattern.get<std::string>());
    }
  }
  if (settings.registration_extra_fields.is_object()) {
    for (const auto& [field, value] : settings.registration_extra_fields.items()) {
      if (value.is_string()) options.extra_fields[field] = value.get<std::string>();
    }
  }
  if (settings.registration_custom_fields.is_array()) {
    options.custom_fields = settings.registration_custom_fields;
  }
  auto feature = [&](std::string_view flag, bool fallback) {
    auto it = settings.features.find(flag);
    return it == settings.features.end() ? fallback : it->second;
  };
  options.enable_max_failed_login_attempts = feature("ENABLE_MAX_FAILED_LOGIN_ATTEMPTS", true);
  options.allow_public_account_creation = feature("ALLOW_PUBLIC_ACCOUNT_CREATION", true);
  options.skip_email_validation = feature("SKIP_EMAIL_VALIDATION", false);
  options.max_failed_login_attempts_allowed = settings.max_failed_login_attempts_allowed;
  options.max_failed_login_attempts_lockout_period_secs =
      settings.max_failed_login_attempts_lockout_period_secs;
  options.password_reset_timeout_secs = settings.password_reset_timeout;
  if (!settings.retirement_service_worker_username.empty()) {
    options.reserved_usernames.push_back(settings.retirement_service_worker_username);
  }
  return options;
}

StatusOr<AccountsOptions> LoadAccountsOptions(const config::Settings& settings) {
  LARCH_ASSIGN_OR_RETURN(PasswordPolicy policy,
                         PasswordPolicy::FromSettings(settings.auth_password_validators));
  AccountsOptions options = AccountsOptionsFromSettings(settings);
  options.password_policy = std::move(policy);
  for (const std::string& pattern : options.email_patterns_allowed) {
    try {
      std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return InvalidArgumentError("REGISTRATION_EMAIL_PATTERNS_ALLOWED: bad pattern " + pattern);
    }
  }
  for (const auto& [field, value] : options.extra_fields) {
    if (value != "required" && value != "optional" && value != "hidden") {
      return InvalidArgumentError(
          "Setting REGISTRATION_EXTRA_FIELDS values must be either required, optional, or "
          "hidden.");
    }
  }
  return options;
}

AccountService::AccountService(storage::Database& db, const Clock& clock, Random& random,
                               events::EventBus& events, AccountsOptions options)
    : db_(db),
      clock_(clock),
      random_(random),
      events_(events),
      options_(std::move(options)),
      hasher_(random) {}

// ---------------------------------------------------------------- lookups

StatusOr<User> AccountService::GetUserById(int64_t id) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(auto user, UserStore::FindById(*txn, id));
  if (!user) return NotFoundError("no such user");
  return *std::move(user);
}

StatusOr<User> AccountService::GetUserByUsername(std::string_view username) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(auto user, UserStore::FindByUsername(*txn, username));
  if (!user) return NotFoundError("no such user");
  return *std::move(user);
}

StatusOr<User> AccountService::GetUserByEmail(std::string_view email) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(auto user, UserStore::FindByEmail(*txn, email));
  if (!user) return NotFoundError("no such user");
  return *std::move(user);
}

// ----------------------------------------------------------- registration

std::vector<std::string> AccountService::UsernameSuggestions(std::string_view name, int count) {
  std::string base;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') base.push_back(c);
  }
  if (base.size() < 2) base = "user";
  if (base.size() > static_cast<size_t>(kUsernameMax - 4)) base.resize(kUsernameMax - 4);
  std::vector<std::string> out;
  auto txn = db_.Begin(storage::TxnMode::kReadOnly);
  if (!txn.ok()) return out;
  for (int attempt = 0; attempt < 20 && static_cast<int>(out.size()) < count; ++attempt) {
    std::string candidate = base + std::to_string(random_.Uniform(attempt < 10 ? 100 : 10000));
    if (std::find(out.begin(), out.end(), candidate) != out.end()) continue;
    auto existing = UserStore::FindByUsername(**txn, candidate);
    if (existing.ok() && !existing->has_value()) out.push_back(candidate);
  }
  return out;
}

namespace {

struct FieldCheck {
  std::map<std::string, std::string> errors;
  std::string error_code = "validation-error";
};

}  // namespace

// Validates every field of the form except uniqueness. Messages as Open
// edX's AccountCreationForm.
static FieldCheck CheckRegistrationFields(const AccountsOptions& options,
                                          const std::map<std::string, std::string>& form,
                                          bool only_present) {
  FieldCheck check;
  auto present = [&](const char* key) { return !only_present || form.count(key) > 0; };
  std::string username = internal::Trim(Get(form, "username"));
  std::string email = Get(form, "email");
  std::string name = Get(form, "name");
  std::string password = Get(form, "password");

  if (present("username")) {
    size_t len = internal::CodePointCount(username);
    if (len < static_cast<size_t>(kUsernameMin) || len > static_cast<size_t>(kUsernameMax)) {
      check.errors["username"] = "Username must be between 2 and 30 characters long.";
    } else if (!internal::IsValidUsername(username)) {
      check.errors["username"] =
          "Usernames can only contain letters (A-Z, a-z), numerals (0-9), underscores (_), and "
          "hyphens (-).";
    }
  }
  if (present("email")) {
    if (email.size() > static_cast<size_t>(kEmailMax)) {
      check.errors["email"] = "Email cannot be more than 254 characters long";
    } else if (email.size() < static_cast<size_t>(kEmailMin) || !internal::IsValidEmail(email)) {
      check.errors["email"] = "A properly formatted e-mail is required";
    } else if (!options.email_patterns_allowed.empty()) {
      bool allowed = false;
      for (const std::string& pattern : options.email_patterns_allowed) {
        try {
          // Open edX appends '$' to each pattern and uses re.match.
          if (std::regex_search(email, std::regex("^(?:" + pattern + ")$"))) allowed = true;
        } catch (const std::regex_error&) {
          spdlog::warn("bad REGISTRATION_EMAIL_PATTERNS_ALLOWED pattern ignored");
        }
      }
      if (!allowed) check.errors["email"] = "Unauthorized email address.";
    }
    if (!check.errors.count("email") && form.count("confirm_email") &&
        options.extra_fields.count("confirm_email") &&
        options.extra_fields.at("confirm_email") != "hidden" &&
        Get(form, "confirm_email") != email) {
      check.errors["confirm_email"] = "The email addresses do not match";
    }
  }
  if (present("name")) {
    if (name.empty()) {
      check.errors["name"] = "Your legal name must be a minimum of one character long";
    } else if (internal::CodePointCount(name) > static_cast<size_t>(kNameMax)) {
      check.errors["name"] = "Your legal name is too long. It must not exceed 255 characters";
    } else if (name.find_first_of("<>") != std::string::npos) {
      check.errors["name"] = "Full Name cannot contain the following characters: < >";
    } else if (name.find("://") != std::string::npos) {
      check.errors["name"] = "Enter a valid name";
    }
  }
  if (present("password")) {
    std::vector<std::string> policy =
        options.password_policy.Validate(password, username, email, name);
    if (!policy.empty()) {
      std::string joined;
      for (const std::string& m : policy) joined += (joined.empty() ? "" : " ") + m;
      check.errors["password"] = joined;
    } else if (!username.empty() && password == username) {
      check.errors["password"] = "Password cannot be the same as the username.";
    }
  }
  if (only_present) return check;

  // Honor code / terms of service (TrueField: only "true" counts).
  auto extra = options.extra_fields;
  if (!extra.count("honor_code")) extra["honor_code"] = "required";
  bool tos_required = extra.count("terms_of_service") == 0 ||
                      extra["terms_of_service"] != "hidden" || extra["honor_code"] != "hidden";
  std::string tos =
      form.count("terms_of_service") ? Get(form, "terms_of_service") : Get(form, "honor_code");
  if (extra["honor_code"] == "required" && !IsTrue(Get(form, "honor_code"))) {
    check.errors["honor_code"] = "To enroll, you must follow the honor code.";
  }
  if (tos_required && !IsTrue(tos)) {
    check.errors["terms_of_service"] = "You must accept the terms of service.";
  }
  for (const auto& [field, mode] : extra) {
    if (field == "honor_code" || field == "terms_of_service" || field == "confirm_email") continue;
    if (mode == "required" && internal::Trim(Get(form, field)).empty()) {
      check.errors[field] = ExtraFieldRequiredMessage(field);
    }
  }
  std::string country = Get(form, "country");
  if (!country.empty() && !check.errors.count("country") && !internal::IsCountryCode(country)) {
    check.errors["country"] = "Select your country or region of residence";
    if (check.errors.size() == 1) check.error_code = "invalid-country";
  }
  for (const nlohmann::json& field : options.custom_fields) {
    if (!field.is_object() || !field.contains("name") || !field["name"].is_string()) continue;
    std::string key = field["name"].get<std::string>();
    std::string value = Get(form, key);
    std::string type = field.value("type", "text");
    bool required = field.value("required", false);
    std::string required_message =
        field.contains("error_message") && field["error_message"].is_string()
            ? field["error_message"].get<std::string>()
            : "You are missing one or more required fields";
    if (type == "checkbox") {
      if (required && !IsTrue(value)) check.errors[key] = required_message;
    } else if (internal::Trim(value).empty()) {
      if (required) check.errors[key] = required_message;
    } else if (type == "select") {
      std::vector<std::string> values = OptionValues(field);
      if (std::find(values.begin(), values.end(), value) == values.end()) {
        check.errors[key] =
            "Select a valid choice. " + value + " is not one of the available choices.";
      }
    } else if (field.contains("max_length") && field["max_length"].is_number_integer() &&
               internal::CodePointCount(value) >
                   static_cast<size_t>(field["max_length"].get<int64_t>())) {
      check.errors[key] = "Ensure this value has at most " +
                          std::to_string(field["max_length"].get<int64_t>()) + " characters.";
    }
  }
  return check;
}

nlohmann::json AccountService::ValidateRegistration(
    const std::map<std::string, std::string>& form) {
  FieldCheck check = CheckRegistrationFields(options_, form, /*only_present=*/true);
  nlohmann::json decisions = nlohmann::json::object();
  std::vector<std::string> suggestions;
  for (const auto& [field, value] : form) {
    if (field != "username" && field != "email" && field != "name" && field != "password" &&
        field != "confirm_email" && field != "country") {
      continue;
    }
    decisions[field] = check.errors.count(field) ? check.errors[field] : "";
  }
  if (form.count("username") && decisions["username"] == "") {
    std::string wanted = internal::Trim(Get(form, "username"));
    if (IsReservedUsername(wanted) || GetUserByUsername(wanted).ok()) {
      decisions["username"] = "It looks like " + Get(form, "username") +
                              " belongs to an existing account. Try again with a different "
                              "username.";
      suggestions = UsernameSuggestions(Get(form, "username"));
    }
  }
  if (form.count("email") && decisions["email"] == "") {
    if (GetUserByEmail(Get(form, "email")).ok()) {
      decisions["email"] = "It looks like " + Get(form, "email") +
                           " belongs to an existing account. Try again with a different email "
                           "address.";
    }
  }
  if (form.count("country") && decisions["country"] == "" && !Get(form, "country").empty() &&
      !internal::IsCountryCode(Get(form, "country"))) {
    decisions["country"] = "Select your country or region of residence";
  }
  return {{"validation_decisions", decisions}, {"username_suggestions", suggestions}};
}

static Status CreateActivation(storage::Executor& ex, Random& random,
                               const AccountsOptions& options, const User& user, int64_t now) {
  std::string key = random.HexToken(16);
  LARCH_RETURN_IF_ERROR(ex.Execute(kInsertToken, {Text(TokenHash(key)), Text("activation"),
                                                  Int(user.id), Int(now), storage::Null()})
                            .status());
  std::string link = options.lms_base_url + "/activate/" + key;
  std::string text =
      "You're almost there! Use the link below to activate your account to access "
      "engaging, high-quality " +
      options.platform_name + " courses.\n\n" + link + "\n";
  std::string html =
      "<p>You're almost there! Use the link below to activate your account to "
      "access engaging, high-quality " +
      options.platform_name + " courses.</p><p><a href=\"" + link +
      "\">Activate your account</a></p>";
  return internal::EnqueueMail(
      ex, now, user.email, "Action Required: Activate your " + options.platform_name + " account",
      text, html);
}

static storage::SqlValue JsonText(const nlohmann::json& value) { return Text(value.dump()); }

Status internal::InsertProfile(storage::Executor& ex, const Profile& p) {
  return ex
      .Execute(kInsertProfile,
               {Int(p.user_id), Text(p.name), storage::OptionalInt(p.year_of_birth),
                storage::OptionalText(p.gender), storage::OptionalText(p.level_of_education),
                storage::OptionalText(p.mailing_address), storage::OptionalText(p.city),
                storage::OptionalText(p.country), storage::OptionalText(p.state),
                storage::OptionalText(p.goals), storage::OptionalText(p.bio),
                storage::OptionalText(p.phone_number), JsonText(p.language_proficiencies),
                JsonText(p.social_links), JsonText(p.extended_profile),
                storage::OptionalText(p.account_privacy),
                storage::OptionalInt(p.profile_image_uploaded_at)})
      .status();
}

StatusOr<RegistrationResult> AccountService::Register(
    const std::map<std::string, std::string>& form, RegistrationErrors* errors) {
  RegistrationErrors local;
  RegistrationErrors& out = errors != nullptr ? *errors : local;
  out = RegistrationErrors();
  if (!options_.allow_public_account_creation) {
    return PermissionDeniedError("public account creation is disabled")
        .WithUserMessage("Account creation not allowed.")
        .WithErrorCode("forbidden-request");
  }
  std::string username = internal::Trim(Get(form, "username"));
  std::string email = Get(form, "email");

  // Duplicates are answered first (409), as Open edX's RegistrationView does.
  auto duplicate_status = [&]() -> Status {
    bool username_taken =
        !username.empty() && (IsReservedUsername(username) || GetUserByUsername(username).ok());
    bool email_taken = !email.empty() && GetUserByEmail(email).ok();
    if (!username_taken && !email_taken) return OkStatus();
    if (username_taken) {
      out.fields["username"] =
          "An account with the Public Username '" + username + "' already exists.";
      out.username_suggestions = UsernameSuggestions(username);
    }
    if (email_taken) {
      out.fields["email"] = "It looks like " + email +
                            " belongs to an existing account. Try again with a different email "
                            "address.";
    }
    out.error_code = username_taken && email_taken ? "duplicate-email-username"
                     : username_taken              ? "duplicate-username"
                                                   : "duplicate-email";
    return AlreadyExistsError("username or email already registered").WithErrorCode(out.error_code);
  };
  LARCH_RETURN_IF_ERROR(duplicate_status());

  FieldCheck check = CheckRegistrationFields(options_, form, /*only_present=*/false);
  if (!check.errors.empty()) {
    out.fields = check.errors;
    out.error_code = check.error_code;
    return InvalidArgumentError("registration form has invalid fields")
        .WithErrorCode(check.error_code);
  }

  int64_t now = clock_.NowMicros();
  User user;
  user.username = username;
  user.email = email;
  user.password = hasher_.Hash(Get(form, "password"));  // outside the write lock: ~30 ms
  user.first_name = Get(form, "first_name");
  user.last_name = Get(form, "last_name");
  user.is_active = options_.skip_email_validation;
  user.date_joined = now;

  Profile profile;
  profile.name = Get(form, "name");
  for (const std::string& field : ProfileFormFields()) {
    std::string value = internal::Trim(Get(form, field));
    if (value.empty()) continue;
    if (field == "year_of_birth") {
      // Malformed years are dropped, as AccountCreationForm.clean_year_of_birth does.
      try {
        size_t used = 0;
        int64_t year = std::stoll(value, &used);
        if (used == value.size()) profile.year_of_birth = year;
      } catch (const std::exception&) {
      }
      continue;
    }
    std::optional<std::string>* slot = field == "level_of_education" ? &profile.level_of_education
                                       : field == "gender"           ? &profile.gender
                                       : field == "mailing_address"  ? &profile.mailing_address
                                       : field == "goals"            ? &profile.goals
                                       : field == "city"             ? &profile.city
                                       : field == "country"          ? &profile.country
                                                                     : &profile.state;
    *slot = value;
  }
  for (const nlohmann::json& field : options_.custom_fields) {
    if (!field.is_object() || !field.contains("name") || !field["name"].is_string()) continue;
    std::string key = field["name"].get<std::string>();
    if (!form.count(key)) continue;
    if (field.value("type", "text") == "checkbox") {
      profile.extended_profile[key] = IsTrue(Get(form, key));
    } else if (!Get(form, key).empty()) {
      profile.extended_profile[key] = Get(form, key);
    }
  }

  Status status =
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(user.id, UserStore::Insert(txn, user));
        profile.user_id = user.id;
        LARCH_RETURN_IF_ERROR(internal::InsertProfile(txn, profile));
        if (!user.is_active) {
          LARCH_RETURN_IF_ERROR(CreateActivation(txn, random_, options_, user, now));
        }
        return OkStatus();
      });
  if (status.code() == StatusCode::kAlreadyExists) {
    // Lost a race with a concurrent registration of the same name.
    LARCH_RETURN_IF_ERROR(duplicate_status());
    return status;
  }
  LARCH_RETURN_IF_ERROR(status);

  events::UserData data{user.id, user.is_active, user.username, user.email, profile.name};
  events_.Publish(events::kStudentRegistrationCompleted, events::UserPayload(data)).IgnoreError();
  return RegistrationResult{user, profile};
}

Status AccountService::Activate(std::string_view activation_key) {
  std::string hash = TokenHash(activation_key);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                           txn.Execute(kSelectToken, {Text(hash), Text("activation")}));
    if (rs.rows.empty() || !rs.rows[0].IsNull(2)) {
      return NotFoundError("unknown or used activation key");
    }
    int64_t now = clock_.NowMicros();
    LARCH_RETURN_IF_ERROR(txn.Execute(kUseToken, {Int(now), Text(hash)}).status());
    return UserStore::Activate(txn, rs.rows[0].GetInt(0));
  });
}

StatusOr<bool> AccountService::ResendActivationEmail(int64_t user_id) {
  bool sent = false;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(std::optional<User> user, UserStore::FindById(txn, user_id));
        if (!user) return NotFoundError("no such user");
        if (user->is_active) return OkStatus();
        sent = true;
        return CreateActivation(txn, random_, options_, *user, clock_.NowMicros());
      }));
  return sent;
}

// ------------------------------------------------------------------ login

StatusOr<User> AccountService::Authenticate(std::string_view login, std::string_view password,
                                            bool allow_username, LoginFailure* failure) {
  LoginFailure ignored;
  if (failure == nullptr) failure = &ignored;
  Status incorrect = UnauthenticatedError("wrong login or password")
                         .WithUserMessage("Email or password is incorrect.")
                         .WithErrorCode("incorrect-email-or-password");
  if (password.size() > kAbsolutePasswordMaxLength * 4) return incorrect;
  std::optional<User> user;
  {
    LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
    LARCH_ASSIGN_OR_RETURN(user, UserStore::FindByEmail(*txn, login));
    if (!user && allow_username) {
      LARCH_ASSIGN_OR_RETURN(user, UserStore::FindByUsername(*txn, login));
    }
  }
  if (!user) {
    // Spend the same time as a real check so timing does not reveal accounts.
    static std::once_flag once;
    static std::string dummy;
    std::call_once(once, [&] { dummy = hasher_.Hash("larch-timing-equalizer"); });
    hasher_.Verify(password, dummy);
    return incorrect;
  }
  const bool lockout_enabled = options_.enable_max_failed_login_attempts;
  const int64_t now = clock_.NowMicros();
  const int64_t lockout_minutes = options_.max_failed_login_attempts_lockout_period_secs / 60;
  Status locked_out = PermissionDeniedError("account locked out after failed logins")
                          .WithUserMessage(LockoutMessage(lockout_minutes))
                          .WithErrorCode("account-locked-out");
  if (lockout_enabled) {
    LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn->Execute(kSelectFailures, {Int(user->id)}));
    if (!rs.rows.empty() && !rs.rows[0].IsNull(1) && now < rs.rows[0].GetInt(1)) {
      return locked_out;
    }
  }

  bool verified = hasher_.Verify(password, user->password);
  if (verified && user->is_active) {
    std::string new_hash =
        hasher_.NeedsUpgrade(user->password) ? hasher_.Hash(password) : user->password;
    LARCH_RETURN_IF_ERROR(
        db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
          LARCH_RETURN_IF_ERROR(UserStore::RecordLogin(txn, user->id, now, new_hash));
          return txn.Execute(kClearFailures, {Int(user->id)}).status();
        }));
    user->password = new_hash;
    user->last_login = now;
    std::string name;
    if (auto profile = GetProfile(user->id); profile.ok()) name = profile->name;
    events::UserData data{user->id, user->is_active, user->username, user->email, name};
    events_.Publish(events::kSessionLoginCompleted, events::UserPayload(data)).IgnoreError();
    return *std::move(user);
  }

  // Failure: count it (also for a right password on an inactive account,
  // as Open edX does) and pick the message.
  int64_t failure_count = 0;
  bool now_locked = false;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        if (lockout_enabled) {
          int64_t until = now + options_.max_failed_login_attempts_lockout_period_secs * 1'000'000;
          storage::SqlValue first_until =
              options_.max_failed_login_attempts_allowed <= 1 ? Int(until) : storage::Null();
          LARCH_ASSIGN_OR_RETURN(
              storage::ResultSet rs,
              txn.Execute(kUpsertFailure,
                          {Int(user->id), first_until,
                           Int(options_.max_failed_login_attempts_allowed), Int(until)}));
          if (!rs.rows.empty()) {
            failure_count = rs.rows[0].GetInt(0);
            now_locked = !rs.rows[0].IsNull(1) && now < rs.rows[0].GetInt(1);
          }
        }
        if (verified && !user->is_active) {
          // Open edX re-sends the activation mail on such a login.
          LARCH_RETURN_IF_ERROR(CreateActivation(txn, random_, options_, *user, now));
        }
        return OkStatus();
      }));
  if (verified && !user->is_active) {
    return FailedPreconditionError("account not activated")
        .WithUserMessage(
            "In order to sign in, you need to activate your account.<br /><br />We just sent an "
            "activation link to <strong>" +
            user->email +
            "</strong>. If you do not receive an email, check your spam folders or contact " +
            options_.platform_name + " Support.")
        .WithErrorCode("inactive-user");
  }
  failure->failure_count = failure_count;
  if (lockout_enabled) {
    const int64_t allowed = options_.max_failed_login_attempts_allowed;
    if (now_locked) return locked_out;
    if (failure_count * 2 >= allowed) {
      int64_t remaining = allowed - failure_count;
      failure->allowed_failure_attempts = allowed;
      failure->remaining_attempts = remaining;
      return UnauthenticatedError("wrong password; lockout approaching")
          .WithUserMessage(
              "Email or password is incorrect.<li>You have " + std::to_string(remaining) +
              " more sign-in attempts before your account is temporarily locked.</li><li>If "
              "you've forgotten your password, click <a http=\"#login\" class=\"form-toggle\" "
              "data-type=\"password-reset\">here</a> to reset.</li>")
          .WithErrorCode("failed-login-attempt");
    }
  }
  return incorrect;
}

// ------------------------------------------------------------ create user

StatusOr<User> AccountService::CreateUser(const User& user, std::string_view password,
                                          const Profile& profile) {
  User created = user;
  created.password = password.empty() ? hasher_.UnusablePassword() : hasher_.Hash(password);
  if (created.date_joined == 0) created.date_joined = clock_.NowMicros();
  Profile p = profile;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
        LARCH_ASSIGN_OR_RETURN(created.id, UserStore::Insert(txn, created));
        p.user_id = created.id;
        return internal::InsertProfile(txn, p);
      }));
  return created;
}

}  // namespace larch::accounts
