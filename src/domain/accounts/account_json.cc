// The accounts API object (user_api accounts serializers), its merge-patch
// update, and the registration form description.
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "internal.h"
#include "larch/accounts/account_service.h"

namespace larch::accounts {
namespace {

using internal::FormatSocialLink;
using internal::SocialUrlStub;
using storage::Int;
using storage::Text;

constexpr storage::Query kSelectProfile{
    "accounts.profiles.select",
    "SELECT user_id, name, year_of_birth, gender, level_of_education, mailing_address, city, "
    "country, state, goals, bio, phone_number, language_proficiencies, social_links, "
    "extended_profile, account_privacy, profile_image_uploaded_at FROM user_profiles "
    "WHERE user_id = ?"};
constexpr storage::Query kUpdateProfile{
    "accounts.profiles.update",
    "UPDATE user_profiles SET name = ?, year_of_birth = ?, gender = ?, level_of_education = ?, "
    "mailing_address = ?, city = ?, country = ?, state = ?, goals = ?, bio = ?, phone_number = ?, "
    "language_proficiencies = ?, social_links = ?, extended_profile = ?, account_privacy = ? "
    "WHERE user_id = ?"};
constexpr storage::Query kUpsertPrefForJson{
    "accounts.prefs.upsert_for_json",
    "INSERT INTO user_preferences (user_id, pref_key, pref_value) VALUES (?, ?, ?) "
    "ON CONFLICT (user_id, pref_key) DO UPDATE SET pref_value = excluded.pref_value"};

nlohmann::json ParseJsonOr(const std::string& text, const nlohmann::json& fallback) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? fallback : parsed;
}

nlohmann::json NullIfEmpty(const std::optional<std::string>& v) {
  if (!v || v->empty()) return nullptr;
  return *v;
}

std::string IsoSeconds(int64_t micros) { return FormatIso8601(micros - micros % 1'000'000); }

int64_t CurrentYear(int64_t micros) {
  std::time_t t = micros / 1'000'000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

// ACCOUNT_VISIBILITY_CONFIGURATION defaults.
const std::vector<std::string>& PublicFields() {
  static const auto* f =
      new std::vector<std::string>{"account_privacy", "profile_image", "username"};
  return *f;
}
const std::vector<std::string>& BulkShareableFields() {
  static const auto* f = new std::vector<std::string>{
      "account_privacy",     "profile_image", "username",    "bio",
      "course_certificates", "country",       "date_joined", "language_proficiencies",
      "level_of_education",  "social_links",  "time_zone"};
  return *f;
}
const std::vector<std::string>& CustomShareableFields() {
  static const auto* f = [] {
    auto* v = new std::vector<std::string>(BulkShareableFields());
    v->push_back("name");
    return v;
  }();
  return *f;
}

// A serializer error as add_serializer_errors reports it: the reason goes to
// the developer, the user gets a fixed sentence.
nlohmann::json FieldError(const std::string& field, const nlohmann::json& value,
                          const std::string& message) {
  return {{"developer_message", "Value '" +
                                    (value.is_string() ? value.get<std::string>() : value.dump()) +
                                    "' is not valid for field '" + field + "': " + message},
          {"user_message", "This value is invalid."}};
}

bool InSet(const std::string& v, std::initializer_list<const char*> values) {
  for (const char* x : values) {
    if (v == x) return true;
  }
  return false;
}

// The social_links of a PATCH merged into `current` (upstream's
// _update_social_links): each requested platform replaced, or removed by an
// empty link. `error` is set (and nothing applies) when any item is invalid.
struct SocialLinksUpdate {
  nlohmann::json links = nlohmann::json::array();
  nlohmann::json error;
};
SocialLinksUpdate MergeSocialLinks(const nlohmann::json& current, const nlohmann::json& value,
                                   const std::string& platform_name) {
  const std::string field = "social_links";
  SocialLinksUpdate out;
  if (current.is_array()) out.links = current;
  if (!value.is_array()) {
    out.error = FieldError(field, value, "Expected a list of social link objects.");
    return out;
  }
  for (const auto& item : value) {
    if (!item.is_object() || !item.contains("platform") || !item["platform"].is_string()) {
      out.error = FieldError(field, value, "Expected a list of social link objects.");
      return out;
    }
    std::string platform = item["platform"].get<std::string>();
    std::optional<std::string_view> url_stub = SocialUrlStub(platform);
    if (!url_stub.has_value()) {
      out.error = FieldError(field, value, "Value '" + platform + "' is not a valid choice.");
      return out;
    }
    const nlohmann::json requested = item.value("social_link", nlohmann::json(""));
    if (!requested.is_string() && !requested.is_null()) {
      out.error = FieldError(field, value, "Expected a list of social link objects.");
      return out;
    }
    // Only "https://www.<stub><username>" is ever stored: no other scheme or
    // host can reach other learners' pages.
    std::optional<std::string> link =
        FormatSocialLink(*url_stub, requested.is_string() ? requested.get<std::string>() : "");
    if (!link.has_value()) {
      std::string message =
          "Make sure that you are providing a valid username or a URL that contains \"" +
          std::string(*url_stub) + "\". To remove the link from your " + platform_name +
          " profile, leave this field blank.";
      out.error = {{"developer_message", "Error when adding new social link: '" + message + "'"},
                   {"user_message", message}};
      return out;
    }
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& existing : out.links) {
      if (existing.value("platform", "") != platform) kept.push_back(existing);
    }
    if (!link->empty()) kept.push_back({{"platform", platform}, {"social_link", *link}});
    out.links = std::move(kept);
  }
  return out;
}
}  // namespace

