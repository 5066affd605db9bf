#include "larch/accounts/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string>

#include "internal.h"

namespace larch::accounts {
namespace {

// Canonical kinds; Open edX's class names and the Minimum* aliases map here.
const std::map<std::string, std::string, std::less<>>& KindAliases() {
  static const auto* aliases = new std::map<std::string, std::string, std::less<>>{
      {"UserAttributeSimilarityValidator", "UserAttributeSimilarityValidator"},
      {"MinimumLengthValidator", "MinimumLengthValidator"},
      {"MaximumLengthValidator", "MaximumLengthValidator"},
      {"AlphabeticValidator", "AlphabeticValidator"},
      {"MinimumAlphabeticValidator", "AlphabeticValidator"},
      {"NumericValidator", "NumericValidator"},
      {"MinimumNumericValidator", "NumericValidator"},
      {"UppercaseValidator", "UppercaseValidator"},
      {"MinimumUppercaseValidator", "UppercaseValidator"},
      {"LowercaseValidator", "LowercaseValidator"},
      {"MinimumLowercaseValidator", "LowercaseValidator"},
      {"PunctuationValidator", "PunctuationValidator"},
      {"MinimumPunctuationValidator", "PunctuationValidator"},
      {"SymbolValidator", "SymbolValidator"},
      {"MinimumSymbolValidator", "SymbolValidator"},
      {"CommonPasswordValidator", "CommonPasswordValidator"},
      {"NumericPasswordValidator", "NumericPasswordValidator"},
  };
  return *aliases;
}

struct CountKind {
  const char* option;    // OPTIONS key and restriction name
  const char* singular;  // message noun
  const char* plural;
  const char* instruction;  // instruction noun (singular); plural adds "s"
};

const std::map<std::string, CountKind, std::less<>>& CountKinds() {
  static const auto* kinds = new std::map<std::string, CountKind, std::less<>>{
      {"AlphabeticValidator", {"min_alphabetic", "letter", "letters", "letter"}},
      {"NumericValidator", {"min_numeric", "number", "numbers", "number"}},
      {"UppercaseValidator",
       {"min_upper", "uppercase letter", "uppercase letters", "uppercase letter"}},
      {"LowercaseValidator",
       {"min_lower", "lowercase letter", "lowercase letters", "lowercase letter"}},
      {"PunctuationValidator",
       {"min_punctuation", "punctuation mark", "punctuation marks", "punctuation mark"}},
      {"SymbolValidator", {"min_symbol", "symbol", "symbols", "symbol"}},
  };
  return *kinds;
}

// Unicode categories approximated on ASCII: punctuation is category P*,
// symbols are S* ($+<=>^`|~).
bool IsSymbol(char c) { return std::string_view("$+<=>^`|~").find(c) != std::string_view::npos; }
bool IsPunctuation(char c) { return std::ispunct(static_cast<unsigned char>(c)) && !IsSymbol(c); }

int64_t CountMatching(std::string_view password, const std::string& kind) {
  int64_t n = 0;
  for (char ch : password) {
    auto c = static_cast<unsigned char>(ch);
    bool match = false;
    if (kind == "AlphabeticValidator") {
      match = std::isalpha(c);
    } else if (kind == "NumericValidator") {
      match = std::isdigit(c);
    } else if (kind == "UppercaseValidator") {
      match = std::isupper(c);
    } else if (kind == "LowercaseValidator") {
      match = std::islower(c);
    } else if (kind == "PunctuationValidator") {
      match = IsPunctuation(ch);
    } else if (kind == "SymbolValidator") {
      match = IsSymbol(ch);
    }
    if (match) ++n;
  }
  return n;
}

// difflib.SequenceMatcher(a, b).quick_ratio(): an upper bound on ratio()
// from the multiset intersection of characters, as Django uses.
double QuickRatio(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  std::array<int, 256> counts{};
  for (unsigned char c : b) ++counts[c];
  int matches = 0;
  for (unsigned char c : a) {
    if (counts[c] > 0) {
      --counts[c];
      ++matches;
    }
  }
  return 2.0 * matches / static_cast<double>(a.size() + b.size());
}

std::vector<std::string> SplitNonWord(std::string_view value) {
  std::vector<std::string> parts;
  std::string current;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || ch == '_' || c >= 0x80) {
      current.push_back(ch);
    } else {
      parts.push_back(current);
      current.clear();
    }
  }
  parts.push_back(current);
  return parts;
}

