// Fault tests for the SQLite backend: a writer killed mid-batch, a full
// disk, a corrupt file and a missing file.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "larch/storage/database.h"
#include "larch/storage/open_database.h"

extern char** environ;

namespace larch::storage {
namespace {

class StorageCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "larch-crash-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Url(const std::string& file) const { return "sqlite://" + dir_ + "/" + file; }

  std::string dir_;
};

StatusOr<ResultSet> ReadAll(Database& db, const Query& query) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db.Begin(TxnMode::kReadOnly));
  return txn->Execute(query);
}

TEST_F(StorageCrashTest, KilledWriterLeavesWholeBatches) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  const std::string url = Url("crash.db");
  std::string program = LARCH_CRASH_WRITER;
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  // Kill it once it has committed a few batches; it is then almost surely in
  // the middle of the next one.
  FILE* lines = fdopen(out[0], "r");
  ASSERT_NE(lines, nullptr);
  int64_t last_reported = -1;
  char buf[128];
  while (last_reported < 4 && std::fgets(buf, sizeof(buf), lines) != nullptr) {
    long long batch = -1;
    if (std::sscanf(buf, "committed %lld", &batch) == 1) last_reported = batch;
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  std::fclose(lines);
  ASSERT_GE(last_reported, 4) << "the writer stopped before committing five batches";
  ASSERT_TRUE(WIFSIGNALED(wstatus));

  DatabaseOptions options;
  options.url = url;
  options.must_exist = true;
  auto db = OpenDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  static constexpr Query kIntegrity{"integrity_check", "PRAGMA integrity_check"};
  auto integrity = ReadAll(**db, kIntegrity);
  ASSERT_TRUE(integrity.ok()) << integrity.status().ToString();
  ASSERT_EQ(integrity->size(), 1u);
  EXPECT_EQ(integrity->rows[0].GetText(0), "ok");

  static constexpr Query kBatches{
      "batches",
      "SELECT batch, COUNT(*), MIN(row_index), MAX(row_index) FROM batches "
      "GROUP BY batch ORDER BY batch"};
  auto batches = ReadAll(**db, kBatches);
  ASSERT_TRUE(batches.ok()) << batches.status().ToString();
  std::map<int64_t, int64_t> counts;
  for (const Row& row : batches->rows) {
    counts[row.GetInt(0)] = row.GetInt(1);
    EXPECT_EQ(row.GetInt(1), 100) << "batch " << row.GetInt(0) << " is partial";
    EXPECT_EQ(row.GetInt(2), 0);
    EXPECT_EQ(row.GetInt(3), 99);
  }
  for (int64_t b = 0; b <= last_reported; ++b) {
    EXPECT_EQ(counts.count(b), 1u) << "batch " << b << " was reported committed but is missing";
  }
  // Batches are committed in order, so the survivors form a prefix.
  if (!counts.empty()) EXPECT_EQ(counts.rbegin()->first + 1, static_cast<int64_t>(counts.size()));
}

TEST_F(StorageCrashTest, FullDiskIsResourceExhaustedAndKeepsCommittedRows) {
  DatabaseOptions options;
  options.url = Url("full.db");
  options.sqlite_max_page_count = 64;
  auto db = OpenDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  static constexpr Query kCreate{
      "create_fill", "CREATE TABLE fill (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"};
  static constexpr Query kInsert{"insert_fill", "INSERT INTO fill (payload) VALUES (?)"};
  static constexpr Query kCount{"count_fill", "SELECT COUNT(*) FROM fill"};
  static constexpr Query kDeleteHalf{"delete_fill", "DELETE FROM fill WHERE id % 2 = 0"};
  ASSERT_TRUE(
      (*db)
          ->RunInTransaction(TxnMode::kReadWrite,
                             [&](Transaction& txn) { return txn.Execute(kCreate).status(); })
          .ok());

  const std::string payload(1000, 'p');
  int64_t committed = 0;
  Status last;
  for (int i = 0; i < 10'000; ++i) {
    last = (*db)->RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
      return txn.Execute(kInsert, {Text(payload)}).status();
    });
    if (!last.ok()) break;
    ++committed;
  }
  ASSERT_EQ(last.code(), StatusCode::kResourceExhausted) << last.ToString();
  ASSERT_GT(committed, 0);

  auto count = ReadAll(**db, kCount);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->rows[0].GetInt(0), committed);

  ASSERT_TRUE(
      (*db)
          ->RunInTransaction(TxnMode::kReadWrite,
                             [&](Transaction& txn) { return txn.Execute(kDeleteHalf).status(); })
          .ok());
  Status again = (*db)->RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) {
    return txn.Execute(kInsert, {Text(payload)}).status();
  });
  EXPECT_TRUE(again.ok()) << again.ToString();
}

TEST_F(StorageCrashTest, GarbageFileIsDataLoss) {
  const std::string path = dir_ + "/garbage.db";
  {
    std::ofstream file(path, std::ios::binary);
    for (int i = 0; i < 400; ++i) file << "this is not an sqlite database, just text. ";
  }
  DatabaseOptions options;
  options.url = "sqlite://" + path;
  auto db = OpenDatabase(options);
  EXPECT_EQ(db.status().code(), StatusCode::kDataLoss) << db.status().ToString();
}

TEST_F(StorageCrashTest, MissingFileWithMustExistIsNotFound) {
  DatabaseOptions options;
  options.url = Url("missing.db");
  options.must_exist = true;
  auto db = OpenDatabase(options);
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound) << db.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/missing.db")) << "must_exist must not create it";
}

TEST_F(StorageCrashTest, UnknownSchemeIsInvalidArgument) {
  DatabaseOptions options;
  options.url = "mysql://root:hunter2@localhost/x";
  auto db = OpenDatabase(options);
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db.status().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace larch::storage
