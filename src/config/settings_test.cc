#include "larch/config/settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "larch/testing/status_matchers.h"

namespace larch::config {
namespace {

using ::larch::testing::StatusIs;

using Env = std::map<std::string, std::string>;

TEST(Settings, DefaultsDeriveSqliteUrlFromDataDir) {
  auto s = ParseSettings("", Env{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->listen, "127.0.0.1:8000");
  EXPECT_EQ(s->database_url.rfind("sqlite:///", 0), 0u) << s->database_url;
  EXPECT_NE(s->database_url.find("/var/larch.db"), std::string::npos);
  EXPECT_FALSE(s->Feature("ENABLE_OPENBADGES"));
  EXPECT_TRUE(s->Feature("ENABLE_COMBINED_LOGIN_REGISTRATION"));
}

TEST(Settings, YamlValuesAndFeatures) {
  auto s = ParseSettings(R"(
PLATFORM_NAME: My Campus
WORKERS: 4
FEATURES:
  ENABLE_OPENBADGES: true
  CERTIFICATES_HTML_VIEW: True
)",
                         Env{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->platform_name, "My Campus");
  EXPECT_EQ(s->workers, 4);
  EXPECT_TRUE(s->Feature("ENABLE_OPENBADGES"));
  EXPECT_TRUE(s->Feature("CERTIFICATES_HTML_VIEW"));
}

TEST(Settings, EnvironmentOverridesFile) {
  auto s = ParseSettings("WORKERS: 4\nFEATURES: {ENABLE_OPENBADGES: true}\n",
                         Env{{"LARCH_WORKERS", "7"},
                             {"LARCH_FEATURES__ENABLE_OPENBADGES", "false"},
                             {"DATABASE_URL", "postgresql://u@127.0.0.1:5/db"},
                             {"LARCH_TEST_PG_DSN", "ignored"},
                             {"PATH", "/bin"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->workers, 7);
  EXPECT_FALSE(s->Feature("ENABLE_OPENBADGES"));
  EXPECT_EQ(s->database_url, "postgresql://u@127.0.0.1:5/db");
}

TEST(Settings, PrefixedDatabaseUrlWins) {
  auto s = ParseSettings(
      "", Env{{"DATABASE_URL", "sqlite:///a.db"}, {"LARCH_DATABASE_URL", "sqlite:///b.db"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->database_url, "sqlite:///b.db");
}

void ExpectErrorNaming(const StatusOr<Settings>& s, const std::string& key) {
  ASSERT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(key), std::string::npos) << s.status().message();
}

TEST(Settings, FileStoreIsTheDatabaseOrAnAbsoluteDirectory) {
  auto defaults = ParseSettings("", Env{});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->file_store, "database");
  auto dir = ParseSettings("FILE_STORE: dir:/shared/larch\n", Env{});
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->file_store, "dir:/shared/larch");
  for (const char* bad : {"dir:relative", "s3://bucket", "", "Database"}) {
    ExpectErrorNaming(ParseSettings("", Env{{"LARCH_FILE_STORE", bad}}), "FILE_STORE");
  }
}

TEST(Settings, ErrorsNameTheKey) {
  ExpectErrorNaming(ParseSettings("WORKRES: 2\n", Env{}), "WORKRES");
  ExpectErrorNaming(ParseSettings("WORKERS: many\n", Env{}), "WORKERS");
  ExpectErrorNaming(ParseSettings("WORKERS: 99999\n", Env{}), "WORKERS");
  ExpectErrorNaming(ParseSettings("WORKERS: [1, 2]\n", Env{}), "WORKERS");
  ExpectErrorNaming(ParseSettings("FEATURES: {ENABLE_OPENBADGE: true}\n", Env{}),
                    "ENABLE_OPENBADGE");
  ExpectErrorNaming(ParseSettings("FEATURES: {ENABLE_OPENBADGES: maybe}\n", Env{}),
                    "ENABLE_OPENBADGES");
  ExpectErrorNaming(ParseSettings("FEATURES: [a]\n", Env{}), "FEATURES");
  ExpectErrorNaming(ParseSettings("", Env{{"LARCH_WORKRES", "1"}}), "LARCH_WORKRES");
  ExpectErrorNaming(ParseSettings("", Env{{"LARCH_JOB_WORKERS", "-1"}}), "LARCH_JOB_WORKERS");
  ExpectErrorNaming(ParseSettings("LOG_LEVEL: loud\n", Env{}), "LOG_LEVEL");
  ExpectErrorNaming(ParseSettings("LISTEN: nowhere\n", Env{}), "LISTEN");
}

TEST(Settings, RejectsMalformedYaml) {
  auto s = ParseSettings("WORKERS: [1,\n", Env{});
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSettings("- a\n- b\n", Env{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Settings, RejectsDeeplyNestedYamlBeforeParsing) {
  // yaml-cpp recurses once per level: these would overflow the stack.
  std::string flow = "ALLOWED_HOSTS: " + std::string(200'000, '[') + std::string(200'000, ']');
  auto s = ParseSettings(flow, Env{});
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("nested deeper than 200"), std::string::npos)
      << s.status().message();
  std::string block = "ALLOWED_HOSTS:\n";
  for (int i = 0; i < 100'000; ++i) block += "- ";
  block += "x\n";
  EXPECT_NE(ParseSettings(block, Env{}).status().message().find("nested deeper"),
            std::string::npos);
  // Brackets in quotes and comments are text, and ordinary nesting is fine.
  std::string quoted = "PLATFORM_NAME: '" + std::string(300, '[') + "' # " + std::string(300, '{') +
                       "\nFEATURES: {ENABLE_OPENBADGES: true}\n";
  auto ok = ParseSettings(quoted, Env{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->platform_name, std::string(300, '['));
}

TEST(Settings, LoadSettingsReadsDataDirFile) {
  auto dir = std::filesystem::temp_directory_path() / "larch_settings_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "larch.yml");
    out << "PLATFORM_NAME: From File\n";
  }
  auto s = LoadSettings(dir.string(), "");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->platform_name, "From File");
  EXPECT_EQ(s->data_dir, dir.string());
  EXPECT_NE(s->database_url.find(dir.string()), std::string::npos);
  EXPECT_EQ(LoadSettings(dir.string(), (dir / "missing.yml").string()).status().code(),
            StatusCode::kNotFound);
  {
    std::ofstream out(dir / "bad.yml");
    out << "NOPE: 1\n";
  }
  auto bad = LoadSettings(dir.string(), (dir / "bad.yml").string());
  ASSERT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(bad.status().message().find("bad.yml"), std::string::npos);
  EXPECT_NE(bad.status().message().find("NOPE"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace larch::config

namespace larch::config {
namespace {

TEST(Settings, StructuredSettingsFromYamlAndEnv) {
  auto s = ParseSettings(R"(
AUTH_PASSWORD_VALIDATORS:
- NAME: common.djangoapps.util.password_policy_validators.MinimumLengthValidator
  OPTIONS:
    min_length: 16
REGISTRATION_EMAIL_PATTERNS_ALLOWED:
- "^.*@example\\.com$"
JWT_AUTH:
  JWT_ISSUER: "http://lms/oauth2"
  JWT_EXPIRATION: 30
)",
                         {{"LARCH_REGISTRATION_EXTRA_FIELDS", R"({"country": "required"})"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->auth_password_validators[0]["OPTIONS"]["min_length"], 16);
  EXPECT_EQ(s->registration_email_patterns_allowed[0], "^.*@example\\.com$");
  EXPECT_EQ(s->jwt_auth["JWT_ISSUER"], "http://lms/oauth2");
  EXPECT_EQ(s->jwt_auth["JWT_EXPIRATION"], 30);
  EXPECT_EQ(s->registration_extra_fields["country"], "required");
}

TEST(Settings, StructuredDefaultsAreOpenEdx) {
  auto s = ParseSettings("", {});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->auth_password_validators.size(), 3u);
  EXPECT_TRUE(s->registration_email_patterns_allowed.is_null());
  EXPECT_EQ(s->registration_extra_fields["honor_code"], "required");
  EXPECT_EQ(s->oauth_expire_public_client_days, 30);
  EXPECT_EQ(s->session_cookie_name, "sessionid");
  EXPECT_TRUE(s->Feature("ENABLE_MAX_FAILED_LOGIN_ATTEMPTS"));
}

TEST(Settings, StructuredSettingsCheckTheirShape) {
  auto bad = ParseSettings("JWT_AUTH: [1, 2]\n", {});
  ASSERT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(bad.status().message().find("JWT_AUTH"), std::string::npos);
  auto env = ParseSettings("", {{"LARCH_AUTH_PASSWORD_VALIDATORS", "{not json"}});
  ASSERT_THAT(env, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(env.status().message().find("LARCH_AUTH_PASSWORD_VALIDATORS"), std::string::npos);
  EXPECT_TRUE(ParseSettings("REGISTRATION_EMAIL_PATTERNS_ALLOWED: null\n", {}).ok());
}

}  // namespace
}  // namespace larch::config
