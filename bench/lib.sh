# shellcheck shell=bash
# Helpers shared by bench/run.sh and the scenario files in bench/scenarios/.
# Sourced, not executed. Everything here writes under $BENCH_TMP.
#
# Knobs (environment):
#   BENCH_DURATION   wrk run length per measurement (default 5s)
#   BENCH_THREADS    wrk threads (default 2)
#   BENCH_STRICT=1   exit non-zero from run.sh when a target is missed
#   BENCH_RESULTS    append one tab-separated line per measurement to this file

BENCH_DURATION=${BENCH_DURATION:-5s}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_MISSED=0          # number of measurements that missed a target
BENCH_SUMMARY=()        # one printed line per measurement, repeated at the end

bench_log() { printf '%s\n' "$*" >&2; }

# Milliseconds since the epoch.
bench_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A TCP port nothing listens on right now (racy by nature, good enough here).
bench_free_port() {
  if [[ -x /usr/bin/python3 ]]; then
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    return
  fi
  local port
  while :; do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

# Converts a wrk duration ("850.00us", "1.20ms", "2.01s", "1.5m") to ms.
bench_to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# Records a measurement line: printed now and again in the final summary.
bench_report() {
  local line=$1
  BENCH_SUMMARY+=("$line")
  printf '%s\n' "$line"
}

# bench_check VALUE OP TARGET: sets BENCH_VERDICT to "ok" or "MISSED" and
# counts misses. OP is "ge" (value must be >= target) or "lt" (value < target).
# With BENCH_INFO_ONLY=1 a miss reads "info" and is not counted, for
# measurements shown next to a target that does not apply to them.
# (A variable, not output: a $(...) subshell would lose the miss count.)
bench_check() {
  BENCH_VERDICT=$(awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if ((op == "ge" && v >= t) || (op == "lt" && v < t)) print "ok"; else print "MISSED" }')
  if [[ $BENCH_VERDICT != ok ]]; then
    if [[ ${BENCH_INFO_ONLY:-0} == 1 ]]; then
      BENCH_VERDICT=info
    else
      BENCH_MISSED=$((BENCH_MISSED + 1))
    fi
  fi
}

# bench_url NAME URL TARGET_RPS [wrk args...]
# Runs wrk against URL (defaults: $BENCH_THREADS threads, 64 connections,
# $BENCH_DURATION, --latency; later args override, e.g. -c256 or
# -H "Authorization: Bearer $TOKEN") and prints one line with rps, p50, p99
# and the ratio to TARGET_RPS. The p99 target is $BENCH_P99_TARGET_MS
# (default 5); set it inline: BENCH_P99_TARGET_MS=20 bench_url ...
# BENCH_INFO_ONLY=1 shows the targets without counting a miss.
# A run with socket errors or non-2xx/3xx responses is flagged, because its
# throughput does not measure the endpoint.
bench_url() {
  local name=$1 url=$2 target_rps=$3
  shift 3
  local p99_target=${BENCH_P99_TARGET_MS:-5}
  local out="$BENCH_TMP/wrk-$name-$RANDOM.txt"
  if ! wrk -t"$BENCH_THREADS" -c64 -d"$BENCH_DURATION" --latency "$@" "$url" >"$out" 2>&1; then
    bench_log "wrk failed for $name:"; cat "$out" >&2
    BENCH_MISSED=$((BENCH_MISSED + 1))
    bench_report "$(printf '%-28s wrk FAILED' "$name")"
    return 0
  fi
  local conns rps p50 p99 non2xx sockerr
  conns=$(awk '/threads and .* connections/ { print $4 }' "$out")
  rps=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$out")
  p50=$(bench_to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(bench_to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  sockerr=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
  rps=${rps:-0}
  local ratio rps_ok p99_ok
  ratio=$(awk -v r="$rps" -v t="$target_rps" 'BEGIN { printf "%.2f", (t > 0 ? r / t : 0) }')
  bench_check "$rps" ge "$target_rps"
  rps_ok=$BENCH_VERDICT
  bench_check "$p99" lt "$p99_target"
  p99_ok=$BENCH_VERDICT
  local line
  line=$(printf '%-12s c=%-4s rps=%-7s (target %s, ratio %s %s)  p50=%sms p99=%sms (target <%sms %s)' \
    "$name" "$conns" "$rps" "$target_rps" "$ratio" "$rps_ok" "$p50" "$p99" "$p99_target" "$p99_ok")
  if [[ -n $non2xx ]]; then
    line+="  !! non-2xx/3xx=$non2xx"
    [[ ${BENCH_INFO_ONLY:-0} == 1 ]] || BENCH_MISSED=$((BENCH_MISSED + 1))
  fi
  [[ -n $sockerr ]] && line+="  !! socket errors: $sockerr"
  bench_report "$line"
  if [[ -n ${BENCH_RESULTS:-} ]]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$url" "$conns" "$rps" "$target_rps" \
      "$p50" "$p99" "${non2xx:-0}" >>"$BENCH_RESULTS"
  fi
}

# bench_start_server DATA_DIR PORT: starts `larch serve` in the background
# and sets BENCH_SERVER_PID. Output goes to $BENCH_TMP/server.log.
bench_start_server() {
  local data_dir=$1 port=$2
  "$LARCH_BIN" serve --data-dir "$data_dir" --listen "127.0.0.1:$port" \
    >"$BENCH_TMP/server.log" 2>&1 &
  BENCH_SERVER_PID=$!
}

# bench_serve_unthrottled DATA_DIR: starts `larch serve` on a free port with
# enrollment throttling off, sets BENCH_BASE to its URL and waits for
# /heartbeat (fails when it does not answer).
bench_serve_unthrottled() {
  local port
  port=$(bench_free_port)
  BENCH_BASE="http://127.0.0.1:$port"
  # shellcheck disable=SC2034  # read by bench_wait_http
  BENCH_T0_MS=$(bench_now_ms)
  LARCH_ENROLLMENT_THROTTLE_RATES='{"user": null, "staff": null}' \
    bench_start_server "$1" "$port"
  bench_wait_http "$BENCH_BASE/heartbeat" >/dev/null
}

# bench_jwt BASE USERNAME PASSWORD: prints a JWT from the password grant of
# the bench's OAuth client (bench-client), or nothing.
bench_jwt() {
  curl -s -X POST "$1/oauth2/access_token" \
    --data-urlencode grant_type=password --data-urlencode client_id=bench-client \
    --data-urlencode client_secret=bench-secret --data-urlencode "username=$2" \
    --data-urlencode "password=$3" --data-urlencode token_type=jwt |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# bench_wait_http URL [TIMEOUT_MS]: polls URL until it answers 200; prints the
# elapsed ms since BENCH_T0_MS (set it before starting the server). Fails if
# the server process exits or the timeout passes.
bench_wait_http() {
  local url=$1 timeout_ms=${2:-10000} code
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null || true)
    if [[ $code == 200 ]]; then
      echo $(( $(bench_now_ms) - BENCH_T0_MS ))
      return 0
    fi
    if [[ -n ${BENCH_SERVER_PID:-} ]] && ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then
      bench_log "server exited before answering $url; its log:"
      tail -n 30 "$BENCH_TMP/server.log" >&2 || true
      return 1
    fi
    if (( $(bench_now_ms) - BENCH_T0_MS > timeout_ms )); then
      bench_log "no 200 from $url within ${timeout_ms}ms (last status: $code); server log:"
      tail -n 30 "$BENCH_TMP/server.log" >&2 || true
      return 1
    fi
  done
}

# Resident set size of PID in MB (VmRSS), or VmHWM (peak) with a 2nd arg "peak".
bench_rss_mb() {
  local field=VmRSS
  [[ ${2:-} == peak ]] && field=VmHWM
  awk -v f="$field:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Stops the server with SIGTERM, escalating to SIGKILL after 5 s.
bench_stop_server() {
  local pid=${BENCH_SERVER_PID:-}
  [[ -n $pid ]] || return 0
  BENCH_SERVER_PID=
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  bench_log "server $pid ignored SIGTERM for 5s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
