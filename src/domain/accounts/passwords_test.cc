#include "larch/accounts/passwords.h"

#include <gtest/gtest.h>

#include "larch/common/random.h"

namespace larch::accounts {
namespace {

TEST(PasswordHasherTest, VerifiesPbkdf2Sha256FromPython) {
  SeededRandom random(1);
  PasswordHasher hasher(random);
  // base64(hashlib.pbkdf2_hmac('sha256', b'pw', b'salt', 1000))
  std::string encoded = "pbkdf2_sha256$1000$salt$CjglNVXON/XHKmtwP5loFOvyQfIDrxRuk9zesDHFVn4=";
  EXPECT_TRUE(hasher.Verify("pw", encoded));
  EXPECT_FALSE(hasher.Verify("pW", encoded));
  EXPECT_TRUE(hasher.NeedsUpgrade(encoded));
  EXPECT_EQ(Pbkdf2Sha256Hash("pw", "salt", 1000), encoded);
}

TEST(PasswordHasherTest, VerifiesDjangoDefaultIterations) {
  SeededRandom random(1);
  PasswordHasher hasher(random);
  std::string encoded =
      "pbkdf2_sha256$600000$Xy12abCDef34$oYDWE8R4PkCGFSnczBey7Ukzj2lrkZTMSKPWdFdgxjk=";
  EXPECT_TRUE(hasher.Verify("correct horse", encoded));
  EXPECT_FALSE(hasher.Verify("correct horse ", encoded));
}

TEST(PasswordHasherTest, VerifiesPbkdf2Sha1) {
  SeededRandom random(1);
  PasswordHasher hasher(random);
  EXPECT_TRUE(hasher.Verify("pw", "pbkdf2_sha1$1000$salt$upWEiptc4R8bQ9fRZ9hBPape0is="));
  EXPECT_FALSE(hasher.Verify("px", "pbkdf2_sha1$1000$salt$upWEiptc4R8bQ9fRZ9hBPape0is="));
}

TEST(PasswordHasherTest, VerifiesDjangoArgon2TestVector) {
  SeededRandom random(1);
  PasswordHasher hasher(random);
  // From Django's test_hashers (argon2i with version attribute).
  std::string encoded = "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q";
  EXPECT_TRUE(hasher.Verify("secret", encoded));
  EXPECT_FALSE(hasher.Verify("wrong", encoded));
  EXPECT_TRUE(hasher.NeedsUpgrade(encoded));
}

TEST(PasswordHasherTest, HashRoundTripsInDjangoArgon2Format) {
  SeededRandom random(7);
  PasswordHasher hasher(random);
  std::string encoded = hasher.Hash("s3cret pass");
  EXPECT_EQ(encoded.rfind("argon2$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << encoded;
  EXPECT_TRUE(hasher.Verify("s3cret pass", encoded));
  EXPECT_FALSE(hasher.Verify("s3cret pas", encoded));
  EXPECT_FALSE(hasher.NeedsUpgrade(encoded));
  EXPECT_TRUE(hasher.NeedsUpgrade("argon2$argon2id$v=19$m=102400,t=2,p=8$abc$def"));
  EXPECT_NE(hasher.Hash("s3cret pass"), encoded);  // fresh salt each time
}

TEST(PasswordHasherTest, RejectsUnusableAndMalformed) {
  SeededRandom random(1);
  PasswordHasher hasher(random);
  EXPECT_FALSE(hasher.Verify("", ""));
  EXPECT_FALSE(hasher.Verify("x", hasher.UnusablePassword()));
  EXPECT_FALSE(hasher.Verify("pw", "pbkdf2_sha256$abc$salt$x"));
  EXPECT_FALSE(hasher.Verify("pw", "pbkdf2_sha256$1000$salt"));
  EXPECT_FALSE(hasher.Verify("pw", "md5$salt$hash"));
  EXPECT_FALSE(hasher.Verify("pw", "argon2$argon2id$garbage"));
  EXPECT_FALSE(hasher.Verify("pw", "pbkdf2_sha256$999999999$salt$x"));
}

TEST(TokenHashTest, IsSha256Hex) {
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace larch::accounts
