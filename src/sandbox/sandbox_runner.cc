#include "larch/sandbox/sandbox_runner.h"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "sandbox_process.h"
#include "seccomp_filter.h"

namespace larch::sandbox {

using internal::SandboxProcess;

// The pool. std::mutex rather than larch::Mutex because the spawner and the
// callers wait on a condition variable.
class SandboxRunner::Impl {
 public:
  Impl(SandboxOptions options, std::string server_bpf, std::string job_bpf)
      : options_(std::move(options)),
        server_bpf_(std::move(server_bpf)),
        job_bpf_(std::move(job_bpf)),
        spawner_([this] { SpawnLoop(); }) {}

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    spawner_.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  StatusOr<nlohmann::json> Run(const capa::PythonJob& job) {
    LARCH_ASSIGN_OR_RETURN(std::string payload, Payload(job));
    LARCH_ASSIGN_OR_RETURN(std::unique_ptr<SandboxProcess> sandbox, Acquire());
    bool reusable = false;
    StatusOr<nlohmann::json> result = sandbox->RunJob(payload, options_, reusable);
    Release(reusable ? std::move(sandbox) : nullptr);
    return result;
  }

 private:
  StatusOr<std::string> Payload(const capa::PythonJob& job) const {
    if (!job.globals.is_object()) return InvalidArgumentError("Python globals must be an object");
    std::string lib;
    if (!job.python_lib_zip.empty()) {
      std::ifstream file(job.python_lib_zip, std::ios::binary);
      if (!file) return FailedPreconditionError("cannot read " + job.python_lib_zip);
      std::ostringstream bytes;
      bytes << file.rdbuf();
      lib = bytes.str();
      if (static_cast<std::int64_t>(lib.size()) > options_.file_bytes) {
        return ResourceExhaustedError("python_lib.zip is larger than the sandbox's file limit");
      }
    }
    const nlohmann::json body = {{"code", job.code}, {"globals", job.globals}};
    const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return std::to_string(text.size()) + " " + std::to_string(lib.size()) + "\n" + text + lib;
  }

  StatusOr<std::unique_ptr<SandboxProcess>> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    const auto wait = std::chrono::seconds(options_.start_timeout_seconds + options_.wall_seconds);
    const bool got = wake_.wait_for(lock, wait, [this] { return !idle_.empty() || stop_; });
    if (!got || idle_.empty()) {
      return UnavailableError("no Python sandbox is available" +
                              (last_error_.empty() ? std::string() : ": " + last_error_));
    }
    std::unique_ptr<SandboxProcess> sandbox = std::move(idle_.front());
    idle_.pop_front();
    return sandbox;
  }

  void Release(std::unique_ptr<SandboxProcess> sandbox) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (sandbox != nullptr) {
        idle_.push_back(std::move(sandbox));
      } else {
        --live_;
      }
    }
    wake_.notify_all();
  }

  // Keeps pool_size sandboxes alive. bwrap's --die-with-parent follows the
  // thread that started it, so every sandbox starts on this long-lived thread.
  void SpawnLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stop_ || live_ < options_.pool_size; });
      if (stop_) break;
      ++live_;
      lock.unlock();
      StatusOr<std::unique_ptr<SandboxProcess>> started =
          SandboxProcess::Start(options_, server_bpf_, job_bpf_);
      lock.lock();
      if (started.ok()) {
        idle_.push_back(*std::move(started));
        last_error_.clear();
        wake_.notify_all();
        continue;
      }
      --live_;
      last_error_ = started.status().message();
      // A host that cannot start sandboxes is not retried in a busy loop.
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
    }
    idle_.clear();
  }

  const SandboxOptions options_;
  const std::string server_bpf_;
  const std::string job_bpf_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<SandboxProcess>> idle_;  // Guarded by mu_.
  int live_ = 0;                                      // Idle or running; mu_.
  bool stop_ = false;                                 // mu_.
  std::string last_error_;                            // mu_.
  std::thread spawner_;                               // Last: starts once the members above exist.
};

StatusOr<std::unique_ptr<SandboxRunner>> SandboxRunner::Create(const SandboxOptions& options) {
  if (options.pool_size < 1 || options.cpu_seconds < 1 || options.wall_seconds < 1 ||
      options.memory_bytes < (std::int64_t{32} << 20) || options.open_files < 8) {
    return FailedPreconditionError(
        "sandbox limits: pool_size, cpu_seconds and wall_seconds must be at least 1, memory at "
        "least 32 MiB, open files at least 8");
  }
  for (const std::string& path : {options.bwrap_path, options.python_path}) {
    if (access(path.c_str(), X_OK) != 0) {
      return FailedPreconditionError(path +
                                     " is not installed (Debian packages bubblewrap, python3)");
    }
  }
  LARCH_ASSIGN_OR_RETURN(std::string server_bpf,
                         internal::BuildSeccompFilter(internal::FilterKind::kServer));
  LARCH_ASSIGN_OR_RETURN(std::string job_bpf,
                         internal::BuildSeccompFilter(internal::FilterKind::kJob));
  return std::unique_ptr<SandboxRunner>(new SandboxRunner(
      std::make_unique<Impl>(options, std::move(server_bpf), std::move(job_bpf))));
}

SandboxRunner::SandboxRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SandboxRunner::~SandboxRunner() = default;

StatusOr<nlohmann::json> SandboxRunner::Run(const capa::PythonJob& job) { return impl_->Run(job); }

}  // namespace larch::sandbox
