#include "larch/http/request.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "larch/http/request_parser.h"
#include "larch/http/response.h"
#include "larch/http/url.h"

namespace larch::http {
namespace {

TEST(UrlTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("%e2%82%ac"), "\xe2\x82\xac");
  EXPECT_EQ(PercentDecode("%00x"), std::string("\0x", 2));
}

TEST(UrlTest, PercentEncodeRoundTrips) {
  std::string raw = "course-v1:edX+Demo/1 ~?&=";
  EXPECT_EQ(PercentEncode(raw), "course-v1%3AedX%2BDemo%2F1%20~%3F%26%3D");
  EXPECT_EQ(PercentDecode(PercentEncode(raw)), raw);
}

TEST(UrlTest, QueryStringEdgeCases) {
  ParamList q = ParseQueryString("a=1&&b=x+y%21&a=2&flag&=v&c=");
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", "x y!"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"a", "2"}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>{"", "v"}));
  EXPECT_EQ(q[5], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_TRUE(ParseQueryString("").empty());
  EXPECT_TRUE(ParseQueryString("&&&").empty());
}

TEST(UrlTest, CookieHeader) {
  ParamList c = ParseCookieHeader(" csrftoken=abc; sessionid=\"x y\";bad; =novalue;  e= ");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].second, "abc");
  EXPECT_EQ(c[1], (std::pair<std::string, std::string>{"sessionid", "x y"}));
  EXPECT_EQ(c[2], (std::pair<std::string, std::string>{"e", ""}));
}

TEST(RequestTest, SplitsTargetAndDecodesQuery) {
  Request r("GET", "/api/x/?page=2&q=a+b&tag=1&tag=2#frag");
  EXPECT_EQ(r.path(), "/api/x/");
  EXPECT_EQ(r.query_string(), "page=2&q=a+b&tag=1&tag=2");
  EXPECT_EQ(r.Query("q"), "a b");
  EXPECT_EQ(r.Query("missing"), std::nullopt);
  EXPECT_EQ(r.QueryAll("tag"), (std::vector<std::string>{"1", "2"}));
}

TEST(RequestTest, AbsoluteFormTarget) {
  Request r("GET", "http://example.com/a/b?x=1");
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.Query("x"), "1");
}

TEST(RequestTest, HeadersAreCaseInsensitiveAndCookiesParsed) {
  Request r("GET", "/");
  r.AddHeader("Content-Type", "Application/JSON; charset=utf-8");
  r.AddHeader("Cookie", "a=1; b=2");
  r.AddHeader("cookie", "c=3");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "Application/JSON; charset=utf-8");
  EXPECT_EQ(r.MediaType(), "application/json");
  EXPECT_EQ(r.Cookie("b"), "2");
  EXPECT_EQ(r.Cookie("c"), "3");
  EXPECT_EQ(r.Cookie("z"), std::nullopt);
}

TEST(RequestTest, JsonBody) {
  Request r("POST", "/");
  r.AddHeader("Content-Type", "application/json");
  r.set_body(R"({"a": [1, 2]})");
  StatusOr<nlohmann::json> json = r.JsonBody();
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["a"][1], 2);

  r.set_body("{bad");
  EXPECT_EQ(r.JsonBody().status().code(), StatusCode::kInvalidArgument);
  r.set_body("\"\xff\xfe\"");
  EXPECT_EQ(r.JsonBody().status().code(), StatusCode::kInvalidArgument);
  r.set_body("");
  EXPECT_EQ(r.JsonBody().status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestTest, JsonBodyNeedsJsonContentType) {
  Request r("POST", "/");
  r.set_body("{}");
  EXPECT_EQ(r.JsonBody().status().code(), StatusCode::kInvalidArgument);
  Request merge("PATCH", "/");
  merge.AddHeader("Content-Type", "application/merge-patch+json");
  merge.set_body("{}");
  EXPECT_TRUE(merge.JsonBody().ok());
}

TEST(RequestTest, FormValuesOnlyForFormContentType) {
  Request r("POST", "/");
  r.AddHeader("Content-Type", "application/x-www-form-urlencoded");
  r.set_body("email=a%40b.c&name=Jo+Ann&x");
  EXPECT_EQ(r.FormValue("email"), "a@b.c");
  EXPECT_EQ(r.FormValue("name"), "Jo Ann");
  EXPECT_EQ(r.FormValues().size(), 3u);
  Request other("POST", "/");
  other.AddHeader("Content-Type", "text/plain");
  other.set_body("email=a");
  EXPECT_EQ(other.FormValue("email"), std::nullopt);
}

