# shellcheck shell=bash
# Enrollment scenarios (issue 4): builds 10,000 learners x 10 courses (the
# openedx-demo-course-v2 plus 9 copies under other course numbers) in a data
# dir of its own, then measures
#   - import-olx of openedx-demo-course-v2 (target < 1 s),
#   - bulk enrollment over HTTP (POST .../instructor/api/students_update_enrollment,
#     10,000 identifiers per request, 100,000 pairs; target >= 10,000/s),
#   - GET /api/enrollment/v1/enrollment for a learner with 10 enrollments
#     (16 connections; target >= 15,000 req/s, p99 < 10 ms),
#   - the Blocks API v2 on the demo course, depth=all (target >= 3,000 req/s),
#   - in-process BatchEnroll (micro-benchmark BM_BatchEnroll100k, target
#     >= 100,000/s; needs -DLARCH_BUILD_BENCH=ON).
# The courses come from ../shared/olx next to the repository (or
# $LARCH_SHARED_OLX); the scenario is skipped when they are absent.
# EnrollmentUserThrottle is switched off for the measurement
# (LARCH_ENROLLMENT_THROTTLE_RATES with null rates).

BENCH_SCENARIOS+=(enrollment)

: "${BENCH_ENROLL_USERS:=10000}"
: "${BENCH_ENROLL_COURSES:=10}"
: "${BENCH_ENROLL_LIST_TARGET_RPS:=15000}"
: "${BENCH_ENROLL_LIST_P99_MS:=10}"
: "${BENCH_ENROLL_BULK_TARGET:=10000}"
: "${BENCH_ENROLL_BATCH_TARGET:=100000}"
: "${BENCH_BLOCKS_TARGET_RPS:=3000}"
: "${BENCH_DEMO_IMPORT_TARGET_S:=1}"

