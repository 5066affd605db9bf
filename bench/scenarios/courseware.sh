# shellcheck shell=bash
# Courseware scenarios (issue 10): 1,000 learners enrolled in the edX Demo
# course (edx-demo-course-quince), then
#   - problem_check on a numerical problem over HTTP, requests rotating over
#     100 learners' JWTs (16 connections; target >= 3,000 submissions/s),
#   - GET /api/course_home/v1/progress/{course} for learners with state
#     (16 connections; target >= 2,000 req/s, p99 < 25 ms),
#   - problem_check on the kitchen-sink's Python customresponse, graded in
#     the sandbox (target >= 300/s),
#   - `larch compute-grades` of the 1,000 learners (target < 1 s; process
#     start included).
# Skipped when the shared OLX courses are absent.

BENCH_SCENARIOS+=(courseware)

: "${BENCH_CW_USERS:=1000}"
: "${BENCH_CW_TOKENS:=100}"
: "${BENCH_CW_CHECK_TARGET:=3000}"
: "${BENCH_CW_PROGRESS_TARGET:=2000}"
: "${BENCH_CW_CUSTOM_TARGET:=300}"
: "${BENCH_CW_REGRADE_TARGET_S:=1}"

# Writes a wrk Lua script that POSTs `body` to `path`, each request with the
# next of the tokens in `tokens_file`.
courseware_lua() {
  local tokens_file=$1 path=$2 body=$3 out=$4 method=${5:-POST}
  {
    echo 'local tokens = {}'
    while read -r token; do echo "table.insert(tokens, \"$token\")"; done <"$tokens_file"
    echo 'local i = 0'
    echo 'request = function()'
    echo '  i = i % #tokens + 1'
    echo "  return wrk.format(\"$method\", \"$path\", {[\"Authorization\"] = \"JWT \" .. tokens[i],"
    echo '    ["Content-Type"] = "application/x-www-form-urlencoded"},'
    if [[ $method == POST ]]; then echo "    \"$body\")"; else echo '    nil)'; fi
    echo 'end'
  } >"$out"
}

scenario_courseware() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local demo=$olx/edx-demo-course-quince/course kitchen=$olx/oxa-kitchen-sink/course
  echo "== courseware: problem_check, progress, customresponse, compute-grades"
  if [[ ! -f $demo/course.xml || ! -f $kitchen/course.xml ]]; then
    echo "   skipped: no shared OLX courses next to the repository"
    return 0
  fi
  local data=$BENCH_TMP/courseware-data log=$BENCH_TMP/courseware-setup.log
  mkdir -p "$data"
  if ! { "$LARCH_BIN" migrate --data-dir "$data" &&
    "$LARCH_BIN" createsuperuser --data-dir "$data" --username bench-admin \
      --email bench-admin@example.com --password bench-Password-123 &&
    "$LARCH_BIN" create-oauth-client --data-dir "$data" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$demo" &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$kitchen"; } >>"$log" 2>&1; then
    bench_log "courseware setup failed"; tail -5 "$log" >&2; return 1
  fi
  local csv=$BENCH_TMP/courseware-users.csv hash
  # shellcheck disable=SC2016  # a literal Django hash of "password"
  hash='pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM='
  awk -v n="$BENCH_CW_USERS" -v h="$hash" 'BEGIN {
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
  local demo_key=course-v1:edX+DemoX+Demo_Course kitchen_key=course-v1:Microsoft+KS101+course
  local form=$BENCH_TMP/courseware-enroll.txt course
  awk -v n="$BENCH_CW_USERS" 'BEGIN {
    printf "action=enroll&auto_enroll=false&email_students=false&identifiers="
    for (i = 1; i <= n; i++) printf "%slearner%d", (i > 1 ? "%2C" : ""), i }' >"$form"
  for course in "$demo_key" "$kitchen_key"; do
    curl -s -o /dev/null -X POST "$base/courses/$course/instructor/api/students_update_enrollment" \
      -H "Authorization: JWT $admin" -H 'Content-Type: application/x-www-form-urlencoded' \
      --data-binary "@$form" || { bench_log "bulk enrollment failed"; return 1; }
  done
  local tokens=$BENCH_TMP/courseware-tokens.txt i
  : >"$tokens"
  # One token per line (curl's body has no final newline).
  for ((i = 1; i <= BENCH_CW_TOKENS; i++)); do
    bench_jwt "$base" "learner$i" password >>"$tokens"
    echo >>"$tokens"
  done
  [[ $(grep -c . "$tokens") == "$BENCH_CW_TOKENS" ]] || { bench_log "learner JWTs missing"; return 1; }

  local numerical=651e0945b77f42e0a4c89b8c3e6f5b3b
  local usage="block-v1:edX+DemoX+Demo_Course+type@problem+block@$numerical"
  local script=$BENCH_TMP/courseware-check.lua
  courseware_lua "$tokens" "/courses/$demo_key/xblock/$usage/handler/xmodule_handler/problem_check" \
    "input_${numerical}_2_1=3.14159" "$script"
  BENCH_P99_TARGET_MS=50 bench_url problem-check \
    "$base/courses/$demo_key/xblock/$usage/handler/xmodule_handler/problem_check" \
    "$BENCH_CW_CHECK_TARGET" -c16 -s "$script"

  script=$BENCH_TMP/courseware-progress.lua
  courseware_lua "$tokens" "/api/course_home/v1/progress/$demo_key" "" "$script" GET
  BENCH_P99_TARGET_MS=25 bench_url progress "$base/api/course_home/v1/progress/$demo_key" \
    "$BENCH_CW_PROGRESS_TARGET" -c16 -s "$script"

  local custom=8c9ee892599b456fa9892a00b077d942 in
  in="input_$custom"
  usage="block-v1:Microsoft+KS101+course+type@problem+block@$custom"
  script=$BENCH_TMP/courseware-custom.lua
  courseware_lua "$tokens" "/courses/$kitchen_key/xblock/$usage/handler/xmodule_handler/problem_check" \
    "${in}_2_1=3&${in}_2_2=7&${in}_3_1=11&${in}_3_2=9" "$script"
  BENCH_P99_TARGET_MS=200 bench_url custom-check \
    "$base/courses/$kitchen_key/xblock/$usage/handler/xmodule_handler/problem_check" \
    "$BENCH_CW_CUSTOM_TARGET" -c16 -s "$script"
  bench_stop_server

  local t0 t1 seconds
  t0=$(bench_now_ms)
  "$LARCH_BIN" compute-grades --data-dir "$data" "$demo_key" >>"$log" 2>&1 || {
    bench_log "compute-grades failed"; tail -5 "$log" >&2; return 1; }
  t1=$(bench_now_ms)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  bench_check "$seconds" lt "$BENCH_CW_REGRADE_TARGET_S"
  bench_report "$(printf '%-12s %s learners x the Demo course in %ss (target <%ss, ratio %s %s; process start included)' \
    regrade "$BENCH_CW_USERS" "$seconds" "$BENCH_CW_REGRADE_TARGET_S" \
    "$(awk -v s="$seconds" -v t="$BENCH_CW_REGRADE_TARGET_S" 'BEGIN { printf "%.2f", (s > 0 ? t / s : 0) }')" \
    "$BENCH_VERDICT")"
}
