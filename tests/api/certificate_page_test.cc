// The web certificate and the course team's certificate endpoints through
// the real `larch` binary on SQLite and PostgreSQL: the course team's
// certificate configuration, the instructor dashboard's allowlist,
// invalidation and generation actions with upstream's bodies and refusals,
// and GET /certificates/{uuid} as the configuration, the operator's
// CertificateHtmlViewConfiguration, the operator's templates and the
// course's language make it.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <span>
#include <string>
#include <thread>
#include <tuple>
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

constexpr char kCourse[] = "course-v1:Larch+Web+2025";
constexpr char kEsCourse[] = "course-v1:Larch+Es+2025";
constexpr char kPassword[] = "password";  // kPasswordHash
constexpr char kAdminPassword[] = "Admin-Secret-1";
constexpr char kNoPermission[] = "You do not have permission to perform this action.";
constexpr char kNoCredentials[] = "Authentication credentials were not provided.";
constexpr char kAda[] = "Ada <Lovelace> & Co";
constexpr char kAdaEscaped[] = "Ada &lt;Lovelace&gt; &amp; Co";
constexpr char kLayla[] = "ليلى أحمد";
constexpr char kNumerical[] =
    "<numericalresponse answer=\"4\"><responseparam type=\"tolerance\" default=\"0.01\"/>"
    "<textline/></numericalresponse>";

const std::regex kDashboardDate(
    "(January|February|March|April|May|June|July|August|September|October|November|December) "
    "\\d\\d, \\d{4}");
