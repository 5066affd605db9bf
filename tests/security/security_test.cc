// The attacker's probe of issue 8, repeatable: hostile bodies on every route
// of the real binary's own route table (`larch routes`), deeply nested JSON
// answered like malformed JSON, uploads refused from their headers, a flood
// of idle connections, server paths in import messages and locked assets.
// Each test goes through the real `larch` binary, on SQLite and (with
// LARCH_TEST_PG_DSN) PostgreSQL.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "larch/http/url.h"
#include "larch/storage/open_database.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// PBKDF2 of "password" (as in the enrollment tests).
constexpr char kCourse[] = "course-v1:TestX+Course+1";
constexpr char kAsset[] =
    "/asset-v1:TestX+Course+1+type@asset+block@Screenshot_2022-05-17_12-45-12.png";

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// An open TCP connection that sends nothing.
int IdleConnection(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Route {
  std::string method;
  std::string pattern;
};

// The pattern with plausible values in its parameters.
std::string FillPattern(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      out.push_back(pattern[i++]);
      continue;
    }
    size_t close = pattern.find('}', i);
    std::string spec = pattern.substr(i + 1, close - i - 1);
    if (spec.find(":course_key") != std::string::npos) {
      out += kCourse;
    } else if (spec.find(":path") != std::string::npos) {
      out += "static/a.png";
    } else if (spec.find("user") != std::string::npos) {
      out += "learner1";
    } else if (spec.find("course") != std::string::npos) {
      out += kCourse;
    } else {
      out += "x1";
    }
    i = close + 1;
  }
  return out;
}

struct HostileBody {
  std::string name;
  std::string content_type;
  std::string body;
};

