// The certificates REST API v0 through the real `larch` binary on SQLite and
// PostgreSQL: a learner whose course grade passes gets a downloadable
// certificate when the auto-generation switch is on (and only through
// `larch cert-generation` when it is off), which the detail and list views
// show; learners who fail or audit get none; the callers that must be refused
// are refused with upstream's bodies, and the list view follows the owner's
// visibility preference and profile sharing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "larch/storage/open_database.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kCourse[] = "course-v1:Larch+C+2024";
constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kAdminPassword[] = "Admin-Secret-1";
constexpr char kNoPermission[] = "You do not have permission to perform this action.";
constexpr char kNumerical[] =
    "<numericalresponse answer=\"4\"><responseparam type=\"tolerance\" default=\"0.01\"/>"
    "<textline/></numericalresponse>";
const std::string kApi = "/api/certificates/v0/certificates/";

// One graded Homework subsection of two one-point problems, the whole
// grade; 50% passes.
void WriteCourse(const fs::path& dir) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2024");
  std::ofstream(dir / "course.xml") << "<course url_name=\"2024\" org=\"Larch\" course=\"C\"/>\n";
  std::ofstream(dir / "course" / "2024.xml")
      << "<course display_name=\"Certificates 101\" "
         "start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
         "  <chapter url_name=\"ch\" display_name=\"Week 1\">\n"
         "    <sequential url_name=\"hw\" display_name=\"Homework 1\" graded=\"true\" "
         "format=\"Homework\">\n"
         "      <vertical url_name=\"u\">\n"
         "        <problem url_name=\"p1\">"
      << kNumerical << "</problem>\n        <problem url_name=\"p2\">" << kNumerical
      << "</problem>\n"
         "      </vertical>\n"
         "    </sequential>\n"
         "  </chapter>\n"
         "</course>\n";
  std::ofstream(dir / "policies" / "2024" / "policy.json") << json{
      {"course/2024", {{"display_name", "Certificates 101"}, {"display_organization", "Larch U"}}}};
  std::ofstream(dir / "policies" / "2024" / "grading_policy.json")
      << json{{"GRADER", json::array({{{"type", "Homework"},
                                       {"min_count", 1},
                                       {"drop_count", 0},
                                       {"short_label", "HW"},
                                       {"weight", 1.0}}})},
              {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
}

class CertificatesApiTest : public BackendTest {
 protected:
  // Everything but the server: the course with an honor and an audit mode,
  // the users, a password client and a restricted one.
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    env_["LARCH_FEATURES__CERTIFICATES_HTML_VIEW"] = "true";
    Run({"migrate", "--data-dir", dir_.path()});
    fs::path course = fs::path(dir_.path()) / "course";
    WriteCourse(course);
    Run({"import-olx", "--data-dir", dir_.path(), course.string()});
    static constexpr storage::Query kMode{
        "test.course_mode",
        "INSERT INTO course_modes (course_key, mode_slug, mode_display_name) VALUES (?, ?, ?)"};
    Sql(kMode, {storage::Text(kCourse), storage::Text("honor"), storage::Text("Honor")});
    Sql(kMode, {storage::Text(kCourse), storage::Text("audit"), storage::Text("Audit")});
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kAdminPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult users =
        ImportUsers(dir_.path(), {"alice", "bob", "carol", "dave"}, kPasswordHash, env_);
    ASSERT_EQ(users.exit_code, 0) << users.output;
    CommandResult client = CreatePasswordClient(dir_.path(), "script", "script-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
    Run({"create-oauth-client", "--data-dir", dir_.path(), "--name", "partner", "--client-id",
         "partner", "--client-secret", "partner-secret", "--grant-type", "password",
         "--restricted"});
  }

  // Starts the server, signs everyone in and enrolls alice, bob and carol
  // in honor, dave in audit.
  void Start() {
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    tokens_["admin"] = Token("admin", kAdminPassword);
    for (const char* name : {"alice", "bob", "carol", "dave"}) {
      tokens_[name] = Token(name, kPassword);
      ASSERT_FALSE(tokens_[name].empty()) << name;
    }
    for (const auto& [name, mode] : std::map<std::string, std::string>{
             {"alice", "honor"}, {"bob", "honor"}, {"carol", "honor"}, {"dave", "audit"}}) {
      auto r = Send(
          "POST", Url("/api/enrollment/v1/enrollment"),
          json{{"course_details", {{"course_id", kCourse}}}, {"mode", mode}}.dump(),
          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_[name]}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
      ASSERT_EQ(Json(r)["mode"], mode);
    }
  }

  void Run(const std::vector<std::string>& args) {
    CommandResult r = RunLarch(args, env_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
  }

  std::string DatabaseUrl() const {
    auto it = env_.find("DATABASE_URL");
    return it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
  }

  // Runs one statement on the server's database (the course modes, which
  // no command or endpoint writes).
  void Sql(const storage::Query& query, const std::vector<storage::SqlValue>& params) {
    storage::DatabaseOptions options;
    options.url = DatabaseUrl();
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(query, std::span<const storage::SqlValue>(params)).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string Token(const std::string& username, const std::string& password,
                    const std::string& client = "script", const std::string& extra = "") {
    json body = Json(
        PasswordGrant(server_->base_url(), client, client + "-secret", username, password, extra));
    return body.is_object() && body.contains("access_token")
               ? body["access_token"].get<std::string>()
               : std::string();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  // POSTs a correct ("4") or wrong answer to problem p1 or p2 as `who`.
  void Answer(const std::string& who, const std::string& problem, const std::string& value) {
    std::string path = "/courses/" + std::string(kCourse) +
                       "/xblock/block-v1:Larch+C+2024+type@problem+block@" + problem +
                       "/handler/xmodule_handler/problem_check";
    auto r = Send("POST", Url(path), "input_" + problem + "_2_1=" + value,
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Bearer " + tokens_[who]}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // GET as `who` ("" anonymous); `auth` overrides the Authorization header.
  StatusOr<HttpClientResponse> As(const std::string& who, const std::string& path,
                                  const std::string& auth = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!auth.empty()) {
      headers.emplace_back("Authorization", auth);
    } else if (!who.empty()) {
      headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    }
    return Send("GET", Url(path), "", headers);
  }

  // The status and the JSON body ("null" when the request failed).
  std::pair<int, json> Reply(const std::string& who, const std::string& path,
                             const std::string& auth = "") {
    auto r = As(who, path, auth);
    if (!r.ok()) return {-1, json()};
    return {r->status, Json(r)};
  }

  static std::string Detail(const std::string& username, const std::string& course = kCourse) {
    return kApi + username + "/courses/" + course + "/";
  }
  static std::string List(const std::string& username) { return kApi + username + "/"; }

  // Polls `who`'s certificate in the course until it exists (30 s at most).
  json WaitForCertificate(const std::string& who) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::pair<int, json> last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = Reply(who, Detail(who));
      if (last.first == 200) return last.second;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no certificate for " << who << ": " << last.first << " "
                  << last.second.dump();
    return json();
  }

  int64_t UserId(const std::string& username) {
    auto [status, account] = Reply("admin", "/api/user/v1/accounts/" + username);
    EXPECT_EQ(status, 200) << account.dump();
    return account.value("id", int64_t{0});
  }

  // `larch cert-generation -u ids... -c kCourse`.
  CommandResult CertGeneration(const std::vector<int64_t>& user_ids) {
    std::vector<std::string> args = {"cert-generation", "--data-dir", dir_.path(), "-c",
                                     kCourse,           "-u"};
    for (int64_t id : user_ids) args.push_back(std::to_string(id));
    return RunLarch(args, env_);
  }

  // A merge-patch as `who` of their account or preferences.
  void Patch(const std::string& who, const std::string& path, const json& patch, int expected) {
    auto r = Send("PATCH", Url(path), patch.dump(),
                  {{"Content-Type", "application/merge-patch+json"},
                   {"Authorization", "Bearer " + tokens_[who]}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, expected) << path << ": " << r->body;
  }

  static json NotFound(const std::string& code) { return json{{"error_code", code}}; }

  std::unique_ptr<LarchProcess> server_;
  std::map<std::string, std::string> tokens_;
};

const std::regex kUuid("[0-9a-f]{32}");
const std::regex kIsoDate(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z)");

TEST_P(CertificatesApiTest, APassingLearnerGetsACertificateAutomatically) {
  const CommandResult on = RunLarch({"waffle_switch", "certificates.auto_certificate_generation",
                                     "on", "--data-dir", dir_.path()},
                                    env_);
  ASSERT_EQ(on.exit_code, 0) << on.output;
  EXPECT_NE(on.output.find("certificates.auto_certificate_generation: on"), std::string::npos)
      << on.output;
  Start();
  if (HasFatalFailure()) return;
  Answer("alice", "p1", "4");
  Answer("alice", "p2", "4");
  Answer("bob", "p1", "7");  // 0%: not passing
  Answer("dave", "p1", "4");
  Answer("dave", "p2", "4");  // passes, but audits

  json detail = WaitForCertificate("alice");
  auto [list_status, list] = Reply("alice", List("alice"));
  ASSERT_EQ(list_status, 200) << list.dump();
  ASSERT_TRUE(list.is_array() && list.size() == 1u) << list.dump();
  const std::string uuid = list[0].value("uuid", "");
  EXPECT_TRUE(std::regex_match(uuid, kUuid)) << uuid;
  const std::string created = list[0].value("created_date", "");
  EXPECT_TRUE(std::regex_match(created, kIsoDate)) << created;
  EXPECT_TRUE(std::regex_match(list[0].value("modified_date", ""), kIsoDate)) << list.dump();
  EXPECT_EQ(detail, (json{{"username", "alice"},
                          {"course_id", kCourse},
                          {"certificate_type", "honor"},
                          {"created_date", created},
                          {"status", "downloadable"},
                          {"is_passing", true},
                          {"download_url", "/certificates/" + uuid},
                          {"grade", "1.0"}}));
  json item = list[0];
  item.erase("modified_date");
  EXPECT_EQ(item, (json{{"username", "alice"},
                        {"course_id", kCourse},
                        {"course_display_name", "Certificates 101"},
                        {"course_organization", "Larch U"},
                        {"certificate_type", "honor"},
                        {"created_date", created},
                        {"status", "downloadable"},
                        {"is_passing", true},
                        {"download_url", "/certificates/" + uuid},
                        {"grade", "1.0"},
                        {"uuid", uuid}}));

  // Every grade stored now (the command recalculates at once); then the
  // course team's command reports each learner.
  Run({"compute-grades", "--data-dir", dir_.path(), kCourse});
  const int64_t alice = UserId("alice"), bob = UserId("bob"), dave = UserId("dave");
  CommandResult generated = CertGeneration({alice, bob, dave, 999999});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  const std::regex lines("user " + std::to_string(alice) +
                         ": downloadable \\(already_downloadable\\)\n"
                         "user " +
                         std::to_string(bob) + ": - \\(not_passing\\)\n" + "user " +
                         std::to_string(dave) +
                         ": audit_passing \\((ineligible_mode|unchanged)\\)\n"
                         "user 999999: - \\(not_enrolled\\)\n");
  EXPECT_TRUE(std::regex_search(generated.output, lines)) << generated.output;

  // bob failed and dave audits: no certificate that counts.
  for (const char* who : {"bob", "dave"}) {
    EXPECT_EQ(Reply(who, Detail(who)), std::make_pair(404, NotFound("no_certificate_for_user")))
        << who;
    EXPECT_EQ(Reply(who, List(who)), std::make_pair(200, json::array())) << who;
  }
  // The same certificate again: generating twice keeps the uuid.
  EXPECT_EQ(Reply("alice", Detail("alice")), std::make_pair(200, detail));

  // A key that does not parse, and a course alice has no certificate in.
  EXPECT_EQ(Reply("alice", Detail("alice", "not+a+key")),
            std::make_pair(404, NotFound("course_id_not_valid")));
  EXPECT_EQ(Reply("alice", Detail("alice", "course-v1:Larch!+C+2024")),
            std::make_pair(404, NotFound("course_id_not_valid")));
  EXPECT_EQ(Reply("alice", Detail("alice", "course-v1:Larch+Other+2024")),
            std::make_pair(404, NotFound("no_certificate_for_user")));
  // A deprecated key reaches the view too (and names another course).
  EXPECT_EQ(Reply("alice", Detail("alice", "Larch/C/2024")),
            std::make_pair(404, NotFound("no_certificate_for_user")));
  EXPECT_EQ(Reply("admin", Detail("nobody")),
            std::make_pair(404, NotFound("no_certificate_for_user")));
}

TEST_P(CertificatesApiTest, OthersAreRefusedUnlessTheOwnerSharesTheirCertificates) {
  RunLarch({"waffle_switch", "certificates.auto_certificate_generation", "on", "--data-dir",
            dir_.path()},
           env_);
  Start();
  if (HasFatalFailure()) return;
  Answer("alice", "p1", "4");
  json detail = WaitForCertificate("alice");
  ASSERT_EQ(detail.value("grade", ""), "0.5") << detail.dump();
  auto [owner_status, owned] = Reply("alice", List("alice"));
  ASSERT_EQ(owner_status, 200);
  ASSERT_EQ(owned.size(), 1u) << owned.dump();

  const json unauthenticated = {{"detail", "Authentication credentials were not provided."}};
  const json refused = {{"detail", kNoPermission}};
  EXPECT_EQ(Reply("", Detail("alice")), std::make_pair(401, unauthenticated));
  EXPECT_EQ(Reply("", List("alice")), std::make_pair(401, unauthenticated));
  auto bad_token = Reply("", List("alice"), "Bearer not-a-token");
  EXPECT_EQ(bad_token.first, 401) << bad_token.second.dump();

  // Another learner: the detail view is the owner's and staff's only
  // (permissions come before the key is looked at).
  EXPECT_EQ(Reply("carol", Detail("alice")), std::make_pair(403, refused));
  EXPECT_EQ(Reply("carol", Detail("alice", "not+a+key")), std::make_pair(403, refused));
  // The list needs the owner's visibility.course_certificates = all_users.
  EXPECT_EQ(Reply("carol", List("alice")), std::make_pair(403, refused));
  // Global staff see both.
  EXPECT_EQ(Reply("admin", Detail("alice")), std::make_pair(200, detail));
  EXPECT_EQ(Reply("admin", List("alice")), std::make_pair(200, owned));
  EXPECT_EQ(Reply("admin", List("nobody")), std::make_pair(200, json::array()));
  EXPECT_EQ(Reply("carol", List("nobody")), std::make_pair(200, json::array()));

  Patch("alice", "/api/user/v1/preferences/alice",
        {{"visibility.course_certificates", "all_users"}}, 204);
  // Allowed now, but a profile without a year of birth shares nothing
  // (visible_fields of a profile that needs parental consent).
  EXPECT_EQ(Reply("carol", List("alice")), std::make_pair(200, json::array()));
  Patch("alice", "/api/user/v1/accounts/alice", {{"year_of_birth", 1990}}, 200);
  EXPECT_EQ(Reply("carol", List("alice")), std::make_pair(200, owned));
  EXPECT_EQ(Reply("carol", Detail("alice")), std::make_pair(403, refused));
  Patch("alice", "/api/user/v1/preferences/alice", {{"visibility.course_certificates", "private"}},
        204);
  EXPECT_EQ(Reply("carol", List("alice")), std::make_pair(403, refused));

  // A restricted application's JWT: certificates:read for the token's own
  // user on the list; never the detail view (no content_org filter).
  const std::string scoped =
      Token("alice", kPassword, "partner", "&token_type=jwt&scope=certificates:read");
  ASSERT_FALSE(scoped.empty());
  EXPECT_EQ(Reply("", List("alice"), "JWT " + scoped), std::make_pair(200, owned));
  EXPECT_EQ(Reply("", Detail("alice"), "JWT " + scoped), std::make_pair(403, refused));
  EXPECT_EQ(Reply("", List("carol"), "JWT " + scoped), std::make_pair(403, refused));
  const std::string unscoped = Token("alice", kPassword, "partner", "&token_type=jwt&scope=email");
  ASSERT_FALSE(unscoped.empty());
  EXPECT_EQ(Reply("", List("alice"), "JWT " + unscoped), std::make_pair(403, refused));
}

TEST_P(CertificatesApiTest, WithTheSwitchOffOnlyTheCommandGenerates) {
  const CommandResult off = RunLarch(
      {"waffle_switch", "certificates.auto_certificate_generation", "--data-dir", dir_.path()},
      env_);
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_NE(off.output.find("certificates.auto_certificate_generation: off"), std::string::npos)
      << off.output;
  Start();
  if (HasFatalFailure()) return;
  Answer("alice", "p1", "4");
  Answer("alice", "p2", "4");
  // The passing grade is stored (by the command at once, by the server's
  // job meanwhile), and no certificate follows it.
  Run({"compute-grades", "--data-dir", dir_.path(), kCourse});
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Reply("alice", Detail("alice")),
              std::make_pair(404, NotFound("no_certificate_for_user")));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Reply("alice", List("alice")), std::make_pair(200, json::array()));

  const int64_t alice = UserId("alice");
  CommandResult generated = CertGeneration({alice});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  EXPECT_NE(generated.output.find("user " + std::to_string(alice) + ": downloadable (generated)\n"),
            std::string::npos)
      << generated.output;
  auto [status, detail] = Reply("alice", Detail("alice"));
  ASSERT_EQ(status, 200) << detail.dump();
  EXPECT_EQ(detail["status"], "downloadable");
  EXPECT_EQ(detail["grade"], "1.0");
  EXPECT_EQ(detail["certificate_type"], "honor");
  auto [list_status, list] = Reply("alice", List("alice"));
  ASSERT_EQ(list_status, 200);
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(detail["download_url"], "/certificates/" + list[0].value("uuid", ""));
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificatesApiTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
