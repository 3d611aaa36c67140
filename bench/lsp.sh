#!/usr/bin/env bash
# The language server's latency on the 1,000-table bench schema: the first check when
# the file is opened, and the diagnostics of a one-line edit (median and worst of 21),
# next to a whole `schemac check` of the same directory (best of three) as its peer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_schema_gen bench_lsp_latency >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/build/bench/bench_schema_gen" 1000 "$work"
best=
for _ in 1 2 3; do
  t0=$(date +%s%N)
  "$root/build/compiler/schemac" check "$work" >/dev/null
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "schemac check of the directory: $best ms (best of 3)"
"$root/build/bench/bench_lsp_latency" "$root/build/compiler/schemac" "$work"
