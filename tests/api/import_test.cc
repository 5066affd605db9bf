// The Studio course import API (POST/GET /api/courses/v0/import/{course_id}/)
// against the real binary: a multipart upload of a real export, the task
// state polled until the job ran, the course served under the target run,
// and the error cases, on SQLite and PostgreSQL.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "api_users.h"
#include "backend_test.h"
#include "backends.h"
#include "larch/testing/net_support.h"
#include "larch_process.h"

namespace larch::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kPassword[] = "Import-Secret-1";
constexpr char kBoundary[] = "----larch-test-boundary";
constexpr char kRun[] = "course-v1:TestX+Course+Rerun";

// A raw HTTP/1.1 connection, for uploads sent chunked or a piece at a time.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  // False once the server closed its side.
  bool Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Everything the server sends until it closes (or 10 s of silence).
  std::string ReadAll() {
    std::string out;
    char buffer[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return out;
      out.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string Chunk(std::string_view data) {
  std::ostringstream size;
  size << std::hex << data.size();
  return size.str() + "\r\n" + std::string(data) + "\r\n";
}

// One file field (and optionally a text field) as multipart/form-data.
std::string Multipart(const std::string& field, const std::string& filename,
                      const std::string& content) {
  std::string body = std::string("--") + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n";
  body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + field +
          "\"; filename=\"" + filename + "\"\r\nContent-Type: application/gzip\r\n\r\n";
  body += content;
  body += std::string("\r\n--") + kBoundary + "--\r\n";
  return body;
}

class ImportApiTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(RunLarch({"migrate", "--data-dir", dir_.path()}, env_).exit_code, 0);
    CommandResult admin = CreateSuperuser(dir_.path(), "admin", kPassword, env_);
    ASSERT_EQ(admin.exit_code, 0) << admin.output;
    CommandResult client = CreatePasswordClient(dir_.path(), "script", "script-secret", env_);
    ASSERT_EQ(client.exit_code, 0) << client.output;
  }

  void Start(std::map<std::string, std::string> extra = {}) {
    server_.reset();
    std::map<std::string, std::string> env = env_;
    for (auto& [k, v] : extra) env[k] = v;
    auto p = LarchProcess::Serve({"--data-dir", dir_.path(), "--workers", "2"}, env);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_ = std::move(p).value();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  std::string Token(const std::string& username, const std::string& password) {
    auto r = PasswordGrant(server_->base_url(), "script", "script-secret", username, password,
                           "&token_type=jwt");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r).value("access_token", "");
  }

  StatusOr<HttpClientResponse> Upload(const std::string& course, const std::string& body,
                                      const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}};
    if (!token.empty()) headers.emplace_back("Authorization", "JWT " + token);
    return Send("POST", Url("/api/courses/v0/import/" + course + "/"), body, headers);
  }

  // Polls the task until it leaves Pending/In Progress (30 s at most).
  json WaitForTask(const std::string& course, const std::string& task_id,
                   const std::string& token) {
    json last;
    for (int i = 0; i < 300; ++i) {
      auto r = Get(Url("/api/courses/v0/import/" + course + "/?task_id=" + task_id +
                       "&filename=test-course.tar.gz"),
                   {{"Authorization", "JWT " + token}});
      if (!r.ok()) return nullptr;
      last = Json(r);
      std::string state = last.value("state", "");
      if (state != "Pending" && state != "In Progress") return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return last;
  }

  std::unique_ptr<LarchProcess> server_;
};

