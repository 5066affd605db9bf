#include "larch/accounts/account_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "internal.h"
#include "larch/accounts/passwords.h"
#include "larch/events/event_types.h"
#include "larch/testing/status_matchers.h"
#include "test_fixture.h"

namespace larch::accounts {
namespace {

using ::larch::testing::StatusIs;

using testing::AccountsTest;
using ::testing::HasSubstr;

std::map<std::string, std::string> Form(const std::string& username = "alice",
                                        const std::string& email = "alice@example.com") {
  return {{"username", username},       {"email", email},       {"name", "Alice Liddell"},
          {"password", "Wonder-land9"}, {"honor_code", "true"}, {"country", "GB"}};
}

// Pulls the key out of the activation mail, as the user's click would.
std::string ActivationKey(const nlohmann::json& mail) {
  std::string text = mail["text"].get<std::string>();
  size_t pos = text.find("/activate/");
  return text.substr(pos + 10, 32);
}

TEST_F(AccountsTest, RegisterCreatesInactiveUserAndActivationMail) {
  std::vector<std::string> events;
  bus_->Subscribe(events::kStudentRegistrationCompleted, [&](const events::Event& e) {
    events.push_back(e.data.dump());
    return OkStatus();
  });
  AccountService::RegistrationErrors errors;
  auto result = service().Register(Form(), &errors);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->user.is_active);
  EXPECT_EQ(result->profile.name, "Alice Liddell");
  EXPECT_EQ(result->profile.country, "GB");
  EXPECT_EQ(result->user.password.rfind("argon2$argon2id$", 0), 0u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], HasSubstr("alice@example.com"));

  auto mails = MailJobs();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["to"], nlohmann::json::array({"alice@example.com"}));
  EXPECT_THAT(mails[0]["text"].get<std::string>(), HasSubstr("https://lms.example.com/activate/"));

  // Not active yet: login is refused with inactive-user.
  auto login = service().Authenticate("alice@example.com", "Wonder-land9", false);
  EXPECT_EQ(login.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(login.status().error_code(), "inactive-user");

  std::string key = ActivationKey(mails[0]);
  ASSERT_TRUE(service().Activate(key).ok());
  EXPECT_EQ(service().Activate(key).code(), StatusCode::kNotFound);
  EXPECT_EQ(service().Activate("nope").code(), StatusCode::kNotFound);
  EXPECT_TRUE(service().GetUserByUsername("ALICE")->is_active);
  EXPECT_TRUE(service().Authenticate("alice@example.com", "Wonder-land9", false).ok());
}

TEST_F(AccountsTest, ResendActivationEmailSendsANewWorkingKeyToInactiveUsersOnly) {
  auto result = service().Register(Form(), nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto resent = service().ResendActivationEmail(result->user.id);
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_TRUE(*resent);
  auto mails = MailJobs();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1]["to"], nlohmann::json::array({"alice@example.com"}));
  std::string key = ActivationKey(mails[1]);
  EXPECT_NE(key, ActivationKey(mails[0]));
  ASSERT_TRUE(service().Activate(key).ok());
  // Active now: nothing more is sent.
  resent = service().ResendActivationEmail(result->user.id);
  ASSERT_TRUE(resent.ok());
  EXPECT_FALSE(*resent);
  EXPECT_EQ(MailJobs().size(), 2u);
  EXPECT_EQ(service().ResendActivationEmail(987654).status().code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, SkipEmailValidationActivatesAtOnce) {
  options_.skip_email_validation = true;
  auto result = service().Register(Form(), nullptr);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->user.is_active);
  EXPECT_TRUE(MailJobs().empty());
}

TEST_F(AccountsTest, DuplicatesAreCaseInsensitiveWithSuggestions) {
  ASSERT_TRUE(service().Register(Form(), nullptr).ok());
  AccountService::RegistrationErrors errors;
  auto dup = service().Register(Form("ALICE", "other@example.com"), &errors);
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(errors.error_code, "duplicate-username");
  EXPECT_EQ(errors.fields["username"],
            "An account with the Public Username 'ALICE' already exists.");
  EXPECT_FALSE(errors.username_suggestions.empty());
  for (const auto& s : errors.username_suggestions) {
    EXPECT_EQ(service().GetUserByUsername(s).status().code(), StatusCode::kNotFound);
  }

  dup = service().Register(Form("bob", "Alice@Example.com"), &errors);
  EXPECT_EQ(errors.error_code, "duplicate-email");
  EXPECT_EQ(errors.fields["email"],
            "It looks like Alice@Example.com belongs to an existing account. Try again with a "
            "different email address.");
  dup = service().Register(Form("alice", "alice@example.com"), &errors);
  EXPECT_EQ(errors.error_code, "duplicate-email-username");
}

