// The password policy: Django's AUTH_PASSWORD_VALIDATORS with Open edX's
// validators (common/djangoapps/util/password_policy_validators.py) and
// their exact user messages.
//
// Thread safety: PasswordPolicy is immutable after construction.
#ifndef LARCH_ACCOUNTS_PASSWORD_POLICY_H_
#define LARCH_ACCOUNTS_PASSWORD_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"

namespace larch::accounts {

// Passwords longer than this are always refused (DoS guard for hashing).
inline constexpr size_t kAbsolutePasswordMaxLength = 5000;

class PasswordPolicy {
 public:
  // Open edX's defaults: attribute similarity, 2..75 characters.
  PasswordPolicy();

  // `validators` is the AUTH_PASSWORD_VALIDATORS list ([{"NAME", "OPTIONS"}]);
  // null means no validators. Recognized by the class name after the last
  // '.': UserAttributeSimilarityValidator, MinimumLengthValidator,
  // MaximumLengthValidator, MinimumAlphabeticValidator,
  // MinimumNumericValidator, MinimumUppercaseValidator,
  // MinimumLowercaseValidator, MinimumPunctuationValidator,
  // MinimumSymbolValidator, CommonPasswordValidator (small built-in list),
  // NumericPasswordValidator. kInvalidArgument for an unknown name or bad
  // OPTIONS.
  static StatusOr<PasswordPolicy> FromSettings(const nlohmann::json& validators);

  // The messages of every failing validator, in configuration order; empty
  // when the password is acceptable. The 5000-character cap always applies.
  std::vector<std::string> Validate(std::string_view password, std::string_view username,
                                    std::string_view email, std::string_view name) const;

  // {"min_length": n, "max_length": n} (keys present when configured), plus
  // the other minimums under their Open edX restriction names.
  nlohmann::json Restrictions() const;

  // Open edX's password_validators_instruction_texts: "Your password must
  // contain at least 8 characters." style help text.
  std::string InstructionText() const;

  struct Validator {
    std::string kind;  // the class name suffix
    int64_t amount = 0;
    double max_similarity = 0.7;
  };

 private:
  std::vector<Validator> validators_;
};

}  // namespace larch::accounts

#endif  // LARCH_ACCOUNTS_PASSWORD_POLICY_H_
