#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root) using the build's compile_commands.json.
#   scripts/run_tidy.sh [build-dir]                  every production source file (make tidy)
#   scripts/run_tidy.sh [build-dir] --changed [REV]  the .cc files changed since REV (default
#                                                    HEAD: the uncommitted ones), before a commit
# A whole run takes about 14 minutes on 2 cores, so `make test` (the CI budget is 40 minutes)
# does not run it; run the --changed form before each commit and `make tidy` now and then.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-test}"
if [ "${2:-}" = "--changed" ]; then
  rev="${3:-HEAD}"
  mapfile -t files < <({ git diff --name-only "$rev" -- 'src/*.cc'; \
    git ls-files --others --exclude-standard -- 'src/*.cc'; } | grep -v '_test\.cc$' | sort -u \
    | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- 'src/*.cc' \
    | grep -v '_test\.cc$' | sort -u)
fi
[ "${#files[@]}" -gt 0 ] || { echo "clang-tidy: no files"; exit 0; }
err="$(mktemp /tmp/larch-tidy.XXXXXX)"
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2> "$err" \
  || { cat "$err" >&2; rm -f "$err"; echo "clang-tidy failed" >&2; exit 1; }
rm -f "$err"
echo "clang-tidy: ${#files[@]} files clean"
