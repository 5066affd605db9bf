// customresponse grading through the real Python sandbox: the kitchen-sink
// course's two-input cfn problem (8c9ee892...), graded from THREADS threads
// for SECONDS seconds over a pool of POOL warm sandboxes. Prints
// "<submissions per second> <p99 ms>" on stdout for bench/scenarios/sandbox.sh.
// The target is >= 300 customresponse submissions/s on 2 cores; the
// HTTP problem_check path adds its own cost on top of this.
//
// Usage: sandbox_bench PROBLEM_XML [SECONDS] [THREADS] [POOL]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "larch/capa/custom_response.h"
#include "larch/capa/problem.h"
#include "larch/sandbox/sandbox_runner.h"

namespace {

using Clock = std::chrono::steady_clock;

int Fail(const std::string& message) {
  std::fprintf(stderr, "sandbox_bench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: sandbox_bench PROBLEM_XML [SECONDS] [THREADS] [POOL]");
  const double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 4;
  larch::sandbox::SandboxOptions options;
  options.pool_size = argc > 4 ? std::atoi(argv[4]) : 2;

  std::ifstream file(argv[1]);
  std::stringstream xml;
  xml << file.rdbuf();
  auto problem = larch::capa::ParseProblem(xml.str(), "p");
  if (!problem.ok()) return Fail(problem.status().message());
  auto runner = larch::sandbox::SandboxRunner::Create(options);
  if (!runner.ok()) return Fail(runner.status().message());
  auto context = larch::capa::RunProblemScript(*problem, **runner, 1, "bench");
  if (!context.ok()) return Fail(context.status().message());
  const larch::capa::Response& response = problem->responses.at(0);

  // Warm-up: every sandbox of the pool has started and served a job.
  for (int i = 0; i < options.pool_size * 2; ++i) {
    auto grade = larch::capa::GradeCustom(
        response, {{response.inputs[0].id, {"3"}}, {response.inputs[1].id, {"7"}}}, *context,
        **runner);
    if (!grade.ok()) return Fail(grade.status().message());
  }

  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(threads);
  const Clock::time_point end =
      Clock::now() + std::chrono::microseconds(static_cast<long>(seconds * 1e6));
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      int i = 0;
      while (Clock::now() < end) {
        const std::string first = std::to_string(i++ % 11);
        const Clock::time_point before = Clock::now();
        auto grade = larch::capa::GradeCustom(
            response, {{response.inputs[0].id, {first}}, {response.inputs[1].id, {"7"}}}, *context,
            **runner);
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - before).count());
        if (!grade.ok()) failed = true;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) return Fail("a submission failed to grade");
  std::vector<double> all;
  for (const auto& list : latencies) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end());
  const double p99 = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  std::printf("%.1f %.2f\n", static_cast<double>(all.size()) / elapsed, p99);
  return 0;
}