TEST_P(ImportApiTest, UploadImportsIntoTheTargetRunAndReportsTheTaskState) {
  Start();
  std::string admin = Token("admin", kPassword);
  std::string archive = ReadFile(SharedOlx() / "openedx-test-course" / "test-course.tar.gz");
  ASSERT_FALSE(archive.empty());

  auto posted = Upload(kRun, Multipart("course_data", "test-course.tar.gz", archive), admin);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 200) << posted->body;
  std::string task_id = Json(posted).value("task_id", "");
  ASSERT_EQ(task_id.size(), 36u) << posted->body;
  EXPECT_TRUE(fs::is_empty(fs::path(dir_.path()) / "uploads"))
      << "the streamed upload was moved out of the upload folder";
  EXPECT_EQ(WaitForTask(kRun, task_id, admin), json({{"state", "Succeeded"}}));

  // The export's own run (TestX+Course+1) is not created: the course lives
  // under the run named in the URL.
  auto detail = Get(Url(std::string("/api/courses/v1/courses/") + kRun + "/"),
                    {{"Authorization", "JWT " + admin}});
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->status, 200) << detail->body;
  EXPECT_EQ(Json(detail).value("id", ""), kRun);
  auto original = Get(Url("/api/courses/v1/courses/course-v1:TestX+Course+1/"),
                      {{"Authorization", "JWT " + admin}});
  EXPECT_EQ(original->status, 404);
  auto blocks = Get(Url("/api/courses/v2/blocks/?course_id=course-v1:TestX%2BCourse%2BRerun"
                        "&all_blocks=true&depth=all&block_types_filter=split_test"),
                    {{"Authorization", "JWT " + admin}});
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->status, 200) << blocks->body;
  EXPECT_EQ(Json(blocks)["blocks"].size(), 2u) << blocks->body;

  // A broken archive fails the task and leaves the imported course intact.
  auto broken = Upload(kRun, Multipart("course_data", "broken.tar.gz", "not a tarball"), admin);
  ASSERT_EQ(broken->status, 200) << broken->body;
  json failed = WaitForTask(kRun, Json(broken).value("task_id", ""), admin);
  EXPECT_EQ(failed.value("state", ""), "Failed") << failed.dump();
  EXPECT_NE(failed.value("message", "").find("archive"), std::string::npos) << failed.dump();
  auto still = Get(Url(std::string("/api/courses/v1/courses/") + kRun + "/"),
                   {{"Authorization", "JWT " + admin}});
  EXPECT_EQ(still->status, 200);
  // The import job syncs milestones from the imported settings: a copy of
  // the export naming a prerequisite course makes the run require it.
  fs::path copy = fs::path(dir_.path()) / "prereq";
  fs::create_directories(copy);
  fs::copy(SharedOlx() / "openedx-test-course" / "course", copy / "course",
           fs::copy_options::recursive);
  fs::path policy = copy / "course" / "policies" / "1" / "policy.json";
  json policy_json = json::parse(ReadFile(policy));
  policy_json["course/1"]["pre_requisite_courses"] = {"course-v1:TestX+Prereq+1"};
  fs::permissions(policy, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(policy) << policy_json.dump();
  fs::path tarball = copy / "prereq.tar.gz";
  ASSERT_EQ(
      std::system(("tar -czf " + tarball.string() + " -C " + copy.string() + " course").c_str()),
      0);
  auto with_prereq =
      Upload(kRun, Multipart("course_data", "prereq.tar.gz", ReadFile(tarball)), admin);
  ASSERT_EQ(with_prereq->status, 200) << with_prereq->body;
  EXPECT_EQ(WaitForTask(kRun, Json(with_prereq).value("task_id", ""), admin),
            json({{"state", "Succeeded"}}));
  auto milestones = Get(Url(std::string("/api/larch/v1/milestones/") + kRun + "/"),
                        {{"Authorization", "JWT " + admin}});
  ASSERT_EQ(milestones->status, 200) << milestones->body;
  json required = Json(milestones)["required"];
  ASSERT_EQ(required.size(), 1u) << milestones->body;
  EXPECT_EQ(required[0].value("prerequisite_course", ""), "course-v1:TestX+Prereq+1");

  // Uploads do not pile up in the data directory.
  EXPECT_TRUE(!fs::exists(fs::path(dir_.path()) / "imports") ||
              fs::is_empty(fs::path(dir_.path()) / "imports"));
}

