// Several `larch serve` nodes on one PostgreSQL database behind nginx
// (cluster.h): what one node issues (session cookies, OAuth2 tokens, JWTs,
// anonymous ids) must hold on every other node and through the proxy, writes
// racing on two nodes must not fail or duplicate, and nginx must route around
// a node that was killed. The cluster starts once for the whole binary; the
// node-killing test runs last.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "browser.h"
#include "cluster.h"
#include "larch/http/url.h"
#include "larch/testing/net_support.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using http::PercentEncode;
using nlohmann::json;

constexpr char kCourse[] = "course-v1:TestX+Course+1";
constexpr char kClientId[] = "mn";
constexpr char kClientSecret[] = "mn-secret";
constexpr char kApiKey[] = "multinode-api-key";
constexpr char kEnrollPath[] = "/api/enrollment/v1/enrollment";
constexpr int kRacingPairs = 100;
constexpr int kPairsPerRound = 10;
constexpr int kReactivations = 30;
constexpr int kLeaseSeconds = 4;
constexpr int kKilledWorkerMails = 60;

fs::path TestCourse() { return SharedOlx() / "openedx-test-course" / "course"; }

std::string Numbered(const std::string& prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%03d", i);
  return prefix + buf;
}

std::string Describe(const StatusOr<HttpClientResponse>& r) {
  if (!r.ok()) return r.status().ToString();
  return std::to_string(r->status) + " " + r->body.substr(0, 300);
}

// The HTTP status, or -1 when the request failed.
int Code(const StatusOr<HttpClientResponse>& r) { return r.ok() ? r->status : -1; }

// The body as a JSON object; an empty one when it is anything else.
json Obj(const StatusOr<HttpClientResponse>& r) {
  json parsed = Json(r);
  return parsed.is_object() ? parsed : json::object();
}

// The JSON payload of a JWT ("" segments decode to null).
json JwtPayload(const std::string& jwt) {
  size_t first = jwt.find('.');
  size_t second = jwt.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return nullptr;
  const std::string segment = jwt.substr(first + 1, second - first - 1);
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char ch : segment) {
    size_t v = kAlphabet.find(ch);
    if (v == std::string::npos) return nullptr;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return json::parse(out, nullptr, false);
}

class MultiNodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_ = Cluster::SkipReason();
    if (skip_reason_.empty() && !fs::exists(TestCourse())) {
      skip_reason_ = "no test course at " + TestCourse().string();
    }
    if (!skip_reason_.empty()) {
      std::fprintf(stderr, "multinode cluster skipped: %s\n", skip_reason_.c_str());
      return;
    }
    if (!SmtpSink::Available()) {
      skip_reason_ = "python3-aiosmtpd is not installed";
      std::fprintf(stderr, "multinode cluster skipped: %s\n", skip_reason_.c_str());
      return;
    }
    auto started = std::chrono::steady_clock::now();
    mail_dir_ = std::make_unique<TempDir>();
    auto smtp = SmtpSink::Start(mail_dir_->path());
    if (!smtp.ok()) {
      start_error_ = smtp.status().ToString();
      return;
    }
    smtp_ = std::move(smtp).value();
    ClusterOptions options;
    options.env = {{"LARCH_EDX_API_KEY", kApiKey},
                   // The races below send hundreds of enrollments per user.
                   {"LARCH_ENROLLMENT_THROTTLE_RATES", R"({"user": null, "staff": null})"},
                   {"LARCH_SMTP_URL", smtp_->url()},
                   // A killed worker's running jobs come back this soon.
                   {"LARCH_JOB_LEASE_SECONDS", std::to_string(kLeaseSeconds)}};
    auto cluster = Cluster::Start(options);
    if (!cluster.ok()) {
      start_error_ = cluster.status().ToString();
      return;
    }
    cluster_ = std::move(cluster).value();
    start_error_ = Prepare(*cluster_);
    if (!start_error_.empty()) cluster_.reset();
    std::fprintf(stderr, "multinode cluster ready in %.1f s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  static void TearDownTestSuite() {
    cluster_.reset();
    smtp_.reset();
    mail_dir_.reset();
  }

  // The OAuth client, the users and the course every test uses; "" or what
  // failed.
  static std::string Prepare(Cluster& c) {
    CommandResult client = CreatePasswordClient(c.tools_dir(), kClientId, kClientSecret, c.env());
    if (client.exit_code != 0) return "create-oauth-client: " + client.output;
    std::vector<std::string> users = {"alice", "bob", "carol"};
    for (int i = 0; i < kRacingPairs; ++i) users.push_back(Numbered("racer", i));
    for (int i = 0; i < kReactivations; ++i) users.push_back(Numbered("react", i));
    CommandResult imported = ImportUsers(c.tools_dir(), users, kPasswordHash, c.env());
    if (imported.exit_code != 0) return "import-users: " + imported.output;
    CommandResult course = c.Larch({"import-olx", TestCourse().string()});
    if (course.exit_code != 0) return "import-olx: " + course.output;
    CommandResult admin = CreateSuperuser(c.tools_dir(), "mnadmin", "password", c.env());
    if (admin.exit_code != 0) return "createsuperuser: " + admin.output;
    return "";
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_NE(cluster_, nullptr) << "the cluster did not start: " << start_error_;
  }

  void TearDown() override {
    if (HasFailure() && cluster_ != nullptr) {
      for (int i = 0; i < cluster_->node_count(); ++i) {
        std::string out = cluster_->node_output(i);
        if (out.size() > 2000) out = out.substr(out.size() - 2000);
        std::fprintf(stderr, "--- node %d output (tail)\n%s\n", i, out.c_str());
      }
    }
  }

  static Cluster& cluster() { return *cluster_; }

  // Every node but `issuer`, then nginx, as (label, base URL).
  static std::vector<std::pair<std::string, std::string>> OtherTargets(int issuer) {
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 0; i < cluster().node_count(); ++i) {
      if (i != issuer) out.emplace_back("node " + std::to_string(i), cluster().node_url(i));
    }
    out.emplace_back("nginx", cluster().nginx_url());
    return out;
  }

  // The token endpoint allows 120 requests a minute per client, shared by
  // the nodes: each user asks from its own address (X-Forwarded-For, which
  // the nodes believe from 127.0.0.1) so the suite's hundreds of grants are
  // not one client's.
  static StatusOr<HttpClientResponse> Grant(const std::string& base, const std::string& user,
                                            const std::string& extra = "") {
    const size_t h = std::hash<std::string>()(user);
    const std::string address = "10." + std::to_string(h % 250) + "." +
                                std::to_string((h / 250) % 250) + "." +
                                std::to_string((h / 62500) % 250 + 1);
    return Send(
        "POST", base + "/oauth2/access_token",
        "grant_type=password&client_id=" + std::string(kClientId) + "&client_secret=" +
            kClientSecret + "&username=" + PercentEncode(user) + "&password=password" + extra,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Forwarded-For", address}});
  }

  // An opaque access token for `user` from `base` ("" on failure, which
  // the caller's assertions then report).
  static std::string BearerToken(const std::string& base, const std::string& user) {
    auto r = Grant(base, user);
    EXPECT_TRUE(r.ok() && r->status == 200) << user << ": " << Describe(r);
    return Obj(r).value("access_token", "");
  }

  static StatusOr<HttpClientResponse> Me(const std::string& base, const std::string& auth) {
    return Get(base + "/api/user/v1/me", {{"Authorization", auth}});
  }

  static StatusOr<HttpClientResponse> Enroll(const std::string& base, const std::string& token,
                                             json body = json::object()) {
    body["course_details"] = {{"course_id", kCourse}};
    return Send("POST", base + kEnrollPath, body.dump(),
                {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  static inline std::unique_ptr<TempDir> mail_dir_;
  static inline std::unique_ptr<SmtpSink> smtp_;
  static inline std::unique_ptr<Cluster> cluster_;
  static inline std::string skip_reason_;
  static inline std::string start_error_;
};

TEST_F(MultiNodeTest, RedisAnswersPingAndWorkerRuns) {
  EXPECT_EQ(RawExchange(cluster().redis_port(), "PING\r\nQUIT\r\n", 2'000), "+PONG\r\n+OK\r\n");
  EXPECT_EQ(cluster().env().at("LARCH_REDIS_URL"),
            "redis://127.0.0.1:" + std::to_string(cluster().redis_port()) + "/0");
  EXPECT_NE(cluster().worker_output().find("worker running"), std::string::npos)
      << cluster().worker_output();
  for (int i = 0; i < cluster().node_count(); ++i) {
    EXPECT_NE(cluster().node_output(i).find("postgres database"), std::string::npos)
        << "node " << i << " is not on PostgreSQL: " << cluster().node_output(i);
  }
}

TEST_F(MultiNodeTest, SessionFromNode0WorksOnEveryNodeAndThroughNginx) {
  Browser registrar(cluster().node_url(0));
  auto reg = registrar.Form("/api/user/v1/account/registration/",
                            "email=dana%40example.com&name=Dana+Scully&username=dana"
                            "&password=Trust-no-1-ever&honor_code=true&country=US");
  ASSERT_TRUE(reg.ok() && reg->status == 200) << Describe(reg);
  Browser browser(cluster().node_url(0));
  auto login = browser.Login("alice@example.com", "password");
  ASSERT_TRUE(login.ok() && login->status == 200) << Describe(login);
  ASSERT_FALSE(browser.jar()["sessionid"].empty());

  for (const auto& [label, base] : OtherTargets(0)) {
    browser.set_base(base);
    auto me = browser.Do("GET", "/api/user/v1/me");
    EXPECT_TRUE(me.ok() && me->status == 200) << label << ": " << Describe(me);
    EXPECT_EQ(Obj(me).value("username", ""), "alice") << label;
    registrar.set_base(base);
    auto registered = registrar.Do("GET", "/api/user/v1/me");
    EXPECT_EQ(Obj(registered).value("username", ""), "dana")
        << label << ": " << Describe(registered);
  }
  // The nodes do check the cookie: a forged one is refused.
  Browser forged(cluster().node_url(1));
  forged.jar()["sessionid"] = browser.jar()["sessionid"] + "x";
  EXPECT_EQ(Code(forged.Do("GET", "/api/user/v1/me")), 401);

  // A cookie-authenticated write on node 2 with the CSRF token of node 0.
  browser.set_base(cluster().node_url(2));
  auto put = browser.Do(
      "PUT", "/api/user/v1/preferences/alice/pref-lang", "\"fr\"",
      {{"Content-Type", "application/json"}, {"X-CSRFToken", browser.jar()["csrftoken"]}});
  EXPECT_TRUE(put.ok() && put->status / 100 == 2) << Describe(put);
  browser.set_base(cluster().nginx_url());
  auto pref = browser.Do("GET", "/api/user/v1/preferences/alice/pref-lang");
  EXPECT_TRUE(pref.ok() && pref->status == 200) << Describe(pref);
  EXPECT_EQ(Json(pref), json("fr")) << Describe(pref);

  // Signing out on node 1 ends the session on the others too.
  const std::string session = browser.jar()["sessionid"];
  browser.set_base(cluster().node_url(1));
  auto logout = browser.Do("GET", "/logout");
  ASSERT_TRUE(logout.ok()) << Describe(logout);
  forged.jar()["sessionid"] = session;
  for (const auto& [label, base] : OtherTargets(1)) {
    forged.set_base(base);
    EXPECT_EQ(Code(forged.Do("GET", "/api/user/v1/me")), 401) << label;
  }
}

TEST_F(MultiNodeTest, OpaqueTokenFromNode1WorksOnEveryNodeAndThroughNginx) {
  auto grant = Grant(cluster().node_url(1), "bob");
  ASSERT_TRUE(grant.ok() && grant->status == 200) << Describe(grant);
  EXPECT_EQ(Obj(grant).value("token_type", ""), "Bearer");
  const std::string token = Obj(grant).value("access_token", "");
  for (const auto& [label, base] : OtherTargets(1)) {
    auto me = Me(base, "Bearer " + token);
    EXPECT_TRUE(me.ok() && me->status == 200) << label << ": " << Describe(me);
    EXPECT_EQ(Obj(me).value("username", ""), "bob") << label;
    EXPECT_EQ(Code(Me(base, "Bearer " + token + "x")), 401) << label;
  }
}

// Expected to fail while each node keeps its JWT keys in its data dir.
TEST_F(MultiNodeTest, JwtFromNode0VerifiesOnEveryNodeAndThroughNginx) {
  auto grant = Grant(cluster().node_url(0), "carol", "&token_type=jwt");
  ASSERT_TRUE(grant.ok() && grant->status == 200) << Describe(grant);
  EXPECT_EQ(Obj(grant).value("token_type", ""), "JWT");
  const std::string token = Obj(grant).value("access_token", "");
  ASSERT_EQ(Code(Me(cluster().node_url(0), "JWT " + token)), 200);
  for (const auto& [label, base] : OtherTargets(0)) {
    auto me = Me(base, "JWT " + token);
    EXPECT_TRUE(me.ok() && me->status == 200) << label << ": " << Describe(me);
    EXPECT_EQ(Obj(me).value("username", ""), "carol") << label;
  }
}

// Expected to fail while each node keeps its JWT keys in its data dir.
TEST_F(MultiNodeTest, JwksIsTheSameOnEveryNode) {
  auto first = Get(cluster().node_url(0) + "/auth/jwks.json");
  ASSERT_TRUE(first.ok() && first->status == 200) << Describe(first);
  ASSERT_FALSE(Json(first)["keys"].empty()) << first->body;
  for (const auto& [label, base] : OtherTargets(0)) {
    auto jwks = Get(base + "/auth/jwks.json");
    ASSERT_TRUE(jwks.ok() && jwks->status == 200) << label << ": " << Describe(jwks);
    EXPECT_EQ(Json(jwks), Json(first)) << label;
  }
}

// Expected to fail while each node keeps its anonymous-id secret in its
// data dir.
TEST_F(MultiNodeTest, JwtSubjectIsTheSameOnEveryNode) {
  std::vector<std::pair<std::string, std::string>> targets = OtherTargets(-1);
  std::string first_sub;
  for (const auto& [label, base] : targets) {
    auto grant = Grant(base, "carol", "&token_type=jwt");
    ASSERT_TRUE(grant.ok() && grant->status == 200) << label << ": " << Describe(grant);
    json claims = JwtPayload(Obj(grant).value("access_token", ""));
    ASSERT_TRUE(claims.is_object()) << label << ": " << grant->body;
    const std::string sub = claims.value("sub", "");
    ASSERT_FALSE(sub.empty()) << label << ": " << claims.dump();
    if (first_sub.empty()) first_sub = sub;
    EXPECT_EQ(sub, first_sub) << label << " gives carol another anonymous id";
  }
}

// Both requests of a pair go out at once, to nodes `a` and `b`.
struct RaceResult {
  StatusOr<HttpClientResponse> first = UnavailableError("not sent");
  StatusOr<HttpClientResponse> second = UnavailableError("not sent");
};

std::vector<RaceResult> RacePairs(const std::vector<std::string>& tokens,
                                  const std::vector<std::pair<std::string, std::string>>& bases) {
  std::vector<RaceResult> results(tokens.size());
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (int side = 0; side < 2; ++side) {
      threads.emplace_back([&, i, side] {
        while (!go.load()) std::this_thread::yield();
        const std::string& base = side == 0 ? bases[i].first : bases[i].second;
        auto r = Send(
            "POST", base + kEnrollPath, json{{"course_details", {{"course_id", kCourse}}}}.dump(),
            {{"Authorization", "Bearer " + tokens[i]}, {"Content-Type", "application/json"}});
        (side == 0 ? results[i].first : results[i].second) = std::move(r);
      });
    }
  }
  go.store(true);
  for (std::thread& t : threads) t.join();
  return results;
}

// The enrollments of the caller in kCourse, as the list endpoint shows them.
int ListedEnrollments(const std::string& base, const std::string& token, bool* active) {
  auto list = Get(base + kEnrollPath, {{"Authorization", "Bearer " + token}});
  EXPECT_TRUE(list.ok() && list->status == 200) << Describe(list);
  int count = 0;
  json listed = Json(list);
  if (!listed.is_array()) return -1;
  for (const json& e : listed) {
    if (!e.is_object() || !e.contains("course_details")) continue;
    if (e["course_details"].value("course_id", "") != kCourse) continue;
    ++count;
    if (active != nullptr) *active = e.value("is_active", false);
  }
  return count;
}

void ExpectRaceOk(const RaceResult& r, const std::string& who) {
  for (const auto* side : {&r.first, &r.second}) {
    ASSERT_TRUE(side->ok()) << who << ": " << side->status().ToString();
    EXPECT_EQ((*side)->status, 200) << who << ": " << Describe(*side);
    EXPECT_EQ(Obj(*side).value("is_active", false), true) << who << ": " << Describe(*side);
  }
}

TEST_F(MultiNodeTest, RacingEnrollmentsOnTwoNodesMakeOneEnrollment) {
  const int n = cluster().node_count();
  std::vector<std::string> tokens;
  tokens.reserve(kRacingPairs);
  for (int i = 0; i < kRacingPairs; ++i) {
    tokens.push_back(BearerToken(cluster().node_url(i % n), Numbered("racer", i)));
  }
  for (int round = 0; round < kRacingPairs / kPairsPerRound; ++round) {
    std::vector<std::string> batch;
    std::vector<std::pair<std::string, std::string>> bases;
    for (int k = 0; k < kPairsPerRound; ++k) {
      int i = round * kPairsPerRound + k;
      batch.push_back(tokens[i]);
      bases.emplace_back(cluster().node_url(i % n), cluster().node_url((i + 1) % n));
    }
    std::vector<RaceResult> results = RacePairs(batch, bases);
    for (int k = 0; k < kPairsPerRound; ++k) {
      ExpectRaceOk(results[k], Numbered("racer", round * kPairsPerRound + k));
    }
  }
  for (int i = 0; i < kRacingPairs; ++i) {
    bool active = false;
    EXPECT_EQ(ListedEnrollments(cluster().nginx_url(), tokens[i], &active), 1)
        << Numbered("racer", i);
    EXPECT_TRUE(active) << Numbered("racer", i);
  }
  auto rows = cluster().QueryInt(
      "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id "
      "WHERE u.username LIKE 'racer%' AND e.course_key = $1",
      {kCourse});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, kRacingPairs);
  auto created = cluster().QueryInt(
      "SELECT COUNT(*) FROM enrollment_history h JOIN users u ON u.id = h.user_id "
      "WHERE u.username LIKE 'racer%' AND h.course_key = $1 AND h.history_type = '+'",
      {kCourse});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*created, kRacingPairs) << "one creation row per enrollment";
}

TEST_F(MultiNodeTest, RacingReactivationsOnTwoNodesWriteOneHistoryRowEach) {
  const int n = cluster().node_count();
  std::vector<std::string> tokens;
  std::vector<std::pair<std::string, std::string>> bases;
  for (int i = 0; i < kReactivations; ++i) {
    const std::string user = Numbered("react", i);
    tokens.push_back(BearerToken(cluster().node_url(i % n), user));
    auto enrolled = Enroll(cluster().node_url(i % n), tokens.back());
    ASSERT_TRUE(enrolled.ok() && enrolled->status == 200) << user << ": " << Describe(enrolled);
    // Only the API key (or staff) may deactivate through this endpoint.
    auto off = Send(
        "POST", cluster().node_url((i + 1) % n) + kEnrollPath,
        json{{"user", user}, {"is_active", false}, {"course_details", {{"course_id", kCourse}}}}
            .dump(),
        {{"X-Edx-Api-Key", kApiKey}, {"Content-Type", "application/json"}});
    ASSERT_TRUE(off.ok() && off->status == 200) << user << ": " << Describe(off);
    ASSERT_EQ(Obj(off).value("is_active", true), false) << user << ": " << Describe(off);
    bases.emplace_back(cluster().node_url((i + 1) % n), cluster().node_url((i + 2) % n));
  }
  std::vector<RaceResult> results = RacePairs(tokens, bases);
  for (int i = 0; i < kReactivations; ++i) {
    const std::string user = Numbered("react", i);
    ExpectRaceOk(results[i], user);
    bool active = false;
    EXPECT_EQ(ListedEnrollments(cluster().nginx_url(), tokens[i], &active), 1) << user;
    EXPECT_TRUE(active) << user;
    // Created, deactivated, reactivated: three real changes.
    auto history = cluster().QueryInt(
        "SELECT COUNT(*) FROM enrollment_history h JOIN users u ON u.id = h.user_id "
        "WHERE u.username = $1 AND h.course_key = $2",
        {user, kCourse});
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    EXPECT_EQ(*history, 3) << user << ": one history row per real change";
  }
}

// Last: it kills a node (and starts it again at the end).
// The token endpoint allows 120 requests a minute per client: with three
// nodes sharing the counter in Redis the client still gets 120, not 360.
// The client is named by X-Forwarded-For, which the nodes believe because
// the test connects from 127.0.0.1, a trusted proxy.
TEST_F(MultiNodeTest, ARateLimitIsTheSameOnThreeNodesAsOnOne) {
  // The counter's window is the minute: start well inside one.
  while (std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
                 .count() %
             60 >=
         40) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  constexpr int kLimit = 120;
  int allowed = 0;
  int limited = 0;
  for (int i = 0; i < kLimit + 30; ++i) {
    auto r = Send("POST", cluster().node_url(i % cluster().node_count()) + "/oauth2/access_token/",
                  "grant_type=password&client_id=nobody&username=x&password=y",
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"X-Forwarded-For", "198.51.100.77"}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    (r->status == 429 ? limited : allowed)++;
  }
  EXPECT_EQ(allowed, kLimit);
  EXPECT_EQ(limited, 30);
  // Another client is counted apart, and a client cannot pose as another by
  // writing its own X-Forwarded-For through nginx: nginx's entry counts.
  auto other = Send("POST", cluster().node_url(0) + "/oauth2/access_token/",
                    "grant_type=password&client_id=nobody&username=x&password=y",
                    {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"X-Forwarded-For", "198.51.100.78"}});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->status, 429);
}

