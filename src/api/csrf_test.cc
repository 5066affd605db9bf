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

}  // namespace
}  // namespace larch::api