TEST(RequestTest, SecureAndAttributes) {
  Request r("GET", "/");
  EXPECT_FALSE(r.is_secure());
  r.AddHeader("X-Forwarded-Proto", "HTTPS, http");
  EXPECT_FALSE(r.is_secure()) << "the header from a peer that is not a trusted proxy";
  r.set_from_trusted_proxy(true);
  EXPECT_TRUE(r.is_secure());
  Request plain("GET", "/");
  plain.set_from_trusted_proxy(true);
  plain.AddHeader("X-Forwarded-Proto", "http, https");
  EXPECT_FALSE(plain.is_secure()) << "only the first value counts";
  r.SetAttribute("user_id", int64_t{7});
  ASSERT_NE(r.AttributeAs<int64_t>("user_id"), nullptr);
  EXPECT_EQ(*r.AttributeAs<int64_t>("user_id"), 7);
  EXPECT_EQ(r.AttributeAs<std::string>("user_id"), nullptr);
  EXPECT_EQ(r.Attribute("none"), nullptr);
}

TEST(ResponseTest, CookiesAndHelpers) {
  Response r = Response::Json(201, nlohmann::json{{"k", "v\xff"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(nlohmann::json::parse(r.body)["k"], "v\xef\xbf\xbd");
  r.SetCookie("sessionid", "abc", {.max_age = 60, .secure = true, .same_site = "None"});
  r.DeleteCookie("csrftoken");
  int cookies = 0;
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie") ++cookies;
  }
  EXPECT_EQ(cookies, 2);
  std::string first = r.headers[1].second;
  EXPECT_NE(first.find("sessionid=abc; Max-Age=60; Expires="), std::string::npos);
  EXPECT_NE(first.find("; Path=/; Secure; HttpOnly; SameSite=None"), std::string::npos);
  EXPECT_NE(r.headers[2].second.find("Max-Age=0"), std::string::npos);
  Response redirect = Response::Redirect("/login?next=%2F");
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.Header("location"), "/login?next=%2F");
  EXPECT_EQ(Response::NoContent().status, 204);
  EXPECT_EQ(Response::Text(200, "x").Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST(RequestParserTest, ParsesWireFormat) {
  StatusOr<Request> r = ParseRequestForTest(
      "POST /a%20b/?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method(), "POST");
  EXPECT_EQ(r->path(), "/a%20b/");
  EXPECT_EQ(r->body(), "{\"a\":1}");
  EXPECT_EQ(r->Header("host"), "h");
}

TEST(RequestParserTest, ChunkedBody) {
  StatusOr<Request> r = ParseRequestForTest(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body(), "abcde");
}

TEST(RequestParserTest, TruncatedChunkedBodyIsIncomplete) {
  EXPECT_EQ(ParseRequestForTest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(RequestParserTest, RejectsGarbageAndLimits) {
  EXPECT_EQ(ParseRequestForTest("garbage\r\n\r\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestForTest("GET / HTTP/1.1\r\nHost: h\r\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestForTest("GET foo HTTP/1.1\r\n\r\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParseRequestForTest("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", {.max_body_bytes = 10})
          .status()
          .code(),
      StatusCode::kResourceExhausted);
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(ParseRequestForTest(big, {.max_header_bytes = 1024}).status().code(),
            StatusCode::kResourceExhausted);
}

// Behind nginx every client has the proxy's address; the proxy's
// X-Forwarded-For names the client, but only a trusted proxy's counts, and
// only its own (last) entry: earlier ones are whatever the client sent.
TEST(RequestTest, ClientAddressBelievesOnlyATrustedProxysLastForwardedFor) {
  Request direct("GET", "/");
  direct.set_remote_address("203.0.113.9");
  direct.AddHeader("X-Forwarded-For", "198.51.100.1");
  EXPECT_EQ(direct.client_address(), "203.0.113.9");

  Request proxied("GET", "/");
  proxied.set_remote_address("127.0.0.1");
  proxied.set_from_trusted_proxy(true);
  proxied.AddHeader("X-Forwarded-For", "10.9.9.9, 198.51.100.7 ");
  EXPECT_EQ(proxied.client_address(), "198.51.100.7");

  Request v6("GET", "/");
  v6.set_remote_address("127.0.0.1");
  v6.set_from_trusted_proxy(true);
  v6.AddHeader("X-Forwarded-For", "2001:db8::1");
  EXPECT_EQ(v6.client_address(), "2001:db8::1");

  Request junk("GET", "/");
  junk.set_remote_address("127.0.0.1");
  junk.set_from_trusted_proxy(true);
  junk.AddHeader("X-Forwarded-For", "1.2.3.4, <script>");
  EXPECT_EQ(junk.client_address(), "127.0.0.1");

  Request none("GET", "/");
  none.set_remote_address("127.0.0.1");
  none.set_from_trusted_proxy(true);
  EXPECT_EQ(none.client_address(), "127.0.0.1");
}

}  // namespace
}  // namespace larch::http
