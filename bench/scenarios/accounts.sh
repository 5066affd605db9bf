# shellcheck shell=bash
# Accounts scenarios (issue 3): GET /api/user/v1/me with a JWT and with a
# session cookie, and `larch import-users` of 100,000 users with precomputed
# pbkdf2 hashes. Sourced by bench/run.sh; registers scenario_accounts.

BENCH_SCENARIOS+=(accounts)

: "${BENCH_ME_JWT_TARGET_RPS:=25000}"
: "${BENCH_ME_SESSION_TARGET_RPS:=20000}"
: "${BENCH_IMPORT_USERS:=100000}"
: "${BENCH_IMPORT_TARGET_S:=10}"

scenario_accounts() {
  local port base password=bench-Password-123
  echo "== accounts: /api/user/v1/me (JWT, session), import-users"
  "$LARCH_BIN" createsuperuser --data-dir "$BENCH_DATA_DIR" --username bench \
    --email bench@example.com --password "$password" >>"$BENCH_TMP/setup.log" 2>&1 || {
    bench_log "createsuperuser failed"; cat "$BENCH_TMP/setup.log" >&2; return 1; }
  "$LARCH_BIN" create-oauth-client --data-dir "$BENCH_DATA_DIR" --name bench \
    --client-id bench-client --client-secret bench-secret --grant-type password \
    >>"$BENCH_TMP/setup.log" 2>&1 || {
    bench_log "create-oauth-client failed"; cat "$BENCH_TMP/setup.log" >&2; return 1; }

  port=$(bench_free_port)
  base="http://127.0.0.1:$port"
  # shellcheck disable=SC2034  # read by bench_wait_http
  BENCH_T0_MS=$(bench_now_ms)
  bench_start_server "$BENCH_DATA_DIR" "$port"
  bench_wait_http "$base/heartbeat" >/dev/null || return 1

  local token
  token=$(curl -s -X POST "$base/oauth2/access_token" \
    --data-urlencode grant_type=password --data-urlencode client_id=bench-client \
    --data-urlencode client_secret=bench-secret --data-urlencode username=bench \
    --data-urlencode "password=$password" --data-urlencode token_type=jwt |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  if [[ -z $token ]]; then
    bench_log "could not obtain a JWT from $base/oauth2/access_token"
    return 1
  fi
  bench_url me-jwt "$base/api/user/v1/me" "$BENCH_ME_JWT_TARGET_RPS" \
    -H "Authorization: JWT $token"

  local jar=$BENCH_TMP/cookies.txt csrf session
  curl -s -c "$jar" "$base/api/user/v1/account/login_session/" >/dev/null
  csrf=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
  curl -s -b "$jar" -c "$jar" -H "X-CSRFToken: $csrf" -X POST \
    "$base/api/user/v1/account/login_session/" \
    --data-urlencode email=bench@example.com --data-urlencode "password=$password" >/dev/null
  session=$(awk '$6 == "sessionid" { print $7 }' "$jar")
  if [[ -z $session ]]; then
    bench_log "login did not set a session cookie"
    return 1
  fi
  bench_url me-session "$base/api/user/v1/me" "$BENCH_ME_SESSION_TARGET_RPS" \
    -H "Cookie: sessionid=$session"
  bench_stop_server

  # Django's hash of "password" with 1000 iterations; the importer takes it
  # as is, so hashing cost is not part of the figure.
  local csv=$BENCH_TMP/users.csv hash
  hash='pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM='
  awk -v n="$BENCH_IMPORT_USERS" -v h="$hash" 'BEGIN {
    print "username,email,password,name,is_active"
    for (i = 1; i <= n; i++) printf "learner%d,learner%d@example.com,%s,Learner %d,1\n", i, i, h, i }' \
    >"$csv"
  local t0 t1 seconds
  t0=$(bench_now_ms)
  if ! "$LARCH_BIN" import-users --data-dir "$BENCH_DATA_DIR" "$csv" >"$BENCH_TMP/import.log" 2>&1; then
    bench_log "import-users failed:"; tail -5 "$BENCH_TMP/import.log" >&2
    return 1
  fi
  t1=$(bench_now_ms)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  bench_check "$seconds" lt "$BENCH_IMPORT_TARGET_S"
  bench_report "$(printf '%-12s %s users in %ss (target <%ss %s; %s)' import-users \
    "$BENCH_IMPORT_USERS" "$seconds" "$BENCH_IMPORT_TARGET_S" "$BENCH_VERDICT" \
    "$(tail -n1 "$BENCH_TMP/import.log")")"
}