const std::regex kTaskId("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

// One graded Homework subsection of two one-point problems, the whole
// grade; 50% passes. `language` goes into the course's policy.
void WriteCourse(const fs::path& dir, const std::string& course, const std::string& name,
                 const std::string& language) {
  fs::create_directories(dir / "course");
  fs::create_directories(dir / "policies" / "2025");
  std::ofstream(dir / "course.xml")
      << "<course url_name=\"2025\" org=\"Larch\" course=\"" << course << "\"/>\n";
  std::ofstream(dir / "course" / "2025.xml")
      << "<course display_name=\"" << name
      << "\" start=\"&quot;2020-01-01T00:00:00+00:00&quot;\">\n"
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
  json policy = {{"display_name", name}};
  if (!language.empty()) policy["language"] = language;
  std::ofstream(dir / "policies" / "2025" / "policy.json") << json{{"course/2025", policy}};
  std::ofstream(dir / "policies" / "2025" / "grading_policy.json")
      << json{{"GRADER", json::array({{{"type", "Homework"},
                                       {"min_count", 1},
                                       {"drop_count", 0},
                                       {"short_label", "HW"},
                                       {"weight", 1.0}}})},
              {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
}

// The course team's certificate list: one configuration, two signatories.
json Configuration(bool active) {
  return {{"certificates",
           json::array({{{"id", 7},
                         {"name", "Main certificate"},
                         {"description", "Awarded for finishing the course"},
                         {"course_title", "Web Certificates & More"},
                         {"is_active", active},
                         {"signatories", json::array({{{"name", "Grace Hopper"},
                                                       {"title", "Dean <of> Studies"},
                                                       {"organization", "Larch University"},
                                                       {"signature_image_path", "/static/g.png"}},
                                                      {{"name", "Alan Turing"},
                                                       {"title", "Chair"},
                                                       {"organization", "Larch Labs"},
                                                       {"signature_image_path", ""}}})}}})}};
}

// What GET .../configuration answers for Configuration(active).
json StoredConfiguration(bool active) {
  json out = Configuration(active);
  out["certificates"][0]["version"] = 1;
  return out;
}

// application/x-www-form-urlencoded escaping of a field name.
std::string FormEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct Reply {
  int status = -1;
  std::string body;
  std::string content_type;
  std::string location;
  std::string cache_control;
  json Json() const { return json::parse(body, nullptr, false); }
};

class CertificatePageTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    env_["LARCH_FEATURES__CERTIFICATES_HTML_VIEW"] = "true";
    Run({"migrate", "--data-dir", dir_.path()});
    for (const auto& [key, course, name, language] :
         {std::tuple{kCourse, "Web", "Web Certificates 101", ""},
          std::tuple{kEsCourse, "Es", "Certificados 101", "es"}}) {
      fs::path olx = fs::path(dir_.path()) / ("olx_" + std::string(course));
      WriteCourse(olx, course, name, language);
      Run({"import-olx", "--data-dir", dir_.path(), olx.string()});
      static constexpr storage::Query kMode{
          "test.course_mode",
          "INSERT INTO course_modes (course_key, mode_slug, mode_display_name) VALUES (?, ?, ?)"};
      Sql(kMode, {storage::Text(key), storage::Text("verified"), storage::Text("Verified")});
      Sql(kMode, {storage::Text(key), storage::Text("audit"), storage::Text("Audit")});
    }
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kAdminPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    json users = json::array();
    for (const auto& [username, name] :
         std::map<std::string, std::string>{{"ada", kAda},
                                            {"layla", kLayla},
                                            {"bob", "Bob Builder"},
                                            {"lena", "Lena Learner"},
                                            {"ins", "Ines Instructor"},
                                            {"stan", "Stan Staff"}}) {
      users.push_back({{"username", username},
                       {"email", username + "@example.com"},
                       {"password", kPasswordHash},
                       {"name", name},
                       {"is_active", "1"}});
    }
    const std::string users_file = dir_.path() + "/users.json";
    std::ofstream(users_file) << users.dump();
    Run({"import-users", "--data-dir", dir_.path(), users_file});
    CommandResult client = CreatePasswordClient(dir_.path(), "script", "script-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
  }

  void SwitchOn() {
    Run({"waffle_switch", "certificates.auto_certificate_generation", "on", "--data-dir",
         dir_.path()});
  }

  // Starts the server, signs everyone in, makes ins the course's
  // instructor and stan its staff, and enrolls the learners (verified).
  void Start() {
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
    tokens_["admin"] = Token("admin", kAdminPassword);
    for (const char* name : {"ada", "layla", "bob", "lena", "ins", "stan"}) {
      tokens_[name] = Token(name, kPassword);
      ASSERT_FALSE(tokens_[name].empty()) << name;
    }
    for (const auto& [who, role] :
         std::map<std::string, std::string>{{"ins", "instructor"}, {"stan", "staff"}}) {
      Reply r = Call("admin", "POST", Api("modify_access"),
                     "unique_student_identifier=" + who + "&rolename=" + role + "&action=allow",
                     "application/x-www-form-urlencoded");
      ASSERT_EQ(r.status, 200) << r.body;
    }
    for (const auto& [who, course] :
         std::vector<std::pair<std::string, std::string>>{{"ada", kCourse},
                                                          {"layla", kCourse},
                                                          {"bob", kCourse},
                                                          {"lena", kCourse},
                                                          {"layla", kEsCourse}}) {
      Reply r = Call(
          "admin", "POST", "/api/enrollment/v1/enrollment",
          json{{"user", who}, {"mode", "verified"}, {"course_details", {{"course_id", course}}}}
              .dump());
      ASSERT_EQ(r.status, 200) << who << ": " << r.body;
    }
  }

  void Run(const std::vector<std::string>& args) {
    CommandResult r = RunLarch(args, env_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
  }

  // Runs one statement on the server's database (the course modes, which
  // no command or endpoint writes).
  void Sql(const storage::Query& query, const std::vector<storage::SqlValue>& params) {
    storage::DatabaseOptions options;
    auto it = env_.find("DATABASE_URL");
    options.url = it != env_.end() ? it->second : "sqlite://" + dir_.path() + "/larch.db";
    auto db = storage::OpenDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = (*db)->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(query, std::span<const storage::SqlValue>(params)).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string Token(const std::string& username, const std::string& password) {
    json body =
        Json(PasswordGrant(server_->base_url(), "script", "script-secret", username, password));
    return body.is_object() && body.contains("access_token")
               ? body["access_token"].get<std::string>()
               : std::string();
  }

  static std::string Api(const std::string& action, const std::string& course = kCourse) {
    return "/courses/" + course + "/instructor/api/" + action;
  }
  static std::string Larch(const std::string& what, const std::string& course = kCourse) {
    return "/api/larch/v1/certificates/courses/" + course + "/" + what;
  }

  // A request as `who` ("" anonymous).
  Reply Call(const std::string& who, const std::string& method, const std::string& path,
             const std::string& body = "", const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    if (!who.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_[who]);
    auto r = Send(method, server_->base_url() + path, body, headers);
    Reply out;
    if (!r.ok()) return out;
    out.status = r->status;
    out.body = r->body;
    out.content_type = r->Header("content-type");
    out.location = r->Header("location");
    out.cache_control = r->Header("cache-control");
    return out;
  }

  Reply Page(const std::string& uuid) { return Call("", "GET", "/certificates/" + uuid); }

  void Configure(bool active, const std::string& course = kCourse, const std::string& who = "ins") {
    Reply r = Call(who, "PUT", Larch("configuration", course), Configuration(active).dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json(), StoredConfiguration(active));
  }

  // POST certificate_exception_view/ for `user_name` as ins.
  Reply AddException(const std::string& user_name, const std::string& course = kCourse,
                     const std::string& who = "ins") {
    return Call(who, "POST", Api("certificate_exception_view/", course),
                json{{"user_name", user_name}, {"notes", "finished offline"}}.dump());
  }

  // The learner's certificate in the v0 API (as admin); null when none.
  json Certificate(const std::string& who, const std::string& course = kCourse) {
    Reply r = Call("admin", "GET",
                   "/api/certificates/v0/certificates/" + who + "/courses/" + course + "/");
    return r.status == 200 ? r.Json() : json();
  }

  std::string Uuid(const std::string& who, const std::string& course = kCourse) {
    json cert = Certificate(who, course);
    EXPECT_TRUE(cert.is_object()) << who << " has no certificate in " << course;
    if (!cert.is_object() || !cert["download_url"].is_string()) return "";
    return cert["download_url"].get<std::string>().substr(std::string("/certificates/").size());
  }

  int64_t UserId(const std::string& username) {
    Reply r = Call("admin", "GET", "/api/user/v1/accounts/" + username);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("id", int64_t{0});
  }

  // POSTs a correct answer to p1 and p2 as `who`.
  void Pass(const std::string& who) {
    for (const char* problem : {"p1", "p2"}) {
      std::string path = "/courses/" + std::string(kCourse) +
                         "/xblock/block-v1:Larch+Web+2025+type@problem+block@" + problem +
                         "/handler/xmodule_handler/problem_check";
      Reply r = Call(who, "POST", path, "input_" + std::string(problem) + "_2_1=4",
                     "application/x-www-form-urlencoded");
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  // Polls until `who`'s certificate has `status` (30 s at most).
  void WaitForStatus(const std::string& who, const std::string& status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = Certificate(who);
      if (last.is_object() && last.value("status", "") == status) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << who << " never got a " << status << " certificate: " << last.dump();
  }

  static bool Has(const Reply& r, const std::string& text) {
    return r.body.find(text) != std::string::npos;
  }

  std::unique_ptr<LarchProcess> server_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(CertificatePageTest, TheCourseTeamConfiguresAndAnAllowlistedLearnerGetsAPage) {
  SwitchOn();
  Start();
  if (HasFatalFailure()) return;
  Reply empty = Call("ins", "GET", Larch("configuration"));
  EXPECT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json(), (json{{"certificates", json::array()}}));
  Configure(true);
  // Course staff read it too.
  Reply read = Call("stan", "GET", Larch("configuration"));
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json(), StoredConfiguration(true));

  // The allowlist generates at once with the switch on.
  Reply added = AddException("ada");
  ASSERT_EQ(added.status, 200) << added.body;
  json body = added.Json();
  ASSERT_TRUE(body.is_object() && body["id"].is_number_integer()) << added.body;
  const std::string created = body.value("created", "");
  EXPECT_TRUE(std::regex_match(created, kDashboardDate)) << created;
  EXPECT_EQ(body, (json{{"id", body["id"]},
                        {"user_email", "ada@example.com"},
                        {"user_name", "ada"},
                        {"user_id", UserId("ada")},
                        {"certificate_generated", created},
                        {"created", created}}));
  json cert = Certificate("ada");
  EXPECT_EQ(cert.value("status", ""), "downloadable") << cert.dump();
  EXPECT_EQ(cert.value("certificate_type", ""), "verified") << cert.dump();
  const std::string uuid = Uuid("ada");
  ASSERT_TRUE(std::regex_match(uuid, std::regex("[0-9a-f]{32}"))) << uuid;

  Reply page = Page(uuid);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.cache_control, "no-cache");
  EXPECT_TRUE(Has(page, std::string("<h1 class=\"name\" dir=\"auto\">") + kAdaEscaped + "</h1>"))
      << page.body;
  EXPECT_FALSE(Has(page, kAda)) << "the name must be escaped";
  EXPECT_TRUE(Has(page, "<div class=\"course\" dir=\"auto\">Web Certificates &amp; More</div>"))
      << page.body;
  EXPECT_TRUE(Has(page, "<div class=\"title\">Verified Certificate</div>")) << page.body;
  EXPECT_TRUE(Has(page,
                  "<strong>Grace Hopper</strong><br>Dean &lt;of&gt; Studies<br>Larch "
                  "University"))
      << page.body;
  // Unset values leave their sections out: no image, logo, hours or links.
  EXPECT_TRUE(Has(page,
                  "<div class=\"signatory\"><strong>Alan Turing</strong><br>Chair<br>Larch "
                  "Labs</div>"))
      << page.body;
  EXPECT_TRUE(Has(page, "<a href=\"" + server_->base_url() + "/\"><strong>Larch</strong></a>"))
      << page.body;
  EXPECT_FALSE(Has(page, "<img src=\"\"")) << page.body;
  EXPECT_FALSE(Has(page, "hours of effort")) << page.body;
  EXPECT_FALSE(Has(page, "class=\"linkedin\"")) << page.body;
  EXPECT_FALSE(Has(page, "<a href=\"\">")) << page.body;
  EXPECT_TRUE(Has(page, "<img src=\"" + server_->base_url() + "/static/g.png\"")) << page.body;
  const std::string verify_url = server_->base_url() + "/certificates/" + uuid;
  EXPECT_TRUE(Has(page, "Certificate ID " + uuid + ". Verify it at <a href=\"" + verify_url +
                            "\">" + verify_url + "</a>."))
      << page.body;
  EXPECT_TRUE(Has(page, "<p class=\"meta\">Awarded for finishing the course</p>")) << page.body;
  EXPECT_FALSE(Has(page, "class=\"revoked-banner\"")) << page.body;

  // A right-to-left name, found by e-mail address.
  Reply layla = Call("ins", "POST", Api("certificate_exception_view/"),
                     json{{"user_email", "layla@example.com"}}.dump());
  ASSERT_EQ(layla.status, 200) << layla.body;
  EXPECT_EQ(layla.Json().value("user_name", ""), "layla");
  Reply rtl = Page(Uuid("layla"));
  ASSERT_EQ(rtl.status, 200) << rtl.body;
  EXPECT_TRUE(Has(rtl, std::string("<h1 class=\"name\" dir=\"auto\">") + kLayla + "</h1>"))
      << rtl.body;

  for (const std::string& bad : {std::string("0123456789abcdef0123456789abcdef"),
                                 std::string("not-a-uuid"), std::string("0123456789ABCDEF")}) {
    Reply missing = Page(bad);
    EXPECT_EQ(missing.status, 404) << bad;
    EXPECT_TRUE(Has(missing, "No certificate has this number.")) << missing.body;
  }
  std::string upper = uuid;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Page(upper).status, 404);

  // An inactive configuration issues no web certificate.
  Configure(false);
  Reply inactive = Page(uuid);
  EXPECT_EQ(inactive.status, 404);
  EXPECT_TRUE(Has(inactive, "This course has no active certificate configuration."))
      << inactive.body;
  Configure(true);
  EXPECT_EQ(Page(uuid).status, 200);
}

TEST_P(CertificatePageTest, TheAllowlistIsCheckedAsUpstreamChecksIt) {
  Start();
  if (HasFatalFailure()) return;
  Configure(true);
  // The switch is off: a place on the allowlist, no certificate yet.
  Reply added = AddException("ada");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.Json()["certificate_generated"], json(nullptr)) << added.body;
  EXPECT_EQ(Certificate("ada"), json());

  auto failure = [](const json& message) { return json{{"success", false}, {"message", message}}; };
  Reply again = AddException("ada");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Json(), failure("Student (username/email=ada) already in certificate exception "
                                  "list."));
  Reply ghost = AddException("ghost");
  EXPECT_EQ(ghost.status, 400);
  EXPECT_EQ(ghost.Json(),
            failure("ghost does not exist in the LMS. Please check your spelling and retry."));
  Reply blank = AddException("  ");
  EXPECT_EQ(blank.status, 400);
  EXPECT_EQ(blank.Json(), failure({{"user", json::array({"This field may not be blank."})}}));
  Reply not_json = Call("ins", "POST", Api("certificate_exception_view/"), "{oops");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.Json(), failure("The record is not in the correct format. Please add a "
                                     "valid username or email address."));
  Reply not_enrolled = AddException("admin");
  EXPECT_EQ(not_enrolled.status, 400);
  EXPECT_EQ(not_enrolled.Json(), failure("Student admin is not enrolled in this course. Please "
                                         "check your spelling and retry."));

  // Generation for the allowlist: "new" and "all", nothing else.
  const json started = {{"success", true},
                        {"message",
                         "Certificate generation started for students on the "
                         "allowlist."}};
  Reply fresh = Call("ins", "POST", Api("generate_certificate_exceptions/new"));
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.Json(), started);
  EXPECT_EQ(Certificate("ada").value("status", ""), "downloadable");
  EXPECT_EQ(Page(Uuid("ada")).status, 200);
  Reply all = Call("ins", "POST", Api("generate_certificate_exceptions/all"));
  EXPECT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Json(), started);
  for (const std::string& bogus :
       {"generate_certificate_exceptions/bogus", "generate_certificate_exceptions/"}) {
    Reply r = Call("ins", "POST", Api(bogus));
    EXPECT_EQ(r.status, 400) << bogus;
    EXPECT_EQ(r.Json(), failure("Invalid data, generate_for must be \"new\" or \"all\"."));
  }

  // The dashboard's DELETE: a form whose one field name is the JSON.
  const std::string form = FormEncode(json{{"user_name", "ada"}}.dump());
  Reply removed = Call("ins", "DELETE", Api("certificate_exception_view/"), form,
                       "application/x-www-form-urlencoded");
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(removed.body, "");
  EXPECT_EQ(Certificate("ada").value("status", ""), "downloadable") << "the certificate stays";
  Reply gone =
      Call("ins", "DELETE", Api("certificate_exception_view/"), json{{"user_name", "ada"}}.dump());
  EXPECT_EQ(gone.status, 400);
  EXPECT_EQ(gone.Json(), failure("Error occurred removing the allowlist entry for student ada. "
                                 "Please refresh the page and try again"));

  // Generation for everyone, at once.
  Reply everyone = Call("ins", "POST", Api("start_certificate_generation"));
  ASSERT_EQ(everyone.status, 200) << everyone.body;
  json reply = everyone.Json();
  const std::string task = reply.value("task_id", "");
  EXPECT_TRUE(std::regex_match(task, kTaskId)) << task;
  EXPECT_EQ(reply, (json{{"message",
                          "Certificate generation task for all students of this course has been "
                          "started. You can view the status of the generation task in the "
                          "\"Pending Tasks\" section."},
                         {"task_id", task}}));
  EXPECT_EQ(Certificate("ada").value("status", ""), "downloadable");
  EXPECT_EQ(Certificate("lena"), json()) << "lena does not pass";

  // Self-generated certificates: a redirect back to the dashboard.
  Reply enable = Call("ins", "POST", Api("enable_certificate_generation"),
                      "certificates-enabled=true", "application/x-www-form-urlencoded");
  EXPECT_EQ(enable.status, 302) << enable.body;
  EXPECT_EQ(enable.location, "/courses/" + std::string(kCourse) + "/instructor#view-certificates");
  Reply settings = Call("admin", "GET", Larch("settings"));
  EXPECT_EQ(settings.status, 200) << settings.body;
  EXPECT_EQ(settings.Json().value("self_generation_enabled", false), true) << settings.body;
  Reply get = Call("ins", "GET", Api("enable_certificate_generation"));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.body, "");
}

