// larch::sandbox runs a course's untrusted Python (capa::PythonRunner) the
// way codejail does for Open edX, with Debian's python3 under bubblewrap.
//
// What isolates a job (docs/sandbox.md says more):
// - bwrap with new user, pid, ipc, uts, net and cgroup namespaces (no
//   network at all), --die-with-parent, a new session, every capability
//   dropped; the filesystem is a read-only /usr (plus its /lib, /lib64 and
//   /bin links), a minimal /dev and a private size-limited tmpfs /tmp; no
//   /etc, /proc, /home or data dir is mounted. Run as root, the child drops to
//   `uid`/`gid` (nobody) before it starts bwrap, so bwrap runs unprivileged in
//   a user namespace and RLIMIT_NPROC applies.
// - seccomp (libseccomp): the sandbox's filter refuses sockets other than
//   AF_UNIX, ptrace, mount, namespaces, keyrings, bpf, perf, modules, reboot
//   and other kernel-wide calls; each job adds a stricter one that also
//   refuses fork, vfork, clone of anything but a thread, and exec.
// - rlimits per job (CPU seconds, address space, file size, open files) and
//   a wall-clock limit after which the whole sandbox is killed.
//
// The pool: `pool_size` warm sandboxes, each a small fork server (driver.py,
// embedded in the binary) that forks one fresh child per job. The child
// reads exactly one job, runs it and exits; the server never reads job data,
// wipes /tmp after each child, and is reused only while every job it served
// ended normally (a result or a Python exception). Any other ending (a
// limit, a signal, a protocol error) kills that sandbox and a background
// thread starts a replacement. So no job sees another job's memory or files.
//
// Thread safety: Run may be called from any number of threads; at most
// pool_size jobs run at once and the others wait for a free sandbox.
#ifndef LARCH_SANDBOX_SANDBOX_RUNNER_H_
#define LARCH_SANDBOX_SANDBOX_RUNNER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "larch/capa/python_runner.h"
#include "larch/common/status.h"

namespace larch::sandbox {

struct SandboxOptions {
  std::string bwrap_path = "/usr/bin/bwrap";
  std::string python_path = "/usr/bin/python3";
  int pool_size = 2;
  int cpu_seconds = 1;   // RLIMIT_CPU of a job (codejail's default: 1).
  int wall_seconds = 3;  // Killed after this (codejail's REALTIME: 3).
  std::int64_t memory_bytes = std::int64_t{256} << 20;  // RLIMIT_AS of a job.
  std::int64_t file_bytes = std::int64_t{16} << 20;     // RLIMIT_FSIZE.
  std::int64_t tmp_bytes = std::int64_t{32} << 20;      // Size of /tmp.
  int open_files = 64;                                  // RLIMIT_NOFILE.
  int processes = 256;                                  // RLIMIT_NPROC of the sandbox user.
  std::size_t max_output_bytes = std::size_t{8} << 20;
  int start_timeout_seconds = 10;  // A sandbox that is not ready by then failed.
  // When Larch runs as root, the sandbox runs as this user and group, so bwrap
  // runs unprivileged in a user namespace. 0/0 keeps bwrap privileged, for
  // hosts that disable unprivileged user namespaces (docs/sandbox.md).
  std::uint32_t uid = 65534;
  std::uint32_t gid = 65534;
};

class SandboxRunner final : public capa::PythonRunner {
 public:
  // Checks the options and the two executables and starts the pool thread;
  // kFailedPrecondition names what is missing. Sandboxes start in the
  // background, so a broken host shows on the first Run (kUnavailable with
  // bwrap's own message).
  static StatusOr<std::unique_ptr<SandboxRunner>> Create(const SandboxOptions& options);
  ~SandboxRunner() override;
  SandboxRunner(const SandboxRunner&) = delete;
  SandboxRunner& operator=(const SandboxRunner&) = delete;

  StatusOr<nlohmann::json> Run(const capa::PythonJob& job) override;

  class Impl;

 private:
  explicit SandboxRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace larch::sandbox

#endif  // LARCH_SANDBOX_SANDBOX_RUNNER_H_
