// The fixture of the learning micro-frontend API tests (learning_*_test.cc):
// a server on SQLite or PostgreSQL with the edX Demo course and two small
// courses written here, an enrolled learner, an outsider who is not
// enrolled, and a global staff user, each with an OAuth token.
//
// kOwn ("Larch+L+2024", instructor-paced, 2020 to 2030, static tab "faq"):
//   chapter ch "Week 1"
//     sequential hw "Homework" (graded, format Homework, due 2025-06-01)
//       vertical u1 "Numbers" (a problem), u2 "Watch" (a video),
//       vertical secret "Staff notes" (visible_to_staff_only)
//     sequential open "Reading" (ungraded, due 2026-01-01)
//       vertical r1 (no display name) with an html block
//   chapter future "Later" (starts 2099)
//     sequential fs "Final" (graded, format Exam, due 2099-02-01)
//       vertical fu "Final unit"
//   chapter hidden "Staff" (visible_to_staff_only)
//     sequential hs "Hidden"
// kLate ("Larch+Z+2099"): a course that starts on 2099-01-01, learner enrolled.
#ifndef LARCH_TESTS_API_LEARNING_FIXTURE_H_
#define LARCH_TESTS_API_LEARNING_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends.h"
#include "larch_process.h"

namespace larch::testing {

inline constexpr char kLearnDemo[] = "course-v1:edX+DemoX+Demo_Course";
inline constexpr char kOwn[] = "course-v1:Larch+L+2024";
inline constexpr char kLate[] = "course-v1:Larch+Z+2099";

// "block-v1:Org+Course+Run+type@<type>+block@<id>" of `course`.
std::string LearnBlock(const std::string& course, const std::string& type, const std::string& id);

using Headers = std::vector<std::pair<std::string, std::string>>;

// Keeps the cookies a response sets, as a browser does.
class CookieJar {
 public:
  void Take(const StatusOr<HttpClientResponse>& response) {
    if (!response.ok()) return;
    for (const auto& [name, value] : response->headers) {
      if (name != "set-cookie") continue;
      size_t eq = value.find('=');
      size_t semi = value.find(';');
      cookies_[value.substr(0, eq)] =
          value.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
    }
  }
  Headers With(Headers headers) const {
    std::string line;
    for (const auto& [k, v] : cookies_) {
      if (!line.empty()) line += "; ";
      line.append(k).append("=").append(v);
    }
    if (!line.empty()) headers.emplace_back("Cookie", line);
    return headers;
  }
  std::string Get(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? "" : it->second;
  }

 private:
  std::map<std::string, std::string> cookies_;
};

class LearningApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;

  CommandResult Run(const std::vector<std::string>& args);
  std::string Token(const std::string& username, const std::string& password);
  std::string Url(const std::string& path) const { return server_->base_url() + path; }
  // GET `path` with the token (none when empty).
  StatusOr<HttpClientResponse> Get(const std::string& path, const std::string& token);
  // The JSON of a GET that must answer 200.
  nlohmann::json Ok(const std::string& path, const std::string& token);
  // The status of a GET.
  int StatusOf(const std::string& path, const std::string& token);
  void Enroll(const std::string& course, const std::string& token);

  TempDir dir_;
  std::unique_ptr<TestBackend> backend_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<LarchProcess> server_;
  std::string admin_;
  std::string learner_;
  std::string outsider_;
};

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_LEARNING_FIXTURE_H_
