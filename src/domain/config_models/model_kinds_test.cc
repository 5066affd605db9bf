#include "larch/config_models/model_kinds.h"

#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::config_models {
namespace {

using nlohmann::json;

TEST(ModelKindsTest, KnowsTheModelsOpenEdxMountsUnderConfig) {
  ASSERT_NE(FindModel("self_paced"), nullptr);
  EXPECT_EQ(FindModel("self_paced")->model, "self_paced.SelfPacedConfiguration");
  EXPECT_NE(FindModel("forums"), nullptr);
  EXPECT_NE(FindModel("programs"), nullptr);
  EXPECT_NE(FindModel("catalog"), nullptr);
  EXPECT_EQ(FindModel("certificates"), nullptr);
  EXPECT_EQ(FindModel(""), nullptr);
}

TEST(ModelKindsTest, ParseFieldsFillsDefaultsAndConvertsFormStrings) {
  bool enabled = true;
  LARCH_ASSERT_OK_AND_ASSIGN(
      json value,
      ParseFields(*FindModel("catalog"), json{{"page_size", "50"}, {"x", 1}}, &enabled));
  EXPECT_FALSE(enabled);
  EXPECT_EQ(value, (json{{"internal_api_url", ""},
                         {"cache_ttl", 0},
                         {"long_term_cache_ttl", 86400},
                         {"service_username", "lms_catalog_service_user"},
                         {"page_size", 50}}));
  LARCH_ASSERT_OK_AND_ASSIGN(
      value,
      ParseFields(*FindModel("self_paced"),
                  json{{"enabled", "on"}, {"enable_course_home_improvements", "True"}}, &enabled));
  EXPECT_TRUE(enabled);
  EXPECT_EQ(value, (json{{"enable_course_home_improvements", true}}));
  LARCH_ASSERT_OK_AND_ASSIGN(
      value, ParseFields(*FindModel("forums"), json{{"connection_timeout", 2}}, &enabled));
  EXPECT_EQ(value["connection_timeout"], 2.0);
}

TEST(ModelKindsTest, ParseFieldsReportsEveryBadFieldAsDrfDoes) {
  bool enabled = false;
  auto parsed =
      ParseFields(*FindModel("catalog"),
                  json{{"enabled", "maybe"}, {"cache_ttl", "1.5x"}, {"page_size", {1}}}, &enabled);
  ASSERT_THAT(parsed.status(), larch::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(json::parse(std::string(parsed.status().message())),
            (json{{"enabled", {"Must be a valid boolean."}},
                  {"cache_ttl", {"A valid integer is required."}},
                  {"page_size", {"A valid integer is required."}}}));
  parsed = ParseFields(*FindModel("programs"), json{{"marketing_path", std::string(256, 'a')}},
                       &enabled);
  ASSERT_THAT(parsed.status(), larch::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(json::parse(std::string(parsed.status().message())),
            (json{{"marketing_path", {"Ensure this field has no more than 255 characters."}}}));
  parsed = ParseFields(*FindModel("programs"), json::array(), &enabled);
  EXPECT_THAT(parsed.status(), larch::testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST(ModelKindsTest, SerializeANeverSetModelAsAnUnsavedInstance) {
  EXPECT_EQ(Serialize(*FindModel("self_paced"), nullptr),
            (json{{"id", nullptr},
                  {"change_date", nullptr},
                  {"changed_by", nullptr},
                  {"enabled", false},
                  {"enable_course_home_improvements", false}}));
}

TEST(ModelKindsTest, SerializeAStoredRow) {
  storage::ConfigModelRow row;
  row.id = 7;
  row.enabled = true;
  row.value_json = R"({"marketing_path": "/programs"})";
  row.changed_by = "staff";
  row.change_date = int64_t{1'764'806'400} * 1'000'000;
  EXPECT_EQ(Serialize(*FindModel("programs"), &row), (json{{"id", 7},
                                                           {"change_date", "2025-12-04T00:00:00Z"},
                                                           {"changed_by", "staff"},
                                                           {"enabled", true},
                                                           {"marketing_path", "/programs"}}));
}

}  // namespace
}  // namespace larch::config_models
