#include "larch/net/smtp_mailer.h"

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

#include "larch/testing/net_support.h"
#include "larch/testing/status_matchers.h"

namespace larch::net {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A real SMTP server: aiosmtpd (Debian python3-aiosmtpd) storing every
// message in a Maildir.
class SmtpSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::SmtpSink::Available()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd); "
                      "skipping tests against a real SMTP server";
    }
    dir_ = fs::temp_directory_path() /
           ("larch_smtp_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto sink = testing::SmtpSink::Start(dir_, max_message_bytes_);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  void TearDown() override {
    sink_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string Url() const { return sink_->url(); }

  std::unique_ptr<SmtpMailer> MakeMailer() {
    auto mailer = SmtpMailer::Create({.url = Url(), .timeout_ms = 10'000}, clock_, random_);
    EXPECT_TRUE(mailer.ok()) << mailer.status().ToString();
    return std::move(mailer).value();
  }

  // Raw bytes of every delivered message.
  std::vector<fs::path> Delivered() const { return sink_->Delivered(); }
  nlohmann::json Parse(const fs::path& file) { return sink_->Parse(file); }

  FakeClock clock_;
  SeededRandom random_{42};
  int64_t max_message_bytes_ = 1 << 20;
  fs::path dir_;
  std::unique_ptr<testing::SmtpSink> sink_;
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
      {.url = "smtp://user:s3cr%65t@127.0.0.1:" + std::to_string(testing::FreePort())}, clock,
      random);
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

TEST(SmtpMailer, MessageIdFromTheCallerKeepsTheSenderDomain) {
  FakeClock clock;
  SeededRandom random(7);
  auto mailer = SmtpMailer::Create({.url = "smtp://localhost"}, clock, random);
  ASSERT_TRUE(mailer.ok());
  EmailMessage message{.from = "ops@example.com", .to = {"a@example.org"}, .subject = "s"};
  message.message_id = "larch-mail-job-7";
  auto built = (*mailer)->BuildMessage(message);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_THAT(*built, HasSubstr("Message-ID: <larch-mail-job-7@example.com>\r\n"));
  message.message_id = "a@b";
  EXPECT_THAT((*mailer)->BuildMessage(message).status(),
              ::larch::testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace larch::net