TEST_F(AccountsTest, FieldValidationMessages) {
  AccountService::RegistrationErrors errors;
  auto form = Form("a", "not-an-email");
  form["name"] = "";
  form["password"] = "x";
  form.erase("honor_code");
  auto r = service().Register(form, &errors);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors.error_code, "validation-error");
  EXPECT_EQ(errors.fields["username"], "Username must be between 2 and 30 characters long.");
  EXPECT_EQ(errors.fields["email"], "A properly formatted e-mail is required");
  EXPECT_EQ(errors.fields["name"], "Your legal name must be a minimum of one character long");
  EXPECT_EQ(errors.fields["password"],
            "This password is too short. It must contain at least 2 characters.");
  EXPECT_EQ(errors.fields["honor_code"], "To enroll, you must follow the honor code.");

  form = Form("bad name!", "ok@example.com");
  service().Register(form, &errors).status().IgnoreError();
  EXPECT_EQ(errors.fields["username"],
            "Usernames can only contain letters (A-Z, a-z), numerals (0-9), underscores (_), and "
            "hyphens (-).");

  form = Form();
  form["country"] = "XX";
  EXPECT_EQ(service().Register(form, &errors).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors.error_code, "invalid-country");
}

TEST_F(AccountsTest, EmailPatternsAllowed) {
  options_.email_patterns_allowed = {".*@school\\.tld"};
  AccountService::RegistrationErrors errors;
  EXPECT_THAT(service().Register(Form("bob", "bob@school.tld.evil.com"), &errors),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(errors.fields["email"], "Unauthorized email address.");
  EXPECT_TRUE(service().Register(Form("bob", "bob@school.tld"), &errors).ok());
}

TEST_F(AccountsTest, ExtraAndCustomFields) {
  options_.extra_fields = {{"city", "required"}, {"goals", "optional"}, {"gender", "hidden"}};
  options_.custom_fields = nlohmann::json::parse(R"([
    {"name": "employer", "label": "Employer", "type": "text", "required": true},
    {"name": "role", "label": "Role", "type": "select", "required": false,
     "options": ["student", "teacher"]},
    {"name": "newsletter", "label": "Newsletter", "type": "checkbox"}
  ])");
  AccountService::RegistrationErrors errors;
  auto form = Form();
  form["role"] = "pirate";
  EXPECT_THAT(service().Register(form, &errors), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(errors.fields["city"], "A city is required");
  EXPECT_EQ(errors.fields["employer"], "You are missing one or more required fields");
  EXPECT_EQ(errors.fields["role"],
            "Select a valid choice. pirate is not one of the available choices.");

  form["city"] = "Oxford";
  form["employer"] = "Christ Church";
  form["role"] = "teacher";
  form["newsletter"] = "true";
  auto result = service().Register(form, &errors);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto profile = service().GetProfile(result->user.id);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->city, "Oxford");
  EXPECT_EQ(profile->extended_profile["employer"], "Christ Church");
  EXPECT_EQ(profile->extended_profile["role"], "teacher");
  EXPECT_EQ(profile->extended_profile["newsletter"], true);

  nlohmann::json desc = service().RegistrationForm();
  std::vector<std::string> names;
  for (const auto& f : desc["fields"]) names.push_back(f["name"]);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"email", "name", "username", "password", "city",
                                              "goals", "employer", "role", "newsletter"}));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("gender")));
}

TEST_F(AccountsTest, PublicAccountCreationCanBeDisabled) {
  options_.allow_public_account_creation = false;
  auto r = service().Register(Form(), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().user_message(), "Account creation not allowed.");
}

