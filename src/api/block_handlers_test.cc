#include <gtest/gtest.h>

#include "larch/api/courseware_routes.h"

namespace larch::api {
namespace {

BlockHandler Replying(int status) {
  return [status](const BlockHandlerCall&) { return http::Response::Text(status, ""); };
}

TEST(BlockHandlersTest, ExactTypeWinsOverWildcardAndUnknownIsNull) {
  BlockHandlers handlers;
  handlers.Add("problem", "xmodule_handler", Replying(201));
  handlers.Add("*", "publish_completion", Replying(202));
  handlers.Add("sequential", "publish_completion", Replying(203));
  BlockHandlerCall call;

  const BlockHandler* problem = handlers.Find("problem", "xmodule_handler");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ((*problem)(call).status, 201);
  const BlockHandler* html = handlers.Find("html", "publish_completion");
  ASSERT_NE(html, nullptr);
  EXPECT_EQ((*html)(call).status, 202);
  const BlockHandler* sequential = handlers.Find("sequential", "publish_completion");
  ASSERT_NE(sequential, nullptr);
  EXPECT_EQ((*sequential)(call).status, 203);

  EXPECT_EQ(handlers.Find("html", "xmodule_handler"), nullptr);
  EXPECT_EQ(handlers.Find("problem", "vote"), nullptr);
}

}  // namespace
}  // namespace larch::api
