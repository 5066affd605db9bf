#include "sandbox_process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

namespace larch::sandbox::internal {
namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool Exists(const char* path) {
  struct stat info {};
  return lstat(path, &info) == 0;
}

std::vector<std::string> BwrapArguments(const SandboxOptions& options, const std::string& job_bpf) {
  const nlohmann::json limits = {{"cpu_seconds", options.cpu_seconds},
                                 {"memory_bytes", options.memory_bytes},
                                 {"file_bytes", options.file_bytes},
                                 {"open_files", options.open_files}};
  std::vector<std::string> args = {options.bwrap_path,
                                   "--unshare-all",
                                   "--die-with-parent",
                                   "--new-session",
                                   "--cap-drop",
                                   "ALL",
                                   "--hostname",
                                   "sandbox",
                                   "--ro-bind",
                                   "/usr",
                                   "/usr"};
  // Debian's merged /usr: the top-level links python's loader expects.
  for (const char* link : {"lib", "lib64", "bin"}) {
    if (Exists((std::string("/usr/") + link).c_str())) {
      args.insert(args.end(), {"--symlink", std::string("usr/") + link, std::string("/") + link});
    }
  }
  args.insert(args.end(), {"--dev",
                           "/dev",
                           "--size",
                           std::to_string(options.tmp_bytes),
                           "--tmpfs",
                           "/tmp",
                           "--remount-ro",
                           "/",
                           "--chdir",
                           "/tmp",
                           "--seccomp",
                           "3",
                           options.python_path,
                           "-I",
                           "-S",
                           "-B",
                           "-c",
                           kDriverSource,
                           limits.dump(),
                           Hex(job_bpf)});
  return args;
}

// Only async-signal-safe calls from here to execve: the parent has threads.
[[noreturn]] void ExecSandbox(const SandboxOptions& options, char* const* argv, int job_fd,
                              int result_fd, int status_fd, int seccomp_fd) {
  static char kPath[] = "PATH=/usr/bin";
  static char kLang[] = "LANG=C.UTF-8";
  char* envp[] = {kPath, kLang, nullptr};
  setpgid(0, 0);
  if (dup2(job_fd, 0) < 0 || dup2(result_fd, 1) < 0 || dup2(status_fd, 2) < 0 ||
      dup2(seccomp_fd, 3) < 0) {
    _exit(127);
  }
  close_range(4, ~0U, 0);
  const struct rlimit processes = {static_cast<rlim_t>(options.processes),
                                   static_cast<rlim_t>(options.processes)};
  setrlimit(RLIMIT_NPROC, &processes);
  if (geteuid() == 0) {
    if (setgroups(0, nullptr) != 0 || setresgid(options.gid, options.gid, options.gid) != 0 ||
        setresuid(options.uid, options.uid, options.uid) != 0) {
      static const char kMessage[] = "cannot drop to the sandbox user\n";
      (void)!write(2, kMessage, sizeof kMessage - 1);
      _exit(127);
    }
  }
  execve(argv[0], argv, envp);
  static const char kMessage[] = "cannot execute bwrap\n";
  (void)!write(2, kMessage, sizeof kMessage - 1);
  _exit(127);
}

bool MakePair(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0; }

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

int MillisecondsLeft(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Reads what is there without blocking; false at EOF or error.
bool ReadAvailable(int fd, std::string& into) {
  char buffer[65536];
  while (true) {
    const ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got > 0) {
      into.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (got < 0 && errno == EINTR) continue;
    return false;
  }
}

Status ResultStatus(const nlohmann::json& result, const SandboxOptions& options) {
  const std::string kind = result.value("kind", "");
  const std::string message = result.value("message", "");
  if (kind == "memory") {
    return ResourceExhaustedError("Python code ran out of memory (limit " +
                                  std::to_string(options.memory_bytes >> 20) + " MiB)");
  }
  return InvalidArgumentError(message.empty() ? "Python code raised an exception" : message);
}

}  // namespace

StatusOr<std::unique_ptr<SandboxProcess>> SandboxProcess::Start(const SandboxOptions& options,
                                                                const std::string& server_bpf,
                                                                const std::string& job_bpf) {
  const std::vector<std::string> args = BwrapArguments(options, job_bpf);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int job[2], result[2], status[2], seccomp[2];
  if (!MakePair(job)) return UnavailableError("sandbox: socketpair failed");
  if (!MakePair(result)) {
    close(job[0]), close(job[1]);
    return UnavailableError("sandbox: socketpair failed");
  }
  if (!MakePair(status)) {
    close(job[0]), close(job[1]), close(result[0]), close(result[1]);
    return UnavailableError("sandbox: socketpair failed");
  }
  // A socket rather than a pipe: if bwrap dies before reading the filter,
  // send() fails with EPIPE instead of raising SIGPIPE in the server.
  if (!MakePair(seccomp)) {
    for (int fd : {job[0], job[1], result[0], result[1], status[0], status[1]}) close(fd);
    return UnavailableError("sandbox: socketpair failed");
  }
  auto process = std::unique_ptr<SandboxProcess>(new SandboxProcess());
  process->pid_ = fork();
  if (process->pid_ == 0)
    ExecSandbox(options, argv.data(), job[1], result[1], status[1], seccomp[0]);
  for (int fd : {job[1], result[1], status[1], seccomp[0]}) close(fd);
  process->job_fd_ = job[0];
  process->result_fd_ = result[0];
  process->status_fd_ = status[0];
  if (process->pid_ < 0) {
    close(seccomp[1]);
    return UnavailableError("sandbox: fork failed");
  }
  // The filter is far smaller than a socket's buffer, so this cannot block.
  const bool wrote = send(seccomp[1], server_bpf.data(), server_bpf.size(), MSG_NOSIGNAL) ==
                     static_cast<ssize_t>(server_bpf.size());
  close(seccomp[1]);

  // When bwrap exits before reading the filter (no user namespaces, say), the
  // send fails; what bwrap said on its way out is the reason to report.
  const Deadline deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.start_timeout_seconds);
  std::string ignored;
  LARCH_ASSIGN_OR_RETURN(std::string line, process->NextStatus(deadline, &ignored, 0, {}));
  if (!wrote && line == "ready") {
    return UnavailableError("sandbox: cannot pass the seccomp filter to bwrap");
  }
  if (line != "ready") {
    return UnavailableError("the Python sandbox did not start: " +
                            (line.empty() ? std::string("no answer") : line));
  }
  return process;
}

