#!/usr/bin/env bash
# The longest single write while a migration runs on a busy table: `schemac migrate
# up` (lock-safe plan) against the same changes as plain DDL, on two identical copies
# of a table of ROWS rows (default 2,000,000) in one run. pgbench updates random rows
# from two clients during each; the figure is each run's slowest transaction.
# The changes: an index, a foreign key, a check, a NOT NULL column with a constant
# default. Goal: schemac's slowest write at most 1/5 of plain DDL's, and under 500 ms.
#   bench/online.sh [ROWS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-2000000}
bash "$root/scripts/build.sh" >/dev/null
exec "$root/scripts/with-postgres.sh" bash -c '
set -euo pipefail
root=$1 rows=$2
schemac=$root/build/compiler/schemac
pgbench=/usr/lib/postgresql/15/bin/pgbench
work=$(mktemp -d)
chmod 777 "$work"
trap "rm -rf $work" EXIT
mkdir -p "$work/v1" "$work/v2" "$work/migrations"
cat >"$work/v1/s.schema" <<SCHEMA
table accounts {
  id int primary key
}

table events {
  id      bigint primary key
  account int
  amount  int
}
SCHEMA
cat >"$work/v2/s.schema" <<SCHEMA
table accounts {
  id int primary key
}

table events {
  id      bigint primary key
  account int references accounts(id)
  amount  int
  flag    int default 0
  check (amount >= 0)
  index on (account)
}
SCHEMA
"$schemac" plan --init "$work/v1" "$work/migrations" --name base >/dev/null
"$schemac" plan "$work/v2" "$work/migrations" --name online >"$work/plan.out"
createdb online_a
"$schemac" migrate up "$work/migrations" --db dbname=online_a --to 1 >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d online_a <<SQL
INSERT INTO accounts SELECT g FROM generate_series(1, 1000) g;
INSERT INTO events SELECT g, 1 + g % 1000, g % 100 FROM generate_series(1, $rows) g;
VACUUM ANALYZE;
SQL
createdb -T online_a online_b
cat >"$work/write.sql" <<SQL
\set id random(1, $rows)
UPDATE events SET amount = amount + 1 WHERE id = :id;
SQL
# Runs pgbench on database $1 for $seconds seconds, and command $2... from the third
# second on; prints the slowest write (ms) and how long the command took (ms).
seconds=45
under_load() {
  local db=$1; shift
  rm -f "$work"/log.*
  (cd "$work" && exec "$pgbench" -n -c 2 -j 2 -T $seconds -l --log-prefix=log -f write.sql "$db" >/dev/null 2>&1) &
  local bench=$!
  sleep 3
  local t=$(date +%s%N)
  "$@" >"$work/run.out" 2>&1 || { cat "$work/run.out" >&2; kill $bench; exit 1; }
  local took=$(( ($(date +%s%N) - t) / 1000000 ))
  [ $took -lt $(( (seconds - 5) * 1000 )) ] || echo "warning: the command outlasted the load" >&2
  wait $bench || true
  local slowest=$(cat "$work"/log.* | awk "{ if (\$3 > m) m = \$3 } END { printf \"%d\", m / 1000 }")
  echo "$slowest $took"
}
read plain_ms plain_took < <(under_load online_b psql -q -X -v ON_ERROR_STOP=1 -d online_b -c "
ALTER TABLE events ADD COLUMN flag int NOT NULL DEFAULT 0;
ALTER TABLE events ADD CONSTRAINT events_amount_check CHECK (amount >= 0);
ALTER TABLE events ADD CONSTRAINT events_account_fkey FOREIGN KEY (account) REFERENCES accounts (id);
CREATE INDEX events_account_idx ON events (account);")
read schemac_ms schemac_took < <(under_load online_a "$schemac" migrate up "$work/migrations" --db dbname=online_a)
echo "rows: $rows; pgbench: 2 clients updating random rows"
sed -n "/^locks/,\$p" "$work/plan.out"
echo "plain DDL:          slowest write ${plain_ms} ms (the DDL took ${plain_took} ms)"
echo "schemac migrate up: slowest write ${schemac_ms} ms (the migration took ${schemac_took} ms)"
awk -v s="$schemac_ms" -v p="$plain_ms" "BEGIN { printf \"ratio schemac / plain: %.3f (goal: at most 0.2, and under 500 ms)\\n\", (p > 0 ? s / p : 0) }"
' _ "$root" "$rows"