scenario_enrollment() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local demo=$olx/openedx-demo-course-v2/course
  echo "== enrollment: import-olx, bulk enrollment, enrollment list, blocks API, BatchEnroll"
  if [[ ! -f $demo/course.xml ]]; then
    echo "   skipped: no $demo (the shared OLX courses are not next to the repository)"
    return 0
  fi
  local data=$BENCH_TMP/enrollment-data log=$BENCH_TMP/enrollment-setup.log
  mkdir -p "$data"
  "$LARCH_BIN" migrate --data-dir "$data" >>"$log" 2>&1 || {
    bench_log "migrate failed"; tail -5 "$log" >&2; return 1; }
  if ! "$LARCH_BIN" createsuperuser --data-dir "$data" --username bench-admin \
    --email bench-admin@example.com --password bench-Password-123 >>"$log" 2>&1 ||
    ! "$LARCH_BIN" create-oauth-client --data-dir "$data" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password >>"$log" 2>&1; then
    bench_log "admin or client setup failed"; tail -5 "$log" >&2; return 1
  fi

  # Learners with a precomputed hash of "password" (1000 iterations).
  local csv=$BENCH_TMP/enrollment-users.csv hash
  # shellcheck disable=SC2016  # a literal Django hash
  hash='pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM='
  awk -v n="$BENCH_ENROLL_USERS" -v h="$hash" 'BEGIN {
    print "username,email,password,name,is_active"
    for (i = 1; i <= n; i++) printf "learner%d,learner%d@example.com,%s,Learner %d,1\n", i, i, h, i }' \
    >"$csv"
  "$LARCH_BIN" import-users --data-dir "$data" "$csv" >>"$log" 2>&1 || {
    bench_log "import-users failed"; tail -5 "$log" >&2; return 1; }

  # The demo course, timed; then copies under other course numbers (files
  # symlinked, course.xml rewritten).
  local t0 t1 seconds
  t0=$(bench_now_ms)
  "$LARCH_BIN" import-olx --data-dir "$data" "$demo" >>"$log" 2>&1 || {
    bench_log "import-olx failed"; tail -5 "$log" >&2; return 1; }
  t1=$(bench_now_ms)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  bench_check "$seconds" lt "$BENCH_DEMO_IMPORT_TARGET_S"
  bench_report "$(printf '%-12s openedx-demo-course-v2 in %ss (target <%ss, ratio %s %s; process start included)' \
    import-olx "$seconds" "$BENCH_DEMO_IMPORT_TARGET_S" \
    "$(awk -v s="$seconds" -v t="$BENCH_DEMO_IMPORT_TARGET_S" 'BEGIN { printf "%.2f", (s > 0 ? t / s : 0) }')" \
    "$BENCH_VERDICT")"
  local courses=(course-v1:OpenedX+DemoX+DemoCourse) c copy
  for ((c = 1; c < BENCH_ENROLL_COURSES; c++)); do
    copy=$BENCH_TMP/demo-copy-$c
    cp -as "$(cd "$demo" && pwd)" "$copy"
    rm "$copy/course.xml"
    echo "<course url_name=\"DemoCourse\" org=\"OpenedX\" course=\"DemoX$c\"/>" >"$copy/course.xml"
    "$LARCH_BIN" import-olx --data-dir "$data" "$copy" >>"$log" 2>&1 || {
      bench_log "import-olx of copy $c failed"; tail -5 "$log" >&2; return 1; }
    courses+=("course-v1:OpenedX+DemoX$c+DemoCourse")
  done

  local base
  bench_serve_unthrottled "$data" || return 1
  base=$BENCH_BASE

  local admin learner
  admin=$(bench_jwt "$base" bench-admin bench-Password-123)
  learner=$(bench_jwt "$base" learner1 password)
  if [[ -z $admin || -z $learner ]]; then
    bench_log "could not obtain JWTs from $base/oauth2/access_token"
    return 1
  fi

  # Bulk enrollment: one request per course with every learner.
  local form=$BENCH_TMP/enrollment-form.txt course status pairs
  awk -v n="$BENCH_ENROLL_USERS" 'BEGIN {
    printf "action=enroll&auto_enroll=false&email_students=false&identifiers="
    for (i = 1; i <= n; i++) printf "%slearner%d", (i > 1 ? "%2C" : ""), i }' >"$form"
  pairs=$((BENCH_ENROLL_USERS * ${#courses[@]}))
  t0=$(bench_now_ms)
  for course in "${courses[@]}"; do
    status=$(curl -s -o "$BENCH_TMP/enrollment-bulk.json" -w '%{http_code}' -X POST \
      "$base/courses/$course/instructor/api/students_update_enrollment" \
      -H "Authorization: JWT $admin" -H 'Content-Type: application/x-www-form-urlencoded' \
      --data-binary "@$form")
    if [[ $status != 200 ]]; then
      bench_log "bulk enrollment in $course answered $status:"; head -c 300 "$BENCH_TMP/enrollment-bulk.json" >&2
      return 1
    fi
  done
  t1=$(bench_now_ms)
  local per_s
  per_s=$(awk -v n="$pairs" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / ((b - a) / 1000) }')
  bench_check "$per_s" ge "$BENCH_ENROLL_BULK_TARGET"
  bench_report "$(printf '%-12s %s enrollments over HTTP in %sms: %s/s (target %s, ratio %s %s)' \
    bulk-enroll "$pairs" "$((t1 - t0))" "$per_s" "$BENCH_ENROLL_BULK_TARGET" \
    "$(awk -v r="$per_s" -v t="$BENCH_ENROLL_BULK_TARGET" 'BEGIN { printf "%.2f", r / t }')" \
    "$BENCH_VERDICT")"

  BENCH_P99_TARGET_MS=$BENCH_ENROLL_LIST_P99_MS bench_url enroll-list \
    "$base/api/enrollment/v1/enrollment" "$BENCH_ENROLL_LIST_TARGET_RPS" -c16 \
    -H "Authorization: JWT $learner"
  BENCH_P99_TARGET_MS=20 bench_url blocks-v2 \
    "$base/api/courses/v2/blocks/?course_id=course-v1%3AOpenedX%2BDemoX%2BDemoCourse&depth=all&requested_fields=children,graded,format&username=learner1" \
    "$BENCH_BLOCKS_TARGET_RPS" -c16 -H "Authorization: JWT $learner"
  bench_stop_server

  if [[ -x $MICRO_BENCH ]]; then
    local rate
    rate=$("$MICRO_BENCH" --benchmark_filter=BM_BatchEnroll100k --benchmark_format=json 2>/dev/null |
      awk -F': ' '/"items_per_second"/ { gsub(/[ ,]/, "", $2); printf "%d", $2; exit }')
    rate=${rate:-0}
    bench_check "$rate" ge "$BENCH_ENROLL_BATCH_TARGET"
    bench_report "$(printf '%-12s in-process BatchEnroll of 100,000 pairs: %s/s (target %s, ratio %s %s)' \
      batch-enroll "$rate" "$BENCH_ENROLL_BATCH_TARGET" \
      "$(awk -v r="$rate" -v t="$BENCH_ENROLL_BATCH_TARGET" 'BEGIN { printf "%.2f", r / t }')" \
      "$BENCH_VERDICT")"
  else
    echo "   batch-enroll skipped: no micro-benchmarks at $MICRO_BENCH (-DLARCH_BUILD_BENCH=ON)"
  fi
}
