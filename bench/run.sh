#!/usr/bin/env bash
# Larch benchmarks: `make bench` runs this against a Release build.
#
#   bench/run.sh [LARCH_BINARY]        (default build/larch)
#
# Creates a temporary data dir, migrates it, runs every scenario registered
# by bench/scenarios/*.sh (each file appends a name to BENCH_SCENARIOS and
# defines scenario_<name>), then the Google Benchmark micro-benchmarks if
# they were built (<build dir>/bench/larch_micro_bench). Prints a summary
# table. Exits 1 on setup failure; with BENCH_STRICT=1 also when a target
# is missed. See bench/lib.sh for the knobs and for bench_url.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LARCH_BIN=${1:-build/larch}
if [[ ! -x $LARCH_BIN && -x $(dirname "$LARCH_BIN")/src/app/larch ]]; then
  LARCH_BIN=$(dirname "$LARCH_BIN")/src/app/larch
fi
if [[ ! -x $LARCH_BIN ]]; then
  echo "bench: no larch binary at $LARCH_BIN (build it first: make build)" >&2
  exit 1
fi
LARCH_BIN=$(cd "$(dirname "$LARCH_BIN")" && pwd)/$(basename "$LARCH_BIN")
BUILD_DIR=$(dirname "$LARCH_BIN")
[[ $(basename "$BUILD_DIR") == app ]] && BUILD_DIR=$(cd "$BUILD_DIR/../.." && pwd)
MICRO_BENCH=${LARCH_MICRO_BENCH:-$BUILD_DIR/bench/larch_micro_bench}

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$BENCH_ROOT/lib.sh"

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/larch-bench.XXXXXX")
BENCH_DATA_DIR=$BENCH_TMP/data
BENCH_SERVER_PID=
# shellcheck disable=SC2317  # invoked by the EXIT trap
# Scenarios that start more than one server append a function name here.
BENCH_CLEANUPS=()
cleanup() {
  bench_stop_server
  local fn
  for fn in "${BENCH_CLEANUPS[@]}"; do "$fn" || true; done
  rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$BENCH_DATA_DIR"

# Production-like logging: access log on, written to a file so the terminal
# stays readable. Counted at the end to show it was really written.
export LARCH_ACCESS_LOG=$BENCH_TMP/access.log
export LARCH_LOG_LEVEL=${LARCH_LOG_LEVEL:-info}

echo "larch bench: $LARCH_BIN ($("$LARCH_BIN" version 2>/dev/null | head -n1 || echo 'version unknown'))"
echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); wrk $BENCH_THREADS threads x $BENCH_DURATION"
echo "settings: LARCH_ACCESS_LOG=$LARCH_ACCESS_LOG (access logging on)," \
  "LARCH_LOG_LEVEL=$LARCH_LOG_LEVEL, database sqlite in $BENCH_DATA_DIR"

if grep -qa __asan_init "$LARCH_BIN"; then
  echo "WARNING: $LARCH_BIN is built with AddressSanitizer; use a Release build (make bench)" \
    "for meaningful numbers"
fi

if ! "$LARCH_BIN" migrate --data-dir "$BENCH_DATA_DIR" >"$BENCH_TMP/migrate.log" 2>&1; then
  echo "bench: larch migrate failed:" >&2
  cat "$BENCH_TMP/migrate.log" >&2
  exit 1
fi

BENCH_SCENARIOS=()
for scenario_file in "$BENCH_ROOT"/scenarios/*.sh; do
  # shellcheck source=/dev/null
  source "$scenario_file"
done
if [[ -n ${BENCH_ONLY:-} ]]; then
  read -r -a BENCH_SCENARIOS <<<"$BENCH_ONLY"
fi

failed_scenarios=()
for scenario in "${BENCH_SCENARIOS[@]}"; do
  if ! "scenario_$scenario"; then
    failed_scenarios+=("$scenario")
    bench_stop_server
  fi
done

access_lines=0
[[ -f $LARCH_ACCESS_LOG ]] && access_lines=$(wc -l <"$LARCH_ACCESS_LOG")

echo
echo "== summary (LARCH_ACCESS_LOG=file, $access_lines access-log lines written)"
for line in "${BENCH_SUMMARY[@]}"; do echo "  $line"; done
if ((${#failed_scenarios[@]})); then
  echo "  scenarios that did not complete: ${failed_scenarios[*]}"
fi
echo "  targets missed: $BENCH_MISSED"

if [[ -x $MICRO_BENCH ]]; then
  echo
  echo "== micro-benchmarks ($MICRO_BENCH)"
  # shellcheck disable=SC2086
  "$MICRO_BENCH" --benchmark_min_time="${BENCH_MICRO_MIN_TIME:-0.2}" ${BENCH_MICRO_ARGS:-} 2>&1 |
    grep -v '^\*\*\*WARNING' || echo "micro-benchmarks failed" >&2
else
  echo
  echo "(micro-benchmarks not built: configure with -DLARCH_BUILD_BENCH=ON; looked for $MICRO_BENCH)"
fi

if ((${#failed_scenarios[@]})); then exit 1; fi
if [[ ${BENCH_STRICT:-0} == 1 && $BENCH_MISSED -gt 0 ]]; then exit 1; fi
exit 0
