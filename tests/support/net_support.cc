#include "larch/testing/net_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

extern char** environ;

namespace larch::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kPython[] = "/usr/bin/python3";

constexpr char kParseScript[] = R"PY(
import email, email.policy, json, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
out = {k: str(msg[k]) for k in ('Subject', 'From', 'To', 'Date', 'Message-ID', 'MIME-Version',
                                 'X-MailFrom', 'X-RcptTo')}
out['content_type'] = msg.get_content_type()
plain = msg.get_body(('plain',))
html = msg.get_body(('html',))
out['text'] = plain.get_content() if plain is not None else None
out['html'] = html.get_content() if html is not None else None
out['body'] = out['text'] if out['text'] is not None else (out['html'] or '')
out['defects'] = len(msg.defects)
print(json.dumps(out))
)PY";

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(0);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

std::string RunCapture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

bool SmtpSink::Available() {
  return access(kPython, X_OK) == 0 &&
         std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

StatusOr<std::unique_ptr<SmtpSink>> SmtpSink::Start(const fs::path& dir,
                                                    int64_t max_message_bytes) {
  std::unique_ptr<SmtpSink> sink(new SmtpSink());
  sink->dir_ = dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream(dir / "parse.py") << kParseScript;
  sink->port_ = FreePort();
  std::string listen = "127.0.0.1:" + std::to_string(sink->port_);
  std::string maildir = (dir / "maildir").string();
  std::string size = std::to_string(max_message_bytes);
  std::vector<const char*> argv = {
      kPython,         "-m",   "aiosmtpd",   "-n", "-l",
      listen.c_str(),  "-s",   size.c_str(), "-c", "aiosmtpd.handlers.Mailbox",
      maildir.c_str(), nullptr};
  if (posix_spawn(&sink->pid_, kPython, nullptr, nullptr, const_cast<char**>(argv.data()),
                  environ) != 0) {
    return UnavailableError("cannot start aiosmtpd");
  }
  for (int i = 0; i < 200 && !CanConnect(sink->port_); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!CanConnect(sink->port_)) return UnavailableError("aiosmtpd did not start on " + listen);
  return sink;
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
}

std::string SmtpSink::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

std::vector<fs::path> SmtpSink::Delivered() const {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::path fresh = dir_ / "maildir" / "new";
  if (!fs::exists(fresh, ec)) return files;
  for (const auto& entry : fs::directory_iterator(fresh, ec)) files.push_back(entry.path());
  return files;
}

nlohmann::json SmtpSink::Parse(const fs::path& message) const {
  std::string out = RunCapture(std::string(kPython) + " " + (dir_ / "parse.py").string() + " " +
                               message.string());
  return nlohmann::json::parse(out, nullptr, false);
}

}  // namespace larch::testing
