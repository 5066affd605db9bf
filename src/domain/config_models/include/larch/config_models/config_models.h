// Runtime configuration models: Larch's counterpart of Django's
// ConfigurationModel (append-only rows edited in the admin; the newest row
// for a model and key is current, and applies only when enabled).
//
// ConfigModels reads through a small in-process cache with a TTL, as Open
// edX caches ConfigurationModel.current() for CONFIGURATION_MODEL_CACHE_TIMEOUT
// (600 s by default). Set drops the entry here and, through `invalidations`
// (Redis pub/sub when several processes run), in every other process; with
// none, other processes see the change when their entry expires.
//
// Thread safety: ConfigModels is thread-safe.
#ifndef LARCH_CONFIG_MODELS_CONFIG_MODELS_H_
#define LARCH_CONFIG_MODELS_CONFIG_MODELS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "larch/common/clock.h"
#include "larch/common/invalidations.h"
#include "larch/common/status.h"
#include "larch/storage/config_model_store.h"
#include "larch/storage/database.h"

namespace larch::config_models {

struct ConfigModelsOptions {
  // How long a read is served from the cache; 0 disables the cache.
  int64_t cache_ttl_seconds = 600;
  // Where Set announces a change and other processes' changes arrive
  // (topic kInvalidateConfigModel); null: this process only. Must outlive
  // the ConfigModels.
  Invalidations* invalidations = nullptr;
};

class ConfigModels {
 public:
  ConfigModels(storage::Database& db, const Clock& clock, ConfigModelsOptions options = {});

  // Appends a new current row for (model, key), dated now. `value` must be a
  // JSON object (the model's other fields): kInvalidArgument otherwise, or
  // when `model` is empty. Database failures are passed through. Returns
  // the row written, with its id.
  StatusOr<storage::ConfigModelRow> Set(const std::string& model, const std::string& key,
                                        bool enabled, const nlohmann::json& value,
                                        const std::string& changed_by);

  // The current row, enabled or not; nullopt when the model was never set.
  StatusOr<std::optional<storage::ConfigModelRow>> Current(const std::string& model,
                                                           const std::string& key = "");

  // Whether the current row exists and is enabled (Django's
  // `Model.current().enabled`, false for a never-set model).
  StatusOr<bool> IsEnabled(const std::string& model, const std::string& key = "");

  // The current row's value object when it is enabled; nullopt when it is
  // disabled or was never set. kDataLoss when the stored value is not JSON.
  StatusOr<std::optional<nlohmann::json>> EnabledValue(const std::string& model,
                                                       const std::string& key = "");

  // Drops every cached entry (e.g. after an admin import).
  void InvalidateCache();

  // Drops the entry of (model, key) in this process only.
  void Forget(const std::string& model, const std::string& key);

 private:
  struct CacheEntry {
    std::optional<storage::ConfigModelRow> row;
    int64_t expires_at = 0;  // monotonic micros
  };

  using Key = std::pair<std::string, std::string>;

  // True (and *row filled) when `key` has a live cache entry.
  bool LookUp(const Key& key, std::optional<storage::ConfigModelRow>* row);

  storage::Database& db_;
  const Clock& clock_;
  const ConfigModelsOptions options_;

  std::mutex mu_;
  std::map<Key, CacheEntry> cache_;
  // Bumped by every invalidation, so a read that raced with a Set does not
  // cache the row it read before the Set.
  uint64_t generation_ = 0;
};

}  // namespace larch::config_models

#endif  // LARCH_CONFIG_MODELS_CONFIG_MODELS_H_