TEST_F(AccountsTest, ValidateRegistrationDecisions) {
  ASSERT_TRUE(service().Register(Form(), nullptr).ok());
  auto out = service().ValidateRegistration(
      {{"username", "alice"}, {"email", "new@example.com"}, {"name", "X"}});
  EXPECT_EQ(out["validation_decisions"]["username"],
            "It looks like alice belongs to an existing account. Try again with a different "
            "username.");
  EXPECT_EQ(out["validation_decisions"]["email"], "");
  EXPECT_EQ(out["validation_decisions"]["name"], "");
  EXPECT_FALSE(out["username_suggestions"].empty());
}

class LoginTest : public AccountsTest {
 protected:
  User MakeUser(const std::string& password_hash, bool active = true) {
    User u;
    u.username = "carol";
    u.email = "carol@example.com";
    u.is_active = active;
    Profile p;
    p.name = "Carol";
    auto created = service().CreateUser(u, "placeholder", p);
    EXPECT_TRUE(created.ok());
    constexpr storage::Query kSet{"test.set_pw", "UPDATE users SET password = ? WHERE id = ?"};
    EXPECT_TRUE(db_->RunInTransaction(storage::TxnMode::kReadWrite,
                                      [&](auto& txn) {
                                        return txn
                                            .Execute(kSet, {storage::Text(password_hash),
                                                            storage::Int(created->id)})
                                            .status();
                                      })
                    .ok());
    return *created;
  }
};

TEST_F(LoginTest, UpgradesPbkdf2HashOnLogin) {
  int logins = 0;
  bus_->Subscribe(events::kSessionLoginCompleted, [&](const events::Event&) {
    ++logins;
    return OkStatus();
  });
  MakeUser(Pbkdf2Sha256Hash("pw-carol-1", "somesalt", 1000));
  auto user = service().Authenticate("carol@example.com", "pw-carol-1", false);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->last_login, clock_.NowMicros());
  auto stored = service().GetUserById(user->id);
  EXPECT_EQ(stored->password.rfind("argon2$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u);
  EXPECT_TRUE(service().Authenticate("carol@example.com", "pw-carol-1", false).ok());
  EXPECT_EQ(logins, 2);
  // Username login only when allowed (v2).
  EXPECT_EQ(service().Authenticate("carol", "pw-carol-1", false).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(service().Authenticate("CAROL", "pw-carol-1", true).ok());
}

TEST_F(LoginTest, WrongPasswordAndLockoutWithExpiry) {
  options_.max_failed_login_attempts_allowed = 4;
  options_.max_failed_login_attempts_lockout_period_secs = 600;
  MakeUser(Pbkdf2Sha256Hash("right-pw", "s", 1000));
  AccountService::LoginFailure counts;
  auto r = service().Authenticate("carol@example.com", "wrong", false, &counts);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().user_message(), "Email or password is incorrect.");
  EXPECT_EQ(counts.failure_count, 1);
  r = service().Authenticate("carol@example.com", "wrong", false, &counts);
  EXPECT_EQ(r.status().error_code(), "failed-login-attempt");
  EXPECT_THAT(r.status().user_message(), HasSubstr("You have 2 more sign-in attempts"));
  EXPECT_EQ(counts.failure_count, 2);
  EXPECT_EQ(counts.remaining_attempts, 2);
  EXPECT_EQ(counts.allowed_failure_attempts, 4);
  service().Authenticate("carol@example.com", "wrong", false).status().IgnoreError();
  r = service().Authenticate("carol@example.com", "wrong", false);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().error_code(), "account-locked-out");
  EXPECT_THAT(r.status().user_message(), HasSubstr("Try again in 10 minutes."));
  // Locked even with the right password.
  EXPECT_EQ(service().Authenticate("carol@example.com", "right-pw", false).status().error_code(),
            "account-locked-out");
  clock_.AdvanceSeconds(601);
  ASSERT_TRUE(service().Authenticate("carol@example.com", "right-pw", false).ok());
  // Success reset the counter.
  EXPECT_EQ(service().Authenticate("carol@example.com", "wrong", false).status().error_code(),
            "incorrect-email-or-password");
}

TEST_F(LoginTest, UnknownUserIsIncorrect) {
  auto r = service().Authenticate("ghost@example.com", "x", true);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().user_message(), "Email or password is incorrect.");
}