StatusOr<Profile> AccountService::GetProfile(int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::TxnMode::kReadOnly));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn->Execute(kSelectProfile, {Int(user_id)}));
  if (rs.rows.empty()) return NotFoundError("user has no profile");
  const storage::Row& r = rs.rows[0];
  Profile p;
  p.user_id = r.GetInt(0);
  p.name = r.GetText(1);
  p.year_of_birth = r.GetOptionalInt(2);
  p.gender = r.GetOptionalText(3);
  p.level_of_education = r.GetOptionalText(4);
  p.mailing_address = r.GetOptionalText(5);
  p.city = r.GetOptionalText(6);
  p.country = r.GetOptionalText(7);
  p.state = r.GetOptionalText(8);
  p.goals = r.GetOptionalText(9);
  p.bio = r.GetOptionalText(10);
  p.phone_number = r.GetOptionalText(11);
  p.language_proficiencies = ParseJsonOr(r.GetText(12), nlohmann::json::array());
  p.social_links = ParseJsonOr(r.GetText(13), nlohmann::json::array());
  p.extended_profile = ParseJsonOr(r.GetText(14), nlohmann::json::object());
  p.account_privacy = r.GetOptionalText(15);
  p.profile_image_uploaded_at = r.GetOptionalInt(16);
  return p;
}

