#include "seccomp_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace larch::sandbox::internal {
namespace {

// Calls no Python job needs, each of which reaches beyond the process.
constexpr const char* kDenied[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "name_to_handle_at",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "quotactl",
    "syslog",
    "uselib",
    "vhangup",
    "iopl",
    "ioperm",
    "mknod",
    "mknodat",
    "fanotify_init",
    "kcmp",
    "lookup_dcookie",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "sethostname",
    "setdomainname",
    "personality",
};

// A job may not start a program or another process.
constexpr const char* kDeniedToJobs[] = {"fork", "vfork", "execve", "execveat"};

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_ALLOW)) {}
  ~Filter() {
    if (ctx_ != nullptr) seccomp_release(ctx_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Status Deny(scmp_filter_ctx ctx, const char* name, int error) {
  const int number = seccomp_syscall_resolve_name(name);
  if (number == __NR_SCMP_ERROR) return OkStatus();  // Not on this architecture.
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(error), number, 0) != 0) {
    return InternalError(std::string("seccomp: cannot add a rule for ") + name);
  }
  return OkStatus();
}

StatusOr<std::string> Export(scmp_filter_ctx ctx) {
  const int fd = memfd_create("larch-seccomp", MFD_CLOEXEC);
  if (fd < 0) return InternalError("seccomp: memfd_create failed");
  std::string bytes;
  if (seccomp_export_bpf(ctx, fd) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
    char buffer[4096];
    ssize_t got = 0;
    while ((got = read(fd, buffer, sizeof buffer)) > 0) bytes.append(buffer, got);
  }
  close(fd);
  if (bytes.empty() || bytes.size() % 8 != 0) {
    return InternalError("seccomp: exporting the filter failed");
  }
  return bytes;
}

// SCMP_A0 leaves datum_b out, which -Wmissing-field-initializers rejects.
scmp_arg_cmp FirstArgument(scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0) {
  return scmp_arg_cmp{0, op, a, b};
}

}  // namespace

StatusOr<std::string> BuildSeccompFilter(FilterKind kind) {
  Filter filter;
  scmp_filter_ctx ctx = filter.get();
  if (ctx == nullptr) return InternalError("seccomp: seccomp_init failed");
  // Threads, but never the flag checks a filter cannot see: glibc falls back
  // from clone3 (whose flags live in memory) to clone on ENOSYS.
  LARCH_RETURN_IF_ERROR(Deny(ctx, "clone3", ENOSYS));
  for (const char* name : kDenied) LARCH_RETURN_IF_ERROR(Deny(ctx, name, EPERM));
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                       FirstArgument(SCMP_CMP_NE, AF_UNIX)) != 0 ||
      seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
                       FirstArgument(SCMP_CMP_NE, AF_UNIX)) != 0) {
    return InternalError("seccomp: cannot add the socket rules");
  }
  if (kind == FilterKind::kJob) {
    for (const char* name : kDeniedToJobs) LARCH_RETURN_IF_ERROR(Deny(ctx, name, EPERM));
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         FirstArgument(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) != 0) {
      return InternalError("seccomp: cannot add the clone rule");
    }
  }
  return Export(ctx);
}

}  // namespace larch::sandbox::internal
