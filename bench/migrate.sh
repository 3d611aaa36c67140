#!/usr/bin/env bash
# `schemac migrate up` of a generated 1,000-table migration against `psql -1 -f` of
# the same up and verify SQL, each on a fresh database of the same throwaway server,
# alternating, best of three. Prints the times and their ratio (goal: within 1.1x).
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
"$schemac" plan --init "$work/schema" "$work/migrations" --name init >/dev/null
up=$(ls "$work"/migrations/*.up.sql)
verify=$(ls "$work"/migrations/*.verify.sql)
psql -qc "create role authenticated" >/dev/null 2>&1 || true
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
best_schemac= best_psql=
for i in 1 2 3; do
  createdb "s$i"; createdb "p$i"
  t=$(date +%s%N); "$schemac" migrate up "$work/migrations" --db "dbname=s$i" >/dev/null; s=$(ms $t)
  t=$(date +%s%N); psql -q -X -v ON_ERROR_STOP=1 -1 -d "p$i" -f "$up" -f "$verify" >/dev/null; p=$(ms $t)
  [ -z "$best_schemac" ] || [ "$s" -lt "$best_schemac" ] && best_schemac=$s
  [ -z "$best_psql" ] || [ "$p" -lt "$best_psql" ] && best_psql=$p
done
awk -v s="$best_schemac" -v p="$best_psql" "BEGIN { printf \"migrate up: %d ms   psql -1 -f: %d ms   ratio: %.2f\\n\", s, p, s / p }"
' _ "$root"