bool TooSimilar(std::string_view password_lower, std::string_view value, double max_similarity) {
  if (value.empty()) return false;
  std::string value_lower = internal::AsciiLower(value);
  std::vector<std::string> parts = SplitNonWord(value_lower);
  parts.push_back(value_lower);
  for (const std::string& part : parts) {
    // Django 4.2: skip parts far shorter than the password.
    double pwd_len = static_cast<double>(password_lower.size());
    double value_len = static_cast<double>(part.size());
    if (pwd_len >= 10 * value_len && value_len < max_similarity / 2 * pwd_len) continue;
    if (QuickRatio(password_lower, part) >= max_similarity) return true;
  }
  return false;
}

bool IsCommonPassword(std::string_view password_lower) {
  static constexpr std::array<std::string_view, 40> kCommon = {
      "password", "123456",  "12345678",  "123456789", "1234567890", "qwerty",   "abc123",
      "111111",   "123123",  "password1", "iloveyou",  "admin",      "welcome",  "monkey",
      "dragon",   "letmein", "football",  "baseball",  "sunshine",   "princess", "qwertyuiop",
      "1234567",  "000000",  "654321",    "superman",  "trustno1",   "passw0rd", "master",
      "shadow",   "michael", "1q2w3e4r",  "qwerty123", "zaq12wsx",   "starwars", "whatever",
      "hello123", "freedom", "login",     "access",    "secret"};
  return std::find(kCommon.begin(), kCommon.end(), password_lower) != kCommon.end();
}

std::string Plural(int64_t n, const std::string& singular, const std::string& plural) {
  return n == 1 ? singular : plural;
}

}  // namespace

PasswordPolicy::PasswordPolicy() {
  validators_ = {{"UserAttributeSimilarityValidator", 0, 0.7},
                 {"MinimumLengthValidator", 2, 0.7},
                 {"MaximumLengthValidator", 75, 0.7}};
}

StatusOr<PasswordPolicy> PasswordPolicy::FromSettings(const nlohmann::json& validators) {
  PasswordPolicy policy;
  policy.validators_.clear();
  if (validators.is_null()) return policy;
  if (!validators.is_array()) {
    return InvalidArgumentError("AUTH_PASSWORD_VALIDATORS must be a list");
  }
  for (const nlohmann::json& entry : validators) {
    if (!entry.is_object() || !entry.contains("NAME") || !entry["NAME"].is_string()) {
      return InvalidArgumentError("AUTH_PASSWORD_VALIDATORS entries need a NAME string");
    }
    std::string name = entry["NAME"].get<std::string>();
    std::string suffix =
        name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
    auto alias = KindAliases().find(suffix);
    if (alias == KindAliases().end()) {
      return InvalidArgumentError("unknown password validator " + name);
    }
    Validator v;
    v.kind = alias->second;
    nlohmann::json options = entry.value("OPTIONS", nlohmann::json::object());
    if (!options.is_object()) return InvalidArgumentError(name + ": OPTIONS must be a mapping");
    auto read_int = [&](const char* key, int64_t fallback) -> StatusOr<int64_t> {
      if (!options.contains(key)) return fallback;
      if (!options[key].is_number_integer() || options[key].get<int64_t>() < 0) {
        return InvalidArgumentError(name + ": " + key + " must be a non-negative integer");
      }
      return options[key].get<int64_t>();
    };
    if (v.kind == "MinimumLengthValidator") {
      LARCH_ASSIGN_OR_RETURN(v.amount, read_int("min_length", 8));
    } else if (v.kind == "MaximumLengthValidator") {
      LARCH_ASSIGN_OR_RETURN(v.amount, read_int("max_length", 75));
    } else if (auto kind = CountKinds().find(v.kind); kind != CountKinds().end()) {
      LARCH_ASSIGN_OR_RETURN(v.amount, read_int(kind->second.option, 0));
    } else if (v.kind == "UserAttributeSimilarityValidator" && options.contains("max_similarity")) {
      if (!options["max_similarity"].is_number() || options["max_similarity"].get<double>() < 0.1) {
        return InvalidArgumentError(name + ": max_similarity must be at least 0.1");
      }
      v.max_similarity = options["max_similarity"].get<double>();
    }
    policy.validators_.push_back(v);
  }
  return policy;
}

