// Test support shared by the unit and the API tests: loopback ports, running
// a command for its output, and a real SMTP server (aiosmtpd from Debian's
// python3-aiosmtpd) that stores every delivered message in a Maildir.
//
// Thread safety: an SmtpSink is used from one test thread.
#ifndef LARCH_TESTING_NET_SUPPORT_H_
#define LARCH_TESTING_NET_SUPPORT_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"

namespace larch::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// True when something accepts connections on 127.0.0.1:port.
bool CanConnect(int port);
// Runs `command` through the shell and returns its standard output.
std::string RunCapture(const std::string& command);

class SmtpSink {
 public:
  // False when python3 or its aiosmtpd module is missing (tests then skip).
  static bool Available();
  // Starts aiosmtpd on a free port with its Maildir under `dir`. kUnavailable
  // when it does not accept connections within 10 s.
  static StatusOr<std::unique_ptr<SmtpSink>> Start(const std::filesystem::path& dir,
                                                   int64_t max_message_bytes = int64_t{1} << 20);
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  // "smtp://127.0.0.1:<port>", for SMTP_URL.
  std::string url() const;
  // The files of the delivered messages, in no particular order.
  std::vector<std::filesystem::path> Delivered() const;
  // A delivered message decoded by Python's email package (an independent
  // MIME implementation): the headers Subject, From, To, Date, Message-ID,
  // MIME-Version, X-MailFrom, X-RcptTo, and content_type, text, html (null
  // when absent), body (text, else html), defects (count). Discarded JSON
  // when the message cannot be read.
  nlohmann::json Parse(const std::filesystem::path& message) const;

 private:
  SmtpSink() = default;
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace larch::testing

#endif  // LARCH_TESTING_NET_SUPPORT_H_
