// Account records: the user row (Django's auth_user) and its profile
// (Open edX's UserProfile), as the accounts module reads and writes them.
//
// Thread safety: plain values.
#ifndef LARCH_ACCOUNTS_USER_H_
#define LARCH_ACCOUNTS_USER_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace larch::accounts {

struct User {
  int64_t id = 0;
  std::string username;
  std::string email;
  // The encoded Django password hash ("argon2$argon2id$...", "pbkdf2_sha256$..."),
  // "!..." for an unusable password. Never the plain text.
  std::string password;
  std::string first_name;
  std::string last_name;
  bool is_active = false;
  bool is_staff = false;
  bool is_superuser = false;
  int64_t date_joined = 0;  // micros since epoch
  std::optional<int64_t> last_login;
};

struct Profile {
  int64_t user_id = 0;
  std::string name;
  std::optional<int64_t> year_of_birth;
  std::optional<std::string> gender;
  std::optional<std::string> level_of_education;
  std::optional<std::string> mailing_address;
  std::optional<std::string> city;
  std::optional<std::string> country;
  std::optional<std::string> state;
  std::optional<std::string> goals;
  std::optional<std::string> bio;
  std::optional<std::string> phone_number;
  std::optional<std::string> account_privacy;
  // [{"code": "en"}, ...]
  nlohmann::json language_proficiencies = nlohmann::json::array();
  // [{"platform": "x", "social_link": "..."}, ...]
  nlohmann::json social_links = nlohmann::json::array();
  // {"field_name": "value", ...}: custom registration fields and the like.
  nlohmann::json extended_profile = nlohmann::json::object();
  std::optional<int64_t> profile_image_uploaded_at;
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_USER_H_
