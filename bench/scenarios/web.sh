# shellcheck shell=bash
# Browser speed scenario (issue 11): a learner enrolled in the edX Demo
# course (edx-demo-course-quince) signs in with Debian's chromium (headless,
# driven by playwright-core from tests/e2e/node_modules, installed there by
# `npm ci` from its lock file when missing) and loads
#   /dashboard and /learning/course/{demo}/home
# BENCH_WEB_LOADS times each after one warm-up load (default 7). Each load
# reads the Performance API: the time until the page's `larch:interactive`
# mark (set once its data has rendered), the navigation timing's
# DOMContentLoaded and load. Reported: the median time to interactive (target
# < 1 s on 127.0.0.1) and the initial JavaScript index.html loads, gzipped
# (target < 250 KB). A page that never sets the mark is skipped with a note.
# Skipped when the shared OLX course, node, chromium or web/dist is absent.

BENCH_SCENARIOS+=(web)

: "${BENCH_WEB_LOADS:=7}"
: "${BENCH_WEB_TARGET_MS:=1000}"
: "${BENCH_WEB_JS_TARGET_KB:=250}"

# Median of the numbers on stdin, 1 decimal.
web_median() {
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "0"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'
}

# The numbers of JSON array `key` in line `json`, one per line.
web_values() {
  printf '%s' "$2" | sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" | tr ',' '\n' | sed '/^$/d'
}

scenario_web() {
  local repo=$BENCH_ROOT/..
  local olx=${LARCH_SHARED_OLX:-$repo/../shared/olx}
  local demo=$olx/edx-demo-course-quince/course
  local dist=${LARCH_WEB_ROOT:-$repo/web/dist}
  local e2e=$repo/tests/e2e
  echo "== web: dashboard and course home in chromium ($BENCH_WEB_LOADS loads each, median)"
  if [[ ! -f $demo/course.xml ]]; then echo "   skipped: no shared OLX course next to the repository"; return 0; fi
  if ! command -v node >/dev/null; then echo "   skipped: node is not installed"; return 0; fi
  if [[ ! -x /usr/bin/chromium ]]; then echo "   skipped: /usr/bin/chromium is missing"; return 0; fi
  if [[ ! -f $dist/index.html ]]; then echo "   skipped: no $dist/index.html (scripts/build_web.sh)"; return 0; fi
  local data=$BENCH_TMP/web-data log=$BENCH_TMP/web-setup.log
  if [[ ! -d $e2e/node_modules/playwright-core ]]; then
    npm ci --prefix "$e2e" --no-audit --no-fund >>"$log" 2>&1 || {
      bench_log "npm ci in tests/e2e failed"; tail -5 "$log" >&2; return 1; }
  fi
  mkdir -p "$data"
  if ! { "$LARCH_BIN" migrate --data-dir "$data" &&
    "$LARCH_BIN" createsuperuser --data-dir "$data" --username bench-admin \
      --email bench-admin@example.com --password bench-Password-123 &&
    "$LARCH_BIN" create-oauth-client --data-dir "$data" --name bench --client-id bench-client \
      --client-secret bench-secret --grant-type password &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$demo"; } >>"$log" 2>&1; then
    bench_log "web setup failed"; tail -5 "$log" >&2; return 1
  fi
  local csv=$BENCH_TMP/web-users.csv
  # shellcheck disable=SC2016  # a literal Django hash of "password"
  printf 'username,email,password,name,is_active\nlearner1,learner1@example.com,%s,Learner 1,1\n' \
    'pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM=' >"$csv"
  "$LARCH_BIN" import-users --data-dir "$data" "$csv" >>"$log" 2>&1 || {
    bench_log "import-users failed"; tail -5 "$log" >&2; return 1; }

  LARCH_WEB_ROOT=$dist bench_serve_unthrottled "$data" || return 1
  local base=$BENCH_BASE course=course-v1:edX+DemoX+Demo_Course admin code html
  admin=$(bench_jwt "$base" bench-admin bench-Password-123)
  [[ -n $admin ]] || { bench_log "no admin JWT"; return 1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    "$base/courses/$course/instructor/api/students_update_enrollment" \
    -H "Authorization: JWT $admin" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "action=enroll&auto_enroll=false&email_students=false&identifiers=learner1")
  [[ $code == 200 ]] || { bench_log "enrollment answered $code"; return 1; }
  # One completed html block: the dashboard card and the course home resume there.
  html=$(basename "$(find "$demo/html" -name '*.xml' | sort | head -n1)" .xml)
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    "$base/api/completion/v1/completion-batch" -H "Authorization: JWT $admin" \
    -H 'Content-Type: application/json' --data-binary \
    "{\"username\":\"learner1\",\"course_key\":\"$course\",\"blocks\":{\"${course/course-v1:/block-v1:}+type@html+block@$html\":1.0}}")
  [[ $code == 200 ]] || { bench_log "completion answered $code"; return 1; }

  local out=$BENCH_TMP/web-measure.jsonl
  if ! BENCH_WEB_DIST=$dist node "$BENCH_ROOT/web/measure.mjs" "$base" learner1 password "$course" \
    "$BENCH_WEB_LOADS" >"$out" 2>>"$log"; then
    bench_log "browser measurement failed:"; tail -20 "$log" >&2; bench_stop_server; return 1
  fi
  bench_stop_server

  local line name median first dcl load ratio
  while IFS= read -r line; do
    name=$(printf '%s' "$line" | sed -n 's/.*"page":"\([^"]*\)".*/\1/p')
    [[ -n $name ]] || continue
    if [[ $line == *'"skipped"'* ]]; then
      bench_report "$(printf '%-12s skipped: %s' "$name" \
        "$(printf '%s' "$line" | sed -n 's/.*"skipped":"\([^"]*\)".*/\1/p')")"
      continue
    fi
    median=$(web_values interactive_ms "$line" | web_median)
    dcl=$(web_values dcl_ms "$line" | web_median)
    load=$(web_values load_ms "$line" | web_median)
    first=$(printf '%s' "$line" | sed -n 's/.*"first_ms":\([0-9.]*\).*/\1/p')
    bench_check "$median" lt "$BENCH_WEB_TARGET_MS"
    ratio=$(awk -v v="$median" -v t="$BENCH_WEB_TARGET_MS" 'BEGIN { printf "%.2f", (v > 0 ? t / v : 0) }')
    bench_report "$(printf '%-12s interactive %sms median of %s (target <%sms, ratio %s %s)  DOMContentLoaded %sms  load %sms  first load %.1fms' \
      "$name" "$median" "$BENCH_WEB_LOADS" "$BENCH_WEB_TARGET_MS" "$ratio" "$BENCH_VERDICT" "$dcl" "$load" "${first:-0}")"
  done <"$out"
  local bytes kb
  bytes=$(sed -n 's/.*"initial_js_gz":\([0-9]*\).*/\1/p' "$out")
  kb=$(awk -v b="${bytes:-0}" 'BEGIN { printf "%.1f", b / 1024 }')
  bench_check "$kb" lt "$BENCH_WEB_JS_TARGET_KB"
  bench_report "$(printf '%-12s initial JavaScript %s KB gzipped (target <%s KB, ratio %s %s)' initial-js \
    "$kb" "$BENCH_WEB_JS_TARGET_KB" \
    "$(awk -v v="$kb" -v t="$BENCH_WEB_JS_TARGET_KB" 'BEGIN { printf "%.2f", (v > 0 ? t / v : 0) }')" "$BENCH_VERDICT")"
}
