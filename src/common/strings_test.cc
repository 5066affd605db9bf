#include "larch/common/strings.h"

#include <gtest/gtest.h>

namespace larch {
namespace {

TEST(AsciiLowerTest, LowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("MiXeD-Case_09@Example.ORG"), "mixed-case_09@example.org");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ keeps its É bytes
  EXPECT_EQ(AsciiLower(""), "");
}

}  // namespace
}  // namespace larch