TEST_P(ImportApiTest, RefusesAnonymousLearnersAndBadUploads) {
  // An active learner, imported with a Django hash made by Python's hashlib.
  std::string hash = RunCapture(
      "/usr/bin/python3 -c \"import base64, hashlib; print('pbkdf2_sha256\\$1000\\$salt\\$' + "
      "base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'Learner-Secret-1', b'salt', "
      "1000)).decode())\"");
  ASSERT_FALSE(hash.empty());
  if (hash.back() == '\n') hash.pop_back();
  fs::path csv = fs::path(dir_.path()) / "users.csv";
  std::ofstream(csv) << "username,email,password,is_active\nlee,lee@example.com," << hash
                     << ",true\n";
  CommandResult imported =
      RunLarch({"import-users", "--data-dir", dir_.path(), csv.string()}, env_);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  Start();
  std::string learner = Token("lee", "Learner-Secret-1");
  std::string admin = Token("admin", kPassword);
  std::string body = Multipart("course_data", "c.tar.gz", "x");

  EXPECT_EQ(Upload(kRun, body, "")->status, 401);
  auto denied = Upload(kRun, body, learner);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(
      Json(denied),
      json({{"developer_message", "The requesting user does not have course author permissions."},
            {"error_code", "user_permissions"}}));

  auto missing = Upload(kRun, Multipart("other", "c.tar.gz", "x"), admin);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json(missing).value("developer_message", ""), "Missing required parameter");
  auto not_multipart =
      Send("POST", Url(std::string("/api/courses/v0/import/") + kRun + "/"), "{}",
           {{"Content-Type", "application/json"}, {"Authorization", "JWT " + admin}});
  EXPECT_EQ(not_multipart->status, 400);
  auto wrong_type = Upload(kRun, Multipart("course_data", "course.txt", "x"), admin);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_EQ(Json(wrong_type).value("developer_message", ""), "Parameter in the wrong format");
  EXPECT_EQ(Upload("not-a-key", body, admin)->status, 404) << "the route only takes course keys";

  auto no_task = Get(Url(std::string("/api/courses/v0/import/") + kRun + "/"),
                     {{"Authorization", "JWT " + admin}});
  EXPECT_EQ(no_task->status, 400);
  auto unknown = Get(Url(std::string("/api/courses/v0/import/") + kRun +
                         "/?task_id=00000000-0000-4000-8000-000000000000"),
                     {{"Authorization", "JWT " + admin}});
  EXPECT_EQ(unknown->status, 404);
  auto learner_get = Get(Url(std::string("/api/courses/v0/import/") + kRun + "/?task_id=x"),
                         {{"Authorization", "JWT " + learner}});
  EXPECT_EQ(learner_get->status, 403);

  // A task is only visible under its own course.
  auto posted = Upload(kRun, body, admin);
  ASSERT_EQ(posted->status, 200);
  auto elsewhere = Get(Url("/api/courses/v0/import/course-v1:TestX+Course+Other/?task_id=" +
                           Json(posted).value("task_id", "")),
                       {{"Authorization", "JWT " + admin}});
  EXPECT_EQ(elsewhere->status, 404);
}

TEST_P(ImportApiTest, UploadsOverTheImportLimitGet413) {
  Start({{"LARCH_COURSE_IMPORT_MAX_BYTES", "4096"}});
  std::string admin = Token("admin", kPassword);
  auto big = Upload(kRun, Multipart("course_data", "c.tar.gz", std::string(8192, 'x')), admin);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);
  auto small = Upload(kRun, Multipart("course_data", "c.tar.gz", std::string(1024, 'x')), admin);
  EXPECT_EQ(small->status, 200) << small->body;
}

// Issue 8, finding 6: an accepted upload is written to a file in the data
// directory as it arrives; a chunked one that outgrows the limit is answered
// 413 while streaming and its partial file removed.
TEST_P(ImportApiTest, StreamedUploadsOverTheLimitGet413AndLeaveNoFile) {
  Start({{"LARCH_COURSE_IMPORT_MAX_BYTES", "65536"}});
  std::string admin = Token("admin", kPassword);
  const fs::path uploads = fs::path(dir_.path()) / "uploads";
  const std::string head = std::string("POST /api/courses/v0/import/") + kRun +
                           "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: multipart/form-data; boundary=" +
                           kBoundary + "\r\nTransfer-Encoding: chunked\r\n";

  RawConnection upload(server_->port());
  ASSERT_TRUE(upload.connected());
  ASSERT_TRUE(upload.Write(head + "Authorization: JWT " + admin + "\r\n\r\n"));
  std::string body = Multipart("course_data", "c.tar.gz", std::string(256 * 1024, 'x'));
  ASSERT_TRUE(upload.Write(Chunk(body.substr(0, 16 * 1024))));
  // The first piece is on disk, not in memory.
  bool on_disk = false;
  for (int i = 0; i < 50 && !on_disk; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (const auto& entry : fs::directory_iterator(uploads)) {
      on_disk = on_disk || entry.file_size() == 16 * 1024;
    }
  }
  EXPECT_TRUE(on_disk) << "no 16 KiB file in " << uploads;
  for (size_t sent = 16 * 1024; sent < body.size(); sent += 16 * 1024) {
    if (!upload.Write(Chunk(body.substr(sent, 16 * 1024)))) break;
  }
  upload.Write("0\r\n\r\n");
  std::string answer = upload.ReadAll();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer.substr(0, 200);
  EXPECT_NE(answer.find(R"("error_code":"request_body_too_large")"), std::string::npos) << answer;
  EXPECT_TRUE(fs::is_empty(uploads)) << "the partial upload is removed";

  // Within the limit, the same chunked upload is queued.
  RawConnection small(server_->port());
  ASSERT_TRUE(small.Write(head + "Authorization: JWT " + admin + "\r\nConnection: close\r\n\r\n" +
                          Chunk(Multipart("course_data", "c.tar.gz", std::string(1024, 'x'))) +
                          "0\r\n\r\n"));
  std::string queued = small.ReadAll();
  EXPECT_TRUE(queued.starts_with("HTTP/1.1 200 ")) << queued;
  EXPECT_NE(queued.find("task_id"), std::string::npos) << queued;
  EXPECT_TRUE(fs::is_empty(uploads));

  // Without credentials the answer comes after the header, before any body.
  RawConnection anonymous(server_->port());
  ASSERT_TRUE(anonymous.Write(head + "\r\n"));
  std::string refused = anonymous.ReadAll();
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 401 ")) << refused;
  EXPECT_TRUE(fs::is_empty(uploads));
}

