// The real sandbox (bwrap, seccomp, rlimits): what a job gets back, and the
// escapes a hostile problem tries, each of which fails that one job with a
// clear status while the next job still runs.
#include "larch/sandbox/sandbox_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::sandbox {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

class SandboxRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SandboxOptions options;
    options.pool_size = 2;
    options.cpu_seconds = 1;
    options.wall_seconds = 3;
    options.memory_bytes = std::int64_t{128} << 20;
    StatusOr<std::unique_ptr<SandboxRunner>> runner = SandboxRunner::Create(options);
    ASSERT_TRUE(runner.ok()) << runner.status().message();
    runner_ = runner->release();
  }
  static void TearDownTestSuite() {
    delete runner_;
    runner_ = nullptr;
  }

  static StatusOr<nlohmann::json> Run(const std::string& code,
                                      nlohmann::json globals = nlohmann::json::object()) {
    capa::PythonJob job;
    job.code = code;
    job.globals = std::move(globals);
    return runner_->Run(job);
  }

  // The sandbox still serves ordinary jobs after a hostile one.
  static void ExpectHealthy() {
    StatusOr<nlohmann::json> after = Run("y = x + 1", {{"x", 41}});
    ASSERT_TRUE(after.ok()) << after.status().message();
    EXPECT_EQ(after->at("y"), 42);
  }

  static SandboxRunner* runner_;
};

SandboxRunner* SandboxRunnerTest::runner_ = nullptr;

TEST_F(SandboxRunnerTest, ReturnsTheJsonSerialisableGlobals) {
  LARCH_ASSERT_OK_AND_ASSIGN(
      nlohmann::json globals,
      Run("import math\ny = x * 2\nt = (1, 'a')\nf = lambda: 1\nr = math.sqrt(16)\n"
          "print('printing is harmless')\n",
          {{"x", 21}, {"s", "caf\u00e9"}}));
  EXPECT_EQ(globals.at("y"), 42);
  EXPECT_EQ(globals.at("x"), 21);
  EXPECT_EQ(globals.at("s"), "caf\u00e9");
  EXPECT_EQ(globals.at("t"), nlohmann::json::parse(R"([1, "a"])"));
  EXPECT_EQ(globals.at("r"), 4.0);
  EXPECT_FALSE(globals.contains("math"));
  EXPECT_FALSE(globals.contains("f"));
  EXPECT_FALSE(globals.contains("__builtins__"));
}

