#include "larch/config/settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace larch::config {
namespace {

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
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(key), std::string::npos) << s.status().message();
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
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.yml"), std::string::npos);
  EXPECT_NE(bad.status().message().find("NOPE"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace larch::config
