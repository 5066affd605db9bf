#include "larch/http/content_response.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace larch::http {
namespace {

class ContentResponseTest : public ::testing::Test {
 protected:
  Response Serve(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
    Request request(std::move(method), "/asset-v1:x");
    for (auto& [name, value] : headers) request.AddHeader(name, value);
    ContentMeta meta;
    meta.size = content_.size();
    meta.etag = "\"abc\"";
    meta.last_modified = 1'700'000'000;
    meta.content_type = "image/png";
    return ServeContent(request, meta, [this](uint64_t offset, uint64_t length) {
      reads_.emplace_back(offset, length);
      if (fail_) return StatusOr<std::string>(UnavailableError("database down"));
      return StatusOr<std::string>(content_.substr(offset, length));
    });
  }

  std::string content_ = "0123456789abcdef";
  std::vector<std::pair<uint64_t, uint64_t>> reads_;
  bool fail_ = false;
};

TEST_F(ContentResponseTest, FullBodyWithValidators) {
  Response r = Serve("GET", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, content_);
  EXPECT_EQ(r.Header("ETag").value_or(""), "\"abc\"");
  EXPECT_EQ(r.Header("Last-Modified").value_or(""), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(r.Header("Accept-Ranges").value_or(""), "bytes");
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "image/png");
}

TEST_F(ContentResponseTest, ConditionalRequestsGet304WithoutReading) {
  EXPECT_EQ(Serve("GET", {{"If-None-Match", "W/\"abc\""}}).status, 304);
  EXPECT_EQ(Serve("GET", {{"If-None-Match", "\"x\", \"abc\""}}).status, 304);
  EXPECT_EQ(Serve("GET", {{"If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"}}).status, 304);
  EXPECT_TRUE(reads_.empty());
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(Serve("GET", {{"If-None-Match", "\"old\""},
                          {"If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"}})
                .status,
            200);
}

TEST_F(ContentResponseTest, RangesReadOnlyTheirBytes) {
  Response r = Serve("GET", {{"Range", "bytes=2-5"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "2345");
  EXPECT_EQ(r.Header("Content-Range").value_or(""), "bytes 2-5/16");
  ASSERT_EQ(reads_.size(), 1u);
  EXPECT_EQ(reads_[0], (std::pair<uint64_t, uint64_t>{2, 4}));
  EXPECT_EQ(Serve("GET", {{"Range", "bytes=-3"}}).body, "def");
  EXPECT_EQ(Serve("GET", {{"Range", "bytes=10-"}}).body, "abcdef");
  Response past = Serve("GET", {{"Range", "bytes=16-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(past.Header("Content-Range").value_or(""), "bytes */16");
  // Malformed and multiple ranges are ignored: the whole body.
  EXPECT_EQ(Serve("GET", {{"Range", "bytes=0-1,4-5"}}).status, 200);
  EXPECT_EQ(Serve("GET", {{"Range", "lines=1-2"}}).status, 200);
}

TEST_F(ContentResponseTest, HeadSendsTheLengthAndReadsNothing) {
  Response r = Serve("HEAD", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.Header("Content-Length").value_or(""), "16");
  Response range = Serve("HEAD", {{"Range", "bytes=0-3"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.Header("Content-Length").value_or(""), "4");
  EXPECT_TRUE(reads_.empty());
}

TEST_F(ContentResponseTest, AFailingReadIsItsErrorStatus) {
  fail_ = true;
  EXPECT_EQ(Serve("GET", {}).status, 503);
  EXPECT_EQ(Serve("GET", {{"Range", "bytes=0-1"}}).status, 503);
}

}  // namespace
}  // namespace larch::http