std::vector<HostileBody> HostileBodies() {
  std::string nested_multipart;
  for (int i = 0; i < 5'000; ++i) {
    nested_multipart += "--b" + std::to_string(i) +
                        "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i + 1) +
                        "\r\n\r\n";
  }
  return {
      {"deep json in an unused field", "application/json",
       "{\"unused\": " + Nested(100'000) + ", \"username\": \"learner1\"}"},
      {"deep json as the whole body", "application/json", Nested(100'000)},
      {"huge string", "application/json", "{\"name\": \"" + std::string(300'000, 'a') + "\"}"},
      {"invalid utf-8", "application/json", "{\"name\": \"\xff\xfe\xc3\x28\"}"},
      {"null bytes in a form", "application/x-www-form-urlencoded",
       std::string("email=%00&password=a\0b&name=\0", 30)},
      {"json under a text type", "text/plain", "{\"org\": " + Nested(100'000) + "}"},
      {"broken multipart", "multipart/form-data; boundary=xyz",
       "--xyz\r\nContent-Disposition: form-data; name=\"course_data\"; "
       "filename=\"a.tar.gz\"\r\n\r\n\x1f\x8b\x08"},
      {"nested multipart", "multipart/form-data; boundary=b0", nested_multipart},
  };
}

class SecurityTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    const std::string data = dir_.path();
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", data}, env_).exit_code, 0);
    CommandResult admin = CreateSuperuser(data, "admin", "password", env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult users =
        ImportUsers(data, {"learner1", "learner2", "staff1"}, kPasswordHash, env_);
    ASSERT_EQ(users.exit_code, 0) << users.output;
    CommandResult client = CreatePasswordClient(data, "t", "t-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
    // The test course with its one asset locked.
    fs::path course = fs::path(data) / "locked-course";
    fs::copy(SharedOlx() / "openedx-test-course" / "course", course, fs::copy_options::recursive);
    json assets = json::parse(ReadFile(course / "policies" / "assets.json"));
    for (auto& [name, asset] : assets.items()) asset["locked"] = true;
    std::ofstream(course / "policies" / "assets.json", std::ios::trunc) << assets.dump();
    CommandResult imported = RunLarch({"import-olx", "--data-dir", data, course.string()}, env_);
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    Sql("INSERT INTO course_access_roles (user_id, org, course_id, role) "
        "SELECT id, 'TestX', ?, 'staff' FROM users WHERE username = 'staff1'");
  }

  void TearDown() override {
    for (int fd : fds_) close(fd);
  }

  void Sql(const std::string& sql) {
    storage::DatabaseOptions options;
    auto url = env_.find("DATABASE_URL");
    options.url = url != env_.end() ? url->second : "sqlite://" + dir_.path() + "/larch.db";
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const storage::Query query{"test.security", sql.c_str()};
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(query, {storage::Text(kCourse)}).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Start(std::map<std::string, std::string> extra = {}) {
    server_.reset();
    std::map<std::string, std::string> env = env_;
    for (auto& [k, v] : extra) env[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  std::string Token(const std::string& username) {
    auto r = PasswordGrant(server_->base_url(), "t", "t-secret", username, "password",
                           "&token_type=jwt");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return Json(r).value("access_token", "");
  }

  // The server process is alive and /heartbeat answers 200.
  void ExpectAlive(const std::string& after) {
    ASSERT_EQ(kill(server_->pid(), 0), 0) << "server died after " << after << "\n"
                                          << server_->output();
    auto beat = Get(Url("/heartbeat"));
    ASSERT_TRUE(beat.ok()) << "after " << after << ": " << beat.status().ToString() << "\n"
                           << server_->output().substr(0, 3000);
    ASSERT_EQ(beat->status, 200) << "after " << after << ": " << beat->body;
  }

  std::vector<Route> Routes() {
    CommandResult listed = RunLarch({"routes", "--data-dir", dir_.path()}, env_);
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    std::vector<Route> routes;
    std::istringstream lines(listed.output);
    for (std::string line; std::getline(lines, line);) {
      json parsed = json::parse(line, nullptr, false);
      if (!parsed.is_object() || !parsed.contains("pattern")) continue;
      routes.push_back({parsed["method"], parsed["pattern"]});
    }
    return routes;
  }

  std::unique_ptr<LarchProcess> server_;
  std::vector<int> fds_;
};

TEST_P(SecurityTest, RouteTableComesFromTheBinary) {
  std::vector<Route> routes = Routes();
  auto has = [&](const std::string& method, const std::string& pattern) {
    for (const Route& r : routes) {
      if (r.method == method && r.pattern == pattern) return true;
    }
    return false;
  };
  EXPECT_GT(routes.size(), 40u);
  EXPECT_TRUE(has("POST", "/api/enrollment/v1/enrollment"));
  EXPECT_TRUE(has("POST", "/api/courses/v0/import/{course_id:course_key}/"));
  EXPECT_TRUE(has("GET", "/heartbeat"));
}

// Finding 1 and the probe: every route, every hostile body, three callers.
TEST_P(SecurityTest, EveryRouteSurvivesHostileBodies) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::vector<std::string> tokens = {"", Token("learner1"), Token("admin")};
  const std::vector<HostileBody> bodies = HostileBodies();
  std::vector<Route> routes = Routes();
  ASSERT_FALSE(routes.empty());
  for (const Route& route : routes) {
    if (route.method == "HEAD" || route.method == "OPTIONS") continue;
    const std::string path = FillPattern(route.pattern);
    for (const std::string& token : tokens) {
      for (const HostileBody& hostile : bodies) {
        Headers headers = {{"Content-Type", hostile.content_type}};
        if (!token.empty()) headers.emplace_back("Authorization", "JWT " + token);
        auto r = Send(route.method, Url(path), hostile.body, headers);
        ASSERT_TRUE(r.ok()) << route.method << " " << path << " (" << hostile.name
                            << "): " << r.status().ToString() << "\n"
                            << server_->output();
        EXPECT_LT(r->status, 500) << route.method << " " << path << " (" << hostile.name
                                  << (token.empty() ? ", anonymous" : ", signed in")
                                  << "): " << r->body.substr(0, 300);
      }
    }
    ExpectAlive(route.method + " " + path);
  }
  // The unauthenticated attack: a million levels (2 MB).
  auto r = Send("POST", Url("/api/courses/v1/courses/"), "{\"org\": " + Nested(1'000'000) + "}",
                {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->status, 500);
  ExpectAlive("a million levels");
}

// Finding 1: a too-deep body gets exactly what the endpoint answers for
// malformed JSON.
TEST_P(SecurityTest, DeepJsonIsAnsweredLikeMalformedJson) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string learner = Token("learner1");
  const std::string admin = Token("admin");
  struct Case {
    std::string method, path, token;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/enrollment/v1/enrollment", learner},
      {"PATCH", "/api/user/v1/preferences/learner1", learner},
      {"PATCH", "/api/user/v1/accounts/learner1", learner},
      {"POST", "/api/enrollment/v1/enrollment_allowed/", admin},
  };
  for (const Case& c : cases) {
    Headers headers = {
        {"Content-Type", c.method == "PATCH" ? "application/merge-patch+json" : "application/json"},
        {"Authorization", "JWT " + c.token}};
    auto malformed = Send(c.method, Url(c.path), "{\"unused\": [[[", headers);
    auto deep = Send(c.method, Url(c.path), "{\"unused\": " + Nested(100'000) + "}", headers);
    ASSERT_TRUE(malformed.ok() && deep.ok()) << c.path << "\n" << server_->output();
    EXPECT_EQ(deep->status, 400) << c.method << " " << c.path << ": " << deep->body;
    EXPECT_EQ(deep->status, malformed->status) << c.path;
    EXPECT_EQ(Json(deep), Json(malformed)) << c.path << ": " << deep->body;
  }
  ExpectAlive("deep bodies");
}

// Finding 6: an upload without credentials (or rights) is answered from its
// headers; the 60 MB body is never sent.
TEST_P(SecurityTest, UploadIsRefusedBeforeItsBody) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string head = std::string("POST /api/courses/v0/import/") + kCourse +
                           "/ HTTP/1.1\r\nHost: localhost\r\n"
                           "Content-Type: multipart/form-data; boundary=x\r\n"
                           "Content-Length: 62914560\r\n";
  std::string anonymous = RawExchange(server_->port(), head + "\r\n");
  EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
  EXPECT_NE(anonymous.find("Authentication credentials were not provided."), std::string::npos);
  std::string waiting = RawExchange(server_->port(), head + "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(waiting.rfind("HTTP/1.1 401", 0), 0u) << waiting;
  std::string learner =
      RawExchange(server_->port(), head + "Authorization: JWT " + Token("learner1") + "\r\n\r\n");
  EXPECT_EQ(learner.rfind("HTTP/1.1 403", 0), 0u) << learner;
  EXPECT_NE(learner.find("user_permissions"), std::string::npos) << learner;
  // Course staff pass the check: the server asks for the body.
  std::string staff = RawExchange(
      server_->port(),
      head + "Authorization: JWT " + Token("staff1") + "\r\nExpect: 100-continue\r\n\r\n", 1'000);
  EXPECT_EQ(staff.rfind("HTTP/1.1 100 Continue", 0), 0u) << staff;
  ExpectAlive("refused uploads");
}

// Finding 7: the server runs with RLIMIT_NOFILE 256. With the default
// MAX_CONNECTIONS (below the limit) 400 idle connections close the idle ones
// and /heartbeat answers; forced past the limit, accept fails with EMFILE and
// the server backs off and logs it a few times only (it spun and logged
// millions of lines before).
TEST_P(SecurityTest, IdleConnectionFloodDoesNotStarveTheServer) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_GE(saved.rlim_max, 1024u) << "the test needs 1024 descriptors";
  for (bool past_the_limit : {false, true}) {
    rlimit low = saved;
    low.rlim_cur = 256;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    std::map<std::string, std::string> env;
    if (past_the_limit) env["LARCH_MAX_CONNECTIONS"] = "100000";
    Start(env);  // checked below, after the limit is restored
    rlimit high = saved;
    high.rlim_cur = std::max<rlim_t>(saved.rlim_cur, 1024);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &high), 0);
    ASSERT_NE(server_, nullptr);
    for (int i = 0; i < 400; ++i) {
      int fd = IdleConnection(server_->port());
      if (fd >= 0) fds_.push_back(fd);
    }
    if (!past_the_limit) {
      ExpectAlive("400 idle connections");
      EXPECT_EQ(CountOf(server_->output(), "accept failed"), 0) << server_->output();
    } else {
      // Wait until accept has failed (the server logs it once).
      for (int i = 0; i < 200 && CountOf(server_->output(), "accept failed") == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::string log = server_->output();
      EXPECT_EQ(kill(server_->pid(), 0), 0) << log.substr(0, 3000);
      EXPECT_GE(CountOf(log, "accept failed"), 1) << "descriptors never ran out";
      EXPECT_LE(CountOf(log, "accept failed"), 3) << log.substr(0, 2000);
    }
    for (int fd : fds_) close(fd);
    fds_.clear();
    server_.reset();
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

// Finding 7: at MAX_CONNECTIONS the longest-idle connection makes room.
TEST_P(SecurityTest, ConnectionCapClosesIdleConnectionsFirst) {
  // Without the cap nothing would close an idle connection for an hour.
  ASSERT_NO_FATAL_FAILURE(
      Start({{"LARCH_MAX_CONNECTIONS", "16"}, {"LARCH_REQUEST_TIMEOUT_SECONDS", "3600"}}));
  for (int i = 0; i < 40; ++i) {
    int fd = IdleConnection(server_->port());
    if (fd >= 0) fds_.push_back(fd);
  }
  ExpectAlive("40 idle connections over a cap of 16");
  // The first idle connection was closed to make room: reading it ends.
  pollfd first{fds_.front(), POLLIN, 0};
  ASSERT_EQ(poll(&first, 1, 20'000), 1) << "the oldest idle connection is still open";
  char byte = 0;
  EXPECT_EQ(recv(fds_.front(), &byte, 1, 0), 0);
  EXPECT_EQ(CountOf(server_->output(), "refusing new connections"), 0) << server_->output();
}

// Finding 10: a failed import's message names files in the archive only.
TEST_P(SecurityTest, FailedImportMessageHasNoServerPaths) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string admin = Token("admin");
  const std::string body =
      "--xyz\r\nContent-Disposition: form-data; name=\"course_data\"; "
      "filename=\"broken.tar.gz\"\r\nContent-Type: application/gzip\r\n\r\n"
      "this is not a gzip archive\r\n--xyz--\r\n";
  auto posted = Send(
      "POST", Url(std::string("/api/courses/v0/import/") + kCourse + "/"), body,
      {{"Content-Type", "multipart/form-data; boundary=xyz"}, {"Authorization", "JWT " + admin}});
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 200) << posted->body;
  std::string task = Json(posted).value("task_id", "");
  json state;
  for (int i = 0; i < 300; ++i) {
    state = Json(Get(Url(std::string("/api/courses/v0/import/") + kCourse + "/?task_id=" + task),
                     {{"Authorization", "JWT " + admin}}));
    if (state.value("state", "") == "Failed" || state.value("state", "") == "Succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(state.value("state", ""), "Failed") << state.dump();
  std::string message = state.value("message", "");
  EXPECT_NE(message.find("broken.tar.gz"), std::string::npos) << message;
  EXPECT_EQ(message.find(dir_.path()), std::string::npos) << message;
  EXPECT_EQ(message.find("/imports/"), std::string::npos) << message;
  EXPECT_EQ(message.find("/tmp"), std::string::npos) << message;
}

// Also: a locked asset is served to course staff, global staff and enrolled
// learners, and refused to everyone else.
TEST_P(SecurityTest, LockedAssetsForCourseStaffAndEnrolledLearners) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto fetch = [&](const std::string& token) {
    Headers headers;
    if (!token.empty()) headers.emplace_back("Authorization", "JWT " + token);
    auto r = Get(Url(kAsset), headers);
    return r.ok() ? r->status : -1;
  };
  EXPECT_EQ(fetch(""), 403);
  EXPECT_EQ(fetch(Token("learner2")), 403);
  EXPECT_EQ(fetch(Token("staff1")), 200);
  EXPECT_EQ(fetch(Token("admin")), 200);
  Sql("INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
      "SELECT id, ?, 0, 1, 'audit' FROM users WHERE username = 'learner1'");
  EXPECT_EQ(fetch(Token("learner1")), 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
