// A small Larch deployment for tests: several `larch serve` nodes and one
// `larch worker` on one fresh PostgreSQL database (on the server of
// $LARCH_TEST_PG_DSN), a private redis-server, and a real nginx balancing
// round robin over the nodes (proxy_next_upstream error timeout). Each node
// has its own data directory, as separate machines would.
//
// Every process is a child of the test binary; the destructor stops them all
// (nginx first, the database last) whatever state the tests left.
//
// Thread safety: Start, the destructor, KillNode and RestartNode belong to
// one thread (SignalNode and the worker calls too); the URL getters and
// QueryInt may be called from any thread
// while no node is being killed or restarted.
#ifndef LARCH_TESTS_MULTINODE_CLUSTER_H_
#define LARCH_TESTS_MULTINODE_CLUSTER_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api_users.h"
#include "backends.h"
#include "larch/common/status.h"
#include "larch_process.h"

namespace larch::testing {

struct ClusterOptions {
  int nodes = 3;
  // Added to the environment of every larch process (nodes, worker, CLI).
  LarchEnv env;
};

// A child process that is not `larch serve`: its stdout and stderr go to a
// log file. The destructor kills it (SIGKILL) if it still runs.
class ChildProcess {
 public:
  // Starts `argv` (argv[0] a path) with `env` added to the environment.
  static StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                       const LarchEnv& env,
                                                       const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // The log so far.
  std::string output() const;
  // Sends `signal`, then SIGKILL after `timeout_ms`; returns the exit code
  // (-signal when killed by one).
  int Stop(int signal, int timeout_ms = 10'000);

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_path_;
};

class Cluster {
 public:
  // Why a cluster cannot run on this machine ("" when it can): no
  // LARCH_TEST_PG_DSN, or redis-server or nginx missing.
  static std::string SkipReason();

  // Creates the database, migrates it, starts redis, the nodes, the worker
  // and nginx, and waits until nginx answers. kUnavailable with the output
  // of what failed; whatever started is stopped again.
  static StatusOr<std::unique_ptr<Cluster>> Start(const ClusterOptions& options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int node_count() const { return static_cast<int>(nodes_.size()); }
  // http://127.0.0.1:<port> of node i (its last incarnation).
  std::string node_url(int i) const;
  std::string nginx_url() const { return "http://127.0.0.1:" + std::to_string(nginx_port_); }
  int nginx_port() const { return nginx_port_; }
  std::string redis_url() const;
  int redis_port() const { return redis_port_; }
  // The environment every larch process gets (DATABASE_URL, REDIS_URL, ...).
  const LarchEnv& env() const { return env_; }
  const std::string& node_data_dir(int i) const { return node_dirs_[i]->path(); }
  // Everything node i wrote so far (its last incarnation).
  std::string node_output(int i) const;
  std::string worker_output() const;
  std::string nginx_error_log() const;
  // One line per request: method, URI, status and the upstream(s) tried
  // ("127.0.0.1:A, 127.0.0.1:B" when nginx moved on to the next node).
  std::string nginx_access_log() const;

  // Runs `larch <args> --data-dir <a data dir of its own>` with env().
  CommandResult Larch(std::vector<std::string> args) const;
  // The data dir Larch() uses (for helpers such as ImportUsers).
  const std::string& tools_dir() const { return tools_dir_.path(); }

  // Sends `signal` to node i and waits for it to exit; nginx still lists it.
  Status KillNode(int i, int signal);
  // Sends `signal` to node i without waiting (SIGSTOP freezes it, job
  // threads included; SIGCONT resumes it).
  void SignalNode(int i, int signal) const;
  // The worker runs as node id kWorkerNodeId (its job leases' locked_by).
  static constexpr char kWorkerNodeId[] = "worker";
  void SignalWorker(int signal) const;
  // SIGKILLs the worker and waits for it to be gone.
  void KillWorker();
  // Starts a new worker on a fresh data dir after KillWorker.
  Status RestartWorker();
  bool node_running(int i) const;
  // Starts node i again on its data dir (a new port), points nginx at it and
  // reloads nginx.
  Status RestartNode(int i);

  // The first column of the first row of `sql` ($1.. bound to `params`) on
  // the cluster's database.
  StatusOr<int64_t> QueryInt(const std::string& sql,
                             const std::vector<std::string>& params = {}) const;
  // The first column of every row (statements with RETURNING too).
  StatusOr<std::vector<int64_t>> QueryInts(const std::string& sql,
                                           const std::vector<std::string>& params = {}) const;

 private:
  Cluster() = default;
  Status StartDatabase(const ClusterOptions& options);
  Status StartRedis();
  Status StartNode(int i);
  Status StartWorker();
  Status WriteNginxConfig() const;
  Status StartNginx();
  Status ReloadNginx();
  void StopAll();

  std::unique_ptr<TestBackend> backend_;
  LarchEnv env_;
  TempDir tools_dir_;
  TempDir infra_dir_;  // redis and nginx files
  std::unique_ptr<ChildProcess> redis_;
  int redis_port_ = 0;
  std::vector<std::unique_ptr<TempDir>> node_dirs_;
  std::vector<std::unique_ptr<LarchProcess>> nodes_;
  std::vector<int> node_ports_;
  std::unique_ptr<TempDir> worker_dir_;
  std::unique_ptr<ChildProcess> worker_;
  std::unique_ptr<ChildProcess> nginx_;
  int nginx_port_ = 0;
};

}  // namespace larch::testing

#endif  // LARCH_TESTS_MULTINODE_CLUSTER_H_
