#!/usr/bin/env bash
# Builds the parser's libFuzzer target with clang (ASan + UBSan) and fuzzes it for a
# bounded time, seeded with every .schema file of the repository. Any crash fails.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=$root/build-fuzz
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSCHEMAC_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
# Quiet when it builds; the compiler's messages when it does not.
ninja -C "$build" parser_fuzz >"$build/fuzz-build.log" 2>&1 || { cat "$build/fuzz-build.log" >&2; exit 1; }
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
while IFS= read -r f; do i=$((i + 1)); cp "$f" "$corpus/seed-$i.schema"; done \
  < <(find "$root/schemas" "$root/tests" -name '*.schema' | sort)
cd "$corpus"
export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0"
"$build/compiler/parser_fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 "$corpus" 2>&1 | tail -n 15
echo "fuzz: no crash in ${seconds}s"
