#!/usr/bin/env bash
# Starts or stops a private PostgreSQL server for tests.
#
#   scripts/pg_test_server.sh start DIR   # prints the DSN (only line on stdout)
#   scripts/pg_test_server.sh stop DIR    # stops the server and removes DIR
#
# The server listens on 127.0.0.1 at a free port with trust auth for user
# `larch` and fsync off; database `larch_test` is created. As root the server
# runs as the `postgres` user (initdb refuses root); otherwise as the caller.
# Both commands are idempotent: `start` on a running DIR prints its DSN again.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  echo "pg_test_server: no PostgreSQL server binaries found" >&2
  return 1
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return 0
  fi
  local port
  for ((port = 20000 + RANDOM % 20000; port < 65000; port++)); do
    if ! ss -ltnH "sport = :$port" | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  echo "pg_test_server: no free port" >&2
  return 1
}

dsn_for() {
  echo "postgresql://larch@127.0.0.1:$1/larch_test"
}

start() {
  local bindir port
  bindir=$(find_bindir)
  if [[ -f $dir/port ]] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    dsn_for "$(cat "$dir/port")"
    return 0
  fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir"
  fi
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    rm -rf "$dir/data"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U larch -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      return 1
    }
  fi
  port=$(free_port)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || {
    cat "$dir/server.log" >&2 || true
    return 1
  }
  echo "$port" | as_owner tee "$dir/port" >/dev/null
  if ! as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U larch -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'larch_test'" | grep -q 1; then
    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U larch larch_test >&2
  fi
  dsn_for "$port"
}

stop() {
  if [[ ! -d $dir ]]; then
    return 0
  fi
  if [[ -f $dir/data/PG_VERSION ]]; then
    local bindir
    bindir=$(find_bindir)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    fi
  fi
  rm -rf "$dir"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
