#!/bin/sh
# End-to-end sign-in flows: prepares a throwaway Larch (SQLite data dir, a
# superuser, an OAuth client), starts `larch serve` on a free port and runs
# the node:test suite in this directory against it.
#
# Usage: tests/e2e/run.sh [path/to/larch]   (default: build/larch)
#        E2E_TESTS="profile.test.mjs" tests/e2e/run.sh ...   (only these files)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
larch=${1:-${LARCH_BINARY:-$root/build/larch}}
[ -x "$larch" ] || { echo "run.sh: no larch binary at $larch" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node is not installed" >&2; exit 2; }

if [ ! -d "$here/node_modules/jose" ] || [ ! -d "$here/node_modules/playwright-core" ] ||
  [ ! -d "$here/node_modules/axe-core" ]; then
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi

# The web app test needs web/dist, which larch serve finds next to the binary
# (<dir of larch>/../web/dist) or through LARCH_WEB_ROOT.
if [ -f "$root/web/package.json" ]; then
  "$root/scripts/build_web.sh" >&2
  if [ -z "${LARCH_WEB_ROOT:-}" ] && [ ! -f "$(dirname "$larch")/../web/dist/index.html" ]; then
    export LARCH_WEB_ROOT="$root/web/dist"
  fi
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/larch-e2e.XXXXXX")
server_pid=
smtp_pid=
cleanup() {
  for pid in $server_pid $smtp_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$data"
}
trap cleanup EXIT INT TERM

# Larch refuses unknown LARCH_* variables, so the test's own settings are
# plain shell variables handed to node only.
user=e2e-admin
email=e2e-admin@example.com
password=E2e-Secret-Pass-1
client_id=e2e-client
client_secret=e2e-client-secret
issuer=http://larch.e2e/oauth2
audience=larch-e2e
export LARCH_JWT_AUTH="{\"JWT_ISSUER\": \"$issuer\", \"JWT_AUDIENCE\": \"$audience\"}"
export LARCH_ACCESS_LOG=off
# The catalog searches with course discovery; mail goes to a real SMTP sink,
# Debian's aiosmtpd, which files each message in a maildir the test reads.
export LARCH_FEATURES__ENABLE_COURSE_DISCOVERY=true
export LARCH_FEATURES__ENABLE_SPECIAL_EXAMS=true # timed_exam.test.mjs
smtp_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$data/mail" \
  2>"$data/smtp.log" &
smtp_pid=$!
export LARCH_SMTP_URL="smtp://127.0.0.1:$smtp_port"
unset DATABASE_URL LARCH_DATABASE_URL LARCH_E2E_URL

"$larch" migrate --data-dir "$data" >&2
"$larch" createsuperuser --data-dir "$data" --username "$user" --email "$email" \
  --password "$password" >&2
"$larch" create-oauth-client --data-dir "$data" --name e2e --client-id "$client_id" \
  --client-secret "$client_secret" --grant-type password >&2

# The unit page test opens a unit of the edX Demo course (E2E_SHARED_OLX,
# the shared/olx folder CMake knows); without it that test skips.
demo_flag=
demo=${E2E_SHARED_OLX:-}/edx-demo-course-quince/course
if [ -n "${E2E_SHARED_OLX:-}" ] && [ -d "$demo" ]; then
  "$larch" import-olx --data-dir "$data" "$demo" >&2
  demo_flag=1
  # profile.test.mjs: a copy of the Demo course (edX+ModesX+Demo_Course) that
  # publishes its outline (course_visibility public_outline) and offers audit
  # and a $49 verified mode. No command or API creates course modes yet, so
  # they go into the database before the server starts.
  modes="$data/modes-course"
  cp -R "$demo" "$modes" # a real copy: the importer does not follow symlinked static files
  chmod -R u+w "$modes"
  rm "$modes/course.xml" "$modes/course/Demo_Course.xml"
  echo '<course url_name="Demo_Course" org="edX" course="ModesX"/>' >"$modes/course.xml"
  # catalog_visibility "about": reachable by its about page, not in the catalog
  # (web_app.test.mjs expects the Demo course as the only search result).
  # The policy file's settings override the course element's attributes.
  sed 's/^<course /<course course_visibility="public_outline" catalog_visibility="about" /' \
    "$demo/course/Demo_Course.xml" >"$modes/course/Demo_Course.xml"
  policy="$modes/policies/Demo_Course/policy.json"
  rm "$policy"
  /usr/bin/python3 - "$demo/policies/Demo_Course/policy.json" "$policy" <<'EOF'
import json, sys
policy = json.load(open(sys.argv[1]))
policy["course/Demo_Course"].update(display_name="Demonstration Course, verified track",
                                    course_visibility="public_outline", catalog_visibility="about")
json.dump(policy, open(sys.argv[2], "w"))
EOF
  "$larch" import-olx --data-dir "$data" "$modes" >&2
  /usr/bin/python3 - "$data/larch.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
key = "course-v1:edX+ModesX+Demo_Course"
db.executemany(
    "INSERT INTO course_modes (course_key, mode_slug, mode_display_name, min_price, currency)"
    " VALUES (?, ?, ?, ?, 'usd')",
    [(key, "audit", "Audit", 0), (key, "verified", "Verified Certificate", 49)])
db.commit()
EOF
fi

# timed_exam.test.mjs: a tiny course with a one-minute timed exam (issue 10).
# It stays out of the catalog (catalog_visibility none) for web_app.test.mjs.
exam="$data/timed-course"
mkdir -p "$exam/course" "$exam/policies/2026"
echo '<course url_name="2026" org="Larch" course="TimedX"/>' >"$exam/course.xml"
cat >"$exam/course/2026.xml" <<'XML'
<course display_name="Timed Exam Course" start="&quot;2020-01-01T00:00:00+00:00&quot;" catalog_visibility="none">
  <chapter url_name="week1" display_name="Week 1">
    <sequential url_name="exam" display_name="Final Quiz" graded="true" format="Exam" is_time_limited="true" default_time_limit_minutes="1">
      <vertical url_name="exam_unit" display_name="Capital">
        <problem url_name="capital" display_name="Capital of France"><stringresponse answer="Paris"><label>What is the capital of France?</label><textline/></stringresponse></problem>
      </vertical>
    </sequential>
    <sequential url_name="reading" display_name="Reading">
      <vertical url_name="reading_unit" display_name="Welcome"><html url_name="welcome">Welcome to the course.</html></vertical>
    </sequential>
  </chapter>
</course>
XML
echo '{"course/2026": {"display_name": "Timed Exam Course", "enable_timed_exams": true, "catalog_visibility": "none"}}' \
  >"$exam/policies/2026/policy.json"
"$larch" import-olx --data-dir "$data" "$exam" >&2

"$larch" serve --data-dir "$data" --listen 127.0.0.1:0 2>"$data/serve.log" &
server_pid=$!

port=
i=0
while [ $i -lt 300 ]; do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$data/serve.log" | head -n 1)
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: larch serve exited:" >&2
    cat "$data/serve.log" >&2
    exit 1
  fi
  sleep 0.1
  i=$((i + 1))
done
[ -n "$port" ] || { echo "run.sh: no 'listening on' line:" >&2; cat "$data/serve.log" >&2; exit 1; }

status=0
# E2E_TESTS is a list of file names: split on purpose.
# shellcheck disable=SC2086
(cd "$here" && env LARCH_E2E_URL="http://127.0.0.1:$port" LARCH_E2E_USERNAME="$user" \
  LARCH_E2E_EMAIL="$email" LARCH_E2E_PASSWORD="$password" LARCH_E2E_CLIENT_ID="$client_id" \
  LARCH_E2E_CLIENT_SECRET="$client_secret" LARCH_E2E_JWT_ISSUER="$issuer" \
  LARCH_E2E_JWT_AUDIENCE="$audience" LARCH_E2E_DEMO="$demo_flag" LARCH_E2E_MAILDIR="$data/mail" \
  LARCH_E2E_SCREENSHOT_DIR="${E2E_SCREENSHOT_DIR:-$data}" node --test ${E2E_TESTS:-}) || status=$?
if [ $status -ne 0 ]; then
  echo "run.sh: server log:" >&2
  tail -n 50 "$data/serve.log" >&2
fi
exit $status
