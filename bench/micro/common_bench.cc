// Micro-benchmarks for common/: ISO-8601 formatting and parsing (every API
// response prints datetimes) and token generation (sessions, CSRF, ids).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "larch/common/clock.h"
#include "larch/common/random.h"

namespace larch {
namespace {

void BM_FormatIso8601(benchmark::State& state) {
  int64_t t = 1'700'000'000'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FormatIso8601(t));
    t += 1'000'001;  // alternate whole and fractional seconds
  }
}
BENCHMARK(BM_FormatIso8601);

void BM_ParseIso8601(benchmark::State& state) {
  const std::string text =
      state.range(0) == 0 ? "2023-11-14T22:13:20Z" : "2023-11-14T22:13:20.123456+02:00";
  for (auto _ : state) {
    auto parsed = ParseIso8601(text);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseIso8601)->Arg(0)->Arg(1);

void BM_HexTokenSecure(benchmark::State& state) {
  SecureRandom random;
  for (auto _ : state)
    benchmark::DoNotOptimize(random.HexToken(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_HexTokenSecure)->Arg(16)->Arg(32);

void BM_HexTokenSeeded(benchmark::State& state) {
  SeededRandom random(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(random.HexToken(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_HexTokenSeeded)->Arg(16)->Arg(32);

}  // namespace
}  // namespace larch
