#include "cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "larch/testing/net_support.h"

namespace larch::testing {

namespace {

namespace fs = std::filesystem;

constexpr char kNginx[] = "/usr/sbin/nginx";
constexpr int kStartTimeoutMs = 30'000;

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// The first executable `name` on $PATH, or "".
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (fs::path(dir.empty() ? "." : dir) / name).string();
    if (Executable(candidate)) return candidate;
  }
  return "";
}

std::string RedisBinary() {
  std::string found = FindOnPath("redis-server");
  return found.empty() && Executable("/usr/bin/redis-server") ? "/usr/bin/redis-server" : found;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// Polls `ready` every 20 ms until it is true, `child` exits, or the start
// timeout passes.
Status WaitUntil(ChildProcess& child, const std::string& what, const std::function<bool()>& ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return OkStatus();
    if (!child.running()) return UnavailableError(what + " exited: " + child.output());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return UnavailableError(what + " did not get ready in time: " + child.output());
}

}  // namespace

StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv,
                                                            const LarchEnv& env,
                                                            const std::string& log_path) {
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->log_path_ = log_path;
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return UnavailableError("cannot open " + log_path);
  std::vector<std::string> argv_storage = argv;
  std::vector<std::string> env_storage = MergedEnvironment(env);
  std::vector<char*> args, envp;
  for (auto& a : argv_storage) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // Dies with the test binary, even when that one is killed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(log);
  if (pid < 0) return UnavailableError("fork failed");
  child->pid_ = pid;
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) Stop(SIGKILL);
}

bool ChildProcess::running() {
  if (exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = DecodeWaitStatus(status);
  }
  return !exited_;
}

std::string ChildProcess::output() const { return ReadFile(log_path_); }

