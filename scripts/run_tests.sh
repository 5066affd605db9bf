#!/usr/bin/env bash
# The whole test suite (called by `make test` and CI). Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${TEST_BUILD_DIR:-build-test}"
jobs="$(nproc)"
# Each stage says when it starts (seconds since the suite began): the CI budget is 40 minutes.
stage() { echo "== $* (t=${SECONDS}s)"; }

stage "clang-format"
scripts/check_format.sh

stage "layer order of includes"
scripts/check_layers.sh

stage "configure and build ($build: ASan+UBSan, libFuzzer targets)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLARCH_SANITIZE=ON -DLARCH_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
ninja -C "$build" -j "$jobs"

stage "private PostgreSQL server"
pgdir="$(mktemp -u /tmp/larch-pg.XXXXXX)"
cleanup() { scripts/pg_test_server.sh stop "$pgdir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
LARCH_TEST_PG_DSN="$(scripts/pg_test_server.sh start "$pgdir")"
export LARCH_TEST_PG_DSN
echo "PostgreSQL for tests: $LARCH_TEST_PG_DSN"

stage "ctest"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900
