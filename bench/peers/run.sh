#!/usr/bin/env bash
# schemac against its peers, timed in one run on the same N-table workload
# (bench_schema_gen and its drizzle twin, drizzle_schema.mjs):
#   - `schemac plan` of the whole schema from an empty migrations directory against
#     `drizzle-kit generate` from an empty out directory (best of three each, with
#     peak memory);
#   - one column widened in table 1: the statements each writes;
#   - `schemac sql` against libpg_query parsing the DDL schemac prints.
# Usage: bench/peers/run.sh [N ...]   (default: 100 1000). Absolute times depend on the
# machine; the ratios are what to compare.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_schema_gen bench_pg_query_parse >/dev/null
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
if [ ! -x "$here/node_modules/.bin/drizzle-kit" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent >/dev/null)
fi
schemac=$root/build/compiler/schemac
drizzle=$here/node_modules/.bin/drizzle-kit
work=$here/work  # drizzle's schema must sit where node finds drizzle-orm
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# best CMD...: the fastest of three runs as "milliseconds peak_KiB" (peak of that run).
best() {
  local best_ms= best_kb=
  for _ in 1 2 3; do
    "$@" >/dev/null 2>"$work/time" || { cat "$work/time" >&2; return 1; }
    local line ms kb
    line=$(tail -1 "$work/time")
    ms=$(awk -v s="${line% *}" 'BEGIN { printf "%d", s * 1000 }')
    kb=${line#* }
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms best_kb=$kb; fi
  done
  echo "$best_ms $best_kb"
}
timed() { /usr/bin/time -f "%e %M" "$@"; }
statements() { grep -v '^--' "$1" | grep -c ';' || true; }

schemac_plan() { rm -rf "$work/m" && timed "$schemac" plan --init "$1" "$work/m" --name init; }
# Paths relative to bench/peers: drizzle-kit resolves them from there.
drizzle_generate() {
  rm -rf "$work/out" && (cd "$here" && timed "$drizzle" generate --dialect postgresql --schema "$1" --out work/out)
}

printf '%6s | %12s %10s | %12s %10s | %8s | %9s %9s | %12s\n' N "schemac ms" "peak MiB" "drizzle ms" "peak MiB" \
  "ratio" "stmts s." "stmts d." "sql/pg_query"
for n in "${@:-100 1000}"; do
  for n1 in $n; do
    d=$work/$n1
    mkdir -p "$d/base" "$d/changed"
    "$root/build/bench/bench_schema_gen" "$n1" "$d/base"
    "$root/build/bench/bench_schema_gen" "$n1" "$d/changed" --changed
    node "$here/drizzle_schema.mjs" "$n1" "$work/schema_$n1.ts"
    node "$here/drizzle_schema.mjs" "$n1" "$work/schema_${n1}_changed.ts" --changed
    base_ts=work/schema_$n1.ts changed_ts=work/schema_${n1}_changed.ts
    read -r s_ms s_kb < <(best schemac_plan "$d/base")
    read -r d_ms d_kb < <(best drizzle_generate "$base_ts")
    # One column widened, planned from the full state each tool wrote.
    rm -rf "$d/m" && "$schemac" plan --init "$d/base" "$d/m" --name init >/dev/null
    "$schemac" plan "$d/changed" "$d/m" --name widen >/dev/null
    s_stmts=$(statements "$d"/m/0002_widen.up.sql)
    rm -rf "$work/out"
    (cd "$here" && "$drizzle" generate --dialect postgresql --schema "$base_ts" --out work/out >/dev/null 2>&1)
    (cd "$here" && "$drizzle" generate --dialect postgresql --schema "$changed_ts" --out work/out >/dev/null 2>&1)
    d_stmts=$(statements "$(ls "$work"/out/0001_*.sql)")
    # schemac sql against libpg_query's parse of the DDL it prints (best of three each).
    "$schemac" sql "$d/base" >"$d/base.sql"
    read -r q_ms _ < <(best timed "$schemac" sql "$d/base")
    pgq=999999999
    for _ in 1 2 3; do
      v=$("$root/build/bench/bench_pg_query_parse" "$d/base.sql")
      [ "$v" -lt "$pgq" ] && pgq=$v
    done
    awk -v n="$n1" -v sm="$s_ms" -v sk="$s_kb" -v dm="$d_ms" -v dk="$d_kb" -v ss="$s_stmts" -v ds="$d_stmts" \
      -v q="$q_ms" -v p="$pgq" 'BEGIN {
      printf "%6d | %12d %10.1f | %12d %10.1f | %8.3f | %9d %9d | %12.2f\n",
        n, sm, sk / 1024, dm, dk / 1024, sm / dm, ss, ds, (q * 1000) / p }'
  done
done