// A re-import through any process reaches every node's cached course
// details at once (Redis invalidation), not after their 60 s.
TEST_F(MultiNodeTest, AReimportIsSeenByEveryNodesCachedCourseDetails) {
  const std::string path = "/api/enrollment/v1/course/" + std::string(kCourse);
  for (int i = 0; i < cluster().node_count(); ++i) {
    auto r = Get(cluster().node_url(i) + path);
    ASSERT_EQ(Code(r), 200) << Describe(r);
    ASSERT_EQ(Obj(r).value("course_name", ""), "Open edX Test Course");
  }
  TempDir copy;
  const fs::path course = fs::path(copy.path()) / "course";
  fs::copy(TestCourse(), course, fs::copy_options::recursive);
  // The name is in the policy (which wins) and in the course's XML.
  for (const fs::path& file :
       {course / "policies" / "1" / "policy.json", course / "course" / "1.xml"}) {
    std::string text = ReadFile(file);
    const std::string old_name = "Open edX Test Course";
    ASSERT_NE(text.find(old_name), std::string::npos) << file;
    text.replace(text.find(old_name), old_name.size(), "Renamed Test Course");
    std::ofstream out(file, std::ios::trunc);
    out << text;
  }
  CommandResult imported = cluster().Larch({"import-olx", course.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto started = std::chrono::steady_clock::now();
  std::vector<bool> seen(cluster().node_count(), false);
  double slowest = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(10)) {
    bool all = true;
    for (int i = 0; i < cluster().node_count(); ++i) {
      if (seen[i]) continue;
      if (Obj(Get(cluster().node_url(i) + path)).value("course_name", "") ==
          "Renamed Test Course") {
        seen[i] = true;
        slowest = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      } else {
        all = false;
      }
    }
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int i = 0; i < cluster().node_count(); ++i) {
    EXPECT_TRUE(seen[i]) << "node " << i << " still serves the cached name";
  }
  std::fprintf(stderr, "re-import seen by every node after %.3f s\n", slowest);
  CommandResult restored = cluster().Larch({"import-olx", TestCourse().string()});
  EXPECT_EQ(restored.exit_code, 0) << restored.output;
}

// `larch rotate-keys` from any process: every node signs with the new key
// and still verifies tokens of the old one.
TEST_F(MultiNodeTest, ARotationIsPickedUpByEveryNode) {
  const std::string old_token =
      Obj(Grant(cluster().node_url(0), "alice", "&token_type=jwt")).value("access_token", "");
  ASSERT_FALSE(old_token.empty());
  const std::string old_kid = Obj(Get(cluster().node_url(1) + "/auth/jwks.json"))["keys"][0]["kid"];
  CommandResult rotated = cluster().Larch({"rotate-keys"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  for (int i = 0; i < cluster().node_count(); ++i) {
    std::string kid = old_kid;
    for (int tries = 0; tries < 100 && kid == old_kid; ++tries) {
      kid = Obj(Get(cluster().node_url(i) + "/auth/jwks.json"))["keys"][0].value("kid", "");
      if (kid == old_kid) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(kid, old_kid) << "node " << i << " never loaded the new key";
    EXPECT_EQ(Code(Me(cluster().node_url(i), "JWT " + old_token)), 200)
        << "node " << i << " refuses a token of the previous key";
  }
}

// Unenrollment events go to the Redis stream of event-bus-redis's topic.
TEST_F(MultiNodeTest, UnenrollmentEventsReachTheRedisStream) {
  const std::string token = BearerToken(cluster().node_url(2), "carol");
  ASSERT_EQ(Code(Enroll(cluster().node_url(2), token)), 200);
  auto off = Enroll(cluster().node_url(1), token, {{"is_active", false}});
  ASSERT_EQ(Code(off), 200) << Describe(off);
  const std::string reply = RawExchange(
      cluster().redis_port(), "XRANGE course-unenrollment-lifecycle - +\r\nQUIT\r\n", 2'000);
  EXPECT_NE(reply.find("org.openedx.learning.course.unenrollment.completed.v1"), std::string::npos)
      << reply.substr(0, 500);
  EXPECT_NE(reply.find("event_data"), std::string::npos);
}

// `larch check` says what the node shares.
TEST_F(MultiNodeTest, CheckReportsWhatTheNodeShares) {
  CommandResult check = cluster().Larch({"check", "--node-id", "checker"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  for (const char* line : {"node: checker", "shared: database", "shared: JWT signing keys",
                           "shared: redis redis://127.0.0.1:"}) {
    EXPECT_NE(check.output.find(line), std::string::npos) << line << "\n" << check.output;
  }
}

// Course imports through nginx land on any node and run on whichever
// process claims the job (the nodes' job threads or the worker): every one
// succeeds, and the imported course's asset is served by every node, with
// the same ETag.
TEST_F(MultiNodeTest, ImportsSucceedAnywhereAndTheirAssetsAreServedByEveryNode) {
  constexpr char kBoundary[] = "mnboundary";
  const std::string archive = ReadFile(SharedOlx() / "openedx-test-course" / "test-course.tar.gz");
  ASSERT_FALSE(archive.empty());
  const std::string admin =
      Obj(Grant(cluster().node_url(0), "mnadmin", "&token_type=jwt")).value("access_token", "");
  ASSERT_FALSE(admin.empty());
  std::string body = std::string("--") + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"course_data\"; "
                     "filename=\"test-course.tar.gz\"\r\nContent-Type: application/gzip\r\n\r\n" +
                     archive + "\r\n--" + kBoundary + "--\r\n";
  constexpr int kImports = 6;
  std::vector<std::pair<std::string, std::string>> tasks;  // course, task id
  for (int i = 0; i < kImports; ++i) {
    const std::string course = "course-v1:TestX+Multi+Run" + std::to_string(i);
    auto posted =
        Send("POST", cluster().nginx_url() + "/api/courses/v0/import/" + course + "/", body,
             {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary},
              {"Authorization", "JWT " + admin}});
    ASSERT_EQ(Code(posted), 200) << Describe(posted);
    tasks.emplace_back(course, Obj(posted).value("task_id", ""));
  }
  for (const auto& [course, task] : tasks) {
    std::string state;
    for (int tries = 0; tries < 300; ++tries) {
      auto r = Get(cluster().nginx_url() + "/api/courses/v0/import/" + course +
                       "/?task_id=" + task + "&filename=test-course.tar.gz",
                   {{"Authorization", "JWT " + admin}});
      state = Obj(r).value("state", Describe(r));
      if (state != "Pending" && state != "In Progress") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(state, "Succeeded") << course;
  }
  const std::string asset =
      "/asset-v1:TestX+Multi+Run0+type@asset+block@Screenshot_2022-05-17_12-45-12.png";
  std::string etag;
  for (int i = 0; i < cluster().node_count(); ++i) {
    auto r = Get(cluster().node_url(i) + asset);
    ASSERT_EQ(Code(r), 200) << "node " << i << ": " << Describe(r);
    EXPECT_EQ(r->body, ReadFile(TestCourse() / "static" / "Screenshot_2022-05-17_12-45-12.png"));
    std::string tag;
    for (const auto& [name, value] : r->headers) {
      if (name == "etag") tag = value;
    }
    EXPECT_FALSE(tag.empty()) << "node " << i;
    if (etag.empty()) etag = tag;
    EXPECT_EQ(tag, etag) << "node " << i;
  }
}

// A configuration model changed through one node is what every node serves
// next, although each had the old row in its 600 s cache (the change is
// announced over Redis).
TEST_F(MultiNodeTest, AConfigurationChangeIsSeenByEveryNode) {
  const std::string admin =
      Obj(Grant(cluster().node_url(0), "mnadmin", "&token_type=jwt")).value("access_token", "");
  ASSERT_FALSE(admin.empty());
  const Headers auth = {{"Authorization", "JWT " + admin}};
  for (int i = 0; i < cluster().node_count(); ++i) {
    auto before = Get(cluster().node_url(i) + "/config/programs", auth);
    ASSERT_EQ(Code(before), 200) << "node " << i << ": " << Describe(before);
    EXPECT_EQ(Obj(before).value("marketing_path", "?"), "") << "node " << i;
  }
  auto posted = Send("POST", cluster().node_url(0) + "/config/programs",
                     R"({"enabled": true, "marketing_path": "/our-programs"})",
                     {{"Authorization", "JWT " + admin}, {"Content-Type", "application/json"}});
  ASSERT_EQ(Code(posted), 201) << Describe(posted);
  const auto changed = std::chrono::steady_clock::now();
  for (int i = 1; i < cluster().node_count(); ++i) {
    json seen;
    for (int tries = 0; tries < 100; ++tries) {
      seen = Obj(Get(cluster().node_url(i) + "/config/programs", auth));
      if (seen.value("marketing_path", "") == "/our-programs") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(seen.value("marketing_path", ""), "/our-programs") << "node " << i;
    EXPECT_EQ(seen.value("enabled", false), true) << "node " << i;
    EXPECT_EQ(seen.value("changed_by", ""), "mnadmin") << "node " << i;
  }
  std::fprintf(stderr, "configuration change seen by every node after %.3f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - changed).count());
}

// Jobs are claimed one per free thread: a worker SIGKILLed in the middle of
// its work holds only the jobs it was running, which the other processes
// take over once their lease runs out; every other job runs once, on
// another process, without waiting for a lease. The nodes are frozen
// (SIGSTOP) while the mail jobs are queued so that the worker is the only
// runner until the kill; it is frozen too at a moment it holds a job, and
// the jobs it then holds are the ones the kill may delay.
TEST_F(MultiNodeTest, YAKilledWorkerDelaysOnlyTheJobsItWasRunning) {
  // Whatever fails below, no process stays frozen for the later tests.
  struct Thaw {
    ~Thaw() {
      cluster().SignalWorker(SIGCONT);
      for (int i = 0; i < cluster().node_count(); ++i) cluster().SignalNode(i, SIGCONT);
    }
  } thaw;
  for (int i = 0; i < cluster().node_count(); ++i) cluster().SignalNode(i, SIGSTOP);
  std::string ids = "0";
  for (int i = 0; i < kKilledWorkerMails; ++i) {
    json payload = {{"to", {"killed-worker@example.com"}},
                    {"subject", "job " + std::to_string(i)},
                    {"text", "sent by whichever process ran the job"}};
    auto id = cluster().QueryInt(
        "INSERT INTO jobs (kind, payload, run_at, created_at, updated_at) "
        "VALUES ('mail.send', $1, 0, 0, 0) RETURNING id",
        {payload.dump()});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids += "," + std::to_string(*id);
  }
  const std::string mine = "SELECT id FROM jobs WHERE state = 'running' AND locked_by = '" +
                           std::string(Cluster::kWorkerNodeId) + "' AND id IN (" + ids +
                           ") ORDER BY id";
  std::vector<int64_t> held;
  for (int tries = 0; tries < 2'000 && held.empty(); ++tries) {
    cluster().SignalWorker(SIGSTOP);
    auto running = cluster().QueryInts(mine);
    ASSERT_TRUE(running.ok()) << running.status().ToString();
    held = *running;
    if (held.empty()) {
      cluster().SignalWorker(SIGCONT);
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }
  cluster().KillWorker();
  for (int i = 0; i < cluster().node_count(); ++i) cluster().SignalNode(i, SIGCONT);
  ASSERT_FALSE(held.empty()) << "the worker never ran a job: " << cluster().worker_output();
  // One job per job thread (JOB_WORKERS 2), not a batch.
  EXPECT_LE(held.size(), 2U);

  const std::string unfinished =
      "SELECT count(*) FROM jobs WHERE state <> 'succeeded' AND id IN (" + ids + ")";
  int64_t left = -1;
  for (int tries = 0; tries < 600; ++tries) {
    left = cluster().QueryInt(unfinished).value_or(-1);
    if (left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(left, 0) << "jobs not done " << (600 * 100 / 1000) << " s after the kill";
  // Claimed twice: exactly the jobs the worker held; every other ran once.
  auto twice = cluster().QueryInts("SELECT id FROM jobs WHERE attempts > 1 AND id IN (" + ids +
                                   ") ORDER BY id");
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_EQ(*twice, held);
  // Every mail arrived, with the job's Message-ID (a held one may have
  // gone out before the kill and again after it, under the same id).
  std::set<std::string> message_ids;
  for (const auto& file : smtp_->Delivered()) {
    json message = smtp_->Parse(file);
    if (message.value("X-RcptTo", "").find("killed-worker@") == std::string::npos) continue;
    message_ids.insert(message.value("Message-ID", ""));
  }
  EXPECT_EQ(message_ids.size(), static_cast<size_t>(kKilledWorkerMails));

  Status restarted = cluster().RestartWorker();
  EXPECT_TRUE(restarted.ok()) << restarted.ToString();
}

TEST_F(MultiNodeTest, ZNginxRoutesAroundAKilledNode) {
  const std::string token = BearerToken(cluster().nginx_url(), "alice");
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(cluster().KillNode(2, SIGKILL).ok());
  EXPECT_FALSE(Get(cluster().node_url(2) + "/heartbeat").ok()) << "node 2 still answers";
  for (int i = 0; i < 30; ++i) {
    auto me = Me(cluster().nginx_url(), "Bearer " + token);
    EXPECT_TRUE(me.ok() && me->status == 200) << "request " << i << ": " << Describe(me);
    // POST is not idempotent; nginx still retries it when the connect failed.
    auto enrolled = Enroll(cluster().nginx_url(), token);
    EXPECT_TRUE(enrolled.ok() && enrolled->status == 200)
        << "enroll " << i << ": " << Describe(enrolled);
  }
  EXPECT_NE(cluster().nginx_error_log().find("connect() failed"), std::string::npos)
      << "nginx never tried the dead node: " << cluster().nginx_error_log();

  Status restarted = cluster().RestartNode(2);
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  const size_t logged = cluster().nginx_access_log().size();
  auto direct = Me(cluster().node_url(2), "Bearer " + token);
  EXPECT_TRUE(direct.ok() && direct->status == 200) << Describe(direct);
  for (int i = 0; i < 12; ++i) {
    auto me = Me(cluster().nginx_url(), "Bearer " + token);
    EXPECT_TRUE(me.ok() && me->status == 200) << "after restart " << i << ": " << Describe(me);
  }
  // The reloaded nginx sends the restarted node its share again.
  const std::string restarted_at = cluster().node_url(2).substr(std::string("http://").size());
  EXPECT_NE(cluster().nginx_access_log().find(restarted_at, logged), std::string::npos)
      << cluster().nginx_access_log().substr(logged) << cluster().nginx_error_log();
}

}  // namespace
}  // namespace larch::testing
