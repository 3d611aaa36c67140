#!/usr/bin/env bash
# Regenerates generated/ from schemas/ (one folder per example).
#   scripts/generate.sh [--check] [SCHEMAC]
# With --check, writes nothing and fails on any difference (the test run does this).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
schemac=${1:-$root/build/compiler/schemac}

out=$root/generated
if [ $check = 1 ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi

cd "$root"
for dir in schemas/*/; do
  name=$(basename "$dir")
  mkdir -p "$out/$name"
  "$schemac" sql "schemas/$name" > "$out/$name/schema.sql.tmp"
  mv "$out/$name/schema.sql.tmp" "$out/$name/schema.sql"
done

if [ $check = 1 ]; then
  if ! diff -ru "$root/generated" "$out"; then
    echo "generated/ is stale: run scripts/generate.sh and review the diff" >&2
    exit 1
  fi
  echo "generated/ is current"
fi
