// One sandbox: a bwrap process running the driver's fork server, and the
// three sockets Larch holds to it (jobs in, results out, status lines).
#ifndef LARCH_SANDBOX_SANDBOX_PROCESS_H_
#define LARCH_SANDBOX_SANDBOX_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"
#include "larch/sandbox/sandbox_runner.h"

namespace larch::sandbox::internal {

// The embedded driver.py (generated from the source tree at build time).
extern const char* const kDriverSource;

using Deadline = std::chrono::steady_clock::time_point;

class SandboxProcess {
 public:
  // Starts bwrap with the server filter `server_bpf`, passes the job filter
  // `job_bpf` to the driver, and waits until the driver says it is ready.
  // kUnavailable with bwrap's or python's message when it does not start.
  static StatusOr<std::unique_ptr<SandboxProcess>> Start(const SandboxOptions& options,
                                                         const std::string& server_bpf,
                                                         const std::string& job_bpf);
  ~SandboxProcess();  // Kills the whole sandbox.
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  // Runs one job (its serialised header, JSON and zip bytes) and returns the
  // child's result object. `reusable` says whether the sandbox is still fit
  // for another job afterwards (only after a clean end).
  StatusOr<nlohmann::json> RunJob(const std::string& payload, const SandboxOptions& options,
                                  bool& reusable);

 private:
  SandboxProcess() = default;
  // Reads the next "status ..." line from the server before `deadline`,
  // collecting result bytes meanwhile; "" on timeout.
  StatusOr<std::string> NextStatus(Deadline deadline, std::string* result, std::size_t limit,
                                   std::string_view pending_write);
  void Kill();

  pid_t pid_ = -1;
  int job_fd_ = -1;
  int result_fd_ = -1;
  int status_fd_ = -1;
  std::string status_buffer_;
};

}  // namespace larch::sandbox::internal

#endif  // LARCH_SANDBOX_SANDBOX_PROCESS_H_