std::vector<std::string> PasswordPolicy::Validate(std::string_view password,
                                                  std::string_view username, std::string_view email,
                                                  std::string_view /*name*/) const {
  std::vector<std::string> errors;
  size_t length = internal::CodePointCount(password);
  if (length > kAbsolutePasswordMaxLength) {
    // Checked first and alone: nothing else should look at such input.
    errors.push_back("This password is too long. It must contain no more than " +
                     std::to_string(kAbsolutePasswordMaxLength) + " characters.");
    return errors;
  }
  std::string lower = internal::AsciiLower(password);
  for (const Validator& v : validators_) {
    if (v.kind == "UserAttributeSimilarityValidator") {
      // Open edX validates against a temporary User(username, email):
      // Django's verbose names are "username" and "email address".
      if (TooSimilar(lower, username, v.max_similarity)) {
        errors.push_back("The password is too similar to the username.");
      } else if (TooSimilar(lower, email, v.max_similarity)) {
        errors.push_back("The password is too similar to the email address.");
      }
    } else if (v.kind == "MinimumLengthValidator") {
      if (static_cast<int64_t>(length) < v.amount) {
        errors.push_back("This password is too short. It must contain at least " +
                         std::to_string(v.amount) +
                         Plural(v.amount, " character.", " characters."));
      }
    } else if (v.kind == "MaximumLengthValidator") {
      if (static_cast<int64_t>(length) > v.amount) {
        errors.push_back("This password is too long. It must contain no more than " +
                         std::to_string(v.amount) +
                         Plural(v.amount, " character.", " characters."));
      }
    } else if (v.kind == "CommonPasswordValidator") {
      if (IsCommonPassword(lower)) errors.push_back("This password is too common.");
    } else if (v.kind == "NumericPasswordValidator") {
      if (!password.empty() && std::all_of(password.begin(), password.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          })) {
        errors.push_back("This password is entirely numeric.");
      }
    } else if (auto kind = CountKinds().find(v.kind); kind != CountKinds().end()) {
      if (CountMatching(password, v.kind) < v.amount) {
        errors.push_back("This password must contain at least " + std::to_string(v.amount) + " " +
                         Plural(v.amount, kind->second.singular, kind->second.plural) + ".");
      }
    }
  }
  return errors;
}

nlohmann::json PasswordPolicy::Restrictions() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Validator& v : validators_) {
    if (v.kind == "MinimumLengthValidator") {
      out["min_length"] = v.amount;
    } else if (v.kind == "MaximumLengthValidator") {
      out["max_length"] = v.amount;
    } else if (auto kind = CountKinds().find(v.kind); kind != CountKinds().end()) {
      out[kind->second.option] = v.amount;
    }
  }
  return out;
}

std::string PasswordPolicy::InstructionText() const {
  std::string length_instruction;
  std::vector<std::string> complexity;
  for (const Validator& v : validators_) {
    if (v.kind == "MinimumLengthValidator") {
      length_instruction =
          "at least " + std::to_string(v.amount) + Plural(v.amount, " character", " characters");
    } else if (auto kind = CountKinds().find(v.kind); kind != CountKinds().end() && v.amount > 0) {
      complexity.push_back(std::to_string(v.amount) + " " +
                           Plural(v.amount, kind->second.singular, kind->second.plural));
    }
  }
  if (complexity.empty()) return "Your password must contain " + length_instruction + ".";
  std::string joined;
  for (size_t i = 0; i < complexity.size(); ++i) {
    if (i > 0) joined += " & ";
    joined += complexity[i];
  }
  return "Your password must contain " + length_instruction + ", including " + joined + ".";
}

}  // namespace larch::accounts
