#!/usr/bin/env bash
# Installs the Debian packages Larch needs for one purpose (run | test | bench).
# Idempotent: packages already installed are skipped, and `apt-get update`
# runs only when something is missing.
set -euo pipefail

purpose="${1:-run}"

build_pkgs=(
  build-essential clang cmake ninja-build pkg-config git ca-certificates curl
  libboost-dev libboost-system-dev libsqlite3-dev libpq-dev nlohmann-json3-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libssl-dev libcurl4-openssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libargon2-dev libpugixml-dev libarchive-dev libgmime-3.0-dev
  libpcre2-dev libseccomp-dev bubblewrap libhiredis-dev python3
  libkainjow-mustache-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
)
test_pkgs=(
  clang-format clang-tidy libfuzzer-14-dev libclang-rt-14-dev postgresql python3
  python3-aiosmtpd iproute2 procps chromium redis-server nginx-light poppler-utils
)
# The multi-node figures run three nodes on PostgreSQL and Redis behind nginx.
bench_pkgs=(wrk libbenchmark-dev procps postgresql redis-server nginx-light)

case "$purpose" in
  run) wanted=("${build_pkgs[@]}") ;;
  test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) wanted=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done
# The web app is built, and the end-to-end tests run, under Node.js; a machine
# that already has a newer node (not from Debian) keeps it.
if [ "$purpose" != "bench" ] && ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "error: packages ${missing[*]} are missing and this user cannot install them (run as root)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
