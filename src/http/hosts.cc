#include "larch/http/hosts.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "larch/common/strings.h"

namespace larch::http {
namespace {

// Django's host_validation_re: a DNS name or IPv4 literal, or a bracketed
// IPv6 literal, optionally followed by :port.
bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// The first value of a comma-separated forwarding header, trimmed.
std::string_view FirstForwarded(std::string_view value) {
  value = value.substr(0, value.find(','));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

bool IsStripSpace(char c) {
  // Python's str.strip() on ASCII: space, \t\n\v\f\r and \x1c-\x1f.
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// urlsplit's scheme: letters first, then letters, digits, "+", "-", ".".
std::string_view SchemeOf(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  if (std::isalpha(static_cast<unsigned char>(url[0])) == 0) return {};
  for (char c : url.substr(0, colon)) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return {};
    }
  }
  return url.substr(0, colon);
}

// One pass of Django's _url_has_allowed_host_and_scheme.
bool SafeOnce(std::string_view url, const std::vector<std::string>& allowed_hosts,
              bool require_https) {
  if (url.starts_with("///")) return false;
  // Browsers skip leading control characters and may then read "//host".
  const auto first = static_cast<unsigned char>(url.front());
  if (first < 0x20 || first == 0x7f || first >= 0x80) return false;
  std::string scheme = AsciiLower(SchemeOf(url));
  std::string_view rest = scheme.empty() ? url : url.substr(scheme.size() + 1);
  std::string_view netloc;
  if (rest.starts_with("//")) {
    netloc = rest.substr(2);
    netloc = netloc.substr(0, netloc.find_first_of("/?#"));
    // "//" with no host: Django lets it through, but it names no page here.
    if (netloc.empty()) return false;
  }
  if (netloc.empty() && !scheme.empty()) return false;
  if (scheme.empty() && !netloc.empty()) scheme = "http";
  if (!scheme.empty() && scheme != "https" && (require_https || scheme != "http")) return false;
  if (netloc.empty()) return true;
  if (netloc.find('@') != std::string_view::npos) return false;
  HostPort host = SplitHostPort(netloc);
  // An empty label ("host..") names no host a browser would agree on.
  if (host.domain.find("..") != std::string::npos || host.domain.ends_with('.')) return false;
  return HostIsAllowed(host.domain, allowed_hosts);
}

}  // namespace

std::string CleanRedirectTarget(std::string_view url) {
  while (!url.empty() && IsStripSpace(url.front())) url.remove_prefix(1);
  while (!url.empty() && IsStripSpace(url.back())) url.remove_suffix(1);
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    if (c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

bool RedirectIsSafe(std::string_view url, const std::vector<std::string>& allowed_hosts,
                    bool require_https) {
  std::string cleaned = CleanRedirectTarget(url);
  if (cleaned.empty()) return false;
  std::string slashed = cleaned;
  std::replace(slashed.begin(), slashed.end(), '\\', '/');
  return SafeOnce(cleaned, allowed_hosts, require_https) &&
         SafeOnce(slashed, allowed_hosts, require_https);
}

HostPort SplitHostPort(std::string_view host) {
  HostPort out;
  std::string lower = AsciiLower(host);
  std::string_view h = lower;
  if (h.empty()) return out;
  std::string_view domain;
  std::string_view port;
  if (h.front() == '[') {
    size_t close = h.find(']');
    if (close == std::string_view::npos) return out;
    for (char c : h.substr(1, close - 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') return out;
    }
    domain = h.substr(0, close + 1);
    std::string_view rest = h.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return out;
      port = rest.substr(1);
    }
  } else {
    size_t colon = h.rfind(':');
    domain = colon == std::string_view::npos ? h : h.substr(0, colon);
    if (colon != std::string_view::npos) port = h.substr(colon + 1);
    if (domain.empty()) return out;
    for (char c : domain) {
      if (!IsHostChar(c)) return out;
    }
  }
  if (!AllDigits(port) || port.size() > 5) return out;
  if (domain.size() > 1 && domain.back() == '.') domain.remove_suffix(1);
  out.domain = std::string(domain);
  out.port = std::string(port);
  return out;
}

bool HostIsAllowed(std::string_view domain, const std::vector<std::string>& patterns) {
  if (domain.empty()) return false;
  std::string d = AsciiLower(domain);
  if (d.size() > 1 && d.back() == '.') d.pop_back();
  for (const std::string& raw : patterns) {
    std::string pattern = AsciiLower(raw);
    if (pattern == "*") return true;
    if (!pattern.empty() && pattern.front() == '.') {
      if (d == pattern.substr(1)) return true;
      if (d.size() > pattern.size() &&
          d.compare(d.size() - pattern.size(), pattern.size(), pattern) == 0) {
        return true;
      }
      continue;
    }
    if (d == pattern) return true;
  }
  return false;
}

std::vector<std::string> EffectiveAllowedHosts(const std::vector<std::string>& configured,
                                               std::string_view base_url) {
  if (!configured.empty()) return configured;
  std::vector<std::string> hosts;
  std::string_view rest = base_url;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  HostPort base = SplitHostPort(rest);
  if (!base.domain.empty()) hosts.push_back(base.domain);
  for (const char* local : {"localhost", "127.0.0.1", "[::1]"}) {
    if (base.domain != local) hosts.emplace_back(local);
  }
  return hosts;
}

std::string RequestBaseUrl(const Request& request, const AbsoluteUrlPolicy& policy) {
  const bool trusted = !request.remote_address().empty() &&
                       std::find(policy.trusted_proxies.begin(), policy.trusted_proxies.end(),
                                 request.remote_address()) != policy.trusted_proxies.end();
  std::optional<std::string_view> host = request.Header("host");
  std::string scheme = "http";
  if (trusted) {
    if (std::optional<std::string_view> forwarded = request.Header("x-forwarded-host")) {
      host = FirstForwarded(*forwarded);
    }
    std::optional<std::string_view> proto = request.Header("x-forwarded-proto");
    if (proto.has_value() && AsciiLower(FirstForwarded(*proto)) == "https") scheme = "https";
  }
  if (request.tls()) scheme = "https";
  if (!host.has_value()) return policy.fallback_base_url;
  HostPort split = SplitHostPort(*host);
  if (split.domain.empty() || !HostIsAllowed(split.domain, policy.allowed_hosts)) {
    return policy.fallback_base_url;
  }
  // Rebuilt from the validated parts, never echoed as sent.
  std::string base = scheme + "://" + split.domain;
  if (!split.port.empty()) base += ":" + split.port;
  return base;
}

}  // namespace larch::http
