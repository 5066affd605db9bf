// Mailer: sends e-mail. Injected so that tests can capture messages or point
// at a local SMTP sink; the production implementation (net/smtp_mailer) talks
// SMTP through libcurl.
//
// Thread safety: implementations are thread-safe.
#ifndef LARCH_COMMON_MAILER_H_
#define LARCH_COMMON_MAILER_H_

#include <string>
#include <utility>
#include <vector>

#include "larch/common/mutex.h"
#include "larch/common/status.h"

namespace larch {

struct EmailMessage {
  std::string from;             // "Larch <no-reply@example.com>" or a bare address
  std::vector<std::string> to;  // bare addresses
  std::string subject;
  std::string text_body;
  std::string html_body;  // optional; sent as multipart/alternative when set
  // The left part of the Message-ID ("<left@domain>"); random when empty. A
  // mail job sets one made from its job id, so a copy sent again after a
  // crash has the same Message-ID and mail clients drop the duplicate.
  std::string message_id;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Returns kUnavailable when the server cannot be reached or refuses the
  // message temporarily (callers retry through the job queue),
  // kInvalidArgument when the message itself is rejected.
  virtual Status Send(const EmailMessage& message) = 0;
};

// Keeps every message in memory; for unit tests.
class RecordingMailer final : public Mailer {
 public:
  Status Send(const EmailMessage& message) override {
    MutexLock lock(mu_);
    sent_.push_back(message);
    return OkStatus();
  }
  std::vector<EmailMessage> sent() const {
    MutexLock lock(mu_);
    return sent_;
  }

 private:
  mutable Mutex mu_;
  std::vector<EmailMessage> sent_ LARCH_GUARDED_BY(mu_);
};

}  // namespace larch

#endif  // LARCH_COMMON_MAILER_H_
