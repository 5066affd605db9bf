#include "larch/net/smtp_mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>
#include <vector>

#include "curl_global.h"
#include "larch/common/strings.h"

namespace larch::net {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A bare addr-spec. Deliberately strict: anything that could close the
// angle brackets of MAIL FROM/RCPT TO or split a header is refused.
Status ValidateAddress(std::string_view address) {
  if (address.empty()) return InvalidArgumentError("empty e-mail address");
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return InvalidArgumentError("e-mail address has no local part or domain");
  }
  for (char ch : address) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || std::strchr("<>()[],;:\"\\", c) != nullptr) {
      return InvalidArgumentError("invalid character in e-mail address");
    }
  }
  return OkStatus();
}

struct Mailbox {
  std::string display_name;
  std::string address;
};

// "addr", "Name <addr>" or "\"Name\" <addr>".
StatusOr<Mailbox> ParseMailbox(std::string_view text) {
  if (HasLineBreak(text)) return InvalidArgumentError("line break in e-mail address");
  Mailbox mailbox;
  text = TrimBlanks(text);
  if (!text.empty() && text.back() == '>') {
    size_t open = text.rfind('<');
    if (open == std::string_view::npos) return InvalidArgumentError("unbalanced '<' in address");
    mailbox.address = std::string(text.substr(open + 1, text.size() - open - 2));
    std::string_view name = TrimBlanks(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      // A quoted-string: drop the quotes and undo its backslash escapes so
      // FormatMailbox can quote it again exactly once.
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        mailbox.display_name += name[i];
      }
    } else {
      mailbox.display_name = std::string(name);
    }
  } else {
    mailbox.address = std::string(text);
  }
  LARCH_RETURN_IF_ERROR(ValidateAddress(mailbox.address));
  return mailbox;
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                 static_cast<uint8_t>(in[i + 2]);
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 "B" encoded words, each at most 75 characters and never splitting
// a UTF-8 sequence, joined by folding whitespace. Plain printable ASCII is
// returned unchanged unless it could be mistaken for an encoded word.
std::string EncodeHeaderText(std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u < 0x7f) || u == '\t';
  });
  if (plain && text.find("=?") == std::string_view::npos) return std::string(text);
  constexpr size_t kMaxChunk = 45;  // 60 base64 chars + 12 of "=?UTF-8?B??="
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(pos + kMaxChunk, text.size());
    // Back up over continuation bytes so a code point is never split.
    while (end < text.size() && end > pos + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string FormatMailbox(const Mailbox& mailbox) {
  if (mailbox.display_name.empty()) return mailbox.address;
  std::string name;
  if (IsAscii(mailbox.display_name) && mailbox.display_name.find("=?") == std::string::npos) {
    name = "\"";
    for (char c : mailbox.display_name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += '"';
  } else {
    name = EncodeHeaderText(mailbox.display_name);
  }
  return name + " <" + mailbox.address + ">";
}

std::string FormatRfc5322Date(int64_t micros) {
  std::time_t t = static_cast<std::time_t>(micros / 1'000'000 - (micros % 1'000'000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// Quoted-printable (RFC 2045 6.7) with CRLF hard breaks. Any "\n" or "\r\n"
// in the input is a line break; lines are soft-wrapped at 76 characters.
std::string QuotedPrintable(std::string_view body) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t line_start = 0;
  while (line_start <= body.size()) {
    size_t nl = body.find('\n', line_start);
    size_t line_end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      bool last = i + 1 == line.size();
      // A leading "." is encoded too so no line can be an SMTP terminator,
      // whatever the transport does about dot-stuffing.
      bool literal = ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) &&
                     !(c == '.' && column == 0);
      std::string token = literal ? std::string(1, static_cast<char>(c))
                                  : std::string{'=', kHex[c >> 4], kHex[c & 15]};
      if (column + token.size() > 75) {
        out += "=\r\n";
        column = 0;
        if (c == '.') token = "=2E";
      }
      out += token;
      column += token.size();
    }
    if (nl == std::string_view::npos) break;
    out += "\r\n";
    line_start = nl + 1;
  }
  return out;
}

std::string DomainOf(const std::string& address) { return address.substr(address.rfind('@') + 1); }

size_t ReadPayload(char* buffer, size_t size, size_t count, void* user) {
  auto* remaining = static_cast<std::string_view*>(user);
  size_t n = std::min(size * count, remaining->size());
  std::memcpy(buffer, remaining->data(), n);
  remaining->remove_prefix(n);
  return n;
}

std::string TextPart(const char* subtype, std::string_view body) {
  std::string part = "Content-Type: text/";
  part += subtype;
  part += "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  part += QuotedPrintable(body);
  part += "\r\n";
  return part;
}

}  // namespace

StatusOr<std::unique_ptr<SmtpMailer>> SmtpMailer::Create(SmtpMailerOptions options, Clock& clock,
                                                         Random& random) {
  internal::EnsureCurlInitialized();
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (url == nullptr) return ResourceExhaustedError("curl_url: out of memory");
  if (curl_url_set(url.get(), CURLUPART_URL, options.url.c_str(), 0) != CURLUE_OK) {
    return InvalidArgumentError("malformed SMTP URL");
  }
  auto get_part = [&](CURLUPart part, unsigned flags, std::string* out) {
    char* value = nullptr;
    if (curl_url_get(url.get(), part, &value, flags) != CURLUE_OK) return false;
    *out = value;
    curl_free(value);
    return true;
  };
  std::string scheme, host, user, password;
  get_part(CURLUPART_SCHEME, 0, &scheme);
  if (scheme != "smtp" && scheme != "smtps") {
    return InvalidArgumentError("SMTP URL must start with smtp:// or smtps://");
  }
  if (!get_part(CURLUPART_HOST, 0, &host) || host.empty()) {
    return InvalidArgumentError("SMTP URL has no host");
  }
  bool has_user = get_part(CURLUPART_USER, CURLU_URLDECODE, &user);
  get_part(CURLUPART_PASSWORD, CURLU_URLDECODE, &password);
  curl_url_set(url.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
  std::string stripped;
  if (!get_part(CURLUPART_URL, 0, &stripped)) return InvalidArgumentError("malformed SMTP URL");
  options.url.clear();  // the only other copy of the password
  return std::unique_ptr<SmtpMailer>(new SmtpMailer(std::move(options), std::move(stripped),
                                                    std::move(user), std::move(password), has_user,
                                                    clock, random));
}

SmtpMailer::SmtpMailer(SmtpMailerOptions options, std::string url_without_credentials,
                       std::string user, std::string password, bool has_credentials, Clock& clock,
                       Random& random)
    : options_(std::move(options)),
      url_(std::move(url_without_credentials)),
      user_(std::move(user)),
      password_(std::move(password)),
      has_credentials_(has_credentials),
      clock_(clock),
      random_(random) {}

StatusOr<std::string> SmtpMailer::BuildMessage(const EmailMessage& message) {
  LARCH_ASSIGN_OR_RETURN(Mailbox from, ParseMailbox(message.from));
  if (message.to.empty()) return InvalidArgumentError("message has no recipients");
  std::string to_header;
  for (const std::string& to : message.to) {
    if (HasLineBreak(to)) return InvalidArgumentError("line break in recipient address");
    LARCH_RETURN_IF_ERROR(ValidateAddress(to));
    if (!to_header.empty()) to_header += ",\r\n ";
    to_header += to;
  }
  if (HasLineBreak(message.subject)) return InvalidArgumentError("line break in subject");

  std::string domain = DomainOf(from.address);
  std::string out;
  out += "Date: " + FormatRfc5322Date(clock_.NowMicros()) + "\r\n";
  out += "From: " + FormatMailbox(from) + "\r\n";
  out += "To: " + to_header + "\r\n";
  out += "Subject: " + EncodeHeaderText(message.subject) + "\r\n";
  if (HasLineBreak(message.message_id) ||
      message.message_id.find_first_of("<>@ ") != std::string::npos) {
    return InvalidArgumentError("Message-ID part must be a plain token");
  }
  out += "Message-ID: <" +
         (message.message_id.empty() ? random_.HexToken(16) : message.message_id) + "@" +
         (domain.empty() ? options_.message_id_domain : domain) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (message.html_body.empty()) {
    out += TextPart("plain", message.text_body);
  } else {
    // "=_" cannot occur in quoted-printable output, so the boundary can
    // never collide with body text.
    std::string boundary = "=_larch_" + random_.HexToken(16);
    out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n" + TextPart("plain", message.text_body);
    out += "--" + boundary + "\r\n" + TextPart("html", message.html_body);
    out += "--" + boundary + "--\r\n";
  }
  return out;
}

Status SmtpMailer::Send(const EmailMessage& message) {
  LARCH_ASSIGN_OR_RETURN(std::string payload, BuildMessage(message));
  LARCH_ASSIGN_OR_RETURN(Mailbox from, ParseMailbox(message.from));

  std::unique_ptr<curl_slist, SlistDeleter> recipients;
  for (const std::string& to : message.to) {
    curl_slist* appended = curl_slist_append(recipients.get(), ("<" + to + ">").c_str());
    if (appended == nullptr) return ResourceExhaustedError("curl_slist_append: out of memory");
    (void)recipients.release();
    recipients.reset(appended);
  }
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (curl == nullptr) return ResourceExhaustedError("curl_easy_init failed");
  CURL* h = curl.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string_view remaining = payload;
  std::string mail_from = "<" + from.address + ">";

  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (has_credentials_) {
    curl_easy_setopt(h, CURLOPT_USERNAME, user_.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  }
  long use_ssl = CURLUSESSL_TRY;
  if (options_.starttls == SmtpMailerOptions::StartTls::kOff) use_ssl = CURLUSESSL_NONE;
  if (options_.starttls == SmtpMailerOptions::StartTls::kRequired) use_ssl = CURLUSESSL_ALL;
  curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadPayload);
  curl_easy_setopt(h, CURLOPT_READDATA, &remaining);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));

  CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return OkStatus();
  if (code == CURLE_LOGIN_DENIED) {
    return FailedPreconditionError(std::string("SMTP authentication refused by ") + url_);
  }
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  if (reply >= 500 && reply < 600) {
    return InvalidArgumentError("SMTP server " + url_ + " rejected the message: " + detail);
  }
  // Everything else (unreachable, timeout, 4xx, dropped connection) may work
  // later; kUnavailable makes the job queue retry.
  return UnavailableError("SMTP send via " + url_ + " failed: " + detail);
}

}  // namespace larch::net
