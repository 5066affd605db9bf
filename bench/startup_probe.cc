// Measures "start to first 200": forks `larch serve ...`, then polls the
// port every millisecond with GET /heartbeat until a 200 arrives, and prints
// the elapsed milliseconds. Spawning curl in a shell loop costs several
// milliseconds per poll, which is the size of what is being measured.
//
// Usage: startup_probe PORT TIMEOUT_MS -- LARCH_BINARY serve ...
// Prints "<ms> <pid>" and leaves the server running for the caller.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

bool HeartbeatIsOk(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    static constexpr char kRequest[] =
        "GET /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, kRequest, sizeof(kRequest) - 1, MSG_NOSIGNAL) > 0) {
      char buf[64] = {0};
      ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
      ok = n > 12 && std::strncmp(buf, "HTTP/1.1 200", 12) == 0;
    }
  }
  close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr, "usage: %s PORT TIMEOUT_MS -- COMMAND...\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int timeout_ms = std::atoi(argv[2]);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    // The caller reads our stdout until EOF; the server must not hold it.
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execv(argv[4], argv + 4);
    _exit(127);
  }
  while (true) {
    auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (HeartbeatIsOk(port)) {
      std::printf("%.1f %d\n", elapsed, static_cast<int>(pid));
      return 0;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      std::fprintf(stderr, "server exited before answering\n");
      return 1;
    }
    if (elapsed > timeout_ms) {
      std::fprintf(stderr, "no 200 within %d ms\n", timeout_ms);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
