#!/usr/bin/env bash
# `schemac gen cpp` of a large schema (bench_schema_gen N, 10,000 tables by default:
# a 10 MB file): wall time and peak memory (/usr/bin/time -v) of a first run into an
# empty directory and of a second run that changes nothing, next to `schemac check`
# of the same schema; then the parts written and the compile time of the first part.
#   bench/gen_cpp.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
ninja -C "$root/build" schemac bench_schema_gen >/dev/null
schemac=$root/build/compiler/schemac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/schema"
"$root/build/bench/bench_schema_gen" "$n" "$work/schema"
echo "schema: $(du -h "$work/schema/bench.schema" | cut -f1), $n tables"
measure() {  # measure LABEL COMMAND...
  /usr/bin/time -v "${@:2}" 2>"$work/time" >/dev/null
  echo "$1: $(grep -F 'Elapsed (wall clock)' "$work/time" | awk '{print $NF}') wall," \
    "$(grep -F 'Maximum resident set size' "$work/time" | awk '{printf "%d MiB", $NF / 1024}') peak"
}
measure "check" "$schemac" check "$work/schema"
measure "gen cpp, first run" "$schemac" gen cpp "$work/schema" --out "$work/out" --namespace bench
measure "gen cpp, nothing changed" "$schemac" gen cpp "$work/schema" --out "$work/out" --namespace bench
echo "files: $(ls "$work/out" | wc -l), $(du -sh "$work/out" | cut -f1)"
if [ -f "$work/out/bench_1.cpp" ]; then
  /usr/bin/time -f "compile bench_1.cpp (-O2): %e s, %M KiB peak" \
    "${CXX:-c++}" -std=c++20 -O2 -I"$root/runtime/include" -I"$work/out" -c "$work/out/bench_1.cpp" -o "$work/part.o"
fi
