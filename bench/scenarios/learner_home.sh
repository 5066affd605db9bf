# shellcheck shell=bash
# Learner dashboard scenario (issue 11): a learner enrolled in 5 courses (the
# edX Demo course, edx-demo-course-quince, plus 4 copies under other course
# numbers), with completion state in each (so every card resolves a resume
# URL through the course tree), then
#   GET /api/learner_home/init with that learner's JWT
#   (16 connections; target >= 2,000 req/s, p99 reported, target < 20 ms).
# Skipped when the shared OLX course is absent.

BENCH_SCENARIOS+=(learner_home)

: "${BENCH_LEARNER_HOME_COURSES:=5}"
: "${BENCH_LEARNER_HOME_TARGET:=2000}"
: "${BENCH_LEARNER_HOME_P99_MS:=20}"

scenario_learner_home() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local demo=$olx/edx-demo-course-quince/course
  echo "== learner_home: the dashboard of a learner with $BENCH_LEARNER_HOME_COURSES enrollments"
  if [[ ! -f $demo/course.xml ]]; then
    echo "   skipped: no shared OLX course next to the repository"
    return 0
  fi
  local data=$BENCH_TMP/learner-home-data log=$BENCH_TMP/learner-home-setup.log
  mkdir -p "$data"
  if ! { "$LARCH_BIN" migrate --data-dir "$data" &&
    "$LARCH_BIN" createsuperuser --data-dir "$data" --username bench-admin \
      --email bench-admin@example.com --password bench-Password-123 &&
    "$LARCH_BIN" create-oauth-client --data-dir "$data" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$demo"; } >>"$log" 2>&1; then
    bench_log "learner_home setup failed"; tail -5 "$log" >&2; return 1
  fi
  local courses=(course-v1:edX+DemoX+Demo_Course) c copy
  for ((c = 1; c < BENCH_LEARNER_HOME_COURSES; c++)); do
    copy=$BENCH_TMP/learner-home-copy-$c
    cp -as "$(cd "$demo" && pwd)" "$copy"
    rm "$copy/course.xml"
    echo "<course url_name=\"Demo_Course\" org=\"edX\" course=\"DemoX$c\"/>" >"$copy/course.xml"
    "$LARCH_BIN" import-olx --data-dir "$data" "$copy" >>"$log" 2>&1 || {
      bench_log "import-olx of copy $c failed"; tail -5 "$log" >&2; return 1; }
    courses+=("course-v1:edX+DemoX$c+Demo_Course")
  done
  local csv=$BENCH_TMP/learner-home-users.csv
  # shellcheck disable=SC2016  # a literal Django hash of "password"
  printf 'username,email,password,name,is_active\nlearner1,learner1@example.com,%s,Learner 1,1\n' \
    'pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM=' >"$csv"
  "$LARCH_BIN" import-users --data-dir "$data" "$csv" >>"$log" 2>&1 || {
    bench_log "import-users failed"; tail -5 "$log" >&2; return 1; }

  local base
  bench_serve_unthrottled "$data" || return 1
  base=$BENCH_BASE
  local admin learner course code html
  admin=$(bench_jwt "$base" bench-admin bench-Password-123)
  learner=$(bench_jwt "$base" learner1 password)
  [[ -n $admin && -n $learner ]] || { bench_log "no JWTs"; return 1; }
  html=$(basename "$(find "$demo/html" -name '*.xml' | sort | head -n1)" .xml)
  for course in "${courses[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
      "$base/courses/$course/instructor/api/students_update_enrollment" \
      -H "Authorization: JWT $admin" -H 'Content-Type: application/x-www-form-urlencoded' \
      --data "action=enroll&auto_enroll=false&email_students=false&identifiers=learner1")
    [[ $code == 200 ]] || { bench_log "enrollment in $course answered $code"; return 1; }
    # One completed html block per course: the card's resume URL.
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
      "$base/api/completion/v1/completion-batch" -H "Authorization: JWT $admin" \
      -H 'Content-Type: application/json' --data-binary \
      "{\"username\":\"learner1\",\"course_key\":\"$course\",\"blocks\":{\"${course/course-v1:/block-v1:}+type@html+block@$html\":1.0}}")
    [[ $code == 200 ]] || { bench_log "completion in $course answered $code"; return 1; }
  done
  local cards
  cards=$(curl -s "$base/api/learner_home/init" -H "Authorization: JWT $learner" |
    grep -o '"resumeUrl":"/learning' | wc -l)
  [[ $cards == "$BENCH_LEARNER_HOME_COURSES" ]] || {
    bench_log "expected $BENCH_LEARNER_HOME_COURSES cards with a resume URL, got $cards"; return 1; }
  BENCH_P99_TARGET_MS=$BENCH_LEARNER_HOME_P99_MS bench_url learner-home \
    "$base/api/learner_home/init" "$BENCH_LEARNER_HOME_TARGET" -c16 \
    -H "Authorization: JWT $learner"
  bench_stop_server
}
