// GET/POST /config/{name} (config_models' ConfigurationModelCurrentAPIView)
// against the real binary on SQLite and PostgreSQL: who may read and write,
// DRF's bodies for bad input, a write that leaves no row when refused, and
// CSRF on session writes.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "browser.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

using nlohmann::json;

constexpr char kPassword[] = "Config-Secret-1";

class ConfigModelsApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir_.path()}, env_).exit_code, 0);
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult client = CreatePasswordClient(dir_.path(), "script", "script-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
    CommandResult learner = ImportUsers(dir_.path(), {"learner"}, kPasswordHash, env_);
    ASSERT_EQ(learner.exit_code, 0) << learner.output;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path()}, env_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  Headers Auth(const std::string& username, const std::string& password) {
    auto r = PasswordGrant(server_->base_url(), "script", "script-secret", username, password,
                           "&token_type=jwt");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return {{"Authorization", "JWT " + Json(r).value("access_token", "")}};
  }

  StatusOr<HttpClientResponse> PostJson(const std::string& path, const json& body,
                                        Headers headers) {
    headers.emplace_back("Content-Type", "application/json");
    return Send("POST", Url(path), body.dump(), headers);
  }

  std::unique_ptr<LarchProcess> server_;
};

TEST_P(ConfigModelsApiTest, StaffReadDefaultsThenWriteANewCurrentRow) {
  Headers admin = Auth("admin", kPassword);
  auto never = Get(Url("/config/self_paced"), admin);
  ASSERT_TRUE(never.ok());
  ASSERT_EQ(never->status, 200) << never->body;
  EXPECT_EQ(Json(never), (json{{"id", nullptr},
                               {"change_date", nullptr},
                               {"changed_by", nullptr},
                               {"enabled", false},
                               {"enable_course_home_improvements", false}}));

  auto posted = PostJson("/config/self_paced",
                         {{"enabled", true}, {"enable_course_home_improvements", true}}, admin);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 201) << posted->body;
  json created = Json(posted);
  EXPECT_TRUE(created["id"].is_number_integer()) << posted->body;
  EXPECT_EQ(created.value("changed_by", ""), "admin");
  EXPECT_EQ(created.value("enabled", false), true);
  EXPECT_EQ(created.value("enable_course_home_improvements", false), true);
  EXPECT_NE(created.value("change_date", "").find('T'), std::string::npos) << posted->body;

  auto current = Get(Url("/config/self_paced"), admin);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(Json(current), created);

  // A form body; fields left out take their defaults, not the last row's.
  auto form = Send("POST", Url("/config/self_paced"), "enabled=false",
                   {admin[0], {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(form.ok());
  ASSERT_EQ(form->status, 201) << form->body;
  EXPECT_EQ(Json(form).value("enabled", true), false);
  EXPECT_EQ(Json(form).value("enable_course_home_improvements", true), false);
  EXPECT_GT(Json(form).value("id", 0), created.value("id", 0));
}

TEST_P(ConfigModelsApiTest, BadFieldsGetDrfErrorsAndWriteNothing) {
  Headers admin = Auth("admin", kPassword);
  ASSERT_EQ(PostJson("/config/catalog", {{"enabled", true}, {"page_size", 20}}, admin)->status,
            201);
  auto bad = PostJson("/config/catalog", {{"enabled", "sometimes"}, {"page_size", "many"}}, admin);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Json(bad), (json{{"enabled", {"Must be a valid boolean."}},
                             {"page_size", {"A valid integer is required."}}}));
  auto not_json =
      Send("POST", Url("/config/catalog"), "{", {admin[0], {"Content-Type", "application/json"}});
  EXPECT_EQ(not_json->status, 400) << not_json->body;
  EXPECT_TRUE(Json(not_json).contains("detail")) << not_json->body;
  auto current = Get(Url("/config/catalog"), admin);
  EXPECT_EQ(Json(current).value("page_size", 0), 20) << current->body;
  EXPECT_EQ(Json(current).value("enabled", false), true);

  auto unknown = Get(Url("/config/no_such_model"), admin);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json(unknown), (json{{"detail", "Not found."}}));
}

TEST_P(ConfigModelsApiTest, AnonymousAndLearnersAreRefused) {
  for (const char* method : {"GET", "POST"}) {
    auto anonymous = Send(method, Url("/config/programs"), R"({"enabled": true})",
                          {{"Content-Type", "application/json"}});
    ASSERT_TRUE(anonymous.ok());
    EXPECT_EQ(anonymous->status, 401) << method << " " << anonymous->body;
    Headers learner = Auth("learner", "password");
    learner.emplace_back("Content-Type", "application/json");
    auto refused = Send(method, Url("/config/programs"), R"({"enabled": true})", learner);
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 403) << method << " " << refused->body;
    EXPECT_EQ(Json(refused),
              (json{{"detail", "You do not have permission to perform this action."}}));
    // A learner cannot tell a model that exists from one that does not.
    auto probe = Send(method, Url("/config/no_such_model"), "{}", learner);
    EXPECT_EQ(probe->status, 403) << method;
  }
  Headers admin = Auth("admin", kPassword);
  EXPECT_EQ(Json(Get(Url("/config/programs"), admin))["id"], nullptr) << "a refused POST wrote";
}

TEST_P(ConfigModelsApiTest, SessionWritesNeedTheCsrfToken) {
  Browser browser(server_->base_url());
  auto login = browser.Login("admin@example.com", kPassword);
  ASSERT_TRUE(login.ok());
  ASSERT_EQ(login->status, 200) << login->body;
  auto read = browser.Do("GET", "/config/forums");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, 200) << read->body;
  EXPECT_EQ(Json(read).value("connection_timeout", 0.0), 5.0);

  auto forged = browser.Do("POST", "/config/forums", R"({"connection_timeout": 1})",
                           {{"Content-Type", "application/json"}});
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(forged->status, 403) << forged->body;
  auto sent = browser.Do("POST", "/config/forums", R"({"connection_timeout": 1.5})",
                         {{"Content-Type", "application/json"},
                          {"X-CSRFToken", browser.jar()["csrftoken"]},
                          {"Referer", server_->base_url() + "/"}});
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->status, 201) << sent->body;
  EXPECT_EQ(Json(browser.Do("GET", "/config/forums")).value("connection_timeout", 0.0), 1.5);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfigModelsApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
