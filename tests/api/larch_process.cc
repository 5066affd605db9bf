#include "larch_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "larch/net/curl_http_client.h"

extern char** environ;

namespace larch::testing {

std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

namespace {

// Forks and execs the binary with stdout+stderr on a pipe; returns the pid
// and the read end.
pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int* read_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::vector<std::string> argv_storage = {LarchBinary()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage = MergedEnvironment(env);
  std::vector<char*> argv, envp;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  *read_fd = fds[0];
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

std::string LarchBinary() { return LARCH_BINARY_PATH; }

CommandResult RunLarch(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) {
  CommandResult result;
  int fd = -1;
  pid_t pid = Spawn(args, env, &fd);
  if (pid < 0) return result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) result.output.append(buf, static_cast<size_t>(n));
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  path_ = (base / ("larch-api-" + std::to_string(getpid()) + "-" + std::to_string(rd()))).string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

StatusOr<std::unique_ptr<LarchProcess>> LarchProcess::Serve(
    const std::vector<std::string>& extra_args, const std::map<std::string, std::string>& env) {
  std::unique_ptr<LarchProcess> p(new LarchProcess());
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  p->pid_ = Spawn(args, env, &p->stderr_fd_);
  if (p->pid_ < 0) return UnavailableError("fork failed");
  p->reader_ = std::thread([raw = p.get()] {
    char buf[4096];
    ssize_t n;
    while ((n = read(raw->stderr_fd_, buf, sizeof(buf))) > 0) {
      std::lock_guard<std::mutex> lock(raw->mu_);
      raw->output_.append(buf, static_cast<size_t>(n));
    }
  });
  const std::string marker = "listening on http://127.0.0.1:";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(p->mu_);
      size_t at = p->output_.find(marker);
      if (at != std::string::npos) {
        p->port_ = std::atoi(p->output_.c_str() + at + marker.size());
        return p;
      }
    }
    int status = 0;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->exited_ = true;
      p->reader_.join();
      return UnavailableError("larch serve exited with " +
                              std::to_string(DecodeWaitStatus(status)) + ": " + p->output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return UnavailableError("larch serve did not start listening: " + p->output());
}

LarchProcess::~LarchProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (reader_.joinable()) reader_.join();
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

std::string LarchProcess::output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

StatusOr<int> LarchProcess::Stop(int signal, int timeout_ms) {
  if (exited_) return FailedPreconditionError("already stopped");
  kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      if (reader_.joinable()) reader_.join();
      return DecodeWaitStatus(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return DeadlineExceededError("larch did not exit after signal " + std::to_string(signal));
}

HttpClient& TestHttpClient() {
  static net::CurlHttpClient* const kClient = new net::CurlHttpClient();
  return *kClient;
}

StatusOr<HttpClientResponse> Get(const std::string& url,
                                 std::vector<std::pair<std::string, std::string>> headers) {
  return Send("GET", url, "", std::move(headers));
}

StatusOr<HttpClientResponse> Send(const std::string& method, const std::string& url,
                                  const std::string& body,
                                  std::vector<std::pair<std::string, std::string>> headers) {
  HttpClientRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  return TestHttpClient().Send(request);
}

std::string RawExchange(int port, const std::string& raw, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return out;
  }
  size_t sent = 0;
  while (sent < raw.size()) {
    ssize_t n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

nlohmann::json Json(const StatusOr<HttpClientResponse>& response) {
  if (!response.ok()) return nullptr;
  return nlohmann::json::parse(response->body, nullptr, false);
}

std::filesystem::path SharedOlx() {
  const char* env = std::getenv("LARCH_SHARED_OLX");
  return std::filesystem::path(env != nullptr && *env != '\0' ? env : LARCH_SHARED_OLX);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace larch::testing