TEST_F(LoginTest, PasswordResetIsSingleUseAndExpires) {
  User carol = MakeUser(Pbkdf2Sha256Hash("old-pw", "s", 1000), /*active=*/false);
  EXPECT_TRUE(service().RequestPasswordReset("nobody@example.com").ok());
  EXPECT_TRUE(MailJobs().empty());
  ASSERT_TRUE(service().RequestPasswordReset("CAROL@example.com").ok());
  auto mails = MailJobs();
  ASSERT_EQ(mails.size(), 1u);
  std::string text = mails[0]["text"];
  size_t pos = text.find("/password_reset_confirm/");
  ASSERT_NE(pos, std::string::npos);
  std::string token = text.substr(pos + 24, text.find('/', pos + 24) - (pos + 24));

  std::vector<std::string> policy;
  EXPECT_EQ(service().ResetPassword(token, "x", &policy).code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(policy, ::testing::ElementsAre(
                          "This password is too short. It must contain at least 2 characters."));
  ASSERT_TRUE(service().ResetPassword(token, "brand-new-pw", &policy).ok());
  EXPECT_EQ(service().ResetPassword(token, "another-pw", &policy).code(), StatusCode::kNotFound);
  auto login = service().Authenticate("carol@example.com", "brand-new-pw", false);
  EXPECT_TRUE(login.ok()) << login.status().ToString();  // reset also activated

  ASSERT_TRUE(service().RequestPasswordReset("carol@example.com").ok());
  mails = MailJobs();
  text = mails.back()["text"];
  pos = text.find("/password_reset_confirm/");
  token = text.substr(pos + 24, text.find('/', pos + 24) - (pos + 24));
  clock_.AdvanceSeconds(options_.password_reset_timeout_secs + 1);
  EXPECT_EQ(service().ResetPassword(token, "late-pw-123", nullptr).code(), StatusCode::kNotFound);
  (void)carol;
}

TEST_F(LoginTest, ChangePassword) {
  User carol = MakeUser(Pbkdf2Sha256Hash("old-pw", "s", 1000));
  EXPECT_EQ(service().ChangePassword(carol.id, "bad", "new-pw-1", nullptr).code(),
            StatusCode::kUnauthenticated);
  std::vector<std::string> policy;
  EXPECT_EQ(service().ChangePassword(carol.id, "old-pw", "carol", &policy).code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(policy, ::testing::Contains("The password is too similar to the username."));
  ASSERT_TRUE(service().ChangePassword(carol.id, "old-pw", "new-pw-1", nullptr).ok());
  EXPECT_TRUE(service().Authenticate("carol@example.com", "new-pw-1", false).ok());
}

TEST_F(LoginTest, AccountJsonVisibilityAndPatch) {
  User carol = MakeUser(Pbkdf2Sha256Hash("pw", "s", 1000));
  User other = carol;
  other.id = carol.id + 100;
  other.is_staff = false;

  auto owner = service().AccountJson(carol, &carol, false);
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ((*owner)["email"], "carol@example.com");
  EXPECT_EQ((*owner)["url"], "https://lms.example.com/api/user/v1/accounts/carol");
  EXPECT_EQ((*owner)["account_privacy"], "private");
  EXPECT_EQ((*owner)["profile_image"]["has_image"], false);
  EXPECT_TRUE((*owner)["bio"].is_null());
  EXPECT_EQ((*owner)["requires_parental_consent"], true);

  // No year of birth: parental consent, so private to others whatever the
  // preference says (get_profile_visibility).
  auto shared = service().AccountJson(carol, &other, false);
  EXPECT_FALSE(shared->contains("email"));
  EXPECT_FALSE(shared->contains("bio"));
  EXPECT_EQ((*shared)["account_privacy"], "private");
  EXPECT_EQ((*owner)["account_privacy"], "private");

  nlohmann::json errors;
  auto bad = service().UpdateAccount(
      carol, {{"username", "x"}, {"bio", std::string(301, 'b')}, {"gender", "q"}}, &errors);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors["username"]["developer_message"], "This field is not editable via this API");
  EXPECT_EQ(errors["bio"]["user_message"], "This value is invalid.");
  EXPECT_THAT(errors["bio"]["developer_message"].get<std::string>(),
              HasSubstr("The about me field must be at most 300 characters long."));
  EXPECT_TRUE(errors.contains("gender"));
  EXPECT_TRUE(service().GetProfile(carol.id)->bio == std::nullopt);  // nothing written

  auto updated = service().UpdateAccount(
      carol,
      nlohmann::json::parse(R"({"bio": "Hi", "year_of_birth": 1990, "account_privacy": "private",
        "language_proficiencies": [{"code": "en"}],
        "social_links": [{"platform": "x", "social_link": "https://x.com/carol"}],
        "extended_profile": [{"field_name": "employer", "field_value": "ACME"}]})"),
      &errors);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["bio"], "Hi");
  EXPECT_EQ((*updated)["requires_parental_consent"], false);
  EXPECT_EQ((*updated)["extended_profile"][0]["field_value"], "ACME");
  EXPECT_EQ((*updated)["social_links"][0]["platform"], "x");
  EXPECT_EQ((*updated)["social_links"][0]["social_link"], "https://www.x.com/carol");
  auto priv = service().AccountJson(carol, &other, false);
  EXPECT_EQ(*priv, (nlohmann::json{{"account_privacy", "private"},
                                   {"profile_image", (*updated)["profile_image"]},
                                   {"username", "carol"}}));
  // Merge-patch null clears.
  updated = service().UpdateAccount(carol, {{"bio", nullptr}}, &errors);
  EXPECT_TRUE((*updated)["bio"].is_null());
}

