#include "larch/http/static_files.h"

#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace larch::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/larch_static_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ / "root" / "css");
    Write(dir_ / "root" / "hello.txt", "0123456789");
    Write(dir_ / "root" / "css" / "big.css", std::string(5000, 'a'));
    Write(dir_ / "secret.txt", "top secret");
    std::filesystem::create_symlink(dir_ / "secret.txt", dir_ / "root" / "link.txt");
    files_ = std::make_unique<StaticFiles>("/static", dir_ / "root");
    files_->Register(router_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void Write(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  Response Get(std::string target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               std::string method = "GET") {
    Request request(std::move(method), std::move(target));
    for (const auto& [name, value] : headers) request.AddHeader(name, value);
    return router_.Dispatch(request);
  }

  std::filesystem::path dir_;
  std::unique_ptr<StaticFiles> files_;
  Router router_;
};

TEST_F(StaticFilesTest, ServesWithValidators) {
  Response response = Get("/static/hello.txt");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "0123456789");
  EXPECT_EQ(response.Header("Content-Type"), "text/plain; charset=utf-8");
  ASSERT_TRUE(response.Header("ETag").has_value());
  EXPECT_TRUE(response.Header("Last-Modified").has_value());
  std::string etag(*response.Header("ETag"));

  Response again = Get("/static/hello.txt", {{"If-None-Match", "\"other\", W/" + etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  std::string last_modified(*response.Header("Last-Modified"));
  EXPECT_EQ(Get("/static/hello.txt", {{"If-Modified-Since", last_modified}}).status, 304);
  EXPECT_EQ(Get("/static/hello.txt", {{"If-None-Match", "\"nope\""}}).status, 200);
}

TEST_F(StaticFilesTest, Ranges) {
  Response r = Get("/static/hello.txt", {{"Range", "bytes=2-4"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "234");
  EXPECT_EQ(r.Header("Content-Range"), "bytes 2-4/10");
  r = Get("/static/hello.txt", {{"Range", "bytes=7-"}});
  EXPECT_EQ(r.body, "789");
  r = Get("/static/hello.txt", {{"Range", "bytes=-3"}});
  EXPECT_EQ(r.body, "789");
  r = Get("/static/hello.txt", {{"Range", "bytes=5-100"}});
  EXPECT_EQ(r.body, "56789");
  r = Get("/static/hello.txt", {{"Range", "bytes=10-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.Header("Content-Range"), "bytes */10");
  r = Get("/static/hello.txt", {{"Range", "bytes=0-1,3-4"}});
  EXPECT_EQ(r.status, 200);
  r = Get("/static/hello.txt", {{"Range", "items=1-2"}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(StaticFilesTest, TraversalAndDirectoriesAre404) {
  EXPECT_EQ(Get("/static/../secret.txt").status, 404);
  EXPECT_EQ(Get("/static/%2e%2e/secret.txt").status, 404);
  EXPECT_EQ(Get("/static/css/%2E%2E/%2e%2e/secret.txt").status, 404);
  EXPECT_EQ(Get("/static/hello.txt%00.png").status, 404);
  EXPECT_EQ(Get("/static//etc/passwd").status, 404);
  EXPECT_EQ(Get("/static/%2Fetc%2Fpasswd").status, 404);
  EXPECT_EQ(Get("/static/css").status, 404);
  EXPECT_EQ(Get("/static/css/").status, 404);
  EXPECT_EQ(Get("/static/link.txt").status, 404);
  EXPECT_EQ(Get("/static/missing.txt").status, 404);
}

TEST_F(StaticFilesTest, HeadHasLengthButNoBody) {
  Response r = Get("/static/hello.txt", {}, "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.Header("Content-Length"), "10");
}

TEST_F(StaticFilesTest, GzipWhenAcceptedAndCached) {
  for (int i = 0; i < 2; ++i) {
    Response r = Get("/static/css/big.css", {{"Accept-Encoding", "br, gzip"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(r.Header("Vary"), "Accept-Encoding");
    std::string out(10000, '\0');
    z_stream s{};
    ASSERT_EQ(inflateInit2(&s, 31), Z_OK);
    s.next_in = reinterpret_cast<Bytef*>(r.body.data());
    s.avail_in = static_cast<uInt>(r.body.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
    out.resize(s.total_out);
    inflateEnd(&s);
    EXPECT_EQ(out, std::string(5000, 'a'));
  }
  Response plain = Get("/static/css/big.css", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(plain.Header("Content-Encoding"), std::nullopt);
  EXPECT_EQ(plain.body.size(), 5000u);
}

TEST_F(StaticFilesTest, CacheControlOnFileAnswersOnly) {
  EXPECT_FALSE(Get("/static/hello.txt").Header("Cache-Control").has_value());
  Router router;
  StaticFiles("/assets", dir_ / "root").SetCacheControl("public, max-age=60").Register(router);
  Request request("GET", "/assets/hello.txt");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("Cache-Control"), "public, max-age=60");
  Request again("GET", "/assets/hello.txt");
  again.AddHeader("If-None-Match", std::string(*response.Header("ETag")));
  Response not_modified = router.Dispatch(again);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.Header("Cache-Control"), "public, max-age=60");
  Request missing("GET", "/assets/nope.txt");
  Response gone = router.Dispatch(missing);
  EXPECT_EQ(gone.status, 404);
  EXPECT_FALSE(gone.Header("Cache-Control").has_value());
}

TEST(StaticFilesTypeTest, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentTypeFor("a/b.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("x.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::ContentTypeFor("x"), "application/octet-stream");
}

}  // namespace
}  // namespace larch::http
