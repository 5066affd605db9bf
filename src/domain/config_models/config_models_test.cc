#include "larch/config_models/config_models.h"

#include <memory>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "larch/storage/config_model_store.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::config_models {
namespace {

class ConfigModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(db_,
                               larch::testing::OpenMigratedDatabase("sqlite::memory:", clock_));
  }

  // Writes behind the service's back, as another process would.
  void AppendDirectly(const std::string& model, bool enabled, const std::string& value) {
    storage::ConfigModelRow row;
    row.model = model;
    row.enabled = enabled;
    row.value_json = value;
    row.change_date = clock_.NowMicros();
    ASSERT_TRUE(db_->RunInTransaction(storage::TxnMode::kReadWrite,
                                      [&](storage::Transaction& txn) -> Status {
                                        return storage::ConfigModelStore::Append(txn, row).status();
                                      })
                    .ok());
  }

  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
};

TEST_F(ConfigModelsTest, NeverSetIsDisabledAndEmpty) {
  ConfigModels models(*db_, clock_);
  auto current = models.Current("badges.BadgeImageConfiguration");
  ASSERT_TRUE(current.ok());
  EXPECT_FALSE(current->has_value());
  EXPECT_FALSE(*models.IsEnabled("badges.BadgeImageConfiguration"));
  EXPECT_FALSE(models.EnabledValue("badges.BadgeImageConfiguration")->has_value());
}

TEST_F(ConfigModelsTest, SetThenReadBack) {
  ConfigModels models(*db_, clock_);
  ASSERT_TRUE(models
                  .Set("self_paced.SelfPacedConfiguration", "", true,
                       {{"enable_course_home_improvements", true}}, "staff")
                  .ok());
  auto current = models.Current("self_paced.SelfPacedConfiguration");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(current->has_value());
  EXPECT_TRUE((*current)->enabled);
  EXPECT_EQ((*current)->changed_by, "staff");
  EXPECT_EQ((*current)->change_date, clock_.NowMicros());
  EXPECT_TRUE(*models.IsEnabled("self_paced.SelfPacedConfiguration"));
  auto value = models.EnabledValue("self_paced.SelfPacedConfiguration");
  ASSERT_TRUE(value.ok());
  ASSERT_TRUE(value->has_value());
  EXPECT_EQ((**value)["enable_course_home_improvements"], true);
}

TEST_F(ConfigModelsTest, DisabledNewestRowHidesValue) {
  ConfigModels models(*db_, clock_);
  ASSERT_TRUE(models.Set("m", "", true, {{"v", 1}}, "a").ok());
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(models.Set("m", "", false, {{"v", 2}}, "b").ok());
  EXPECT_FALSE(*models.IsEnabled("m"));
  EXPECT_FALSE(models.EnabledValue("m")->has_value());
  EXPECT_EQ((*models.Current("m"))->changed_by, "b");
}

TEST_F(ConfigModelsTest, KeysAreIndependent) {
  ConfigModels models(*db_, clock_);
  ASSERT_TRUE(models.Set("m", "course-v1:A+B+C", true, {{"v", "abc"}}, "").ok());
  EXPECT_TRUE(*models.IsEnabled("m", "course-v1:A+B+C"));
  EXPECT_FALSE(*models.IsEnabled("m", "course-v1:X+Y+Z"));
  EXPECT_FALSE(*models.IsEnabled("m"));
}

TEST_F(ConfigModelsTest, SetRejectsBadInput) {
  ConfigModels models(*db_, clock_);
  EXPECT_EQ(models.Set("", "", true, nlohmann::json::object(), "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(models.Set("m", "", true, nlohmann::json::array(), "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(models.Current("m")->has_value());
}

TEST_F(ConfigModelsTest, CacheServesStaleUntilTtlExpires) {
  ConfigModels models(*db_, clock_, ConfigModelsOptions{.cache_ttl_seconds = 600});
  EXPECT_FALSE(*models.IsEnabled("m"));  // caches "never set"
  AppendDirectly("m", true, "{}");
  clock_.AdvanceSeconds(599);
  EXPECT_FALSE(*models.IsEnabled("m"));
  clock_.AdvanceSeconds(1);
  EXPECT_TRUE(*models.IsEnabled("m"));
  AppendDirectly("m", false, "{}");
  EXPECT_TRUE(*models.IsEnabled("m"));
  models.InvalidateCache();
  EXPECT_FALSE(*models.IsEnabled("m"));
}

TEST_F(ConfigModelsTest, SetInvalidatesOwnCache) {
  ConfigModels models(*db_, clock_);
  EXPECT_FALSE(*models.IsEnabled("m"));
  ASSERT_TRUE(models.Set("m", "", true, {{"v", 1}}, "").ok());
  EXPECT_TRUE(*models.IsEnabled("m"));
  ASSERT_TRUE(models.Set("m", "", true, {{"v", 2}}, "").ok());
  EXPECT_EQ((**models.EnabledValue("m"))["v"], 2);
}

// Two processes: each has its ConfigModels; the invalidation messages (Redis
// pub/sub in production) reach both.
TEST_F(ConfigModelsTest, SetInvalidatesOtherProcessesThroughTheMessages) {
  LocalInvalidations bus;
  ConfigModels writer(*db_, clock_, ConfigModelsOptions{.invalidations = &bus});
  ConfigModels reader(*db_, clock_, ConfigModelsOptions{.invalidations = &bus});
  ConfigModels deaf(*db_, clock_);
  EXPECT_FALSE(*reader.IsEnabled("m", "k"));
  EXPECT_FALSE(*deaf.IsEnabled("m", "k"));
  ASSERT_TRUE(writer.Set("m", "k", true, {{"v", 1}}, "staff").ok());
  EXPECT_TRUE(*reader.IsEnabled("m", "k"));
  EXPECT_FALSE(*deaf.IsEnabled("m", "k")) << "without the messages: stale until the TTL";
}

TEST_F(ConfigModelsTest, ZeroTtlDisablesCache) {
  ConfigModels models(*db_, clock_, ConfigModelsOptions{.cache_ttl_seconds = 0});
  EXPECT_FALSE(*models.IsEnabled("m"));
  AppendDirectly("m", true, "{}");
  EXPECT_TRUE(*models.IsEnabled("m"));
}

TEST_F(ConfigModelsTest, CorruptValueIsDataLoss) {
  ConfigModels models(*db_, clock_);
  AppendDirectly("m", true, "{not json");
  EXPECT_TRUE(*models.IsEnabled("m"));
  EXPECT_EQ(models.EnabledValue("m").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace larch::config_models
