#include "components.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace larch::app {
namespace {

TEST(RedactUrl, HidesPasswordsOnly) {
  EXPECT_EQ(RedactUrl("postgresql://larch:s3cret@127.0.0.1:5432/db"),
            "postgresql://larch:***@127.0.0.1:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://larch@127.0.0.1/db"), "postgresql://larch@127.0.0.1/db");
  EXPECT_EQ(RedactUrl("sqlite:///var/larch.db"), "sqlite:///var/larch.db");
  EXPECT_EQ(RedactUrl("smtp://u:p@mail:25"), "smtp://u:***@mail:25");
}

TEST(ParseListen, HostAndPort) {
  auto v4 = ParseListen("127.0.0.1:8000");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->first, "127.0.0.1");
  EXPECT_EQ(v4->second, 8000);
  auto v6 = ParseListen("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_EQ(v6->second, 0);
  EXPECT_EQ(ParseListen("localhost:80")->first, "127.0.0.1");
}

TEST(ParseListen, RejectsBadInput) {
  for (const char* bad : {"8000", ":80", "host:", "host:http", "host:70000", "host:-1"}) {
    EXPECT_EQ(ParseListen(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(MakeAccessLog, OffIsEmptyAndBadPathFails) {
  auto off = MakeAccessLog("off");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(static_cast<bool>(*off));
  // A regular file where a directory should be: not creatable, even as root.
  std::string blocker = ::testing::TempDir() + "/larch_access_blocker";
  { std::ofstream(blocker) << "x"; }
  EXPECT_EQ(MakeAccessLog(blocker + "/access.log").status().code(), StatusCode::kInvalidArgument);
  std::remove(blocker.c_str());
}

}  // namespace
}  // namespace larch::app
