# shellcheck shell=bash
# Platform-core scenarios: startup time, idle memory, /heartbeat throughput.
# Sourced by bench/run.sh after bench/lib.sh; registers scenario_core.
# Needs: LARCH_BIN, BENCH_TMP, BENCH_DATA_DIR (migrated).

BENCH_SCENARIOS+=(core)

# Targets from the issue; override in the environment to experiment.
: "${BENCH_START_TARGET_MS:=100}"
: "${BENCH_IDLE_RSS_TARGET_MB:=20}"
: "${BENCH_HEARTBEAT_TARGET_RPS:=40000}"
: "${BENCH_IDLE_SECONDS:=3}"
: "${BENCH_CONNECTIONS:=16 64 256}"

scenario_core() {
  local port base start_ms rss
  port=$(bench_free_port)
  base="http://127.0.0.1:$port"

  echo "== core: start-up, idle memory, /heartbeat throughput"
  local probe=$BUILD_DIR/bench/startup_probe
  if [[ -x $probe ]]; then
    # fork+exec, then a 1 ms connect/GET loop: no process spawned per poll.
    local probe_out
    probe_out=$("$probe" "$port" 10000 -- "$LARCH_BIN" serve --data-dir "$BENCH_DATA_DIR" \
      --listen "127.0.0.1:$port" 2>>"$BENCH_TMP/server.log") || return 1
    start_ms=${probe_out%% *}
    BENCH_SERVER_PID=${probe_out##* }
  else
    # shellcheck disable=SC2034  # read by bench_wait_http
    BENCH_T0_MS=$(bench_now_ms)
    bench_start_server "$BENCH_DATA_DIR" "$port"
    start_ms=$(bench_wait_http "$base/heartbeat") || return 1
  fi
  bench_check "$start_ms" lt "$BENCH_START_TARGET_MS"
  bench_report "$(printf '%-12s %sms (target <%sms %s)' start-to-200 "$start_ms" \
    "$BENCH_START_TARGET_MS" "$BENCH_VERDICT")"

  sleep "$BENCH_IDLE_SECONDS"
  rss=$(bench_rss_mb "$BENCH_SERVER_PID")
  bench_check "$rss" lt "$BENCH_IDLE_RSS_TARGET_MB"
  bench_report "$(printf '%-12s %sMB after %ss idle (target <%sMB %s)' idle-rss "$rss" \
    "$BENCH_IDLE_SECONDS" "$BENCH_IDLE_RSS_TARGET_MB" "$BENCH_VERDICT")"

  local c
  for c in $BENCH_CONNECTIONS; do
    # The targets are set for c=64; other levels show them for comparison.
    local info=1
    [[ $c == 64 ]] && info=0
    BENCH_INFO_ONLY=$info BENCH_P99_TARGET_MS=5 \
      bench_url heartbeat "$base/heartbeat" "$BENCH_HEARTBEAT_TARGET_RPS" -c"$c"
  done
  bench_report "$(printf '%-12s %sMB peak RSS after load' peak-rss \
    "$(bench_rss_mb "$BENCH_SERVER_PID" peak)")"
  bench_stop_server
}