// Issue 18: two `larch serve` nodes with their own data directories on one
// database. The upload goes to node A, which runs no jobs; node B claims the
// import job and finds the archive in the file store; both serve the
// course's assets from the database with the same validators.
TEST_P(ImportApiTest, AnotherNodeRunsTheImportAndServesItsAssets) {
  Start({{"LARCH_JOB_WORKERS", "0"}});
  TempDir other_dir;
  std::map<std::string, std::string> env = env_;
  if (env.find("DATABASE_URL") == env.end()) {
    env["DATABASE_URL"] = "sqlite://" + (fs::path(dir_.path()) / "larch.db").string();
  }
  auto other = LarchProcess::Serve({"--data-dir", other_dir.path(), "--workers", "2"}, env);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::string admin = Token("admin", kPassword);
  std::string archive = ReadFile(SharedOlx() / "openedx-test-course" / "test-course.tar.gz");
  ASSERT_FALSE(archive.empty());
  auto posted = Upload(kRun, Multipart("course_data", "test-course.tar.gz", archive), admin);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 200) << posted->body;
  EXPECT_EQ(WaitForTask(kRun, Json(posted).value("task_id", ""), admin),
            json({{"state", "Succeeded"}}))
      << (*other)->output();

  const fs::path source = SharedOlx() / "openedx-test-course" / "course" / "static" /
                          "Screenshot_2022-05-17_12-45-12.png";
  const std::string bytes = ReadFile(source);
  ASSERT_GT(bytes.size(), 20u);
  std::string sha = RunCapture("sha256sum '" + source.string() + "'").substr(0, 64);
  const std::string etag = "\"" + sha + "\"";
  const std::string path =
      "/asset-v1:TestX+Course+Rerun+type@asset+block@"
      "Screenshot_2022-05-17_12-45-12.png";
  for (const std::string& base : {server_->base_url(), (*other)->base_url()}) {
    SCOPED_TRACE(base);
    auto full = Get(base + path);
    ASSERT_TRUE(full.ok());
    ASSERT_EQ(full->status, 200) << full->body;
    EXPECT_EQ(full->body, bytes);
    EXPECT_EQ(full->Header("etag"), etag);
    EXPECT_EQ(full->Header("content-type"), "image/png");
    EXPECT_EQ(full->Header("accept-ranges"), "bytes");
    EXPECT_FALSE(full->Header("last-modified").empty());
    auto cached = Get(base + path, {{"If-None-Match", etag}});
    EXPECT_EQ(cached->status, 304);
    EXPECT_EQ(cached->body, "");
    auto since = Get(base + path, {{"If-Modified-Since", full->Header("last-modified")}});
    EXPECT_EQ(since->status, 304);
    auto range = Get(base + path, {{"Range", "bytes=3-12"}});
    ASSERT_EQ(range->status, 206);
    EXPECT_EQ(range->body, bytes.substr(3, 10));
    EXPECT_EQ(range->Header("content-range"), "bytes 3-12/" + std::to_string(bytes.size()));
    auto tail = Get(base + path, {{"Range", "bytes=-5"}});
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, bytes.substr(bytes.size() - 5));
    auto past = Get(base + path, {{"Range", "bytes=" + std::to_string(bytes.size()) + "-"}});
    EXPECT_EQ(past->status, 416);
    EXPECT_EQ(past->Header("content-range"), "bytes */" + std::to_string(bytes.size()));
    // The deprecated /c4x/ form names the same asset.
    auto c4x = Get(base + "/c4x/TestX/Course/asset/Screenshot_2022-05-17_12-45-12.png");
    EXPECT_EQ(c4x->status, 200);
    EXPECT_EQ(c4x->Header("etag"), etag);
    EXPECT_EQ(Get(base + "/asset-v1:TestX+Course+Rerun+type@asset+block@nope.png")->status, 404);
  }
  // Nothing of the course or the upload lives in either data directory.
  for (const std::string& dir : {dir_.path(), other_dir.path()}) {
    EXPECT_FALSE(fs::exists(fs::path(dir) / "courses")) << dir;
    EXPECT_TRUE(!fs::exists(fs::path(dir) / "imports") || fs::is_empty(fs::path(dir) / "imports"))
        << dir;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace larch::testing
