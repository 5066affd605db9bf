// The `larch` subcommands as an operator runs them: exit codes and the one
// line each error prints.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "larch/storage/database.h"
#include "larch/storage/open_database.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Cli, VersionPrintsVersionAndSchema) {
  CommandResult r = RunLarch({"version"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "larch 0.1.0")) << r.output;
  EXPECT_TRUE(Contains(r.output, "schema")) << r.output;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunLarch({}).exit_code, 2);
  EXPECT_EQ(RunLarch({"frobnicate"}).exit_code, 2);
  CommandResult r = RunLarch({"serve", "--workers", "many"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.output, "--workers")) << r.output;
}

TEST(Cli, MigrateIsIdempotent) {
  TempDir dir;
  CommandResult first = RunLarch({"migrate", "--data-dir", dir.path()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(Contains(first.output, "schema at version")) << first.output;
  EXPECT_FALSE(Contains(first.output, "Applied 0 ")) << first.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/larch.db"));
  CommandResult second = RunLarch({"migrate", "--data-dir", dir.path()});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(Contains(second.output, "Applied 0 migration(s)")) << second.output;
}

TEST(Cli, ServeBeforeMigrateExplainsWhatToDo) {
  TempDir dir;
  CommandResult r = RunLarch({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(Contains(r.output, "larch migrate")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/larch.db"));
}

TEST(Cli, CheckPassesOnAFreshInstall) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult r = RunLarch({"check", "--data-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "ok: database")) << r.output;
  EXPECT_TRUE(Contains(r.output, "ok: database integrity")) << r.output;
}

TEST(Cli, CorruptDatabaseIsReportedNotServed) {
  TempDir dir;
  {
    std::ofstream out(dir.path() + "/larch.db", std::ios::binary);
    for (int i = 0; i < 4096; ++i) out << "garbage!";
  }
  CommandResult check = RunLarch({"check", "--data-dir", dir.path()});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_TRUE(Contains(check.output, "corrupt")) << check.output;
  CommandResult serve = RunLarch({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_TRUE(Contains(serve.output, "corrupt")) << serve.output;
}

TEST(Cli, UnknownSettingsNameTheKey) {
  TempDir dir;
  {
    std::ofstream out(dir.path() + "/larch.yml");
    out << "PLATFORM_NAME: Campus\nWORKRES: 2\n";
  }
  CommandResult file = RunLarch({"check", "--data-dir", dir.path()});
  EXPECT_EQ(file.exit_code, 2) << file.output;
  EXPECT_TRUE(Contains(file.output, "WORKRES")) << file.output;
  EXPECT_TRUE(Contains(file.output, "larch.yml")) << file.output;

  TempDir clean;
  CommandResult env = RunLarch({"check", "--data-dir", clean.path()}, {{"LARCH_WORKERS", "x"}});
  EXPECT_EQ(env.exit_code, 2) << env.output;
  EXPECT_TRUE(Contains(env.output, "LARCH_WORKERS")) << env.output;

  CommandResult flag = RunLarch({"check", "--data-dir", clean.path()},
                                {{"LARCH_FEATURES__ENABLE_OPENBADGE", "true"}});
  EXPECT_EQ(flag.exit_code, 2) << flag.output;
  EXPECT_TRUE(Contains(flag.output, "ENABLE_OPENBADGE")) << flag.output;
}

TEST(Cli, NewerSchemaIsRefused) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  {
    storage::DatabaseOptions options;
    options.url = "sqlite://" + dir.path() + "/larch.db";
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    static constexpr storage::Query kFuture{
        "insert_future_version",
        "INSERT INTO larch_schema_migrations (version, name, applied_at) VALUES (9999, 'x', 0)"};
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [](storage::Transaction& t) {
      return t.Execute(kFuture).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  CommandResult serve = RunLarch({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_TRUE(Contains(serve.output, "9999")) << serve.output;
  CommandResult migrate = RunLarch({"migrate", "--data-dir", dir.path()});
  EXPECT_NE(migrate.exit_code, 0) << migrate.output;
}

TEST(Cli, PortInUseIsOneClearLine) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  auto first = LarchProcess::Serve({"--data-dir", dir.path()}, {{"LARCH_ACCESS_LOG", "off"}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string listen = "127.0.0.1:" + std::to_string((*first)->port());
  CommandResult second = RunLarch({"serve", "--data-dir", dir.path(), "--listen", listen});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_TRUE(Contains(second.output, "larch: ")) << second.output;
  EXPECT_EQ(*(*first)->Stop(SIGTERM), 0);
}

// `larch rotate-keys` is another process: a running server must sign with
// the new key (and still publish the old one) without a restart.
TEST(Cli, RotateKeysIsPickedUpByTheRunningServer) {
  TempDir dir;
  ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir.path()}).exit_code, 0);
  auto server = LarchProcess::Serve({"--data-dir", dir.path()}, {{"LARCH_ACCESS_LOG", "off"}});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto kids = [&] {
    std::vector<std::string> out;
    nlohmann::json jwks = Json(Get((*server)->base_url() + "/auth/jwks.json"));
    if (jwks.is_object() && jwks["keys"].is_array()) {
      for (const auto& key : jwks["keys"]) out.push_back(key.value("kid", ""));
    }
    return out;
  };
  std::vector<std::string> before = kids();
  ASSERT_EQ(before.size(), 1u);
  CommandResult rotated = RunLarch({"rotate-keys", "--data-dir", dir.path()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_TRUE(Contains(rotated.output, "in the database")) << rotated.output;
  std::vector<std::string> after;
  for (int i = 0; i < 100 && (after = kids()).size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(after.size(), 2u) << "the server never loaded the new key";
  EXPECT_NE(after[0], before[0]);
  EXPECT_EQ(after[1], before[0]) << "the old key still verifies";
  EXPECT_EQ(*(*server)->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace larch::testing
