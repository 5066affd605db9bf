#include "larch/common/status.h"

#include <gtest/gtest.h>

#include <memory>

#include "larch/testing/status_matchers.h"

namespace larch {
namespace {

using ::larch::testing::StatusIs;

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessages) {
  Status s = NotFoundError("no course x").WithUserMessage("Not here").WithErrorCode("missing");
  EXPECT_THAT(s, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no course x");
  EXPECT_EQ(s.user_message(), "Not here");
  EXPECT_EQ(s.error_code(), "missing");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no course x");
}

TEST(Status, CopiesDoNotShareLaterEdits) {
  Status a = InternalError("x");
  Status b = a;
  b.WithUserMessage("changed");
  EXPECT_EQ(a.user_message(), "");
  EXPECT_EQ(b.user_message(), "changed");
}

StatusOr<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgumentError("odd");
  return v / 2;
}

Status UseHalf(int v, int* out) {
  LARCH_ASSIGN_OR_RETURN(*out, Half(v));
  LARCH_RETURN_IF_ERROR(OkStatus());
  return OkStatus();
}

TEST(StatusOr, ValueAndError) {
  StatusOr<int> ok = Half(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  StatusOr<int> bad = Half(3);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(StatusOr, OkStatusIsTurnedIntoInternal) {
  StatusOr<int> s = OkStatus();
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
}

TEST(StatusOr, MoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 5);
}

TEST(StatusMacros, Propagate) {
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseHalf(5, &out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace larch