SandboxProcess::~SandboxProcess() { Kill(); }

void SandboxProcess::Kill() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  CloseFd(job_fd_);
  CloseFd(result_fd_);
  CloseFd(status_fd_);
}

StatusOr<std::string> SandboxProcess::NextStatus(Deadline deadline, std::string* result,
                                                 std::size_t limit, std::string_view pending) {
  bool result_open = true;
  while (true) {
    const std::size_t newline = status_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = status_buffer_.substr(0, newline);
      status_buffer_.erase(0, newline + 1);
      if (line.rfind("status ", 0) == 0) return line.substr(7);
      // Anything else on the server's stderr is bwrap or python failing.
      return UnavailableError("the Python sandbox failed: " + line);
    }
    pollfd fds[3] = {
        {status_fd_, POLLIN, 0}, {result_open ? result_fd_ : -1, POLLIN, 0}, {job_fd_, 0, 0}};
    if (!pending.empty()) fds[2].events = POLLOUT;
    const int ready = poll(fds, pending.empty() ? 2 : 3, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return std::string();
    if (ready < 0) return InternalError("sandbox: poll failed");
    if ((fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t sent =
          send(job_fd_, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) pending.remove_prefix(static_cast<std::size_t>(sent));
      if (sent < 0 && errno != EAGAIN && errno != EINTR) pending = {};
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      result_open = ReadAvailable(result_fd_, *result);
      if (result->size() > limit) {
        return ResourceExhaustedError("Python code's result is larger than " +
                                      std::to_string(limit) + " bytes");
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const std::size_t before = status_buffer_.size();
      const bool open = ReadAvailable(status_fd_, status_buffer_);
      if (!open && status_buffer_.size() == before &&
          status_buffer_.find('\n') == std::string::npos) {
        return UnavailableError("the Python sandbox exited" +
                                (status_buffer_.empty() ? std::string() : ": " + status_buffer_));
      }
    }
  }
}

StatusOr<nlohmann::json> SandboxProcess::RunJob(const std::string& payload,
                                                const SandboxOptions& options, bool& reusable) {
  reusable = false;
  const Deadline deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.wall_seconds);
  std::string output;
  StatusOr<std::string> line = NextStatus(deadline, &output, options.max_output_bytes, payload);
  if (!line.ok()) return line.status();
  if (line->empty()) {
    Kill();
    return DeadlineExceededError("Python code ran past its " +
                                 std::to_string(options.wall_seconds) + " s time limit");
  }
  if (*line == "signal 24" || *line == "signal 9") {
    return DeadlineExceededError("Python code ran past its " + std::to_string(options.cpu_seconds) +
                                 " s CPU limit");
  }
  if (*line != "exit 0") return InternalError("the sandboxed Python died (" + *line + ")");
  // The child has exited, so everything it wrote is already queued.
  ReadAvailable(result_fd_, output);
  if (output.size() > options.max_output_bytes) {
    return ResourceExhaustedError("Python code's result is larger than " +
                                  std::to_string(options.max_output_bytes) + " bytes");
  }
  nlohmann::json result = nlohmann::json::parse(output, nullptr, false);
  if (result.is_discarded() || !result.is_object()) {
    return InternalError("the sandboxed Python wrote an unreadable result");
  }
  reusable = true;
  if (!result.value("ok", false)) return ResultStatus(result, options);
  nlohmann::json globals = result.value("globals", nlohmann::json::object());
  if (!globals.is_object()) return InternalError("the sandboxed Python wrote no globals");
  return globals;
}

}  // namespace larch::sandbox::internal