TEST_P(CertificatePageTest, AnInvalidationRevokesThePageUntilItIsLifted) {
  SwitchOn();
  Start();
  if (HasFatalFailure()) return;
  Configure(true);
  Pass("bob");
  WaitForStatus("bob", "downloadable");
  if (HasFatalFailure()) return;
  const std::string uuid = Uuid("bob");
  ASSERT_EQ(Page(uuid).status, 200);

  const std::string invalidation = Api("certificate_invalidation_view/");
  Reply invalidated =
      Call("ins", "POST", invalidation, json{{"user", "bob"}, {"notes", "copied answers"}}.dump());
  ASSERT_EQ(invalidated.status, 200) << invalidated.body;
  json body = invalidated.Json();
  const std::string created = body.value("created", "");
  EXPECT_TRUE(std::regex_match(created, kDashboardDate)) << created;
  EXPECT_TRUE(body["id"].is_number_integer()) << invalidated.body;
  EXPECT_EQ(body, (json{{"id", body["id"]},
                        {"user", "bob"},
                        {"invalidated_by", "ins"},
                        {"created", created},
                        {"notes", "copied answers"}}));
  Reply revoked = Page(uuid);
  EXPECT_EQ(revoked.status, 404);
  EXPECT_TRUE(Has(revoked,
                  "This certificate has been revoked. It no longer certifies that Bob "
                  "Builder completed Web Certificates &amp; More."))
      << revoked.body;
  EXPECT_EQ(Certificate("bob").value("status", ""), "unavailable");

  auto message = [](const json& m) { return json{{"message", m}}; };
  Reply twice = Call("ins", "POST", invalidation, json{{"user", "bob"}}.dump());
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.Json(), message("Certificate of bob has already been invalidated. Please "
                                  "check your spelling and retry."));
  Reply allowlist = AddException("bob");
  EXPECT_EQ(allowlist.status, 400);
  EXPECT_EQ(allowlist.Json(),
            (json{{"success", false},
                  {"message",
                   "Student bob is already on the certificate invalidation list and "
                   "cannot be added to the certificate exception list."}}));

  // Re-validation regenerates at once: bob's grade passes.
  Reply lifted = Call("ins", "DELETE", invalidation, json{{"user", "bob"}}.dump());
  EXPECT_EQ(lifted.status, 204) << lifted.body;
  Reply restored = Page(uuid);
  EXPECT_EQ(restored.status, 200);
  EXPECT_FALSE(Has(restored, "class=\"revoked-banner\"")) << restored.body;
  Reply lifted_again = Call("ins", "DELETE", invalidation, json{{"user", "bob"}}.dump());
  EXPECT_EQ(lifted_again.status, 400);
  EXPECT_EQ(lifted_again.Json(), message("Certificate Invalidation does not exist, Please refresh "
                                         "the page and try again."));

  // The checks before an invalidation.
  ASSERT_EQ(AddException("ada").status, 200);
  Reply listed = Call("ins", "POST", invalidation, json{{"user", "ada"}}.dump());
  EXPECT_EQ(listed.status, 400);
  EXPECT_EQ(listed.Json(),
            message("The student ada appears on the Certificate Exception list in course " +
                    std::string(kCourse) +
                    ". Please remove them from the Certificate Exception list before attempting "
                    "to invalidate their certificate."));
  Reply none = Call("ins", "POST", invalidation, json{{"user", "lena@example.com"}}.dump());
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.Json(), message("The student lena does not have certificate for the course Web. "
                                 "Kindly verify student username/email and the selected course "
                                 "are correct and try again."));
  Reply ghost = Call("ins", "POST", invalidation, json{{"user", "ghost"}}.dump());
  EXPECT_EQ(ghost.status, 400);
  EXPECT_EQ(ghost.Json(),
            message("ghost does not exist in the LMS. Please check your spelling and retry."));
  Reply missing = Call("ins", "POST", invalidation, json::object().dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json(), message({{"user", json::array({"This field is required."})}}));
  Reply bad_delete = Call("ins", "DELETE", invalidation, json::object().dump());
  EXPECT_EQ(bad_delete.status, 400);
  EXPECT_EQ(bad_delete.body, "");
}