StatusOr<nlohmann::json> AccountService::AccountJson(const User& target, const User* viewer,
                                                     bool view_shared, std::string_view base_url) {
  LARCH_ASSIGN_OR_RETURN(Profile p, GetProfile(target.id));
  using Prefs = std::map<std::string, std::string>;
  LARCH_ASSIGN_OR_RETURN(Prefs prefs, GetPreferences(target.id));
  std::string privacy = prefs.count("account_privacy") ? prefs["account_privacy"]
                        : p.account_privacy            ? *p.account_privacy
                                                       : "all_users";
  bool requires_consent =
      !p.year_of_birth || CurrentYear(clock_.NowMicros()) - *p.year_of_birth <= 13;
  // get_profile_visibility: a profile needing parental consent is private
  // whatever the learner chose.
  if (requires_consent) privacy = "private";
  const std::string base = base_url.empty() ? options_.lms_base_url : std::string(base_url);
  nlohmann::json image;
  bool has_image = p.profile_image_uploaded_at.has_value();
  image["has_image"] = has_image;
  for (const auto& [key, size] : {std::pair{"full", 500}, std::pair{"large", 120},
                                  std::pair{"medium", 50}, std::pair{"small", 30}}) {
    std::string url =
        has_image ? base + "/media/profile-images/" + TokenHash(target.username).substr(0, 32) +
                        "_" + std::to_string(size) +
                        ".jpg?v=" + std::to_string(*p.profile_image_uploaded_at / 1'000'000)
                  : base + "/static/images/profiles/default_" + std::to_string(size) + ".png";
    image[std::string("image_url_") + key] = url;
  }
  nlohmann::json extended = nlohmann::json::array();
  if (p.extended_profile.is_object()) {
    for (const auto& [k, v] : p.extended_profile.items()) {
      extended.push_back({{"field_name", k}, {"field_value", v}});
    }
  }
  nlohmann::json all = {
      {"username", target.username},
      {"url", base + "/api/user/v1/accounts/" + target.username},
      {"email", target.email},
      {"id", target.id},
      {"date_joined", IsoSeconds(target.date_joined)},
      {"last_login", target.last_login ? nlohmann::json(FormatIso8601(*target.last_login))
                                       : nlohmann::json(nullptr)},
      {"is_active", target.is_active},
      {"bio", NullIfEmpty(p.bio)},
      {"country", NullIfEmpty(p.country)},
      {"state", NullIfEmpty(p.state)},
      {"profile_image", image},
      {"language_proficiencies", p.language_proficiencies},
      {"name", p.name},
      {"gender", NullIfEmpty(p.gender)},
      {"goals", p.goals ? nlohmann::json(*p.goals) : nlohmann::json(nullptr)},
      {"year_of_birth", p.year_of_birth ? nlohmann::json(*p.year_of_birth) : nullptr},
      {"level_of_education", NullIfEmpty(p.level_of_education)},
      {"mailing_address",
       p.mailing_address ? nlohmann::json(*p.mailing_address) : nlohmann::json(nullptr)},
      {"requires_parental_consent", requires_consent},
      {"account_privacy", privacy},
      {"social_links", p.social_links},
      {"extended_profile", extended},
      {"phone_number", p.phone_number ? nlohmann::json(*p.phone_number) : nlohmann::json(nullptr)},
      {"pending_name_change", nullptr},
      {"verified_name", nullptr},
      {"time_zone", prefs.count("time_zone") ? nlohmann::json(prefs["time_zone"]) : nullptr},
      {"course_certificates", nullptr},
      {"accomplishments_shared", false},
  };
  bool is_owner = viewer != nullptr && viewer->id == target.id;
  bool is_staff = viewer != nullptr && (viewer->is_staff || viewer->is_superuser);
  if ((is_owner && !view_shared) || (is_staff && !is_owner)) return all;

  std::vector<std::string> visible;
  if (privacy == "all_users") {
    visible = BulkShareableFields();
  } else if (privacy == "custom") {
    visible = PublicFields();
    for (const std::string& field : CustomShareableFields()) {
      auto it = prefs.find("visibility." + field);
      if (it != prefs.end() && it->second == "all_users" &&
          std::find(visible.begin(), visible.end(), field) == visible.end()) {
        visible.push_back(field);
      }
    }
  } else {
    visible = PublicFields();
  }
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& field : visible) {
    if (all.contains(field)) out[field] = all[field];
  }
  return out;
}

