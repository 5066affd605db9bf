// ConfigModelStore behaviour every storage backend must share.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "larch/storage/config_model_store.h"
#include "larch/storage/database.h"

namespace larch::storage {
namespace {

class ConfigModelConformance : public testing::BackendTest {
 protected:
  int64_t Append(const std::string& model, const std::string& key, bool enabled,
                 const std::string& value, int64_t change_date, const std::string& by = "admin") {
    ConfigModelRow row;
    row.model = model;
    row.key = key;
    row.enabled = enabled;
    row.value_json = value;
    row.changed_by = by;
    row.change_date = change_date;
    int64_t id = 0;
    Status s = db().RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
      LARCH_ASSIGN_OR_RETURN(id, ConfigModelStore::Append(txn, row));
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  std::optional<ConfigModelRow> Newest(const std::string& model, const std::string& key) {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    auto row = ConfigModelStore::Newest(**txn, model, key);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : std::nullopt;
  }

  std::vector<ConfigModelRow> History(const std::string& model, const std::string& key,
                                      int64_t limit) {
    auto txn = db().Begin(TxnMode::kReadOnly);
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    auto rows = ConfigModelStore::History(**txn, model, key, limit);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<ConfigModelRow>{};
  }
};

TEST_P(ConfigModelConformance, NoRowsMeansNone) {
  EXPECT_FALSE(Newest("badges.BadgeImageConfiguration", "").has_value());
  EXPECT_TRUE(History("badges.BadgeImageConfiguration", "", 10).empty());
}

TEST_P(ConfigModelConformance, AppendThenNewestRoundTrips) {
  const int64_t t = clock().NowMicros();
  int64_t id = Append("m", "", true, R"({"mode":"honor"})", t, "staff");
  EXPECT_GT(id, 0);
  auto row = Newest("m", "");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->id, id);
  EXPECT_EQ(row->model, "m");
  EXPECT_EQ(row->key, "");
  EXPECT_TRUE(row->enabled);
  EXPECT_EQ(row->value_json, R"({"mode":"honor"})");
  EXPECT_EQ(row->changed_by, "staff");
  EXPECT_EQ(row->change_date, t);
}

TEST_P(ConfigModelConformance, NewestByChangeDateThenId) {
  const int64_t t = clock().NowMicros();
  Append("m", "", true, R"({"v":2})", t + 20);
  // Appended later but dated earlier: change_date wins over insertion order.
  Append("m", "", true, R"({"v":1})", t + 10);
  EXPECT_EQ(Newest("m", "")->value_json, R"({"v":2})");

  // Same change_date: the higher id is newer.
  int64_t a = Append("m", "", true, R"({"v":3})", t + 30);
  int64_t b = Append("m", "", true, R"({"v":4})", t + 30);
  ASSERT_LT(a, b);
  EXPECT_EQ(Newest("m", "")->id, b);
}

TEST_P(ConfigModelConformance, DisabledNewestRowMeansDisabled) {
  const int64_t t = clock().NowMicros();
  Append("m", "", true, R"({"v":1})", t);
  Append("m", "", false, R"({"v":2})", t + 1);
  auto row = Newest("m", "");
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(row->enabled);
  EXPECT_EQ(row->value_json, R"({"v":2})");
}

TEST_P(ConfigModelConformance, KeyedRowsAndModelsAreIndependent) {
  const int64_t t = clock().NowMicros();
  Append("m", "course-v1:A+B+C", true, R"({"k":"abc"})", t);
  Append("m", "course-v1:X+Y+Z", false, R"({"k":"xyz"})", t + 5);
  Append("other", "course-v1:A+B+C", false, R"({})", t + 10);

  auto abc = Newest("m", "course-v1:A+B+C");
  ASSERT_TRUE(abc.has_value());
  EXPECT_TRUE(abc->enabled);
  EXPECT_EQ(abc->value_json, R"({"k":"abc"})");
  auto xyz = Newest("m", "course-v1:X+Y+Z");
  ASSERT_TRUE(xyz.has_value());
  EXPECT_FALSE(xyz->enabled);
  EXPECT_FALSE(Newest("m", "").has_value());
  EXPECT_FALSE(Newest("m", "course-v1:Q+Q+Q").has_value());
}

TEST_P(ConfigModelConformance, HistoryNewestFirstWithLimit) {
  const int64_t t = clock().NowMicros();
  for (int i = 0; i < 5; ++i) {
    Append("m", "k", i % 2 == 0, "{\"v\":" + std::to_string(i) + "}", t + i,
           "user" + std::to_string(i));
  }
  Append("m", "other", true, "{}", t + 100);
  std::vector<ConfigModelRow> all = History("m", "k", 10);
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(all[i].change_date, t + 4 - i);
    EXPECT_EQ(all[i].changed_by, "user" + std::to_string(4 - i));
    EXPECT_EQ(all[i].enabled, (4 - i) % 2 == 0);
  }
  std::vector<ConfigModelRow> two = History("m", "k", 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].value_json, R"({"v":4})");
  EXPECT_EQ(two[1].value_json, R"({"v":3})");
  EXPECT_TRUE(History("m", "k", 0).empty());
}

LARCH_INSTANTIATE_BACKEND_SUITE(ConfigModelConformance);

}  // namespace
}  // namespace larch::storage
