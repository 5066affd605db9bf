#include "browser.h"

#include "larch/http/url.h"
#include "larch_process.h"

namespace larch::testing {

StatusOr<HttpClientResponse> Browser::Do(const std::string& method, const std::string& path,
                                         const std::string& body, Headers headers) {
  std::string cookie;
  for (const auto& [name, value] : jar_) {
    if (!cookie.empty()) cookie += "; ";
    cookie += name;
    cookie += '=';
    cookie += value;
  }
  if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
  auto r = Send(method, base_ + path, body, std::move(headers));
  if (!r.ok()) return r;
  for (const auto& [name, line] : r->headers) {
    if (name != "set-cookie") continue;
    size_t eq = line.find('=');
    size_t semi = line.find(';');
    std::string cname = line.substr(0, eq);
    set_cookie_lines_[cname] = line;
    if (line.find("Max-Age=0") != std::string::npos) {
      jar_.erase(cname);
    } else {
      jar_[cname] = line.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
    }
  }
  return r;
}

StatusOr<HttpClientResponse> Browser::Form(const std::string& path, const std::string& form,
                                           Headers headers) {
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return Do("POST", path, form, std::move(headers));
}

StatusOr<HttpClientResponse> Browser::Login(const std::string& email, const std::string& password,
                                            Headers extra) {
  auto form = Do("GET", "/api/user/v1/account/login_session/");
  if (!form.ok()) return form;
  extra.emplace_back("X-CSRFToken", cookie("csrftoken"));
  return Form("/api/user/v1/account/login_session/",
              "email=" + http::PercentEncode(email) + "&password=" + http::PercentEncode(password),
              std::move(extra));
}

std::string Browser::cookie(const std::string& name) const {
  auto it = jar_.find(name);
  return it == jar_.end() ? "" : it->second;
}

std::string Browser::set_cookie_line(const std::string& name) const {
  auto it = set_cookie_lines_.find(name);
  return it == set_cookie_lines_.end() ? "" : it->second;
}

}  // namespace larch::testing
