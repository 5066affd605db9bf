// stringresponse (responsetypes.py StringResponse): exact or
// case-insensitive membership, or one regular expression built as upstream
// builds it ("^" + "|".join(answers) + "$", so two answers mean ^a OR b$).
// Regular expressions run in PCRE2, whose syntax is Python re's for what
// course teams write, with match and depth limits so a catastrophic pattern
// fails the one answer instead of holding a thread.
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "larch/capa/responses.h"
#include "larch/common/strings.h"

namespace larch::capa {
namespace {

constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kDepthLimit = 10'000;

std::string Strip(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t\n\r\f\v") - begin + 1));
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

StatusOr<bool> RegexMatches(const std::string& pattern, const std::string& given,
                            bool case_insensitive) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  const uint32_t options = PCRE2_UTF | PCRE2_UCP | (case_insensitive ? PCRE2_CASELESS : 0);
  std::unique_ptr<pcre2_code, decltype(&pcre2_code_free)> code(
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error,
                    &offset, nullptr),
      pcre2_code_free);
  if (!code) {
    std::array<PCRE2_UCHAR, 256> message{};
    pcre2_get_error_message(error, message.data(), message.size());
    return FailedPreconditionError(
        std::string("[courseware.capa.responsetypes.stringresponse] error: ") +
        reinterpret_cast<const char*>(message.data()));
  }
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> context(
      pcre2_match_context_create(nullptr), pcre2_match_context_free);
  pcre2_set_match_limit(context.get(), kMatchLimit);
  pcre2_set_depth_limit(context.get(), kDepthLimit);
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(code.get(), nullptr), pcre2_match_data_free);
  const int result = pcre2_match(code.get(), reinterpret_cast<PCRE2_SPTR>(given.data()),
                                 given.size(), 0, 0, match.get(), context.get());
  if (result >= 0) return true;
  if (result == PCRE2_ERROR_NOMATCH) return false;
  if (result >= PCRE2_ERROR_UTF8_ERR21 && result <= PCRE2_ERROR_UTF8_ERR1) {
    return InvalidArgumentError("Your answer is not valid UTF-8.");
  }
  return FailedPreconditionError(
      "[courseware.capa.responsetypes.stringresponse] error: the "
      "regular expression took too long on this answer");
}

}  // namespace

StatusOr<InputGrade> GradeString(const Response& response, const std::optional<std::string>& answer,
                                 const ScriptContext& context) {
  InputGrade grade{response.inputs.front().id, Correctness::kIncorrect, {}, ""};
  const std::string staff = response.node.attribute("answer").value();
  const std::vector<std::string> type = Words(AsciiLower(response.node.attribute("type").value()));
  const bool regexp = std::find(type.begin(), type.end(), "regexp") != type.end();
  const bool ci = std::find(type.begin(), type.end(), "ci") != type.end();
  const bool backward = AsciiLower(staff).find("_or_") != std::string::npos;
  std::vector<std::string> expected;
  if (backward) {
    std::size_t start = 0;
    while (true) {
      const std::size_t at = staff.find("_or_", start);
      expected.push_back(Strip(ContextualizeText(staff.substr(start, at - start), context)));
      if (at == std::string::npos) break;
      start = at + 4;
    }
  } else {
    expected.push_back(Strip(ContextualizeText(staff, context)));
    for (pugi::xml_node extra : response.node.children("additional_answer")) {
      const std::string text =
          extra.attribute("answer") ? extra.attribute("answer").value() : extra.text().get();
      expected.push_back(Strip(ContextualizeText(text, context)));
    }
  }
  if (!answer.has_value()) return grade;
  const std::string given = Strip(*answer);
  bool right = false;
  if (!backward && given.empty()) {
    right = false;
  } else if (regexp && !backward) {
    std::string pattern = "^";
    for (std::size_t i = 0; i < expected.size(); ++i) pattern += (i ? "|" : "") + expected[i];
    pattern += "$";
    LARCH_ASSIGN_OR_RETURN(right, RegexMatches(pattern, given, ci));
  } else {
    for (const std::string& candidate : expected) {
      right = right || (ci ? AsciiLower(candidate) == AsciiLower(given) : candidate == given);
    }
  }
  grade.correctness = right ? Correctness::kCorrect : Correctness::kIncorrect;
  return grade;
}

}  // namespace larch::capa
