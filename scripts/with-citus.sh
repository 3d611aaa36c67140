#!/usr/bin/env bash
# Runs a command against a throwaway three-node Citus cluster (a coordinator and two
# workers) on one machine: each node an ordinary PostgreSQL 15 cluster made with
# initdb in a temp directory (as the unprivileged `postgres` user when run as root),
# `shared_preload_libraries = 'citus'`, a unix socket in that directory and no TCP;
# the workers are added to the coordinator by socket directory and port. Every node
# is stopped and removed at exit whatever happens. The command sees PGHOST, PGPORT
# (the coordinator), PGUSER, PGDATABASE and CITUS_WORKER_PORTS ("p1 p2").
# Citus missing is an error (exit 2), never a skip (tests/citus_test.sh decides
# whether to run at all).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl psql; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "with-citus: $PG_BIN/$tool not found: install postgresql-15 (scripts/setup.sh)" >&2
    exit 2
  fi
done
if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/citus.so" ] &&
  [ ! -f /usr/lib/postgresql/15/lib/citus.so ]; then
  echo "with-citus: Citus is not installed for PostgreSQL 15: run scripts/setup.sh with SCHEMAC_CITUS set" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/schemac-citus.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  chmod 755 "$dir"
  as_owner=(runuser -u postgres --)
fi

base=${CITUS_TEST_PORT:-54340}
ports=("$base" "$((base + 1))" "$((base + 2))")
stop() {
  for i in 0 1 2; do
    [ -d "$dir/node$i" ] && "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/node$i" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

for i in 0 1 2; do
  "${as_owner[@]}" "$PG_BIN/initdb" -D "$dir/node$i" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb$i.log" 2>&1 || { cat "$dir/initdb$i.log" >&2; exit 2; }
  cat >>"$dir/node$i/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
max_prepared_transactions = 60
listen_addresses = ''
unix_socket_directories = '$dir'
port = ${ports[$i]}
fsync = off
full_page_writes = off
synchronous_commit = off
citus.log_distributed_deadlock_detection = off
citus.local_hostname = '$dir'
CONF
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/node$i" -w -l "$dir/server$i.log" start >/dev/null ||
    { cat "$dir/server$i.log" >&2; exit 2; }
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "${ports[$i]}" -U postgres -d postgres \
    -c "CREATE EXTENSION citus" >/dev/null
done
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "${ports[0]}" -U postgres -d postgres >/dev/null <<SQL
SELECT citus_set_coordinator_host('$dir', ${ports[0]});
SELECT citus_add_node('$dir', ${ports[1]});
SELECT citus_add_node('$dir', ${ports[2]});
SQL

export PGHOST=$dir PGPORT=${ports[0]} PGUSER=postgres PGDATABASE=postgres
export CITUS_WORKER_PORTS="${ports[1]} ${ports[2]}"
"$@"
