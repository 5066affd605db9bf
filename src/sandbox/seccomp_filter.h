// The two seccomp programs of the sandbox, compiled with libseccomp to the
// classic BPF that bwrap's --seccomp and prctl(PR_SET_SECCOMP) take.
#ifndef LARCH_SANDBOX_SECCOMP_FILTER_H_
#define LARCH_SANDBOX_SECCOMP_FILTER_H_

#include <string>

#include "larch/common/status.h"

namespace larch::sandbox::internal {

enum class FilterKind {
  // The fork server's: no network sockets, no ptrace, mounts, namespaces,
  // keyrings, bpf, perf, modules, reboot, clock setting, ... (EPERM).
  kServer,
  // A job's, on top of the server's: also no fork, vfork, clone of a
  // process (threads stay allowed) and no exec.
  kJob,
};

// The BPF program (struct sock_filter array) as bytes; kInternal when
// libseccomp fails.
StatusOr<std::string> BuildSeccompFilter(FilterKind kind);

}  // namespace larch::sandbox::internal

#endif  // LARCH_SANDBOX_SECCOMP_FILTER_H_
