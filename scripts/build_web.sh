#!/bin/sh
# Builds the web app (web/) to web/dist when its sources changed, and prints
# the bundle sizes. `npm ci` runs when node_modules is missing or older than
# package-lock.json. No Node process is needed to serve the result: `larch
# serve` serves web/dist.
#
# Usage: scripts/build_web.sh          build if needed
#        scripts/build_web.sh test     run the Vitest component tests
#        scripts/build_web.sh force    build even when up to date
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
mode=${1:-build}
command -v node >/dev/null || { echo "build_web.sh: node is not installed (scripts/install_deps.sh run)" >&2; exit 2; }
command -v npm >/dev/null || { echo "build_web.sh: npm is not installed" >&2; exit 2; }
cd "$web"

# ctest may run the component tests and the browser test at the same time.
exec 9>"$web/.build.lock"
if command -v flock >/dev/null; then flock 9; fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build_web.sh: npm ci" >&2
  npm ci --no-audit --no-fund >&2
  touch node_modules/.package-lock.json
fi

if [ "$mode" = test ]; then
  exec npx --no-install vitest run
fi

stamp=dist/.build-stamp
stale=
if [ "$mode" = force ] || [ ! -f "$stamp" ] || [ ! -f dist/index.html ]; then
  stale=1
elif [ -n "$(find src public index.html vite.config.ts tsconfig.json package.json package-lock.json \
           -newer "$stamp" -print 2>/dev/null | head -n 1)" ]; then
  stale=1
fi

if [ -n "$stale" ]; then
  echo "build_web.sh: building web/dist" >&2
  npx --no-install tsc --noEmit
  npx --no-install vite build --logLevel warn
  touch "$stamp"
else
  echo "build_web.sh: web/dist is up to date" >&2
fi
node scripts/sizes.mjs
