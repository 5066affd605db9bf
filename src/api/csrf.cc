#include "larch/api/csrf.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "larch/common/strings.h"
#include "larch/http/hosts.h"

namespace larch::api {
namespace {

// Django's CSRF_ALLOWED_CHARS: ascii_letters + digits, in this order, which
// the masking arithmetic depends on.
constexpr std::string_view kChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

int CharIndex(char c) {
  size_t at = kChars.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

bool AllAllowed(std::string_view s) {
  for (char c : s) {
    if (CharIndex(c) < 0) return false;
  }
  return true;
}

std::string RandomChars(Random& random, size_t n) {
  std::string out(n, 'a');
  for (size_t i = 0; i < n; ++i) out[i] = kChars[random.Uniform(kChars.size())];
  return out;
}

// urlsplit's scheme and netloc of "scheme://netloc/...": both empty when
// the text has no "://".
struct SchemeNetloc {
  std::string scheme;
  std::string netloc;
};
SchemeNetloc SplitOrigin(std::string_view url) {
  SchemeNetloc out;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return out;
  out.scheme = AsciiLower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  out.netloc = AsciiLower(rest.substr(0, rest.find_first_of("/?#")));
  return out;
}

// Django's is_same_domain: a leading "." matches the domain and subdomains.
bool IsSameDomain(std::string_view host, std::string_view pattern) {
  if (pattern.empty()) return false;
  std::string h = AsciiLower(host);
  std::string p = AsciiLower(pattern);
  if (p.front() == '.') return h.ends_with(p) || h == p.substr(1);
  return h == p;
}

// request.get_host() when ALLOWED_HOSTS accepts it.
std::optional<std::string> GoodHost(const http::Request& request,
                                    const std::vector<std::string>& allowed_hosts) {
  std::optional<std::string_view> host = request.Header("Host");
  if (!host.has_value()) return std::nullopt;
  if (!http::HostIsAllowed(http::SplitHostPort(*host).domain, allowed_hosts)) return std::nullopt;
  return std::string(*host);
}

bool OriginVerified(const http::Request& request, std::string_view origin,
                    const std::vector<std::string>& allowed_hosts,
                    const std::vector<std::string>& trusted_origins) {
  if (std::optional<std::string> host = GoodHost(request, allowed_hosts); host.has_value()) {
    if (origin == std::string(request.is_secure() ? "https://" : "http://") + *host) return true;
  }
  SchemeNetloc parsed = SplitOrigin(origin);
  for (const std::string& trusted : trusted_origins) {
    if (trusted.find('*') == std::string::npos) {
      if (origin == trusted) return true;
      continue;
    }
    SchemeNetloc pattern = SplitOrigin(trusted);
    std::string_view domain = pattern.netloc;
    while (!domain.empty() && domain.front() == '*') domain.remove_prefix(1);
    if (!parsed.scheme.empty() && parsed.scheme == pattern.scheme &&
        IsSameDomain(parsed.netloc, domain)) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> RefererFailure(const http::Request& request,
                                          const std::vector<std::string>& allowed_hosts,
                                          const std::vector<std::string>& trusted_origins) {
  std::optional<std::string_view> referer = request.Header("Referer");
  if (!referer.has_value()) return std::string("Referer checking failed - no Referer.");
  SchemeNetloc parsed = SplitOrigin(*referer);
  if (parsed.scheme.empty() || parsed.netloc.empty()) {
    return std::string("Referer checking failed - Referer is malformed.");
  }
  if (parsed.scheme != "https") {
    return std::string("Referer checking failed - Referer is insecure while host is secure.");
  }
  for (const std::string& trusted : trusted_origins) {
    SchemeNetloc pattern = SplitOrigin(trusted);
    std::string_view domain = pattern.netloc;
    while (!domain.empty() && domain.front() == '*') domain.remove_prefix(1);
    if (IsSameDomain(parsed.netloc, domain)) return std::nullopt;
  }
  std::optional<std::string> host = GoodHost(request, allowed_hosts);
  if (host.has_value() && IsSameDomain(parsed.netloc, *host)) return std::nullopt;
  return "Referer checking failed - " + std::string(*referer) +
         " does not match any trusted origins.";
}

}  // namespace

std::optional<std::string> CheckCsrfOrigin(const http::Request& request,
                                           const std::vector<std::string>& allowed_hosts,
                                           const std::vector<std::string>& trusted_origins) {
  if (std::optional<std::string_view> origin = request.Header("Origin"); origin.has_value()) {
    if (OriginVerified(request, *origin, allowed_hosts, trusted_origins)) return std::nullopt;
    return "Origin checking failed - " + std::string(*origin) +
           " does not match any trusted origins.";
  }
  if (request.is_secure()) return RefererFailure(request, allowed_hosts, trusted_origins);
  return std::nullopt;
}

std::string NewCsrfSecret(Random& random) { return RandomChars(random, kCsrfSecretLength); }

std::string MaskCsrfSecret(std::string_view secret, Random& random) {
  std::string mask = RandomChars(random, kCsrfSecretLength);
  std::string cipher(kCsrfSecretLength, 'a');
  const int n = static_cast<int>(kChars.size());
  for (size_t i = 0; i < kCsrfSecretLength && i < secret.size(); ++i) {
    int x = CharIndex(secret[i]);
    int y = CharIndex(mask[i]);
    cipher[i] = kChars[(std::max(x, 0) + y) % n];
  }
  return mask + cipher;
}

std::optional<std::string> CsrfSecretFromToken(std::string_view token) {
  if (!AllAllowed(token)) return std::nullopt;
  if (token.size() == kCsrfSecretLength) return std::string(token);
  if (token.size() != 2 * kCsrfSecretLength) return std::nullopt;
  std::string_view mask = token.substr(0, kCsrfSecretLength);
  std::string_view cipher = token.substr(kCsrfSecretLength);
  const int n = static_cast<int>(kChars.size());
  std::string secret(kCsrfSecretLength, 'a');
  for (size_t i = 0; i < kCsrfSecretLength; ++i) {
    int x = CharIndex(cipher[i]);
    int y = CharIndex(mask[i]);
    secret[i] = kChars[((x - y) % n + n) % n];
  }
  return secret;
}

std::optional<std::string> CheckCsrf(const http::Request& request, std::string_view cookie_name) {
  std::optional<std::string> cookie = request.Cookie(cookie_name);
  if (!cookie.has_value()) return std::string("CSRF cookie not set.");
  std::optional<std::string> cookie_secret = CsrfSecretFromToken(*cookie);
  if (!cookie_secret.has_value()) return std::string("CSRF cookie has incorrect length.");
  std::optional<std::string> sent;
  if (auto header = request.Header("X-CSRFToken"); header.has_value()) {
    sent = std::string(*header);
  } else if (auto field = request.FormValue("csrfmiddlewaretoken"); field.has_value()) {
    sent = std::move(field);
  }
  if (!sent.has_value() || sent->empty()) return std::string("CSRF token missing.");
  std::optional<std::string> sent_secret = CsrfSecretFromToken(*sent);
  if (!sent_secret.has_value()) return std::string("CSRF token has incorrect length.");
  if (CRYPTO_memcmp(sent_secret->data(), cookie_secret->data(), kCsrfSecretLength) != 0) {
    return std::string("CSRF token incorrect.");
  }
  return std::nullopt;
}

http::Response CsrfFailure(std::string_view reason) {
  return http::Response::Json(403, {{"detail", "CSRF Failed: " + std::string(reason)}});
}

bool IsSafeMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

}  // namespace larch::api
