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

}  // namespace

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