StatusOr<nlohmann::json> AccountService::UpdateAccount(const User& target,
                                                       const nlohmann::json& patch,
                                                       nlohmann::json* field_errors) {
  nlohmann::json errors = nlohmann::json::object();
  if (!patch.is_object()) {
    return InvalidArgumentError("merge patch must be a JSON object");
  }
  LARCH_ASSIGN_OR_RETURN(Profile p, GetProfile(target.id));
  std::map<std::string, std::string> pref_updates;
  static const std::set<std::string> kReadOnly = {"username",
                                                  "id",
                                                  "date_joined",
                                                  "last_login",
                                                  "is_active",
                                                  "url",
                                                  "profile_image",
                                                  "requires_parental_consent",
                                                  "email",
                                                  "pending_name_change",
                                                  "verified_name",
                                                  "course_certificates",
                                                  "accomplishments_shared"};
  auto optional_string = [&](const std::string& field, const nlohmann::json& v,
                             std::optional<std::string>* slot) {
    if (v.is_null()) {
      *slot = std::nullopt;
    } else if (v.is_string()) {
      *slot = v.get<std::string>();
    } else {
      errors[field] = FieldError(field, v, "Not a valid string.");
    }
  };
  for (const auto& [field, value] : patch.items()) {
    if (kReadOnly.count(field)) {
      errors[field] = {{"developer_message", "This field is not editable via this API"},
                       {"user_message", "The '" + field + "' field cannot be edited."}};
    } else if (field == "name") {
      std::string name = value.is_string() ? value.get<std::string>() : "";
      if (!value.is_string() || name.empty()) {
        errors[field] =
            FieldError(field, value, "The name field must be at least 1 character long.");
      } else if (name.find_first_of("<>") != std::string::npos) {
        // _validate_name_change: validate_name's message goes to the user.
        const std::string message = "Full Name cannot contain the following characters: < >";
        errors[field] = {
            {"developer_message", "Error thrown from validate_name: '" + message + "'"},
            {"user_message", message}};
      } else if (internal::CodePointCount(name) > 255) {
        errors[field] =
            FieldError(field, value, "Ensure this field has no more than 255 characters.");
      } else {
        p.name = name;
      }
    } else if (field == "bio") {
      if (value.is_string() && internal::CodePointCount(value.get<std::string>()) > 300) {
        errors[field] =
            FieldError(field, value, "The about me field must be at most 300 characters long.");
      } else {
        optional_string(field, value, &p.bio);
      }
    } else if (field == "country") {
      if (value.is_string() && !value.get<std::string>().empty() &&
          !internal::IsCountryCode(value.get<std::string>())) {
        errors[field] =
            FieldError(field, value, "\"" + value.get<std::string>() + "\" is not a valid choice.");
      } else {
        optional_string(field, value, &p.country);
      }
    } else if (field == "gender" || field == "level_of_education") {
      bool ok = value.is_null() ||
                (value.is_string() &&
                 (field == "gender"
                      ? InSet(value.get<std::string>(), {"", "m", "f", "o"})
                      : InSet(value.get<std::string>(),
                              {"", "p", "m", "b", "a", "hs", "jhs", "el", "none", "o", "other"})));
      if (!ok) {
        errors[field] =
            FieldError(field, value,
                       "\"" + (value.is_string() ? value.get<std::string>() : value.dump()) +
                           "\" is not a valid choice.");
      } else {
        optional_string(field, value, field == "gender" ? &p.gender : &p.level_of_education);
      }
    } else if (field == "year_of_birth") {
      if (value.is_null()) {
        p.year_of_birth = std::nullopt;
      } else if (value.is_number_integer()) {
        p.year_of_birth = value.get<int64_t>();
      } else {
        errors[field] = FieldError(field, value, "A valid integer is required.");
      }
    } else if (field == "goals" || field == "mailing_address" || field == "state" ||
               field == "city" || field == "phone_number") {
      optional_string(field, value,
                      field == "goals"             ? &p.goals
                      : field == "mailing_address" ? &p.mailing_address
                      : field == "state"           ? &p.state
                      : field == "city"            ? &p.city
                                                   : &p.phone_number);
    } else if (field == "language_proficiencies") {
      std::set<std::string> codes;
      bool ok = value.is_array();
      for (const auto& item : ok ? value : nlohmann::json::array()) {
        if (!item.is_object() || !item.contains("code") || !item["code"].is_string()) {
          ok = false;
        } else if (!codes.insert(item["code"].get<std::string>()).second) {
          errors[field] = FieldError(
              field, value, "The language_proficiencies field must consist of unique languages.");
        }
      }
      if (!ok) {
        errors[field] = FieldError(field, value, "Expected a list of {\"code\": ...} objects.");
      } else if (!errors.contains(field)) {
        p.language_proficiencies = nlohmann::json::array();
        for (const std::string& code : codes) {
          p.language_proficiencies.push_back({{"code", code}});
        }
      }
    } else if (field == "social_links") {
      SocialLinksUpdate update = MergeSocialLinks(p.social_links, value, options_.platform_name);
      if (update.error.is_null()) {
        p.social_links = std::move(update.links);
      } else {
        errors[field] = std::move(update.error);
      }
    } else if (field == "extended_profile") {
      if (!value.is_array()) {
        errors[field] = FieldError(field, value, "Expected a list of field_name/field_value.");
        continue;
      }
      for (const auto& item : value) {
        if (item.is_object() && item.contains("field_name") && item["field_name"].is_string()) {
          p.extended_profile[item["field_name"].get<std::string>()] =
              item.value("field_value", nlohmann::json(nullptr));
        }
      }
    } else if (field == "account_privacy") {
      if (!value.is_string() ||
          !InSet(value.get<std::string>(), {"private", "all_users", "custom"})) {
        errors[field] =
            FieldError(field, value,
                       "\"" + (value.is_string() ? value.get<std::string>() : value.dump()) +
                           "\" is not a valid choice.");
      } else {
        p.account_privacy = value.get<std::string>();
        pref_updates["account_privacy"] = value.get<std::string>();
      }
    } else if (field == "time_zone") {
      if (!value.is_string()) {
        errors[field] = FieldError(field, value, "Not a valid string.");
      } else {
        pref_updates["time_zone"] = value.get<std::string>();
      }
    }
    // Unknown fields are ignored, as the DRF serializers do.
  }
  if (!errors.empty()) {
    if (field_errors != nullptr) *field_errors = errors;
    return InvalidArgumentError("account update has invalid fields");
  }
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_RETURN_IF_ERROR(
            txn.Execute(
                   kUpdateProfile,
                   {Text(p.name), storage::OptionalInt(p.year_of_birth),
                    storage::OptionalText(p.gender), storage::OptionalText(p.level_of_education),
                    storage::OptionalText(p.mailing_address), storage::OptionalText(p.city),
                    storage::OptionalText(p.country), storage::OptionalText(p.state),
                    storage::OptionalText(p.goals), storage::OptionalText(p.bio),
                    storage::OptionalText(p.phone_number), Text(p.language_proficiencies.dump()),
                    Text(p.social_links.dump()), Text(p.extended_profile.dump()),
                    storage::OptionalText(p.account_privacy), Int(target.id)})
                .status());
        for (const auto& [key, value] : pref_updates) {
          LARCH_RETURN_IF_ERROR(
              txn.Execute(kUpsertPrefForJson, {Int(target.id), Text(key), Text(value)}).status());
        }
        return OkStatus();
      }));
  return AccountJson(target, &target, false);
}