TEST_F(SandboxRunnerTest, ExceptionIsInvalidArgumentWithItsLastLine) {
  EXPECT_THAT(
      Run("x = 1\ny = 1 / 0\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("ZeroDivisionError: division by zero")));
  EXPECT_THAT(Run("def f(:\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("SyntaxError")));
  EXPECT_THAT(Run("raise SystemExit(3)"), StatusIs(StatusCode::kInvalidArgument));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, PythonLibZipIsImportable) {
  const std::string dir = ::testing::TempDir() + "/sandbox_lib_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string zip = dir + "/python_lib.zip";
  const std::string make =
      "/usr/bin/python3 -c \"import zipfile; z = zipfile.ZipFile('" + zip +
      "', 'w'); z.writestr('helper.py', 'def double(x):\\n    return 2 * x\\n');"
      " z.close()\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  capa::PythonJob job;
  job.code = "import helper\ny = helper.double(21)\n";
  job.python_lib_zip = zip;
  LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json globals, runner_->Run(job));
  EXPECT_EQ(globals.at("y"), 42);
  // Without the zip the module is not there.
  EXPECT_THAT(Run(job.code),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("No module named 'helper'")));
  std::filesystem::remove_all(dir);
}

TEST_F(SandboxRunnerTest, InfiniteLoopHitsTheCpuLimit) {
  EXPECT_THAT(Run("while True:\n    pass\n"),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("CPU limit")));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, SleepingHitsTheWallClockLimit) {
  EXPECT_THAT(Run("import time\ntime.sleep(60)\n"),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("time limit")));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, BigAllocationIsResourceExhausted) {
  EXPECT_THAT(Run("x = bytearray(1 << 34)\n"),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("memory")));
  EXPECT_THAT(Run("x = []\nwhile True:\n    x.append('a' * 1000000)\n"),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("memory")));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, ForkBombAndSubprocessAreRefused) {
  EXPECT_THAT(Run("import os\nwhile True:\n    os.fork()\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PermissionError")));
  EXPECT_THAT(Run("import subprocess\nsubprocess.run(['/usr/bin/true'])\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PermissionError")));
  EXPECT_THAT(Run("import os\nos.execv('/usr/bin/true', ['true'])\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PermissionError")));
  // Threads are not processes and stay allowed.
  LARCH_ASSERT_OK_AND_ASSIGN(
      nlohmann::json globals,
      Run("import threading\nout = []\nt = threading.Thread(target=lambda: out.append(1))\n"
          "t.start()\nt.join()\n"));
  EXPECT_EQ(globals.at("out"), nlohmann::json::parse("[1]"));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, HostFilesAreNotThere) {
  EXPECT_THAT(Run("open('/etc/shadow').read()\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("FileNotFoundError")));
  // A data directory outside /tmp and /usr, with a database in it.
  const std::string data_dir =
      std::filesystem::current_path().string() + "/sandbox_data_" + std::to_string(getpid());
  std::filesystem::create_directories(data_dir);
  std::ofstream(data_dir + "/larch.db") << "secret";
  EXPECT_THAT(Run("open(path).read()\n", {{"path", data_dir + "/larch.db"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("FileNotFoundError")));
  EXPECT_THAT(Run("import os\nos.listdir('/home')\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("FileNotFoundError")));
  LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json seen,
                             Run("import os\nroot = sorted(os.listdir('/'))\nuid = os.getuid()\n"));
  for (const char* absent : {"etc", "home", "root", "proc", "var", "work", "sys"}) {
    EXPECT_FALSE(std::find(seen.at("root").begin(), seen.at("root").end(), absent) !=
                 seen.at("root").end())
        << absent;
  }
  if (geteuid() == 0) EXPECT_EQ(seen.at("uid"), 65534);  // Not root inside.
  std::filesystem::remove_all(data_dir);
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, OnlyTmpIsWritableAndItIsWipedBetweenJobs) {
  EXPECT_THAT(Run("open('/usr/larch_escape', 'w').write('x')\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Read-only file system")));
  EXPECT_THAT(Run("open('/larch_escape', 'w').write('x')\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Read-only file system")));
  EXPECT_FALSE(std::filesystem::exists("/usr/larch_escape"));
  LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json wrote,
                             Run("open('/tmp/left_behind', 'w').write('x')\nok = True\n"));
  EXPECT_EQ(wrote.at("ok"), true);
  for (int i = 0; i < 4; ++i) {  // Whichever sandbox of the pool takes it.
    LARCH_ASSERT_OK_AND_ASSIGN(nlohmann::json seen,
                               Run("import os\nseen = os.path.exists('/tmp/left_behind')\n"));
    EXPECT_EQ(seen.at("seen"), false);
  }
  EXPECT_THAT(Run("open('/tmp/big', 'wb').write(b'x' * (64 << 20))\n"),
              StatusIs(StatusCode::kInvalidArgument));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, NetworkIsRefused) {
  EXPECT_THAT(Run("import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=1)\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PermissionError")));
  EXPECT_THAT(Run("import socket\ns = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PermissionError")));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, HugeResultIsResourceExhausted) {
  EXPECT_THAT(Run("x = 'a' * (9 << 20)\n"),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("result is larger")));
  ExpectHealthy();
}

TEST_F(SandboxRunnerTest, ConcurrentJobsEachGetTheirOwnAnswer) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(6, 0);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 5; ++i) {
        StatusOr<nlohmann::json> out = Run("y = x * x", {{"x", t * 100 + i}});
        if (!out.ok() || out->at("y") != (t * 100 + i) * (t * 100 + i)) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 6; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(SandboxRunnerCreateTest, HostThatCannotStartSandboxesIsUnavailableWithTheReason) {
  // A bwrap that fails the way it does where user namespaces are disabled.
  const std::string fake = ::testing::TempDir() + "/fake_bwrap_" + std::to_string(getpid());
  std::ofstream(fake) << "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\n"
                         "exit 1\n";
  std::filesystem::permissions(
      fake, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                std::filesystem::perms::others_exec);
  SandboxOptions options;
  options.bwrap_path = fake;
  options.start_timeout_seconds = 1;
  options.wall_seconds = 1;
  LARCH_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SandboxRunner> runner, SandboxRunner::Create(options));
  capa::PythonJob job;
  job.code = "x = 1";
  EXPECT_THAT(runner->Run(job),
              StatusIs(StatusCode::kUnavailable, HasSubstr("No permissions to creating")));
  std::filesystem::remove(fake);
}

TEST(SandboxRunnerCreateTest, MissingExecutableIsFailedPrecondition) {
  SandboxOptions options;
  options.bwrap_path = "/nonexistent/bwrap";
  EXPECT_THAT(SandboxRunner::Create(options),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("bubblewrap")));
}

}  // namespace
}  // namespace larch::sandbox
