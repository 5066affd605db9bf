// SmtpMailer: the production Mailer, sending through libcurl's SMTP client.
//
// Builds an RFC 5322 / MIME message (UTF-8, quoted-printable bodies,
// RFC 2047 encoded subject and display names, multipart/alternative when an
// HTML body is present) and hands it to the server named by an smtp:// or
// smtps:// URL. Credentials in the URL are used for AUTH and never appear in
// status messages or logs.
//
// Thread safety: thread-safe; each Send() uses its own connection.
#ifndef LARCH_NET_SMTP_MAILER_H_
#define LARCH_NET_SMTP_MAILER_H_

#include <memory>
#include <string>

#include "larch/common/clock.h"
#include "larch/common/mailer.h"
#include "larch/common/random.h"
#include "larch/common/status.h"

namespace larch::net {

struct SmtpMailerOptions {
  // smtp://[user[:password]@]host[:port] or smtps://... (implicit TLS).
  std::string url;
  enum class StartTls { kOff, kOpportunistic, kRequired };
  // For smtp:// only: whether to upgrade with STARTTLS.
  StartTls starttls = StartTls::kOpportunistic;
  // Whole-transaction limit.
  int timeout_ms = 30'000;
  int connect_timeout_ms = 10'000;
  // Used when a message's From has no usable domain for its Message-ID.
  std::string message_id_domain = "larch.invalid";
};

class SmtpMailer final : public Mailer {
 public:
  // kInvalidArgument when the URL does not parse or is not smtp(s)://.
  // `clock` and `random` must outlive the mailer.
  static StatusOr<std::unique_ptr<SmtpMailer>> Create(SmtpMailerOptions options, Clock& clock,
                                                      Random& random);

  // OK when the server accepted the message for every recipient.
  // kInvalidArgument: a header field would contain CR/LF, an address is
  // malformed, there are no recipients, or the server rejected the message
  // permanently (5xx). kFailedPrecondition: authentication was refused.
  // kUnavailable: the server is unreachable, timed out or answered 4xx.
  Status Send(const EmailMessage& message) override;

  // The exact bytes Send() would transmit (CRLF line ends), for tests and
  // previews; same argument errors as Send().
  StatusOr<std::string> BuildMessage(const EmailMessage& message);

 private:
  SmtpMailer(SmtpMailerOptions options, std::string url_without_credentials, std::string user,
             std::string password, bool has_credentials, Clock& clock, Random& random);

  const SmtpMailerOptions options_;
  const std::string url_;  // credentials stripped
  const std::string user_;
  const std::string password_;
  const bool has_credentials_;
  Clock& clock_;
  Random& random_;
};

}  // namespace larch::net

#endif  // LARCH_NET_SMTP_MAILER_H_
