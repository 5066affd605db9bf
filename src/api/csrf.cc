#include "larch/api/csrf.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

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

}  // namespace

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
