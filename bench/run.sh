#!/usr/bin/env bash
# Compiler cost per table at N = 10, 100, 1,000 and 10,000: `check`, `sql`, and `plan`
# after one column changed, each the best of three runs, next to libpg_query parsing the same
# DDL (schemac's output). Prints ratios measured in one run; absolute times depend
# on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_schema_gen bench_pg_query_parse >/dev/null
schemac=$root/build/compiler/schemac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

best_us() {  # best_us CMD... : the fastest of three runs, in microseconds
  local best=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    local us=$(((t1 - t0) / 1000))
    if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
  done
  echo "$best"
}

printf '%6s %14s %14s %14s %16s %10s\n' N "check us/tbl" "sql us/tbl" "plan us/tbl" "pg_query us/tbl" "sql/pg_query"
for n in 10 100 1000 10000; do
  mkdir -p "$work/$n/base" "$work/$n/changed"
  "$root/build/bench/bench_schema_gen" "$n" "$work/$n/base"
  "$root/build/bench/bench_schema_gen" "$n" "$work/$n/changed" --changed
  "$schemac" sql "$work/$n/base" > "$work/$n/base.sql"
  check=$(best_us "$schemac" check "$work/$n/base")
  sql=$(best_us "$schemac" sql "$work/$n/base")
  "$schemac" plan --init "$work/$n/base" "$work/$n/migrations" --name base >/dev/null
  plan_one() {
    rm -rf "$work/$n/m" && cp -r "$work/$n/migrations" "$work/$n/m"
    "$schemac" plan "$work/$n/changed" "$work/$n/m" --name widen
  }
  plan=$(best_us plan_one)
  pgq=999999999
  for _ in 1 2 3; do
    v=$("$root/build/bench/bench_pg_query_parse" "$work/$n/base.sql")
    [ "$v" -lt "$pgq" ] && pgq=$v
  done
  awk -v n="$n" -v c="$check" -v s="$sql" -v p="$plan" -v q="$pgq" 'BEGIN {
    printf "%6d %14.1f %14.1f %14.1f %16.1f %10.2f\n", n, c / n, s / n, p / n, q / n, s / q }'
done
