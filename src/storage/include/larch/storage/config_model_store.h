// Persistence for "configuration models": runtime settings that Open edX keeps
// in Django admin as ConfigurationModel rows (e.g. the badge image
// configuration, self-paced switch, enterprise customer settings).
//
// Rows are never updated: every change appends a row, keeping the history
// (who changed what, when). The *current* configuration for (model, key) is
// the newest row, ordered by change_date then id; it applies only when that
// row's `enabled` is set, which is Django's ConfigurationModel.current()
// followed by `.enabled`. Keyed models (Django's KEY_FIELDS) put the joined
// key values in `key`; unkeyed models use "".
//
// Thread safety: stateless; safe from any thread with its own Executor.
#ifndef LARCH_STORAGE_CONFIG_MODEL_STORE_H_
#define LARCH_STORAGE_CONFIG_MODEL_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

struct ConfigModelRow {
  int64_t id = 0;
  std::string model;
  std::string key;
  bool enabled = false;
  std::string value_json = "{}";  // the model's other fields as a JSON object
  std::string changed_by;         // username, "" for the system
  int64_t change_date = 0;        // micros since epoch
};

class ConfigModelStore {
 public:
  // Appends `row` (its id is ignored) and returns the new id.
  static StatusOr<int64_t> Append(Executor& ex, const ConfigModelRow& row);
  // The newest row for (model, key), enabled or not; nullopt when none.
  static StatusOr<std::optional<ConfigModelRow>> Newest(Executor& ex, const std::string& model,
                                                        const std::string& key);
  // Every row for (model, key), newest first, at most `limit`.
  static StatusOr<std::vector<ConfigModelRow>> History(Executor& ex, const std::string& model,
                                                       const std::string& key, int64_t limit);
};

}  // namespace larch::storage

#endif  // LARCH_STORAGE_CONFIG_MODEL_STORE_H_