TEST_P(CertificatePageTest, CallersWhoMayNotAreRefusedWithUpstreamsAnswers) {
  Start();
  if (HasFatalFailure()) return;
  const json user = json{{"user", "ada"}, {"user_name", "ada"}};
  // The DRF views: anonymous 401, learners and course staff 403 (every
  // certificate action needs an instructor or global staff).
  struct Endpoint {
    std::string method;
    std::string path;
    bool developer;  // DeveloperErrorViewMixin's body
  };
  const std::vector<Endpoint> endpoints = {
      {"POST", Api("certificate_exception_view/"), true},
      {"DELETE", Api("certificate_exception_view/"), true},
      {"POST", Api("generate_certificate_exceptions/all"), true},
      {"POST", Api("start_certificate_generation"), true},
      {"POST", Api("certificate_invalidation_view/"), false},
      {"DELETE", Api("certificate_invalidation_view/"), false},
  };
  for (const Endpoint& e : endpoints) {
    const char* field = e.developer ? "developer_message" : "detail";
    Reply anonymous = Call("", e.method, e.path, user.dump());
    EXPECT_EQ(anonymous.status, 401) << e.method << " " << e.path;
    EXPECT_EQ(anonymous.Json(), (json{{field, kNoCredentials}})) << e.path;
    for (const char* who : {"lena", "stan"}) {
      Reply refused = Call(who, e.method, e.path, user.dump());
      EXPECT_EQ(refused.status, 403) << who << " " << e.method << " " << e.path;
      EXPECT_EQ(refused.Json(), (json{{field, kNoPermission}})) << e.path;
    }
    const std::string unknown = std::regex_replace(e.path, std::regex("Web"), "Nope");
    Reply missing = Call("ins", e.method, unknown, user.dump());
    EXPECT_EQ(missing.status, 404) << unknown;
    EXPECT_EQ(missing.Json(), (json{{field, "Course not found: course-v1:Larch+Nope+2025."}}));
  }
  // enable_certificate_generation is a plain Django view: bare 403s.
  for (const char* who : {"", "lena", "stan"}) {
    Reply r = Call(who, "POST", Api("enable_certificate_generation"), "certificates-enabled=true",
                   "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 403) << who;
    EXPECT_EQ(r.body, "") << who;
  }
  // Nothing was written by the refused calls.
  EXPECT_EQ(Certificate("ada"), json());

  // The configuration: the course team; the settings: global staff.
  const std::string config = Configuration(true).dump();
  for (const auto& [method, body] :
       std::vector<std::pair<std::string, std::string>>{{"GET", ""}, {"PUT", config}}) {
    Reply anonymous = Call("", method, Larch("configuration"), body);
    EXPECT_EQ(anonymous.status, 401) << method;
    EXPECT_EQ(anonymous.Json(), (json{{"detail", kNoCredentials}}));
    Reply learner = Call("lena", method, Larch("configuration"), body);
    EXPECT_EQ(learner.status, 403) << method;
    EXPECT_EQ(learner.Json(), (json{{"detail", kNoPermission}}));
    EXPECT_EQ(Call("stan", method, Larch("configuration"), body).status, 200) << method;
  }
  const std::string settings = json{{"self_generation_enabled", true}}.dump();
  for (const auto& [method, body] :
       std::vector<std::pair<std::string, std::string>>{{"GET", ""}, {"PUT", settings}}) {
    Reply anonymous = Call("", method, Larch("settings"), body);
    EXPECT_EQ(anonymous.status, 401) << method;
    EXPECT_EQ(anonymous.Json(), (json{{"detail", kNoCredentials}}));
    for (const char* who : {"lena", "stan", "ins"}) {
      Reply refused = Call(who, method, Larch("settings"), body);
      EXPECT_EQ(refused.status, 403) << who << " " << method;
      EXPECT_EQ(refused.Json(), (json{{"detail", kNoPermission}}));
    }
  }
  Reply unknown = Call("admin", "GET", Larch("configuration", "course-v1:Larch+Nope+2025"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json().value("error_code", ""), "not_found") << unknown.body;
}

TEST_P(CertificatePageTest, BadConfigurationsAndSettingsAreRefusedClearly) {
  Start();
  if (HasFatalFailure()) return;
  auto invalid = [](const std::string& message) {
    return json{{"error_code", "invalid_argument"},
                {"developer_message", message},
                {"user_message", "The request is invalid."}};
  };
  json bad = Configuration(true);
  bad["certificates"][0]["is_active"] = "yes";
  Reply wrong_type = Call("ins", "PUT", Larch("configuration"), bad.dump());
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.Json(), invalid("certificates[0].is_active must be true or false"));
  bad = Configuration(true);
  bad["certificates"][0]["signatories"][1]["name"] = 5;
  Reply signatory = Call("ins", "PUT", Larch("configuration"), bad.dump());
  EXPECT_EQ(signatory.status, 400);
  EXPECT_EQ(signatory.Json(), invalid("certificates[0].signatories[1].name must be a string"));
  Reply no_list = Call("ins", "PUT", Larch("configuration"), json{{"foo", 1}}.dump());
  EXPECT_EQ(no_list.status, 400);
  EXPECT_EQ(no_list.Json(), invalid("certificates is required: {\"certificates\": [...]}"));
  Reply not_json = Call("ins", "PUT", Larch("configuration"), "{\"certificates\": [");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.Json().value("error_code", ""), "invalid_argument") << not_json.body;
  EXPECT_EQ(not_json.Json().value("developer_message", "").rfind("The body must be JSON", 0), 0u)
      << not_json.body;
  // Nothing was stored.
  EXPECT_EQ(Call("ins", "GET", Larch("configuration")).Json(),
            (json{{"certificates", json::array()}}));

  Reply defaults = Call("admin", "GET", Larch("settings"));
  EXPECT_EQ(defaults.status, 200);
  EXPECT_EQ(defaults.Json(), (json{{"course_id", kCourse},
                                   {"self_generation_enabled", false},
                                   {"language_specific_templates_enabled", false},
                                   {"include_hours_of_effort", nullptr},
                                   {"max_effort", nullptr},
                                   {"weeks_to_complete", nullptr}}));
  for (const auto& [body, message] : std::vector<std::pair<json, std::string>>{
           {{{"max_effort", -1}}, "max_effort must be a whole number from 0 to 1000000, or null"},
           {{{"self_generation_enabled", "true"}}, "self_generation_enabled must be true or false"},
           {{{"bogus", 1}}, "unknown field bogus"}}) {
    Reply r = Call("admin", "PUT", Larch("settings"), body.dump());
    EXPECT_EQ(r.status, 400) << body.dump();
    EXPECT_EQ(r.Json(), invalid(message));
  }
  Reply not_object = Call("admin", "PUT", Larch("settings"), "[]");
  EXPECT_EQ(not_object.status, 400);
  EXPECT_EQ(not_object.Json(), invalid("The body must be a JSON object of settings."));
  Reply set = Call("admin", "PUT", Larch("settings"),
                   json{{"include_hours_of_effort", true}, {"max_effort", 4}}.dump());
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json(), (json{{"course_id", kCourse},
                              {"self_generation_enabled", false},
                              {"language_specific_templates_enabled", false},
                              {"include_hours_of_effort", true},
                              {"max_effort", 4},
                              {"weeks_to_complete", nullptr}}));
}

