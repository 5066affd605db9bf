#include "larch/http/hosts.h"

#include <gtest/gtest.h>

namespace larch::http {
namespace {

TEST(SplitHostPortTest, SplitsAndLowercases) {
  HostPort hp = SplitHostPort("LMS.Example.com:8000");
  EXPECT_EQ(hp.domain, "lms.example.com");
  EXPECT_EQ(hp.port, "8000");
  EXPECT_EQ(SplitHostPort("[::1]:8000").domain, "[::1]");
  EXPECT_EQ(SplitHostPort("[::1]").port, "");
  EXPECT_EQ(SplitHostPort("example.com.").domain, "example.com");
}

TEST(SplitHostPortTest, RejectsIllFormedHosts) {
  EXPECT_EQ(SplitHostPort("").domain, "");
  EXPECT_EQ(SplitHostPort("evil.example/x").domain, "");
  EXPECT_EQ(SplitHostPort("a b").domain, "");
  EXPECT_EQ(SplitHostPort("host:80x").domain, "");
  EXPECT_EQ(SplitHostPort("[::1").domain, "");
  EXPECT_EQ(SplitHostPort("\thost").domain, "");
}

TEST(HostIsAllowedTest, MatchesAsDjango) {
  std::vector<std::string> patterns{".example.com", "lms.test"};
  EXPECT_TRUE(HostIsAllowed("example.com", patterns));
  EXPECT_TRUE(HostIsAllowed("a.b.example.com", patterns));
  EXPECT_TRUE(HostIsAllowed("LMS.test", patterns));
  EXPECT_FALSE(HostIsAllowed("badexample.com", patterns));
  EXPECT_FALSE(HostIsAllowed("lms.test.evil", patterns));
  EXPECT_FALSE(HostIsAllowed("", patterns));
  EXPECT_TRUE(HostIsAllowed("anything", {"*"}));
}

TEST(EffectiveAllowedHostsTest, DefaultsToBaseUrlAndLoopback) {
  auto hosts = EffectiveAllowedHosts({}, "https://lms.example.com:8443/path");
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_EQ(hosts[0], "lms.example.com");
  EXPECT_TRUE(HostIsAllowed("127.0.0.1", hosts));
  EXPECT_EQ(EffectiveAllowedHosts({"x.test"}, "http://127.0.0.1:8000"),
            std::vector<std::string>{"x.test"});
  EXPECT_EQ(EffectiveAllowedHosts({}, "http://127.0.0.1:8000").size(), 3u);
}

AbsoluteUrlPolicy Policy() {
  AbsoluteUrlPolicy policy;
  policy.allowed_hosts = {"localhost", ".example.com"};
  policy.trusted_proxies = {"10.0.0.1"};
  policy.fallback_base_url = "http://127.0.0.1:8000";
  return policy;
}

Request From(const std::string& peer, const std::vector<std::pair<std::string, std::string>>& h) {
  Request request("GET", "/x");
  request.set_remote_address(peer);
  for (const auto& [name, value] : h) request.AddHeader(name, value);
  return request;
}

TEST(RequestBaseUrlTest, UsesAnAllowedHostAndFallsBackOtherwise) {
  EXPECT_EQ(RequestBaseUrl(From("127.0.0.1", {{"Host", "LocalHost:9000"}}), Policy()),
            "http://localhost:9000");
  EXPECT_EQ(RequestBaseUrl(From("127.0.0.1", {{"Host", "lms.example.com"}}), Policy()),
            "http://lms.example.com");
  EXPECT_EQ(RequestBaseUrl(From("127.0.0.1", {{"Host", "evil.test"}}), Policy()),
            "http://127.0.0.1:8000");
  EXPECT_EQ(RequestBaseUrl(From("127.0.0.1", {{"Host", "localhost/x"}}), Policy()),
            "http://127.0.0.1:8000");
  EXPECT_EQ(RequestBaseUrl(From("127.0.0.1", {}), Policy()), "http://127.0.0.1:8000");
}

TEST(RequestBaseUrlTest, BelievesForwardedHeadersFromTrustedProxiesOnly) {
  std::vector<std::pair<std::string, std::string>> forwarded = {
      {"Host", "localhost"},
      {"X-Forwarded-Host", "lms.example.com, proxy.internal"},
      {"X-Forwarded-Proto", "https"}};
  EXPECT_EQ(RequestBaseUrl(From("10.0.0.1", forwarded), Policy()), "https://lms.example.com");
  EXPECT_EQ(RequestBaseUrl(From("10.0.0.2", forwarded), Policy()), "http://localhost");
  EXPECT_EQ(
      RequestBaseUrl(From("10.0.0.1", {{"Host", "localhost"}, {"X-Forwarded-Host", "evil.test"}}),
                     Policy()),
      "http://127.0.0.1:8000");
}

TEST(RedirectIsSafeTest, AcceptsLocalPathsAndAllowedHosts) {
  const std::vector<std::string> hosts = {"lms.example.com", ".apps.example.com"};
  EXPECT_TRUE(RedirectIsSafe("/dashboard?x=1", hosts, false));
  EXPECT_TRUE(RedirectIsSafe("  /courses  ", hosts, false));
  EXPECT_TRUE(RedirectIsSafe("http://lms.example.com/x", hosts, false));
  EXPECT_TRUE(RedirectIsSafe("https://LMS.example.com:8000/x", hosts, true));
  EXPECT_TRUE(RedirectIsSafe("//learning.apps.example.com/", hosts, false));
  EXPECT_TRUE(RedirectIsSafe("dashboard", hosts, false));
}

TEST(RedirectIsSafeTest, RejectsOtherHostsAndBrowserTricks) {
  const std::vector<std::string> hosts = {"lms.example.com"};
  for (const char* url : {"",
                          "   ",
                          "//",
                          "//?x",
                          "//evil.example/",
                          "///evil.example",
                          "/\t/evil.example/phish",
                          "\t//evil.example",
                          "/\\evil.example",
                          "\\\\evil.example",
                          "\x01//evil.example",
                          "http://evil.example/",
                          "https:///evil.example",
                          "http://lms.example.com@evil.example/",
                          "javascript:alert(1)",
                          "data:text/html,x",
                          "ftp://lms.example.com/",
                          "http://lms.example.com.evil.example/",
                          "\xe2\x80\x8b//evil.example",
                          "//lms.example.com../x",
                          "https://lms..example.com/"}) {
    EXPECT_FALSE(RedirectIsSafe(url, hosts, false)) << url;
  }
  EXPECT_FALSE(RedirectIsSafe("http://lms.example.com/", hosts, /*require_https=*/true));
}

TEST(RedirectIsSafeTest, CleanTargetDropsTabsAndNewlines) {
  EXPECT_EQ(CleanRedirectTarget(" /a\tb\r\nc "), "/abc");
}

}  // namespace
}  // namespace larch::http
