#include "larch/config_models/model_kinds.h"

#include <cmath>
#include <cstdlib>

#include "larch/common/clock.h"

namespace larch::config_models {
namespace {

using nlohmann::json;

// DRF's invalid-value messages per field type.
const char* InvalidMessage(FieldType type) {
  switch (type) {
    case FieldType::kBool:
      return "Must be a valid boolean.";
    case FieldType::kString:
      return "Not a valid string.";
    case FieldType::kInt:
      return "A valid integer is required.";
    case FieldType::kFloat:
      return "A valid number is required.";
    case FieldType::kJsonText:
      return "Must be valid JSON string.";
  }
  return "Invalid value.";
}

// DRF BooleanField's TRUE_VALUES / FALSE_VALUES.
std::optional<bool> ParseBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    if (v == 0 || v == 1) return v == 1;
    return std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const std::string s = value.get<std::string>();
  for (const char* t :
       {"true", "True", "TRUE", "on", "On", "ON", "1", "yes", "Yes", "YES", "y", "Y", "t", "T"}) {
    if (s == t) return true;
  }
  for (const char* f : {"false", "False", "FALSE", "off", "Off", "OFF", "0", "no", "No", "NO", "n",
                        "N", "f", "F"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

// The value of one field as stored, or nullopt when it has the wrong type.
std::optional<json> ParseValue(const ModelField& field, const json& value) {
  switch (field.type) {
    case FieldType::kBool: {
      std::optional<bool> b = ParseBool(value);
      if (!b.has_value()) return std::nullopt;
      return json(*b);
    }
    case FieldType::kString:
      if (value.is_string()) return value;
      if (value.is_number()) return json(value.dump());
      return std::nullopt;
    case FieldType::kJsonText:
      if (!value.is_string()) return std::nullopt;
      if (json::parse(value.get<std::string>(), nullptr, false).is_discarded()) {
        return std::nullopt;
      }
      return value;
    case FieldType::kInt: {
      if (value.is_number_integer()) return value;
      if (value.is_number_float()) {
        double d = value.get<double>();
        if (std::floor(d) == d && std::isfinite(d)) return json(static_cast<int64_t>(d));
        return std::nullopt;
      }
      if (!value.is_string()) return std::nullopt;
      const std::string s = value.get<std::string>();
      char* end = nullptr;
      long long parsed = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || end == nullptr || *end != '\0') return std::nullopt;
      return json(static_cast<int64_t>(parsed));
    }
    case FieldType::kFloat: {
      if (value.is_number()) return json(value.get<double>());
      if (!value.is_string()) return std::nullopt;
      const std::string s = value.get<std::string>();
      char* end = nullptr;
      double parsed = std::strtod(s.c_str(), &end);
      if (s.empty() || end == nullptr || *end != '\0' || !std::isfinite(parsed)) {
        return std::nullopt;
      }
      return json(parsed);
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<ModelKind>& KnownModels() {
  // The models edx-platform's lms/urls.py mounts under /config/, then the
  // certificate models Open edX edits in its Django admin only.
  static const auto* const kModels = new std::vector<ModelKind>{
      {"catalog",
       "catalog.CatalogIntegration",
       {{"internal_api_url", FieldType::kString, "", 0},
        {"cache_ttl", FieldType::kInt, 0, 0},
        {"long_term_cache_ttl", FieldType::kInt, 86400, 0},
        {"service_username", FieldType::kString, "lms_catalog_service_user", 100},
        {"page_size", FieldType::kInt, 100, 0}}},
      {"forums",
       "django_comment_common.ForumsConfig",
       {{"connection_timeout", FieldType::kFloat, 5.0, 0}}},
      {"programs", "programs.ProgramsApiConfig", {{"marketing_path", FieldType::kString, "", 255}}},
      {"self_paced",
       "self_paced.SelfPacedConfiguration",
       {{"enable_course_home_improvements", FieldType::kBool, false, 0}}},
      {"certificates_html_view",
       "certificates.CertificateHtmlViewConfiguration",
       {{"configuration", FieldType::kJsonText, "{}", 0}}},
      {"linkedin_add_to_profile",
       "linkedin.LinkedInAddToProfileConfiguration",
       {{"company_identifier", FieldType::kString, "", 0},
        {"trk_partner_name", FieldType::kString, "", 10}}},
  };
  return *kModels;
}

const ModelKind* FindModel(std::string_view name) {
  for (const ModelKind& kind : KnownModels()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

StatusOr<json> ParseFields(const ModelKind& kind, const json& body, bool* enabled) {
  if (!body.is_object()) {
    return InvalidArgumentError(json{
        {"non_field_errors",
         {"Invalid data. Expected a dictionary, but got " + std::string(body.type_name()) +
          "."}}}.dump());
  }
  json errors = json::object();
  *enabled = false;
  if (auto it = body.find("enabled"); it != body.end()) {
    std::optional<bool> parsed = ParseBool(*it);
    if (parsed.has_value()) {
      *enabled = *parsed;
    } else {
      errors["enabled"] = {InvalidMessage(FieldType::kBool)};
    }
  }
  json value = json::object();
  for (const ModelField& field : kind.fields) {
    auto it = body.find(field.name);
    if (it == body.end() || it->is_null()) {
      value[field.name] = field.default_value;
      continue;
    }
    std::optional<json> parsed = ParseValue(field, *it);
    if (!parsed.has_value()) {
      errors[field.name] = {InvalidMessage(field.type)};
    } else if (field.max_length > 0 && parsed->get<std::string>().size() > field.max_length) {
      errors[field.name] = {"Ensure this field has no more than " +
                            std::to_string(field.max_length) + " characters."};
    } else {
      value[field.name] = *parsed;
    }
  }
  if (!errors.empty()) return InvalidArgumentError(errors.dump());
  return value;
}

json Serialize(const ModelKind& kind, const storage::ConfigModelRow* row) {
  json out = {
      {"id", nullptr}, {"change_date", nullptr}, {"changed_by", nullptr}, {"enabled", false}};
  json stored = json::object();
  if (row != nullptr) {
    out["id"] = row->id;
    out["change_date"] = FormatIso8601(row->change_date);
    if (!row->changed_by.empty()) out["changed_by"] = row->changed_by;
    out["enabled"] = row->enabled;
    stored = json::parse(row->value_json, nullptr, false);
    if (!stored.is_object()) stored = json::object();
  }
  for (const ModelField& field : kind.fields) {
    auto it = stored.find(field.name);
    out[field.name] = it != stored.end() ? *it : field.default_value;
  }
  return out;
}

}  // namespace larch::config_models