TEST_P(CertificatePageTest, TheHtmlViewConfigurationNamesThePlatformAndTitle) {
  SwitchOn();
  Start();
  if (HasFatalFailure()) return;
  Configure(true);
  ASSERT_EQ(AddException("ada").status, 200);
  const std::string uuid = Uuid("ada");
  const json configuration = {{"default", {{"platform_name", "Larch U"}}},
                              {"verified",
                               {{"certificate_title",
                                 "Verified Certificate of "
                                 "Achievement"}}}};
  Reply posted = Call("admin", "POST", "/config/certificates_html_view",
                      json{{"enabled", true}, {"configuration", configuration.dump()}}.dump());
  ASSERT_EQ(posted.status, 201) << posted.body;
  Reply page = Page(uuid);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Has(page, "<strong>Larch U</strong>")) << page.body;
  EXPECT_TRUE(Has(page, "<div class=\"title\">Verified Certificate of Achievement</div>"))
      << page.body;
  EXPECT_TRUE(Has(page,
                  "<title>Web Certificates &amp; More Verified Certificate of Achievement | "
                  "Larch U</title>"))
      << page.body;

  Reply invalid = Call("admin", "POST", "/config/certificates_html_view",
                       json{{"enabled", true}, {"configuration", "{not json"}}.dump());
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.Json(), (json{{"configuration", json::array({"Must be valid JSON string."})}}));
  EXPECT_TRUE(Has(Page(uuid), "<strong>Larch U</strong>")) << "the good row stays current";
}