TEST_F(LoginTest, Preferences) {
  User carol = MakeUser(Pbkdf2Sha256Hash("pw", "s", 1000));
  ASSERT_TRUE(service().SetPreference(carol.id, "pref-lang", "en").ok());
  ASSERT_TRUE(service().SetPreference(carol.id, "pref-lang", "fr").ok());
  EXPECT_EQ((*service().GetPreferences(carol.id))["pref-lang"], "fr");
  EXPECT_TRUE(service().DeletePreference(carol.id, "pref-lang").ok());
  EXPECT_EQ(service().DeletePreference(carol.id, "pref-lang").code(), StatusCode::kNotFound);
  EXPECT_EQ(service().SetPreference(carol.id, "", "x").code(), StatusCode::kInvalidArgument);
}

TEST_F(AccountsTest, CreateUserRejectsTakenNames) {
  User u;
  u.username = "Admin";
  u.email = "admin@example.com";
  u.is_active = u.is_staff = u.is_superuser = true;
  ASSERT_TRUE(service().CreateUser(u, "pw", Profile()).ok());
  u.username = "admin";
  u.email = "x@example.com";
  EXPECT_EQ(service().CreateUser(u, "pw", Profile()).status().code(), StatusCode::kAlreadyExists);
}

TEST(SocialLinksTest, FormatSocialLinkRebuildsOnThePlatformHost) {
  const std::string_view stub = *internal::SocialUrlStub("linkedin");
  EXPECT_EQ(stub, "linkedin.com/in/");
  EXPECT_EQ(internal::FormatSocialLink(stub, ""), "");
  EXPECT_EQ(internal::FormatSocialLink(stub, "ann"), "https://www.linkedin.com/in/ann");
  EXPECT_EQ(internal::FormatSocialLink(stub, "https://www.LinkedIn.com/in/ann/?x=1#f"),
            "https://www.linkedin.com/in/ann");
  EXPECT_EQ(internal::FormatSocialLink(stub, "javascript:alert(1)"),
            "https://www.linkedin.com/in/javascript:alert(1)");
  EXPECT_EQ(internal::FormatSocialLink(stub, "https://evil.example/ann"), std::nullopt);
  EXPECT_EQ(internal::FormatSocialLink(stub, "data:text/html,<b>x</b>"), std::nullopt);
  EXPECT_EQ(internal::FormatSocialLink(stub, "linkedin.com/in/"), std::nullopt);
  EXPECT_EQ(internal::FormatSocialLink(stub, "linkedin.com/in/a/b"), std::nullopt);
  EXPECT_FALSE(internal::SocialUrlStub("myspace").has_value());
}

}  // namespace
}  // namespace larch::accounts