nlohmann::json AccountService::RegistrationForm() const {
  nlohmann::json fields = nlohmann::json::array();
  auto add = [&](nlohmann::json f) {
    for (const char* key : {"placeholder", "instructions", "defaultValue", "supplementalLink",
                            "supplementalText", "loginIssueSupportLink"}) {
      if (!f.contains(key)) f[key] = "";
    }
    if (!f.contains("restrictions")) f["restrictions"] = nlohmann::json::object();
    if (!f.contains("errorMessages")) f["errorMessages"] = nlohmann::json::object();
    if (!f.contains("options")) f["options"] = nlohmann::json::array();
    if (!f.contains("required")) f["required"] = true;
    fields.push_back(std::move(f));
  };
  add({{"name", "email"},
       {"label", "Email"},
       {"type", "email"},
       {"placeholder", "username@domain.com"},
       {"instructions", "This is what you will use to login."},
       {"restrictions", {{"min_length", 3}, {"max_length", 254}}}});
  add({{"name", "name"},
       {"label", "Full Name"},
       {"type", "text"},
       {"instructions", "This name will be used on any certificates that you earn."},
       {"restrictions", {{"max_length", 255}}}});
  add({{"name", "username"},
       {"label", "Public Username"},
       {"type", "text"},
       {"instructions",
        "The name that will identify you in your courses. It cannot be changed later."},
       {"restrictions", {{"min_length", 2}, {"max_length", 30}}}});
  add({{"name", "password"},
       {"label", "Password"},
       {"type", "password"},
       {"instructions", options_.password_policy.InstructionText()},
       {"restrictions", options_.password_policy.Restrictions()}});
  auto extra = options_.extra_fields;
  if (!extra.count("honor_code")) extra["honor_code"] = "required";
  static const std::vector<std::pair<std::string, std::string>> kExtraLabels = {
      {"confirm_email", "Confirm Email"},
      {"first_name", "First Name"},
      {"last_name", "Last Name"},
      {"city", "City"},
      {"state", "State/Province/Region"},
      {"country", "Country or Region of Residence"},
      {"gender", "Gender"},
      {"year_of_birth", "Year of birth"},
      {"level_of_education", "Highest level of education completed"},
      {"mailing_address", "Mailing address"},
      {"goals", "Tell us why you're interested in " + options_.platform_name},
      {"honor_code",
       "I agree to the " + options_.platform_name + " Terms of Service and Honor Code"},
      {"terms_of_service", "I agree to the " + options_.platform_name + " Terms of Service"}};
  for (const auto& [name, label] : kExtraLabels) {
    auto it = extra.find(name);
    if (it == extra.end() || it->second == "hidden") continue;
    std::string type = name == "honor_code" || name == "terms_of_service" ? "checkbox"
                       : name == "gender" || name == "year_of_birth" ||
                               name == "level_of_education" || name == "country"
                           ? "select"
                       : name == "goals" || name == "mailing_address" ? "textarea"
                                                                      : "text";
    add({{"name", name}, {"label", label}, {"type", type}, {"required", it->second == "required"}});
  }
  for (const nlohmann::json& custom : options_.custom_fields) {
    if (!custom.is_object() || !custom.contains("name")) continue;
    nlohmann::json f = {{"name", custom["name"]},
                        {"label", custom.value("label", custom["name"].dump())},
                        {"type", custom.value("type", "text")},
                        {"required", custom.value("required", false)}};
    for (const char* key : {"instructions", "placeholder", "restrictions", "defaultValue"}) {
      if (custom.contains(key)) f[key] = custom[key];
    }
    if (custom.contains("options") && custom["options"].is_array()) {
      nlohmann::json options = nlohmann::json::array();
      for (const auto& o : custom["options"]) {
        if (o.is_string()) {
          options.push_back({{"value", o}, {"name", o}, {"default", false}});
        } else if (o.is_object()) {
          options.push_back({{"value", o.value("value", nlohmann::json(""))},
                             {"name", o.value("name", o.value("value", nlohmann::json("")))},
                             {"default", o.value("default", false)}});
        }
      }
      f["options"] = options;
    }
    add(f);
  }
  return {
      {"method", "post"}, {"submit_url", "/api/user/v2/account/registration/"}, {"fields", fields}};
}

}  // namespace larch::accounts
