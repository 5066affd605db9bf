#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root) over every production source file,
# two at a time, using the build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-test}"
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- 'src/*.cc' \
  | grep -v '_test\.cc$' | sort -u)
[ "${#files[@]}" -gt 0 ] || exit 0
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2> /tmp/larch-tidy.$$.err \
  || { cat /tmp/larch-tidy.$$.err >&2; rm -f /tmp/larch-tidy.$$.err; echo "clang-tidy failed" >&2; exit 1; }
rm -f /tmp/larch-tidy.$$.err
echo "clang-tidy: ${#files[@]} files clean"
