#!/usr/bin/env bash
# A throwaway PostgreSQL server for the benchmarks: initdb into a fresh temporary directory,
# `postgres` on a free loopback port, one empty database; runs the given command with
# IPAM_BENCH_POSTGRES=<its URL> in the environment, then stops the server and removes the
# directory (on any exit of this script, Ctrl-C included).
#
# The server keeps PostgreSQL's DEFAULT durability (fsync=on, synchronous_commit=on,
# full_page_writes=on: every commit waits for its WAL flush), unlike the throwaway servers of the
# tests, so the figures are what a real server on the same disk gives. Only initdb runs with
# --no-sync (the cluster is created once and thrown away; it does not change what is measured).
#
# Usage: benches/pg.sh COMMAND [ARG...]
#   benches/pg.sh cargo bench --bench allocator -- postgres
#   benches/pg.sh benches/e2e.sh 1000
# Needs PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) on the PATH or in
# /usr/lib/postgresql/<version>/bin. As root, the server runs as the `postgres` user (initdb and
# postgres refuse root). IPAM_BENCH_PG_OPTS adds server options, e.g. "-c log_statement=all";
# the command also gets IPAM_BENCH_POSTGRES_LOG, the server's log file.
set -euo pipefail

if [ $# -eq 0 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi

# Server binaries: on the PATH, else the highest /usr/lib/postgresql/<version>/bin.
bin=""
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  bin="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bin="$d"
  done
fi
if [ -z "$bin" ]; then
  echo "pg.sh: no PostgreSQL server binaries (initdb, pg_ctl) on the PATH or in /usr/lib/postgresql/*/bin;" \
    "install them (Debian: apt-get install postgresql)" >&2
  exit 1
fi
tool() { if [ -x "$bin/$1" ]; then echo "$bin/$1"; else command -v "$1" || echo "/usr/bin/$1"; fi; }

# As root, the server's commands run as the postgres user, in a directory that user can reach.
as_pg=()
parent="${TMPDIR:-/tmp}"
if [ "$(id -u)" -eq 0 ]; then
  if ! uid=$(id -u postgres 2>/dev/null) || ! gid=$(id -g postgres 2>/dev/null); then
    echo "pg.sh: running as root, which initdb and postgres refuse, and there is no postgres user to run them as" \
      "(Debian's postgresql package creates it)" >&2
    exit 1
  fi
  if command -v setpriv >/dev/null; then
    as_pg=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --)
  else
    as_pg=(runuser -u postgres --)
  fi
  parent=/tmp
fi

dir="$(mktemp -d "$parent/ipam-bench-pg-XXXXXX")"
data="$dir/data"
log="$dir/server.log"
mkdir "$dir/sock"
[ ${#as_pg[@]} -eq 0 ] || chown -R postgres:postgres "$dir"

# Runs a server command with none of the caller's PG* variables, from the temporary directory.
pg() {
  (
    cd "$dir"
    for v in $(compgen -e | grep '^PG' || true); do unset "$v"; done
    "${as_pg[@]}" "$@"
  )
}

started=""
child=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ -n "$started" ]; then
    pg "$(tool pg_ctl)" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      pg "$(tool pg_ctl)" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg "$(tool initdb)" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}

# A free loopback port: one nothing answers on now; another attempt if the server cannot bind it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for _ in 1 2 3 4 5; do
  p=$((20000 + RANDOM % 40000))
  port_free "$p" || continue
  : >"$dir/start.log"
  if pg "$(tool pg_ctl)" -D "$data" -l "$log" -w -t 60 -s \
    -o "-p $p -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on ${IPAM_BENCH_PG_OPTS:-}" \
    start >"$dir/start.log" 2>&1; then
    port="$p"
    started=1
    break
  fi
  if ! grep -qE 'could not bind|already in use' "$log" "$dir/start.log" 2>/dev/null; then
    cat "$dir/start.log" "$log" >&2 2>/dev/null || true
    exit 1
  fi
done
if [ -z "$port" ]; then
  echo "pg.sh: PostgreSQL could not bind a free loopback port in 5 attempts; its log:" >&2
  cat "$log" >&2 2>/dev/null || true
  exit 1
fi

psql_() { pg "$(tool psql)" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE ipam_bench TEMPLATE template0 ENCODING 'UTF8'"
url="postgres://postgres@127.0.0.1:$port/ipam_bench?sslmode=disable"
settings=$(psql_ -d ipam_bench -F '|' -c "SELECT split_part(current_setting('server_version'), ' ', 1),
  current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'),
  current_setting('wal_sync_method'), current_setting('shared_buffers')")
IFS='|' read -r version fsync sync_commit fpw wal_sync shared_buffers <<<"$settings"
echo "pg.sh: PostgreSQL $version at $url (fsync=$fsync synchronous_commit=$sync_commit" \
  "full_page_writes=$fpw wal_sync_method=$wal_sync shared_buffers=$shared_buffers; data in $data)" >&2

export IPAM_BENCH_POSTGRES="$url" IPAM_BENCH_POSTGRES_LOG="$log"
# In the background, so that a signal to this script is handled at once (the trap stops the
# command, then the server) rather than after the command ends.
set +e
"$@" <&0 &
child=$!
wait "$child"
rc=$?
set -e
child=""
exit "$rc"
