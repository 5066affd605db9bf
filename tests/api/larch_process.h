// Test harness: runs the real `larch` binary as a child process and talks to
// it over HTTP on loopback.
//
// Thread safety: a LarchProcess is used from one test thread; its stderr is
// drained by an internal thread.
#ifndef LARCH_TESTS_API_LARCH_PROCESS_H_
#define LARCH_TESTS_API_LARCH_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/http_client.h"
#include "larch/common/status.h"

namespace larch::testing {

// The path of the binary under test (set by CMake).
std::string LarchBinary();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// This process's environment with `extra` set over it, as "KEY=value"
// entries for execve.
std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra);

// Runs `larch args...` to completion with `env` added to the environment.
CommandResult RunLarch(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {});

// A fresh data directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class LarchProcess {
 public:
  // Starts `larch serve --listen 127.0.0.1:0 <extra args>` and waits until it
  // prints its "listening on" line. kUnavailable (with its output) when it
  // exits first or takes longer than 30 s.
  static StatusOr<std::unique_ptr<LarchProcess>> Serve(
      const std::vector<std::string>& extra_args,
      const std::map<std::string, std::string>& env = {});
  ~LarchProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Everything the process wrote to stderr so far.
  std::string output() const;

  // Sends `signal` and waits up to `timeout_ms`; returns the exit code, or
  // -signal when killed by a signal, or kDeadlineExceeded.
  StatusOr<int> Stop(int signal, int timeout_ms = 20'000);

 private:
  LarchProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int stderr_fd_ = -1;
  bool exited_ = false;
  std::thread reader_;
  mutable std::mutex mu_;
  std::string output_;
};

// A plain HTTP client for tests (libcurl underneath).
HttpClient& TestHttpClient();
StatusOr<HttpClientResponse> Get(const std::string& url,
                                 std::vector<std::pair<std::string, std::string>> headers = {});
StatusOr<HttpClientResponse> Send(const std::string& method, const std::string& url,
                                  const std::string& body,
                                  std::vector<std::pair<std::string, std::string>> headers = {});

// Writes `raw` to 127.0.0.1:port and returns everything read until the
// server closes the connection (or `timeout_ms` passes).
std::string RawExchange(int port, const std::string& raw, int timeout_ms = 5'000);

// The body parsed as JSON: null when the request failed, discarded JSON when
// the body is not JSON.
nlohmann::json Json(const StatusOr<HttpClientResponse>& response);

// The real courses of shared/olx ($LARCH_SHARED_OLX, else the folder CMake
// found beside the repository).
std::filesystem::path SharedOlx();
// A whole file; "" when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_LARCH_PROCESS_H_
