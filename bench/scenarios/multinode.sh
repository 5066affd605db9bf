# shellcheck shell=bash
# Scale-out (issue 18): the enrollment list and the Blocks API through nginx,
# first with one `larch serve` node, then with three, all on one private
# PostgreSQL (scripts/pg_test_server.sh) and one private redis-server. The
# figures are reported with the enrollment scenario's targets and the ratio
# of three nodes to one. Every process shares this machine's cores, so three
# nodes cannot beat one by much here: the point is that adding nodes costs
# nothing and the shared state holds; a real cluster puts each node on its
# own machine. Skipped when PostgreSQL, redis-server or nginx is missing.

BENCH_SCENARIOS+=(multinode)

: "${BENCH_MN_USERS:=1000}"

MN_PIDS=()
MN_PG_DIR=
MN_NGINX_PREFIX=

mn_cleanup() {
  local pid
  for pid in "${MN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${MN_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  MN_PIDS=()
  if [[ -n $MN_NGINX_PREFIX && -f $MN_NGINX_PREFIX/nginx.pid ]]; then
    kill -QUIT "$(cat "$MN_NGINX_PREFIX/nginx.pid")" 2>/dev/null || true
  fi
  if [[ -n $MN_PG_DIR ]]; then
    "$BENCH_ROOT/../scripts/pg_test_server.sh" stop "$MN_PG_DIR" >/dev/null 2>&1 || true
    MN_PG_DIR=
  fi
}
BENCH_CLEANUPS+=(mn_cleanup)

# mn_nginx PORT NODE_PORT...: (re)starts nginx on PORT in front of the nodes.
mn_nginx() {
  local port=$1 p
  shift
  if [[ -f $MN_NGINX_PREFIX/nginx.pid ]]; then
    kill -QUIT "$(cat "$MN_NGINX_PREFIX/nginx.pid")" 2>/dev/null || true
    sleep 0.5
  fi
  mkdir -p "$MN_NGINX_PREFIX"
  {
    [[ $(id -u) == 0 ]] && echo "user root;"
    echo "worker_processes auto; error_log $MN_NGINX_PREFIX/error.log; pid $MN_NGINX_PREFIX/nginx.pid;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log off; client_body_temp_path $MN_NGINX_PREFIX/body; proxy_temp_path $MN_NGINX_PREFIX/proxy;"
    echo "  fastcgi_temp_path $MN_NGINX_PREFIX/f; uwsgi_temp_path $MN_NGINX_PREFIX/u; scgi_temp_path $MN_NGINX_PREFIX/s;"
    echo "  upstream larch {"
    for p in "$@"; do echo "    server 127.0.0.1:$p;"; done
    echo "    keepalive 64; }"
    echo "  server { listen 127.0.0.1:$port; location / { proxy_pass http://larch;"
    echo "    proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host \$http_host;"
    echo "    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }"
  } >"$MN_NGINX_PREFIX/nginx.conf"
  /usr/sbin/nginx -p "$MN_NGINX_PREFIX" -c "$MN_NGINX_PREFIX/nginx.conf" || return 1
  BENCH_T0_MS=$(bench_now_ms)
  bench_wait_http "http://127.0.0.1:$port/heartbeat" >/dev/null
}

