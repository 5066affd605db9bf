# shellcheck shell=bash
# customresponse grading through the real Python sandbox (issue 10 target:
# >= 300 submissions/s on 2 cores). Runs bench/sandbox_bench (built with
# -DLARCH_BUILD_BENCH=ON) on the kitchen-sink course's two-input cfn problem.
# Sourced by bench/run.sh after bench/lib.sh; registers scenario_sandbox.
# Needs bwrap and python3 (scripts/install_deps.sh), and ../shared/olx (or
# LARCH_SHARED_OLX).

BENCH_SCENARIOS+=(sandbox)

: "${BENCH_CUSTOMRESPONSE_TARGET:=300}"
: "${BENCH_SANDBOX_SECONDS:=5}"
: "${BENCH_SANDBOX_THREADS:=8}"
: "${BENCH_SANDBOX_POOL:=$(nproc)}"

scenario_sandbox() {
  echo "== sandbox: customresponse grading in the Python sandbox"
  local bench=$BUILD_DIR/bench/sandbox_bench
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local problem=$olx/oxa-kitchen-sink/course/problem/8c9ee892599b456fa9892a00b077d942.xml
  if [[ ! -x $bench || ! -f $problem ]]; then
    bench_report "$(printf '%-12s skipped (no %s or no %s)' customresponse "$bench" "$problem")"
    return 0
  fi
  local out rate p99 ratio
  out=$("$bench" "$problem" "$BENCH_SANDBOX_SECONDS" "$BENCH_SANDBOX_THREADS" \
    "$BENCH_SANDBOX_POOL" 2>>"$BENCH_TMP/sandbox.log") || {
    bench_report "$(printf '%-12s FAILED (see %s)' customresponse "$BENCH_TMP/sandbox.log")"
    return 1
  }
  rate=${out%% *}
  p99=${out##* }
  ratio=$(awk -v r="$rate" -v t="$BENCH_CUSTOMRESPONSE_TARGET" 'BEGIN { printf "%.2f", r / t }')
  bench_check "$rate" ge "$BENCH_CUSTOMRESPONSE_TARGET"
  bench_report "$(printf '%-12s pool=%s threads=%s %s/s (target %s, ratio %s %s) p99=%sms' \
    customresponse "$BENCH_SANDBOX_POOL" "$BENCH_SANDBOX_THREADS" "$rate" \
    "$BENCH_CUSTOMRESPONSE_TARGET" "$ratio" "$BENCH_VERDICT" "$p99")"
}
