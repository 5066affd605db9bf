#include "larch/api/csrf.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace larch::api {
namespace {

http::Request Post(const std::string& cookie, const std::string& header) {
  http::Request request("POST", "/x");
  if (!cookie.empty()) request.AddHeader("Cookie", "csrftoken=" + cookie);
  if (!header.empty()) request.AddHeader("X-CSRFToken", header);
  return request;
}

TEST(CsrfTest, MaskedTokensUnmaskToTheSecret) {
  SeededRandom random(7);
  std::string secret = NewCsrfSecret(random);
  ASSERT_EQ(secret.size(), 32u);
  std::string a = MaskCsrfSecret(secret, random);
  std::string b = MaskCsrfSecret(secret, random);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b) << "masking must differ per call";
  EXPECT_EQ(CsrfSecretFromToken(a), secret);
  EXPECT_EQ(CsrfSecretFromToken(b), secret);
  EXPECT_EQ(CsrfSecretFromToken(secret), secret);
  EXPECT_FALSE(CsrfSecretFromToken("short").has_value());
  EXPECT_FALSE(CsrfSecretFromToken(std::string(32, '!')).has_value());
}

TEST(CsrfTest, KnownDjangoMaskVector) {
  // Django: _unmask_cipher_token(mask + cipher) with mask "b"*32 shifts
  // every character back by one position of the alphabet.
  std::string token = std::string(32, 'b') + std::string(32, 'c');
  EXPECT_EQ(CsrfSecretFromToken(token), std::string(32, 'b'));
}

TEST(CsrfTest, CheckFollowsDjango) {
  SeededRandom random(1);
  std::string secret = NewCsrfSecret(random);
  EXPECT_EQ(CheckCsrf(Post("", secret), "csrftoken"), "CSRF cookie not set.");
  EXPECT_EQ(CheckCsrf(Post(secret, ""), "csrftoken"), "CSRF token missing.");
  EXPECT_EQ(CheckCsrf(Post(secret, NewCsrfSecret(random)), "csrftoken"), "CSRF token incorrect.");
  EXPECT_EQ(CheckCsrf(Post(secret, secret), "csrftoken"), std::nullopt);
  EXPECT_EQ(CheckCsrf(Post(secret, MaskCsrfSecret(secret, random)), "csrftoken"), std::nullopt);
}

TEST(CsrfTest, FormFieldIsAcceptedToo) {
  SeededRandom random(2);
  std::string secret = NewCsrfSecret(random);
  http::Request request("POST", "/x");
  request.AddHeader("Cookie", "csrftoken=" + secret);
  request.AddHeader("Content-Type", "application/x-www-form-urlencoded");
  request.set_body("csrfmiddlewaretoken=" + secret + "&a=b");
  EXPECT_EQ(CheckCsrf(request, "csrftoken"), std::nullopt);
}

TEST(CsrfTest, FailureBodyIsDrfShaped) {
  http::Response r = CsrfFailure("CSRF token missing.");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(nlohmann::json::parse(r.body)["detail"], "CSRF Failed: CSRF token missing.");
}

http::Request Unsafe(const std::string& host, const std::string& origin, const std::string& referer,
                     bool tls) {
  http::Request request("POST", "/x");
  request.AddHeader("Host", host);
  if (!origin.empty()) request.AddHeader("Origin", origin);
  if (!referer.empty()) request.AddHeader("Referer", referer);
  request.set_tls(tls);
  return request;
}

TEST(CsrfOriginTest, OriginMustBeThisSiteOrTrusted) {
  const std::vector<std::string> hosts = {"lms.example.com"};
  const std::vector<std::string> trusted = {"https://studio.example.com", "https://*.apps.io"};
  auto check = [&](const std::string& host, const std::string& origin, bool tls) {
    return CheckCsrfOrigin(Unsafe(host, origin, "", tls), hosts, trusted);
  };
  EXPECT_EQ(check("lms.example.com", "http://lms.example.com", false), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "https://lms.example.com", true), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "https://studio.example.com", true), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "https://mfe.apps.io", true), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "https://apps.io", true), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "", false), std::nullopt);
  EXPECT_EQ(check("lms.example.com", "http://evil.example", false),
            "Origin checking failed - http://evil.example does not match any trusted origins.");
  EXPECT_NE(check("lms.example.com", "http://lms.example.com", true), std::nullopt);
  EXPECT_NE(check("lms.example.com", "http://mfe.apps.io", false), std::nullopt);
  EXPECT_NE(check("lms.example.com", "https://evilapps.io", true), std::nullopt);
  EXPECT_NE(check("lms.example.com", "null", false), std::nullopt);
  // A Host outside ALLOWED_HOSTS is never "this site".
  EXPECT_NE(check("evil.example", "http://evil.example", false), std::nullopt);
}

TEST(CsrfOriginTest, HttpsWithoutOriginChecksReferer) {
  const std::vector<std::string> hosts = {"lms.example.com"};
  const std::vector<std::string> trusted = {"https://*.apps.io"};
  auto check = [&](const std::string& referer) {
    return CheckCsrfOrigin(Unsafe("lms.example.com", "", referer, true), hosts, trusted);
  };
  EXPECT_EQ(check("https://lms.example.com/account"), std::nullopt);
  EXPECT_EQ(check("https://mfe.apps.io/x"), std::nullopt);
  EXPECT_EQ(check(""), "Referer checking failed - no Referer.");
  EXPECT_EQ(check("lms.example.com"), "Referer checking failed - Referer is malformed.");
  EXPECT_EQ(check("http://lms.example.com/"),
            "Referer checking failed - Referer is insecure while host is secure.");
  EXPECT_EQ(check("https://evil.example/x"),
            "Referer checking failed - https://evil.example/x does not match any trusted "
            "origins.");
}

}  // namespace
}  // namespace larch::api
