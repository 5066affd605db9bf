#include "larch/net/smtp_mailer.h"

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
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace larch::net {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPython[] = "/usr/bin/python3";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
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

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses a delivered message with Python's email package (an independent
// MIME implementation) and returns the decoded fields as JSON.
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
out['defects'] = len(msg.defects)
print(json.dumps(out))
)PY";

// A real SMTP server: aiosmtpd (Debian python3-aiosmtpd) storing every
// message in a Maildir.
class SmtpSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPython, X_OK) != 0 ||
        std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd); "
                      "skipping tests against a real SMTP server";
    }
    dir_ = fs::temp_directory_path() /
           ("larch_smtp_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    maildir_ = dir_ / "maildir";
    port_ = FreePort();
    std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::string maildir = maildir_.string();
    std::string size = std::to_string(max_message_bytes_);
    std::vector<const char*> argv = {
        kPython,         "-m",   "aiosmtpd",   "-n", "-l",
        listen.c_str(),  "-s",   size.c_str(), "-c", "aiosmtpd.handlers.Mailbox",
        maildir.c_str(), nullptr};
    ASSERT_EQ(
        posix_spawn(&pid_, kPython, nullptr, nullptr, const_cast<char**>(argv.data()), environ), 0);
    for (int i = 0; i < 200 && !CanConnect(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(CanConnect(port_)) << "aiosmtpd did not start on " << listen;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<SmtpMailer> MakeMailer() {
    auto mailer = SmtpMailer::Create({.url = Url(), .timeout_ms = 10'000}, clock_, random_);
    EXPECT_TRUE(mailer.ok()) << mailer.status().ToString();
    return std::move(mailer).value();
  }

  // Raw bytes of every delivered message.
  std::vector<fs::path> Delivered() const {
    std::vector<fs::path> files;
    if (!fs::exists(maildir_ / "new")) return files;
    for (const auto& entry : fs::directory_iterator(maildir_ / "new")) files.push_back(entry);
    return files;
  }

  nlohmann::json Parse(const fs::path& file) {
    fs::path script = dir_ / "parse.py";
    std::ofstream(script) << kParseScript;
    std::string out =
        RunCapture(std::string(kPython) + " " + script.string() + " " + file.string());
    return nlohmann::json::parse(out, nullptr, false);
  }

  FakeClock clock_;
  SeededRandom random_{42};
  int64_t max_message_bytes_ = 1 << 20;
  fs::path dir_, maildir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(SmtpSinkTest, DeliversPlainTextMessage) {
  auto mailer = MakeMailer();
  EmailMessage message{.from = "Larch <no-reply@example.com>",
                       .to = {"alice@example.org", "bob@example.net"},
                       .subject = "Welcome to Larch",
                       .text_body = "Hello Alice,\n\nYour account is ready.\n.\nBye = ok"};
  ASSERT_TRUE(mailer->Send(message).ok());

  auto files = Delivered();
  ASSERT_EQ(files.size(), 1u);
  nlohmann::json got = Parse(files[0]);
  ASSERT_FALSE(got.is_discarded());
  EXPECT_EQ(got["Subject"], "Welcome to Larch");
  EXPECT_EQ(got["From"], "Larch <no-reply@example.com>");
  EXPECT_EQ(got["To"], "alice@example.org, bob@example.net");
  EXPECT_EQ(got["Date"], "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(got["MIME-Version"], "1.0");
  EXPECT_THAT(got["Message-ID"].get<std::string>(), HasSubstr("@example.com>"));
  EXPECT_EQ(got["X-MailFrom"], "no-reply@example.com");
  EXPECT_EQ(got["X-RcptTo"], "alice@example.org, bob@example.net");
  EXPECT_EQ(got["content_type"], "text/plain");
  EXPECT_EQ(got["text"], "Hello Alice,\n\nYour account is ready.\n.\nBye = ok\n");
  EXPECT_EQ(got["html"], nullptr);
  EXPECT_EQ(got["defects"], 0);
}

TEST_F(SmtpSinkTest, DeliversNonAsciiSubjectAndHtmlAlternative) {
  auto mailer = MakeMailer();
  std::string long_line(200, 'x');
  EmailMessage message{
      .from = "Équipe Larch <équipe@example.com>",
      .to = {"zoë@example.org"},
      .subject = "Bienvenue à Larch — félicitations, votre cours «Python» commence demain 🎉",
      .text_body = "Ça marche: " + long_line + "\nligne 2  ",
      .html_body = "<p>Ça <b>marche</b></p>"};
  // Non-ASCII addresses need SMTPUTF8; they are refused before any I/O.
  EXPECT_EQ(mailer->Send(message).code(), StatusCode::kInvalidArgument);
  message.from = "Équipe Larch <equipe@example.com>";
  message.to = {"zoe@example.org"};
  ASSERT_TRUE(mailer->Send(message).ok());

  auto files = Delivered();
  ASSERT_EQ(files.size(), 1u);
  std::string raw = ReadFile(files[0]);
  EXPECT_THAT(raw, HasSubstr("Subject: =?UTF-8?B?"));
  EXPECT_THAT(raw, HasSubstr("Content-Type: multipart/alternative; boundary="));
  EXPECT_THAT(raw, HasSubstr("Content-Transfer-Encoding: quoted-printable"));
  for (char c : raw) ASSERT_LT(static_cast<unsigned char>(c), 0x80) << "message must be 7-bit";

  nlohmann::json got = Parse(files[0]);
  ASSERT_FALSE(got.is_discarded());
  EXPECT_EQ(got["Subject"], message.subject);
  EXPECT_EQ(got["From"], "Équipe Larch <equipe@example.com>");
  EXPECT_EQ(got["X-RcptTo"], "zoe@example.org");
  EXPECT_EQ(got["content_type"], "multipart/alternative");
  // Inside a multipart the CRLF before a boundary belongs to the delimiter,
  // so both parts round-trip exactly.
  EXPECT_EQ(got["text"], message.text_body);
  EXPECT_EQ(got["html"], message.html_body);
  EXPECT_EQ(got["defects"], 0);
}

TEST_F(SmtpSinkTest, RejectsHeaderInjectionWithoutSending) {
  auto mailer = MakeMailer();
  const EmailMessage good{.from = "no-reply@example.com", .to = {"a@example.org"}, .subject = "s"};
  std::vector<EmailMessage> bad(6, good);
  bad[0].subject = "Hi\r\nBcc: victim@example.org";
  bad[1].subject = "Hi\nBcc: victim@example.org";
  bad[2].from = "Evil\r\nBcc: victim@example.org <x@example.com>";
  bad[3].to = {"a@example.org\r\nBcc: victim@example.org"};
  bad[4].to = {"a@example.org>\r\nRCPT TO:<victim@example.org"};
  bad[5].to = {};
  for (const EmailMessage& message : bad) {
    EXPECT_EQ(mailer->Send(message).code(), StatusCode::kInvalidArgument) << message.subject;
  }
  EXPECT_TRUE(Delivered().empty());
  ASSERT_TRUE(mailer->Send(good).ok());
  EXPECT_EQ(Delivered().size(), 1u);
}

class SmallSmtpSinkTest : public SmtpSinkTest {
 protected:
  SmallSmtpSinkTest() { max_message_bytes_ = 1000; }
};

TEST_F(SmallSmtpSinkTest, PermanentRejectionIsInvalidArgument) {
  auto mailer = MakeMailer();
  // The server's SIZE limit makes it answer 552 (permanent): retrying the
  // same message cannot help, so it is not kUnavailable.
  Status status = mailer->Send({.from = "no-reply@example.com",
                                .to = {"a@example.org"},
                                .subject = "big",
                                .text_body = std::string(5000, 'x')});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_TRUE(Delivered().empty());
}

TEST(SmtpMailer, UnreachableServerIsUnavailableAndHidesPassword) {
  FakeClock clock;
  SeededRandom random(1);
  auto mailer = SmtpMailer::Create(
      {.url = "smtp://user:s3cr%65t@127.0.0.1:" + std::to_string(FreePort())}, clock, random);
  ASSERT_TRUE(mailer.ok()) << mailer.status().ToString();
  Status status = (*mailer)->Send(
      {.from = "no-reply@example.com", .to = {"a@example.org"}, .subject = "s", .text_body = "b"});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), Not(HasSubstr("s3cr")));
  EXPECT_THAT(status.message(), Not(HasSubstr("secret")));
}

TEST(SmtpMailer, RejectsNonSmtpUrls) {
  FakeClock clock;
  SeededRandom random(1);
  for (const char* url : {"", "http://example.com", "smtp://", "not a url"}) {
    EXPECT_EQ(SmtpMailer::Create({.url = url}, clock, random).status().code(),
              StatusCode::kInvalidArgument)
        << url;
  }
  EXPECT_TRUE(SmtpMailer::Create({.url = "smtps://u:p@mail.example.com:465"}, clock, random).ok());
}

TEST(SmtpMailer, BuildsDeterministicMessage) {
  FakeClock clock;
  SeededRandom random(7);
  auto mailer = SmtpMailer::Create({.url = "smtp://localhost"}, clock, random);
  ASSERT_TRUE(mailer.ok());
  EmailMessage message{.from = "\"Larch \\\"Ops\\\"\" <ops@example.com>",
                       .to = {"a@example.org"},
                       .subject = "Plain subject",
                       .text_body = std::string(100, 'a') + "=\n.dot\ntrailing \nend"};
  auto built = (*mailer)->BuildMessage(message);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const std::string& raw = *built;
  EXPECT_THAT(raw, HasSubstr("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  EXPECT_THAT(raw, HasSubstr("From: \"Larch \\\"Ops\\\"\" <ops@example.com>\r\n"));
  EXPECT_THAT(raw, HasSubstr("Subject: Plain subject\r\n"));
  EXPECT_THAT(raw, HasSubstr("Content-Type: text/plain; charset=utf-8\r\n"));
  // Soft break at 76 columns, '=' escaped, leading dot and trailing space encoded.
  EXPECT_THAT(raw, HasSubstr(std::string(75, 'a') + "=\r\n" + std::string(25, 'a') + "=3D\r\n"));
  EXPECT_THAT(raw, HasSubstr("\r\n=2Edot\r\ntrailing=20\r\nend"));
  for (size_t start = 0, end; (end = raw.find("\r\n", start)) != std::string::npos;
       start = end + 2) {
    EXPECT_LE(end - start, 76u);
  }

  SeededRandom same_seed(7);
  auto again = SmtpMailer::Create({.url = "smtp://localhost"}, clock, same_seed);
  EXPECT_EQ(*(*again)->BuildMessage(message), raw);
}

}  // namespace
}  // namespace larch::net
