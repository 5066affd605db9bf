#include "larch/config_models/config_models.h"

#include <nlohmann/json.hpp>

namespace larch::config_models {

namespace {

std::string MessageKey(const std::string& model, const std::string& key) {
  return model + "\n" + key;
}

}  // namespace

ConfigModels::ConfigModels(storage::Database& db, const Clock& clock, ConfigModelsOptions options)
    : db_(db), clock_(clock), options_(options) {
  if (options_.invalidations != nullptr) {
    options_.invalidations->Subscribe(kInvalidateConfigModel, [this](std::string_view message) {
      size_t newline = message.find('\n');
      if (newline == std::string_view::npos) return;
      Forget(std::string(message.substr(0, newline)), std::string(message.substr(newline + 1)));
    });
  }
}

void ConfigModels::Forget(const std::string& model, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(Key(model, key));
  ++generation_;
}

StatusOr<storage::ConfigModelRow> ConfigModels::Set(const std::string& model,
                                                    const std::string& key, bool enabled,
                                                    const nlohmann::json& value,
                                                    const std::string& changed_by) {
  if (model.empty()) return InvalidArgumentError("config model name is empty");
  if (!value.is_object()) {
    return InvalidArgumentError("value of config model " + model + " is not a JSON object");
  }
  storage::ConfigModelRow row;
  row.model = model;
  row.key = key;
  row.enabled = enabled;
  row.value_json = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  row.changed_by = changed_by;
  row.change_date = clock_.NowMicros();
  Status status =
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(row.id, storage::ConfigModelStore::Append(txn, row));
        return OkStatus();
      });
  // Invalidated even on failure: the commit may have happened anyway.
  Forget(model, key);
  if (options_.invalidations != nullptr) {
    options_.invalidations->Publish(kInvalidateConfigModel, MessageKey(model, key));
  }
  if (!status.ok()) return status;
  return row;
}

bool ConfigModels::LookUp(const Key& key, std::optional<storage::ConfigModelRow>* row) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return false;
  if (it->second.expires_at <= clock_.MonotonicMicros()) {
    cache_.erase(it);
    return false;
  }
  *row = it->second.row;
  return true;
}

StatusOr<std::optional<storage::ConfigModelRow>> ConfigModels::Current(const std::string& model,
                                                                       const std::string& key) {
  const bool caching = options_.cache_ttl_seconds > 0;
  Key cache_key(model, key);
  std::optional<storage::ConfigModelRow> row;
  if (caching && LookUp(cache_key, &row)) return row;

  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
  }
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(row, storage::ConfigModelStore::Newest(*txn, model, key));
  txn.reset();
  if (caching) {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation == generation_) {
      cache_[cache_key] =
          CacheEntry{row, clock_.MonotonicMicros() + options_.cache_ttl_seconds * 1'000'000};
    }
  }
  return row;
}

StatusOr<bool> ConfigModels::IsEnabled(const std::string& model, const std::string& key) {
  LARCH_ASSIGN_OR_RETURN(std::optional<storage::ConfigModelRow> row, Current(model, key));
  return row.has_value() && row->enabled;
}

StatusOr<std::optional<nlohmann::json>> ConfigModels::EnabledValue(const std::string& model,
                                                                   const std::string& key) {
  LARCH_ASSIGN_OR_RETURN(std::optional<storage::ConfigModelRow> row, Current(model, key));
  if (!row.has_value() || !row->enabled) return std::optional<nlohmann::json>();
  nlohmann::json value =
      nlohmann::json::parse(row->value_json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return DataLossError("config model " + model + " row " + std::to_string(row->id) +
                         " holds invalid JSON");
  }
  return std::optional<nlohmann::json>(std::move(value));
}

void ConfigModels::InvalidateCache() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
  ++generation_;
}

}  // namespace larch::config_models