TEST_P(CertificatePageTest, OperatorTemplatesOverrideTheBuiltInOne) {
  const fs::path dir = fs::path(dir_.path()) / "certificate_templates" / "default";
  fs::create_directories(dir);
  const fs::path file = dir / "certificate.html";
  std::ofstream(file) << "<!DOCTYPE html>\n<html>\n<body>\n{{#valid}}\n<p>unclosed</p>\n"
                         "</body>\n</html>\n";
  SwitchOn();
  Start();
  if (HasFatalFailure()) return;
  // Reported at start with its file and line; the built-in one serves.
  EXPECT_NE(server_->output().find("certificate template " + file.string() + ":4: "),
            std::string::npos)
      << server_->output();
  Configure(true);
  ASSERT_EQ(AddException("ada").status, 200);
  const std::string uuid = Uuid("ada");
  Reply builtin = Page(uuid);
  ASSERT_EQ(builtin.status, 200);
  EXPECT_TRUE(Has(builtin, "<p>This is to certify that</p>")) << builtin.body;

  // A good template is picked up without a restart.
  std::ofstream(file) << "<p>OPERATOR {{accomplishment_copy_name}} {{certificate_id_number}} "
                         "{{#signatories}}[{{name}}]{{/signatories}}</p>\n";
  const std::string expected =
      std::string("<p>OPERATOR ") + kAdaEscaped + " " + uuid + " [Grace Hopper][Alan Turing]</p>\n";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  Reply page;
  while (std::chrono::steady_clock::now() < deadline) {
    page = Page(uuid);
    if (page.body == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, expected);
}

TEST_P(CertificatePageTest, ASpanishCourseUsesTheSpanishTemplateWhenTheSettingIsOn) {
  SwitchOn();
  Start();
  if (HasFatalFailure()) return;
  Configure(true, kEsCourse, "admin");
  ASSERT_EQ(AddException("layla", kEsCourse, "admin").status, 200);
  const std::string uuid = Uuid("layla", kEsCourse);
  Reply english = Page(uuid);
  ASSERT_EQ(english.status, 200);
  EXPECT_TRUE(Has(english, "<html lang=\"es\" dir=\"ltr\">")) << english.body;
  EXPECT_TRUE(Has(english, "<p>This is to certify that</p>")) << english.body;

  Reply set = Call("admin", "PUT", Larch("settings", kEsCourse),
                   json{{"language_specific_templates_enabled", true},
                        {"include_hours_of_effort", true},
                        {"max_effort", 4},
                        {"weeks_to_complete", 6}}
                       .dump());
  ASSERT_EQ(set.status, 200) << set.body;
  Reply spanish = Page(uuid);
  ASSERT_EQ(spanish.status, 200);
  EXPECT_TRUE(Has(spanish, "<p>Se certifica que</p>")) << spanish.body;
  EXPECT_TRUE(Has(spanish, std::string("<h1 class=\"name\" dir=\"auto\">") + kLayla + "</h1>"))
      << spanish.body;
  EXPECT_TRUE(Has(spanish, "24 horas de dedicación")) << spanish.body;
  EXPECT_TRUE(
      std::regex_search(spanish.body, std::regex("emitido el \\d{1,2} de [a-z]+ de \\d{4}")))
      << spanish.body;
  // The English course keeps the English template.
  Configure(true);
  ASSERT_EQ(AddException("ada").status, 200);
  EXPECT_TRUE(Has(Page(Uuid("ada")), "<p>This is to certify that</p>"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificatePageTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace larch::testing