int ChildProcess::Stop(int signal, int timeout_ms) {
  if (!running()) return exit_code_;
  kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exited_ = true;
      exit_code_ = DecodeWaitStatus(status);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

std::string Cluster::SkipReason() {
  const char* dsn = std::getenv("LARCH_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    return "LARCH_TEST_PG_DSN is not set (start one with scripts/pg_test_server.sh)";
  }
  if (RedisBinary().empty()) return "redis-server is not installed (apt-get install redis-server)";
  if (!Executable(kNginx))
    return std::string(kNginx) + " is not installed (apt-get install nginx-light)";
  return "";
}

StatusOr<std::unique_ptr<Cluster>> Cluster::Start(const ClusterOptions& options) {
  std::unique_ptr<Cluster> c(new Cluster());
  LARCH_RETURN_IF_ERROR(c->StartDatabase(options));
  LARCH_RETURN_IF_ERROR(c->StartRedis());
  c->node_ports_.assign(static_cast<size_t>(options.nodes), 0);
  c->nodes_.resize(static_cast<size_t>(options.nodes));
  for (int i = 0; i < options.nodes; ++i) {
    c->node_dirs_.push_back(std::make_unique<TempDir>());
    LARCH_RETURN_IF_ERROR(c->StartNode(i));
  }
  LARCH_RETURN_IF_ERROR(c->StartWorker());
  LARCH_RETURN_IF_ERROR(c->StartNginx());
  return c;
}

Cluster::~Cluster() { StopAll(); }

void Cluster::StopAll() {
  if (nginx_ != nullptr) nginx_->Stop(SIGQUIT);
  nginx_.reset();
  for (auto& node : nodes_) {
    if (node != nullptr) (void)node->Stop(SIGTERM);
    node.reset();
  }
  if (worker_ != nullptr) worker_->Stop(SIGTERM);
  worker_.reset();
  if (redis_ != nullptr) redis_->Stop(SIGTERM);
  redis_.reset();
  backend_.reset();  // drops the database
}

Status Cluster::StartDatabase(const ClusterOptions& options) {
  backend_ = std::make_unique<TestBackend>("postgres");
  if (!backend_->available()) {
    return UnavailableError("cannot create a database on LARCH_TEST_PG_DSN");
  }
  env_ = backend_->env();
  for (const auto& [k, v] : options.env) env_[k] = v;
  env_.emplace("LARCH_ACCESS_LOG", "off");
  // nginx is the only proxy; its X-Forwarded-* headers are believed.
  env_.emplace("LARCH_TRUSTED_PROXIES", R"(["127.0.0.1"])");
  CommandResult migrate = Larch({"migrate"});
  if (migrate.exit_code != 0) return UnavailableError("larch migrate failed: " + migrate.output);
  return OkStatus();
}

Status Cluster::StartRedis() {
  redis_port_ = FreePort();
  const std::string dir = (fs::path(infra_dir_.path()) / "redis").string();
  fs::create_directories(dir);
  LARCH_ASSIGN_OR_RETURN(
      redis_, ChildProcess::Start({RedisBinary(), "--port", std::to_string(redis_port_), "--bind",
                                   "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir},
                                  {}, dir + "/redis.log"));
  env_["LARCH_REDIS_URL"] = redis_url();
  // Raw RESP: PONG to PING, then QUIT closes the connection.
  return WaitUntil(*redis_, "redis-server", [this] {
    return RawExchange(redis_port_, "PING\r\nQUIT\r\n", 1'000).rfind("+PONG\r\n", 0) == 0;
  });
}

std::string Cluster::redis_url() const {
  return "redis://127.0.0.1:" + std::to_string(redis_port_) + "/0";
}

Status Cluster::StartNode(int i) {
  auto node = LarchProcess::Serve({"--data-dir", node_dirs_[i]->path()}, env_);
  if (!node.ok())
    return UnavailableError("node " + std::to_string(i) + ": " + node.status().message());
  nodes_[i] = std::move(node).value();
  node_ports_[i] = nodes_[i]->port();
  return OkStatus();
}

Status Cluster::StartWorker() {
  worker_dir_ = std::make_unique<TempDir>();
  LARCH_ASSIGN_OR_RETURN(worker_,
                         ChildProcess::Start({LarchBinary(), "worker", "--node-id", kWorkerNodeId,
                                              "--data-dir", worker_dir_->path()},
                                             env_, worker_dir_->path() + "/worker.log"));
  return WaitUntil(*worker_, "larch worker", [this] {
    return worker_->output().find("worker running") != std::string::npos;
  });
}

Status Cluster::WriteNginxConfig() const {
  const std::string prefix = (fs::path(infra_dir_.path()) / "nginx").string();
  std::ostringstream conf;
  // As root the workers would switch to nobody, who cannot write the temp
  // paths inside the prefix.
  if (geteuid() == 0) conf << "user root;\n";
  conf << "worker_processes 1;\n"
       << "error_log " << prefix << "/error.log notice;\n"
       << "pid " << prefix << "/nginx.pid;\n"
       << "events { worker_connections 512; }\n"
       << "http {\n"
       << "  log_format upstream '$request_method $request_uri $status $upstream_addr';\n"
       << "  access_log " << prefix << "/access.log upstream;\n"
       << "  client_body_temp_path " << prefix << "/client_body;\n"
       << "  proxy_temp_path " << prefix << "/proxy;\n"
       << "  fastcgi_temp_path " << prefix << "/fastcgi;\n"
       << "  uwsgi_temp_path " << prefix << "/uwsgi;\n"
       << "  scgi_temp_path " << prefix << "/scgi;\n"
       << "  client_max_body_size 256m;\n"
       << "  upstream larch {\n";
  for (int port : node_ports_) {
    conf << "    server 127.0.0.1:" << port << " max_fails=1 fail_timeout=30s;\n";
  }
  conf << "  }\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << nginx_port_ << ";\n"
       << "    location / {\n"
       << "      proxy_pass http://larch;\n"
       << "      proxy_set_header Host $http_host;\n"
       << "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
       << "      proxy_set_header X-Forwarded-Proto $scheme;\n"
       << "      proxy_next_upstream error timeout;\n"
       << "      proxy_connect_timeout 2s;\n"
       << "      proxy_read_timeout 60s;\n"
       << "    }\n"
       << "  }\n"
       << "}\n";
  std::ofstream out(prefix + "/nginx.conf");
  out << conf.str();
  out.close();
  if (!out) return UnavailableError("cannot write " + prefix + "/nginx.conf");
  return OkStatus();
}

Status Cluster::StartNginx() {
  const std::string prefix = (fs::path(infra_dir_.path()) / "nginx").string();
  fs::create_directories(prefix);
  nginx_port_ = FreePort();
  LARCH_RETURN_IF_ERROR(WriteNginxConfig());
  LARCH_ASSIGN_OR_RETURN(
      nginx_, ChildProcess::Start({kNginx, "-p", prefix + "/", "-e", prefix + "/error.log", "-c",
                                   prefix + "/nginx.conf", "-g", "daemon off;"},
                                  {}, prefix + "/stderr.log"));
  Status ready = WaitUntil(*nginx_, "nginx", [this] {
    auto r = Get(nginx_url() + "/heartbeat");
    return r.ok() && r->status == 200;
  });
  if (!ready.ok()) return UnavailableError(ready.message() + "\n" + nginx_error_log());
  return OkStatus();
}

std::string Cluster::nginx_access_log() const {
  return ReadFile(fs::path(infra_dir_.path()) / "nginx" / "access.log");
}

std::string Cluster::nginx_error_log() const {
  return ReadFile(fs::path(infra_dir_.path()) / "nginx" / "error.log");
}

Status Cluster::ReloadNginx() {
  LARCH_RETURN_IF_ERROR(WriteNginxConfig());
  const size_t before = nginx_error_log().size();
  kill(nginx_->pid(), SIGHUP);
  // Until the old worker is gone it still accepts connections with the old
  // upstreams; the master logs its exit after starting the new one.
  return WaitUntil(*nginx_, "nginx reload", [&] {
    std::string log = nginx_error_log();
    size_t started = log.size() > before ? log.find("start worker process", before) : log.npos;
    return started != std::string::npos && log.find("exited with code", started) != log.npos;
  });
}

std::string Cluster::node_url(int i) const {
  return "http://127.0.0.1:" + std::to_string(node_ports_[i]);
}

std::string Cluster::node_output(int i) const {
  return nodes_[i] != nullptr ? nodes_[i]->output() : "";
}

std::string Cluster::worker_output() const { return worker_ != nullptr ? worker_->output() : ""; }

CommandResult Cluster::Larch(std::vector<std::string> args) const {
  args.push_back("--data-dir");
  args.push_back(tools_dir_.path());
  return RunLarch(args, env_);
}

Status Cluster::KillNode(int i, int signal) {
  if (nodes_[i] == nullptr) return FailedPreconditionError("node is not running");
  LARCH_ASSIGN_OR_RETURN(int code, nodes_[i]->Stop(signal));
  (void)code;
  return OkStatus();
}

void Cluster::SignalNode(int i, int signal) const {
  if (nodes_[i] != nullptr) kill(nodes_[i]->pid(), signal);
}

void Cluster::SignalWorker(int signal) const {
  if (worker_ != nullptr) kill(worker_->pid(), signal);
}

void Cluster::KillWorker() {
  if (worker_ != nullptr) worker_->Stop(SIGKILL);
}

Status Cluster::RestartWorker() {
  KillWorker();
  worker_.reset();
  return StartWorker();
}

bool Cluster::node_running(int i) const {
  return nodes_[i] != nullptr && kill(nodes_[i]->pid(), 0) == 0 &&
         Get(node_url(i) + "/heartbeat").ok();
}

Status Cluster::RestartNode(int i) {
  nodes_[i].reset();
  LARCH_RETURN_IF_ERROR(StartNode(i));
  return ReloadNginx();
}

StatusOr<int64_t> Cluster::QueryInt(const std::string& sql,
                                    const std::vector<std::string>& params) const {
  LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> values, QueryInts(sql, params));
  if (values.empty()) return InternalError("no rows: " + sql);
  return values.front();
}

StatusOr<std::vector<int64_t>> Cluster::QueryInts(const std::string& sql,
                                                  const std::vector<std::string>& params) const {
  PGconn* conn = PQconnectdb(env_.at("DATABASE_URL").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return UnavailableError("cannot connect: " + error);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* res = PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  StatusOr<std::vector<int64_t>> out = std::vector<int64_t>{};
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    out = InternalError(std::string(PQerrorMessage(conn)) + ": " + sql);
  } else if (PQnfields(res) > 0) {
    for (int row = 0; row < PQntuples(res); ++row) {
      out->push_back(static_cast<int64_t>(std::strtoll(PQgetvalue(res, row, 0), nullptr, 10)));
    }
  }
  PQclear(res);
  PQfinish(conn);
  return out;
}

}  // namespace larch::testing