scenario_multinode() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local demo=$olx/openedx-demo-course-v2/course
  echo "== multinode: enrollment list and Blocks API through nginx, 1 node vs 3 ($(nproc) cores shared by all)"
  if [[ ! -f $demo/course.xml ]] || ! command -v redis-server >/dev/null || [[ ! -x /usr/sbin/nginx ]] ||
    ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "   skipped: needs the shared OLX courses, PostgreSQL, redis-server and nginx (make bench installs them)"
    return 0
  fi
  local log=$BENCH_TMP/multinode.log dsn redis_port
  # Outside BENCH_TMP (mode 0700): as root the server runs as user postgres.
  MN_PG_DIR=$(mktemp -u /tmp/larch-bench-pg.XXXXXX)
  MN_NGINX_PREFIX=$BENCH_TMP/mn-nginx
  dsn=$("$BENCH_ROOT/../scripts/pg_test_server.sh" start "$MN_PG_DIR" 2>>"$log") || {
    bench_log "PostgreSQL did not start"; tail -5 "$log" >&2; return 1; }
  redis_port=$(bench_free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$BENCH_TMP" >>"$log" 2>&1 &
  MN_PIDS+=($!)
  export LARCH_DATABASE_URL=$dsn LARCH_REDIS_URL=redis://127.0.0.1:$redis_port/0
  export LARCH_TRUSTED_PROXIES='["127.0.0.1"]' LARCH_JOB_WORKERS=0
  export LARCH_ENROLLMENT_THROTTLE_RATES='{"user": null, "staff": null}'
  local tools=$BENCH_TMP/mn-tools
  mkdir -p "$tools"
  "$LARCH_BIN" migrate --data-dir "$tools" >>"$log" 2>&1 &&
    "$LARCH_BIN" create-oauth-client --data-dir "$tools" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password >>"$log" 2>&1 || {
    bench_log "multinode setup failed"; tail -5 "$log" >&2; mn_cleanup; return 1; }
  local csv=$BENCH_TMP/mn-users.csv hash
  # shellcheck disable=SC2016  # a literal Django hash
  hash='pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM='
  awk -v n="$BENCH_MN_USERS" -v h="$hash" 'BEGIN {
    print "username,email,password,name,is_active"
    for (i = 1; i <= n; i++) printf "learner%d,learner%d@example.com,%s,Learner %d,1\n", i, i, h, i }' >"$csv"
  "$LARCH_BIN" import-users --data-dir "$tools" "$csv" >>"$log" 2>&1 &&
    "$LARCH_BIN" import-olx --data-dir "$tools" "$demo" >>"$log" 2>&1 || {
    bench_log "multinode import failed"; tail -5 "$log" >&2; mn_cleanup; return 1; }

  local nginx_port ports=() i n base learner
  nginx_port=$(bench_free_port)
  for i in 1 2 3; do
    ports+=("$(bench_free_port)")
    mkdir -p "$BENCH_TMP/mn-node$i"
    "$LARCH_BIN" serve --data-dir "$BENCH_TMP/mn-node$i" --listen "127.0.0.1:${ports[-1]}" \
      --node-id "bench-$i" >>"$log" 2>&1 &
    MN_PIDS+=($!)
    BENCH_T0_MS=$(bench_now_ms)
    bench_wait_http "http://127.0.0.1:${ports[-1]}/heartbeat" >/dev/null || { mn_cleanup; return 1; }
  done
  base=http://127.0.0.1:$nginx_port
  declare -A rps
  for n in 1 3; do
    mn_nginx "$nginx_port" "${ports[@]:0:$n}" || { bench_log "nginx failed"; mn_cleanup; return 1; }
    learner=$(bench_jwt "$base" learner1 password)
    [[ -n $learner ]] || { bench_log "no JWT through nginx"; mn_cleanup; return 1; }
    curl -s -o /dev/null -X POST "$base/api/enrollment/v1/enrollment" -H "Authorization: JWT $learner" \
      -H 'Content-Type: application/json' \
      -d '{"course_details": {"course_id": "course-v1:OpenedX+DemoX+DemoCourse"}}'
    BENCH_RESULTS=$BENCH_TMP/mn-$n.tsv BENCH_P99_TARGET_MS=$BENCH_ENROLL_LIST_P99_MS bench_url \
      "enroll-list-${n}n" "$base/api/enrollment/v1/enrollment" "$BENCH_ENROLL_LIST_TARGET_RPS" \
      -c16 -H "Authorization: JWT $learner"
    BENCH_RESULTS=$BENCH_TMP/mn-$n.tsv BENCH_P99_TARGET_MS=20 bench_url "blocks-v2-${n}n" \
      "$base/api/courses/v2/blocks/?course_id=course-v1%3AOpenedX%2BDemoX%2BDemoCourse&depth=all&requested_fields=children,graded,format&username=learner1" \
      "$BENCH_BLOCKS_TARGET_RPS" -c16 -H "Authorization: JWT $learner"
    rps[list$n]=$(awk -F'\t' '$1 ~ /^enroll-list/ { print $4 }' "$BENCH_TMP/mn-$n.tsv")
    rps[blocks$n]=$(awk -F'\t' '$1 ~ /^blocks-v2/ { print $4 }' "$BENCH_TMP/mn-$n.tsv")
  done
  bench_report "$(printf '%-12s 3 nodes / 1 node: enroll-list x%s, blocks-v2 x%s (%s cores shared by nginx, 3 nodes, PostgreSQL, Redis and wrk)' \
    scale-out "$(awk -v a="${rps[list3]:-0}" -v b="${rps[list1]:-0}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
    "$(awk -v a="${rps[blocks3]:-0}" -v b="${rps[blocks1]:-0}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
    "$(nproc)")"
  unset LARCH_DATABASE_URL LARCH_REDIS_URL LARCH_TRUSTED_PROXIES LARCH_JOB_WORKERS LARCH_ENROLLMENT_THROTTLE_RATES
  mn_cleanup
}
