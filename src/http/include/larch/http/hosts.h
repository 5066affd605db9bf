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

}  // namespace larch::http

#endif  // LARCH_HTTP_HOSTS_H_
