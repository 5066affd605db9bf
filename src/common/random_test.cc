#include "larch/common/random.h"

#include <gtest/gtest.h>

#include <set>

namespace larch {
namespace {

TEST(SeededRandom, SameSeedSameSequence) {
  SeededRandom a(42), b(42), c(43);
  EXPECT_EQ(a.HexToken(16), b.HexToken(16));
  EXPECT_NE(a.HexToken(16), c.HexToken(16));
}

TEST(Random, TokenShapes) {
  SeededRandom r(1);
  std::string hex = r.HexToken(20);
  EXPECT_EQ(hex.size(), 40u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::string alnum = r.AlphanumericToken(32);
  EXPECT_EQ(alnum.size(), 32u);
  std::string uuid = r.Uuid4();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
}

TEST(Random, UniformStaysInBound) {
  SeededRandom r(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint64_t v = r.Uniform(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(SecureRandom, TokensDiffer) {
  EXPECT_NE(SecureRandom::Default()->HexToken(16), SecureRandom::Default()->HexToken(16));
}

}  // namespace
}  // namespace larch
