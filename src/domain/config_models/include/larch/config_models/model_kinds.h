// The configuration models an operator may read and change at runtime
// through `GET/POST /config/{name}` (Open edX's
// ConfigurationModelCurrentAPIView), with their fields and defaults, and the
// validation of a new row's fields as Django REST framework's model
// serializer does it.
//
// Thread safety: the registry is immutable; every function is thread-safe.
#ifndef LARCH_CONFIG_MODELS_MODEL_KINDS_H_
#define LARCH_CONFIG_MODELS_MODEL_KINDS_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"
#include "larch/storage/config_model_store.h"

namespace larch::config_models {

// kJsonText: a string holding JSON (Django's TextField validated with
// json.loads, "Must be valid JSON string.").
enum class FieldType { kBool, kString, kInt, kFloat, kJsonText };

struct ModelField {
  std::string name;
  FieldType type = FieldType::kBool;
  nlohmann::json default_value;
  // For kString: the longest value accepted (Django's max_length); 0: any.
  size_t max_length = 0;
};

struct ModelKind {
  std::string name;                // the URL segment: /config/{name}
  std::string model;               // what ConfigModels stores it as (app_label.ModelName)
  std::vector<ModelField> fields;  // besides `enabled`
};

// Every registered model, in URL order.
const std::vector<ModelKind>& KnownModels();

// The model served at /config/{name}; null for an unknown name.
const ModelKind* FindModel(std::string_view name);

// A new row's fields from a POST body (a JSON object, or a form's strings):
// `enabled` (default false) into *enabled, every other field of `kind` into
// the returned object, a default where the body has none; unknown keys are
// ignored. kInvalidArgument whose message is DRF's error body, a JSON object
// {"field": ["message"]}, when a value has the wrong type.
StatusOr<nlohmann::json> ParseFields(const ModelKind& kind, const nlohmann::json& body,
                                     bool* enabled);

// The serialized current row (DRF's ModelSerializer of every field): id,
// change_date, changed_by, enabled and the model's fields, with nulls and
// defaults for a model never set (ConfigurationModel.current()'s unsaved
// instance).
nlohmann::json Serialize(const ModelKind& kind, const storage::ConfigModelRow* row);

}  // namespace larch::config_models

#endif  // LARCH_CONFIG_MODELS_MODEL_KINDS_H_
