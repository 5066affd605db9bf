// POST /api/send_account_activation_email through the real `larch` binary:
// a signed-in inactive account (the session registration leaves) gets a new
// activation mail job; an active account gets none; callers without a
// session (anonymous, an OAuth token) and a session without the CSRF token
// are refused with 403.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/storage/database.h"
#include "larch/storage/open_database.h"
#include "learning_fixture.h"

namespace larch::testing {
namespace {

using nlohmann::json;

constexpr char kPath[] = "/api/send_account_activation_email";

class ActivationMailTest : public LearningApiTest {
 protected:
  // The mail.send jobs addressed to `email`.
  int MailJobsTo(const std::string& email) {
    storage::DatabaseOptions options;
    auto it = env_.find("DATABASE_URL");
    options.url = it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
    auto db = storage::OpenDatabase(options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return -1;
    static constexpr storage::Query kMails{"test.mail_jobs",
                                           "SELECT payload FROM jobs WHERE kind = 'mail.send'"};
    auto rows = storage::RunWithResult(**db, storage::TxnMode::kReadOnly,
                                       [](storage::Transaction& t) { return t.Execute(kMails); });
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return -1;
    int count = 0;
    for (const auto& row : rows->rows) {
      json payload = json::parse(row.GetText(0), nullptr, false);
      if (payload.is_object() && payload.value("to", json::array()) == json::array({email})) {
        ++count;
      }
    }
    return count;
  }

  // Registers `username` (inactive) through the registration form; the jar
  // then holds its session and a CSRF cookie.
  void Register(const std::string& username, CookieJar& jar) {
    auto reg = Send("POST", Url("/api/user/v1/account/registration/"),
                    "email=" + username + "%40example.com&name=Dana+Scully&username=" + username +
                        "&password=Trust-no-1-ever&honor_code=true&country=US",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_TRUE(reg.ok());
    ASSERT_EQ(reg->status, 200) << reg->body;
    jar.Take(reg);
    jar.Take(Send("GET", Url("/api/user/v1/account/login_session/"), "", jar.With({})));
    ASSERT_FALSE(jar.Get("csrftoken").empty());
  }

  StatusOr<HttpClientResponse> PostWithSession(const CookieJar& jar, bool csrf) {
    Headers headers = {{"Content-Type", "application/json"}};
    if (csrf) headers.emplace_back("X-CSRFToken", jar.Get("csrftoken"));
    return Send("POST", Url(kPath), "{}", jar.With(headers));
  }
};

TEST_P(ActivationMailTest, InactiveSessionGetsANewActivationMail) {
  CookieJar jar;
  Register("dana", jar);
  EXPECT_EQ(MailJobsTo("dana@example.com"), 1);  // the registration's own
  auto sent = PostWithSession(jar, /*csrf=*/true);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->status, 200) << sent->body;
  EXPECT_EQ(sent->body, "");
  EXPECT_EQ(MailJobsTo("dana@example.com"), 2);
  // Without the CSRF token the session's POST is refused and sends nothing.
  auto forged = PostWithSession(jar, /*csrf=*/false);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(MailJobsTo("dana@example.com"), 2);
}

TEST_P(ActivationMailTest, ActiveAccountGetsNoMail) {
  CookieJar jar;
  jar.Take(Send("GET", Url("/api/user/v1/account/login_session/"), "", {}));
  auto login = Send("POST", Url("/api/user/v1/account/login_session/"),
                    "email=learner%40example.com&password=password",
                    jar.With({{"Content-Type", "application/x-www-form-urlencoded"},
                              {"X-CSRFToken", jar.Get("csrftoken")}}));
  ASSERT_TRUE(login.ok());
  ASSERT_EQ(login->status, 200) << login->body;
  jar.Take(login);
  auto sent = PostWithSession(jar, /*csrf=*/true);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->status, 200) << sent->body;
  EXPECT_EQ(MailJobsTo("learner@example.com"), 0);
}

TEST_P(ActivationMailTest, CallersWithoutASessionAreRefused) {
  const json detail = {{"detail", "Authentication credentials were not provided."}};
  auto anonymous = Send("POST", Url(kPath), "", {});
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 403);
  EXPECT_EQ(Json(anonymous), detail);
  // The view authenticates sessions only, not OAuth tokens.
  auto token = Send("POST", Url(kPath), "", {{"Authorization", "Bearer " + learner_}});
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->status, 403);
  EXPECT_EQ(Json(token), detail);
}

INSTANTIATE_TEST_SUITE_P(Backends, ActivationMailTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
