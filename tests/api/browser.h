// A cookie jar around the test HTTP client (Send of larch_process.h), as a
// browser talks to the server: it sends the cookies it holds with every
// request and keeps those the responses set, dropping the ones set with
// Max-Age=0. Login goes through the login form as the LMS pages do.
//
// Thread safety: one Browser per test thread.
#ifndef LARCH_TESTS_API_BROWSER_H_
#define LARCH_TESTS_API_BROWSER_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "larch/common/http_client.h"
#include "larch/common/status.h"

namespace larch::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

class Browser {
 public:
  // `base` is the server's base URL ("http://127.0.0.1:port").
  explicit Browser(std::string base) : base_(std::move(base)) {}

  // Sends the next requests to another server (a cluster node), keeping the
  // cookies.
  void set_base(std::string base) { base_ = std::move(base); }

  // `method` base+path with `body`, `headers` and a Cookie header of the jar;
  // then takes the response's Set-Cookie headers into the jar.
  StatusOr<HttpClientResponse> Do(const std::string& method, const std::string& path,
                                  const std::string& body = "", Headers headers = {});

  // POSTs `form` (already URL-encoded) as application/x-www-form-urlencoded.
  StatusOr<HttpClientResponse> Form(const std::string& path, const std::string& form,
                                    Headers headers = {});

  // GETs the login form (which sets the CSRF cookie), then POSTs the
  // credentials to it with the token in X-CSRFToken and `extra` headers.
  StatusOr<HttpClientResponse> Login(const std::string& email, const std::string& password,
                                     Headers extra = {});

  // The cookies by name, to read or to forge.
  std::map<std::string, std::string>& jar() { return jar_; }
  // One cookie's value; "" when the jar lacks it.
  std::string cookie(const std::string& name) const;
  // The whole last Set-Cookie line for `name` (attributes included, also when
  // it deleted the cookie); "" when none came.
  std::string set_cookie_line(const std::string& name) const;

 private:
  std::string base_;
  std::map<std::string, std::string> jar_;
  std::map<std::string, std::string> set_cookie_lines_;
};

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_BROWSER_H_
