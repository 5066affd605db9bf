#include "larch/storage/config_model_store.h"

#include <string>
#include <utility>
#include <vector>

namespace larch::storage {
namespace {

constexpr Query kAppendConfigModel{
    "config_models.append",
    "INSERT INTO config_models (model, config_key, enabled, value, changed_by, change_date) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};

// id breaks ties between rows written in the same microsecond, as Django's
// ordering ("-change_date", "-id") does.
constexpr Query kNewestConfigModel{
    "config_models.newest",
    "SELECT id, model, config_key, enabled, value, changed_by, change_date FROM config_models "
    "WHERE model = ? AND config_key = ? ORDER BY change_date DESC, id DESC LIMIT 1"};

constexpr Query kConfigModelHistory{
    "config_models.history",
    "SELECT id, model, config_key, enabled, value, changed_by, change_date FROM config_models "
    "WHERE model = ? AND config_key = ? ORDER BY change_date DESC, id DESC LIMIT ?"};

ConfigModelRow RowToConfigModel(const Row& row) {
  ConfigModelRow out;
  out.id = row.GetInt(0);
  out.model = row.GetText(1);
  out.key = row.GetText(2);
  out.enabled = row.GetBool(3);
  out.value_json = row.GetText(4);
  out.changed_by = row.GetText(5);
  out.change_date = row.GetInt(6);
  return out;
}

}  // namespace

StatusOr<int64_t> ConfigModelStore::Append(Executor& ex, const ConfigModelRow& row) {
  if (row.model.empty()) return InvalidArgumentError("config model name is empty");
  LARCH_ASSIGN_OR_RETURN(
      ResultSet result,
      ex.Execute(kAppendConfigModel,
                 {Text(row.model), Text(row.key), Bool(row.enabled), Text(row.value_json),
                  Text(row.changed_by), Int(row.change_date)}));
  if (result.empty()) return InternalError("config_models insert returned no id");
  return result.rows[0].GetInt(0);
}

StatusOr<std::optional<ConfigModelRow>> ConfigModelStore::Newest(Executor& ex,
                                                                 const std::string& model,
                                                                 const std::string& key) {
  LARCH_ASSIGN_OR_RETURN(ResultSet result,
                         ex.Execute(kNewestConfigModel, {Text(model), Text(key)}));
  if (result.empty()) return std::optional<ConfigModelRow>();
  if (result.rows[0].size() < 7) return InternalError("config_models row is too short");
  return std::optional<ConfigModelRow>(RowToConfigModel(result.rows[0]));
}

StatusOr<std::vector<ConfigModelRow>> ConfigModelStore::History(Executor& ex,
                                                                const std::string& model,
                                                                const std::string& key,
                                                                int64_t limit) {
  if (limit <= 0) return std::vector<ConfigModelRow>{};
  LARCH_ASSIGN_OR_RETURN(ResultSet result,
                         ex.Execute(kConfigModelHistory, {Text(model), Text(key), Int(limit)}));
  std::vector<ConfigModelRow> rows;
  rows.reserve(result.rows.size());
  for (const Row& row : result.rows) {
    if (row.size() < 7) return InternalError("config_models row is too short");
    rows.push_back(RowToConfigModel(row));
  }
  return rows;
}

}  // namespace larch::storage
