#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster: initdb in a temp
# directory (as the unprivileged `postgres` user when run as root, since initdb
# refuses root), a unix socket in that directory and no TCP, stopped and removed at
# exit whatever happens. The command sees PGHOST, PGPORT, PGUSER and PGDATABASE.
# Missing server binaries are an error, never a skip.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "with-postgres: $PG_BIN/$tool not found: install postgresql-15 (scripts/setup.sh)" >&2
    exit 2
  fi
done

dir=$(mktemp -d /tmp/schemac-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  chmod 755 "$dir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 2; }
port=${PGTEST_PORT:-54329}
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
  -o "-k $dir -c listen_addresses='' -p $port -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 2; }

export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
"$@"
