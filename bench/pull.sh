#!/usr/bin/env bash
# `schemac pull` of a 1,000-table database against `pg_dump --schema-only` of the
# same database on the same throwaway server, alternating, best of three. Prints the
# times and their ratio (goal: within 2x).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_schema_gen >/dev/null
exec "$root/scripts/with-postgres.sh" bash -c '
set -euo pipefail
root=$1
schemac=$root/build/compiler/schemac
work=$(mktemp -d)
trap "rm -rf $work" EXIT
mkdir -p "$work/schema"
"$root/build/bench/bench_schema_gen" 1000 "$work/schema"
createdb bench
"$schemac" sql --externs "$work/schema" | psql -q -X -v ON_ERROR_STOP=1 -d bench >/dev/null
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
best_pull= best_dump=
for i in 1 2 3; do
  rm -rf "$work/pulled"
  t=$(date +%s%N); "$schemac" pull "$work/pulled" --db "dbname=bench" >/dev/null; s=$(ms $t)
  t=$(date +%s%N); pg_dump --schema-only -d bench -f "$work/dump.sql"; p=$(ms $t)
  [ -z "$best_pull" ] || [ "$s" -lt "$best_pull" ] && best_pull=$s
  [ -z "$best_dump" ] || [ "$p" -lt "$best_dump" ] && best_dump=$p
done
tables=$(grep -c "^table " "$work"/pulled/*.schema | awk -F: "{ n += \$2 } END { print n }")
awk -v s="$best_pull" -v p="$best_dump" -v t="$tables" "BEGIN { printf \"pull (%d tables): %d ms   pg_dump --schema-only: %d ms   ratio: %.2f\\n\", t, s, p, s / p }"
' _ "$root"
