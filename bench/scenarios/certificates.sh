# shellcheck shell=bash
# Certificates (issue 12), on the openedx-test-course of shared/olx:
#   generation for 10,000 passing learners in one call
#     (`larch cert-generation`, rows, uuids, history and events; target < 5 s);
#   GET /certificates/{uuid}, the web certificate (16 connections; target
#     >= 5,000 req/s);
#   the first render of a certificate's PDF (target < 150 ms; later requests
#     read the stored file).
# The learners' enrollments (verified) and passing course grades are written
# straight into the bench's SQLite file: no command creates 10,000 of them
# faster, and what is measured is the generation. Skipped without the
# shared course.

BENCH_SCENARIOS+=(certificates)

: "${BENCH_CERT_LEARNERS:=10000}"
: "${BENCH_CERT_GENERATION_TARGET_S:=5}"
: "${BENCH_CERT_PAGE_TARGET:=5000}"
: "${BENCH_CERT_PDF_TARGET_MS:=150}"

scenario_certificates() {
  local olx=${LARCH_SHARED_OLX:-$BENCH_ROOT/../../shared/olx}
  local course_dir=$olx/openedx-test-course/course course=course-v1:TestX+Course+1
  echo "== certificates: generation for $BENCH_CERT_LEARNERS learners, the web certificate, the PDF"
  if [[ ! -f $course_dir/course.xml ]]; then
    echo "   skipped: no shared OLX course next to the repository"
    return 0
  fi
  local data=$BENCH_TMP/cert-data log=$BENCH_TMP/cert-setup.log
  mkdir -p "$data"
  export LARCH_FEATURES__CERTIFICATES_HTML_VIEW=true
  if ! { "$LARCH_BIN" migrate --data-dir "$data" &&
    "$LARCH_BIN" import-olx --data-dir "$data" "$course_dir"; } >>"$log" 2>&1; then
    bench_log "certificates setup failed"; tail -5 "$log" >&2; return 1
  fi
  local csv=$BENCH_TMP/cert-users.csv i
  {
    echo 'username,email,password,name,is_active'
    for ((i = 1; i <= BENCH_CERT_LEARNERS; i++)); do
      # shellcheck disable=SC2016  # a literal Django hash of "password"
      printf 'cert%d,cert%d@example.com,%s,Learner Number %d,1\n' "$i" "$i" \
        'pbkdf2_sha256$1000$salt$YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM=' "$i"
    done
  } >"$csv"
  "$LARCH_BIN" import-users --data-dir "$data" "$csv" >>"$log" 2>&1 || {
    bench_log "import-users failed"; tail -5 "$log" >&2; return 1; }
  /usr/bin/python3 - "$data/larch.db" "$course" >>"$log" 2>&1 <<'PY' || { bench_log "seeding failed"; tail -5 "$log" >&2; return 1; }
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
course = sys.argv[2]
db.execute("INSERT INTO course_modes (course_key, mode_slug, mode_display_name, min_price, currency)"
           " VALUES (?, 'verified', 'Verified Certificate', 49, 'usd')", (course,))
ids = [r[0] for r in db.execute("SELECT id FROM users WHERE username LIKE 'cert%'")]
db.executemany("INSERT INTO enrollments (user_id, course_key, created, is_active, mode)"
               " VALUES (?, ?, 0, 1, 'verified')", [(i, course) for i in ids])
db.executemany("INSERT INTO persistent_course_grades (user_id, course_key, course_version,"
               " percent_grade, letter_grade, passed_timestamp, created, modified)"
               " VALUES (?, ?, 1, 0.87, 'Pass', 1, 1, 1)", [(i, course) for i in ids])
config = {"certificates": [{"id": 1, "name": "Bench", "is_active": True, "course_title": "",
          "signatories": [{"name": "Ada Lovelace", "title": "Dean", "organization": "TestX"}]}]}
db.execute("INSERT INTO certificate_course_configs (course_key, certificates, modified_at)"
           " VALUES (?, ?, 0)", (course, json.dumps(config)))
db.commit()
with open(sys.argv[1] + ".ids", "w") as out:
    out.write(" ".join(str(i) for i in ids))
PY
  local ids t0 t1 seconds made
  ids=$(cat "$data/larch.db.ids")
  t0=$(bench_now_ms)
  # shellcheck disable=SC2086  # one argument per user id
  made=$("$LARCH_BIN" cert-generation --data-dir "$data" -c "$course" -u $ids 2>>"$log" |
    grep -c 'downloadable (generated)')
  t1=$(bench_now_ms)
  seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  bench_check "$seconds" lt "$BENCH_CERT_GENERATION_TARGET_S"
  bench_report "$(printf '%-12s learners=%s generated=%s in %ss (target <%ss, ratio %s %s)' \
    cert-generate "$BENCH_CERT_LEARNERS" "$made" "$seconds" "$BENCH_CERT_GENERATION_TARGET_S" \
    "$(awk -v s="$seconds" -v t="$BENCH_CERT_GENERATION_TARGET_S" 'BEGIN { printf "%.2f", s / t }')" \
    "$BENCH_VERDICT")"
  [[ $made == "$BENCH_CERT_LEARNERS" ]] || {
    bench_log "expected $BENCH_CERT_LEARNERS certificates, got $made"; return 1; }

  local uuid other base
  uuid=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    'SELECT verify_uuid FROM generated_certificates ORDER BY id LIMIT 1').fetchone()[0])" \
    "$data/larch.db")
  other=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    'SELECT verify_uuid FROM generated_certificates ORDER BY id DESC LIMIT 1').fetchone()[0])" \
    "$data/larch.db")
  bench_serve_unthrottled "$data" || return 1
  base=$BENCH_BASE
  BENCH_P99_TARGET_MS=20 bench_url cert-page "$base/certificates/$uuid" \
    "$BENCH_CERT_PAGE_TARGET" -c16
  local first second
  first=$(curl -s -o "$BENCH_TMP/cert.pdf" -w '%{time_total}' "$base/certificates/$other/pdf")
  second=$(curl -s -o /dev/null -w '%{time_total}' "$base/certificates/$other/pdf")
  first=$(awk -v s="$first" 'BEGIN { printf "%.1f", s * 1000 }')
  second=$(awk -v s="$second" 'BEGIN { printf "%.1f", s * 1000 }')
  bench_check "$first" lt "$BENCH_CERT_PDF_TARGET_MS"
  bench_report "$(printf '%-12s first render %sms (target <%sms, ratio %s %s), stored %sms, %s bytes' \
    cert-pdf "$first" "$BENCH_CERT_PDF_TARGET_MS" \
    "$(awk -v s="$first" -v t="$BENCH_CERT_PDF_TARGET_MS" 'BEGIN { printf "%.2f", s / t }')" \
    "$BENCH_VERDICT" "$second" "$(wc -c <"$BENCH_TMP/cert.pdf")")"
  bench_stop_server
  unset LARCH_FEATURES__CERTIFICATES_HTML_VIEW
}
