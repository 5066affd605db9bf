// Host validation as Django's ALLOWED_HOSTS does it (django.http.request.
// validate_host, split_domain_port): used to decide whether a request's Host
// may be used to build absolute URLs, and whether a redirect target or an
// Origin stays on this site.
//
// Thread safety: pure functions, safe from any thread.
#ifndef LARCH_HTTP_HOSTS_H_
#define LARCH_HTTP_HOSTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "larch/http/request.h"

namespace larch::http {

// Splits "Host[:port]" into its lowercased domain and port. A bracketed IPv6
// literal keeps its brackets ("[::1]:8000" -> "[::1]", "8000"). An
// ill-formed host (characters outside Django's host_validation_re, a
// non-numeric port) gives an empty domain.
struct HostPort {
  std::string domain;
  std::string port;
};
HostPort SplitHostPort(std::string_view host);

// True when `domain` (already split and lowercased) matches one of
// `patterns`: "*" matches anything, ".example.com" matches example.com and
// every subdomain, anything else must be equal (case-insensitive). A
// trailing dot on the domain is ignored, as Django does.
bool HostIsAllowed(std::string_view domain, const std::vector<std::string>& patterns);

// The effective ALLOWED_HOSTS: `configured` when not empty, else the host of
// `base_url` plus "localhost", "127.0.0.1" and "[::1]".
std::vector<std::string> EffectiveAllowedHosts(const std::vector<std::string>& configured,
                                               std::string_view base_url);

// What decides the base of a request's absolute URLs.
struct AbsoluteUrlPolicy {
  // The effective ALLOWED_HOSTS (see EffectiveAllowedHosts).
  std::vector<std::string> allowed_hosts;
  // TRUSTED_PROXIES: peer addresses whose X-Forwarded-Host/-Proto count.
  std::vector<std::string> trusted_proxies;
  // LMS_BASE_URL without a trailing slash: used when the host is not allowed.
  std::string fallback_base_url;
};

// "scheme://host[:port]" for absolute URLs in a response, as Django's
// request.build_absolute_uri: the request's Host (or, from a trusted proxy,
// the first X-Forwarded-Host) when its domain is allowed, with "https" for a
// TLS connection or a trusted proxy's X-Forwarded-Proto: https, else "http".
// A missing, ill-formed or not allowed host gives policy.fallback_base_url.
std::string RequestBaseUrl(const Request& request, const AbsoluteUrlPolicy& policy);

// A redirect target taken from the request ("next", "redirect_url") as a
// browser reads it: leading/trailing whitespace stripped and every tab, CR
// and LF removed (Python's urlsplit does the same).
std::string CleanRedirectTarget(std::string_view url);

// Django's url_has_allowed_host_and_scheme on CleanRedirectTarget(url):
// true for a relative path ("/dashboard") or an absolute http(s) URL whose
// host matches `allowed_hosts` (HostIsAllowed patterns; the port is not
// compared); false for empty targets, a leading control character,
// "///x", "\\x" and "/\\x" (browsers read \ as /), user info
// ("//a@b"), a scheme without a host ("http:///x") and any scheme but http
// and https (only https when `require_https`).
bool RedirectIsSafe(std::string_view url, const std::vector<std::string>& allowed_hosts,
                    bool require_https);

}  // namespace larch::http

#endif  // LARCH_HTTP_HOSTS_H_
