# shellcheck shell=bash
# Course outline scenario (issue 10): 1,000 learners enrolled in the edX
# Demo course (edx-demo-course-quince), each with completion state (1 to 30
# html blocks completed through the completion-batch API), then
#   GET /api/course_home/v1/outline/{course} rotating over 100 learners'
#   JWTs (16 connections; target >= 3,000 req/s, p99 < 20 ms).
# Skipped when the shared OLX course is absent.

BENCH_SCENARIOS+=(outline)

: "${BENCH_OUTLINE_USERS:=1000}"
: "${BENCH_OUTLINE_TOKENS:=100}"
: "${BENCH_OUTLINE_TARGET:=3000}"
: "${BENCH_OUTLINE_P99_MS:=20}"

# Writes a wrk Lua script that GETs `path`, each request with the next of
# the JWTs in `tokens_file`.
outline_lua() {
  local tokens_file=$1 path=$2 out=$3
  {
    echo 'local tokens = {}'
    while read -r token; do echo "table.insert(tokens, \"$token\")"; done <"$tokens_file"
    echo 'local i = 0'
    echo 'request = function()'
    echo '  i = i % #tokens + 1'
    echo "  return wrk.format(\"GET\", \"$path\", {[\"Authorization\"] = \"JWT \" .. tokens[i]})"
    echo 'end'
  } >"$out"
}

# The completion-batch body giving learner `n` the first 1 + n % 30 html
# blocks of `keys_file` (one usage key a line).
outline_batch_body() {
  local n=$1 course=$2 keys_file=$3
  awk -v n="$n" -v c="$course" 'BEGIN { printf "{\"username\":\"learner%d\",\"course_key\":\"%s\",\"blocks\":{", n, c }
    NR <= 1 + n % 30 { printf "%s\"%s\":1.0", (NR > 1 ? "," : ""), $0 }
    END { print "}}" }' "$keys_file"
}

scenario_outline() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local demo=$olx/edx-demo-course-quince/course
  echo "== outline: course home outline of learners with completion state"
  if [[ ! -f $demo/course.xml ]]; then
    echo "   skipped: no shared OLX course next to the repository"
    return 0
  fi
  local data=$BENCH_TMP/outline-data log=$BENCH_TMP/outline-setup.log
  mkdir -p "$data"
  if ! { "$LARCH_BIN" migrate --data-dir "$data" &&
    "$LARCH_BIN" createsuperuser --data-dir "$data" --username bench-admin \
      --email bench-admin@example.com --password bench-Password-123 &&
    "$LARCH_BIN" create-oauth-client --data-dir "$data" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$demo"; } >>"$log" 2>&1; then
    bench_log "outline setup failed"; tail -5 "$log" >&2; return 1
  fi
  local csv=$BENCH_TMP/outline-users.csv hash
  # shellcheck disable=SC2016  # a literal Django hash of "password"
  hash='pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM='
  awk -v n="$BENCH_OUTLINE_USERS" -v h="$hash" 'BEGIN {
    print "username,email,password,name,is_active"
    for (i = 1; i <= n; i++) printf "learner%d,learner%d@example.com,%s,Learner %d,1\n", i, i, h, i }' \
    >"$csv"
  "$LARCH_BIN" import-users --data-dir "$data" "$csv" >>"$log" 2>&1 || {
    bench_log "import-users failed"; tail -5 "$log" >&2; return 1; }

  local base
  bench_serve_unthrottled "$data" || return 1
  base=$BENCH_BASE
  local admin
  admin=$(bench_jwt "$base" bench-admin bench-Password-123)
  [[ -n $admin ]] || { bench_log "no admin JWT"; return 1; }
  local course=course-v1:edX+DemoX+Demo_Course
  local form=$BENCH_TMP/outline-enroll.txt
  awk -v n="$BENCH_OUTLINE_USERS" 'BEGIN {
    printf "action=enroll&auto_enroll=false&email_students=false&identifiers="
    for (i = 1; i <= n; i++) printf "%slearner%d", (i > 1 ? "%2C" : ""), i }' >"$form"
  curl -s -o /dev/null -X POST "$base/courses/$course/instructor/api/students_update_enrollment" \
    -H "Authorization: JWT $admin" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "@$form" || { bench_log "bulk enrollment failed"; return 1; }

  # Completion state: the Demo course's html blocks, some per learner.
  local keys=$BENCH_TMP/outline-keys.txt f i code failed=0
  : >"$keys"
  for f in "$demo"/html/*.xml; do
    echo "block-v1:edX+DemoX+Demo_Course+type@html+block@$(basename "$f" .xml)" >>"$keys"
  done
  for ((i = 1; i <= BENCH_OUTLINE_USERS; i++)); do
    code=$(outline_batch_body "$i" "$course" "$keys" |
      curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/completion/v1/completion-batch" \
        -H "Authorization: JWT $admin" -H 'Content-Type: application/json' --data-binary @-)
    [[ $code == 200 ]] || failed=$((failed + 1))
  done
  ((failed == 0)) || { bench_log "$failed completion batches failed"; return 1; }

  local tokens=$BENCH_TMP/outline-tokens.txt
  : >"$tokens"
  # One token per line (curl's body has no final newline).
  for ((i = 1; i <= BENCH_OUTLINE_TOKENS; i++)); do
    bench_jwt "$base" "learner$i" password >>"$tokens"
    echo >>"$tokens"
  done
  [[ $(grep -c . "$tokens") == "$BENCH_OUTLINE_TOKENS" ]] || {
    bench_log "learner JWTs missing"; return 1; }
  local script=$BENCH_TMP/outline.lua
  outline_lua "$tokens" "/api/course_home/v1/outline/$course" "$script"
  BENCH_P99_TARGET_MS=$BENCH_OUTLINE_P99_MS bench_url outline \
    "$base/api/course_home/v1/outline/$course" "$BENCH_OUTLINE_TARGET" -c16 -s "$script"
  bench_stop_server
}
