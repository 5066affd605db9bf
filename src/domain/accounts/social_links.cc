// Social links of the accounts API, as Open edX's user_api accounts utils
// (format_social_link, _get_username_from_social_link,
// _is_valid_social_username) read them.
#include <array>
#include <cctype>
#include <utility>

#include "internal.h"

namespace larch::accounts::internal {
namespace {

// The netloc and path of `link` as Python's urlsplit reads them (the scheme,
// query and fragment dropped).
std::string DomainAndPath(std::string_view link) {
  std::string_view rest = link;
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(rest[0])) != 0) {
    bool scheme = true;
    for (char c : rest.substr(0, colon)) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
        scheme = false;
        break;
      }
    }
    if (scheme) rest.remove_prefix(colon + 1);
  }
  if (rest.starts_with("//")) rest.remove_prefix(2);
  return std::string(rest.substr(0, rest.find_first_of("?#")));
}

}  // namespace

std::optional<std::string_view> SocialUrlStub(std::string_view platform) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kPlatforms = {{
      {"facebook", "facebook.com/"},
      {"twitter", "twitter.com/"},
      {"x", "x.com/"},
      {"linkedin", "linkedin.com/in/"},
  }};
  for (const auto& [name, stub] : kPlatforms) {
    if (name == platform) return stub;
  }
  return std::nullopt;
}

std::optional<std::string> FormatSocialLink(std::string_view url_stub, std::string_view link) {
  if (link.empty()) return std::string();
  // re.search(r'(www\.)?' + stub + r'(?P<username>.*?)[/]?$', ..., IGNORECASE):
  // whatever follows the first stub, less one trailing slash.
  std::string domain_and_path = DomainAndPath(link);
  std::string lowered = AsciiLower(domain_and_path);
  std::string username;
  if (size_t at = lowered.find(AsciiLower(url_stub)); at != std::string::npos) {
    username = domain_and_path.substr(at + url_stub.size());
    if (!username.empty() && username.back() == '/') username.pop_back();
  } else {
    username = std::string(link);
  }
  if (username.empty() || username.find('/') != std::string::npos) return std::nullopt;
  return "https://www." + std::string(url_stub) + username;
}

}  // namespace larch::accounts::internal
