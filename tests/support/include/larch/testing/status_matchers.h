// GoogleTest matchers and macros for larch::Status and StatusOr<T>, so a test
// says which error it expects instead of only "not ok":
//   EXPECT_THAT(service.Get(id), StatusIs(StatusCode::kNotFound));
//   EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("email")));
//   LARCH_EXPECT_OK(service.Delete(id));
//   LARCH_ASSERT_OK_AND_ASSIGN(User user, service.GetUserById(id));
// A failure prints the whole status (code and message).
//
// Thread safety: as GoogleTest's assertions.
#ifndef LARCH_TESTING_STATUS_MATCHERS_H_
#define LARCH_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "larch/common/status.h"

namespace larch::testing {
namespace internal {

inline Status GetStatus(const Status& status) { return status; }
template <typename T>
Status GetStatus(const StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

// The Status (or a StatusOr's status) has `code`.
MATCHER_P(StatusIs, code, "status code is " + std::string(StatusCodeName(code))) {
  const Status status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code;
}

// The Status has `code` and a message that `message_matcher` accepts.
MATCHER_P2(StatusIs, code, message_matcher,
           "status code is " + std::string(StatusCodeName(code)) + " and the message " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const Status status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code &&
         ::testing::Matches(::testing::Matcher<std::string>(message_matcher))(status.message());
}

MATCHER(IsOk, "is OK") {
  const Status status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.ok();
}

}  // namespace larch::testing

#define LARCH_EXPECT_OK(expr) EXPECT_THAT((expr), ::larch::testing::IsOk())
#define LARCH_ASSERT_OK(expr) ASSERT_THAT((expr), ::larch::testing::IsOk())

// Asserts that `expr` (a StatusOr) is OK and moves its value into `lhs`,
// which may be a declaration. Only in functions returning void (ASSERT_*).
#define LARCH_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  LARCH_ASSERT_OK_AND_ASSIGN_IMPL_(LARCH_STATUS_CONCAT_(larch_status_or_, __LINE__), lhs, expr)
#define LARCH_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();      \
  lhs = std::move(*tmp)

#endif  // LARCH_TESTING_STATUS_MATCHERS_H_
