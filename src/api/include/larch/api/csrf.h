// CSRF protection with Django's semantics, so Open edX front ends (MFEs,
// the mobile apps' web views) work unchanged: the `csrftoken` cookie holds a
// 32-character secret; unsafe requests authenticated by a cookie must echo
// it in the X-CSRFToken header (or the csrfmiddlewaretoken form field),
// either as is or masked (64 characters, as Django's get_token hands out).
//
// Thread safety: pure functions (Random is thread-safe).
#ifndef LARCH_API_CSRF_H_
#define LARCH_API_CSRF_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/random.h"
#include "larch/http/request.h"
#include "larch/http/response.h"

namespace larch::api {

inline constexpr size_t kCsrfSecretLength = 32;

// A fresh secret: 32 characters from [a-zA-Z0-9].
std::string NewCsrfSecret(Random& random);

// Django's _mask_cipher_secret: a 64-character token that unmasks to
// `secret`, different every call (BREACH mitigation).
std::string MaskCsrfSecret(std::string_view secret, Random& random);

// The secret a cookie or header value stands for: a 32-character secret as
// is, a 64-character masked token unmasked; nullopt for anything else.
std::optional<std::string> CsrfSecretFromToken(std::string_view token);

// Django's CsrfViewMiddleware check for an unsafe request. nullopt when it
// passes; otherwise the reason Django gives ("CSRF cookie not set.",
// "CSRF token missing.", "CSRF token incorrect.").
std::optional<std::string> CheckCsrf(const http::Request& request, std::string_view cookie_name);

// Django 4.2's CsrfViewMiddleware Origin and Referer checks, run before
// CheckCsrf. With an Origin header it must equal the request's own
// "<scheme>://<Host>" (Host allowed by `allowed_hosts`) or one of
// `trusted_origins` (CSRF_TRUSTED_ORIGINS, "https://*.example.com" matching
// subdomains); without one, an HTTPS request needs a Referer on this host or
// a trusted origin. nullopt when it passes; otherwise Django's reason
// ("Origin checking failed - <origin> does not match any trusted origins.",
// "Referer checking failed - no Referer.", ...).
std::optional<std::string> CheckCsrfOrigin(const http::Request& request,
                                           const std::vector<std::string>& allowed_hosts,
                                           const std::vector<std::string>& trusted_origins);

// The 403 Open edX's DRF views send: {"detail": "CSRF Failed: <reason>"}.
http::Response CsrfFailure(std::string_view reason);

// GET, HEAD, OPTIONS and TRACE need no token.
bool IsSafeMethod(std::string_view method);

}  // namespace larch::api

#endif  // LARCH_API_CSRF_H_
