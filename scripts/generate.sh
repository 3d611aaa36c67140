#!/usr/bin/env bash
# Regenerates generated/ from schemas/ (one folder per example):
#   generated/NAME/schema.sql       `schemac sql` of the example
#   generated/NAME/migrations/      its migrations, planned in order from
#                                   schemas/NAME/history/NNNN_name/ (earlier states),
#                                   then the current state, named by migration.txt
#   generated/NAME/cpp/NAME.{hpp,cpp} `schemac gen cpp` with those migrations embedded
#   generated/man/schemac.1         the man page, from the command line's help (scripts/man.sh)
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
  rm -rf "$out/$name/migrations"
  for state in "schemas/$name"/history/*/; do
    [ -d "$state" ] || continue
    step=$(basename "$state")
    "$schemac" plan --init "$state" "$out/$name/migrations" --name "${step#*_}" >/dev/null
  done
  current=init
  [ -f "schemas/$name/migration.txt" ] && current=$(cat "schemas/$name/migration.txt")
  "$schemac" plan --init "schemas/$name" "$out/$name/migrations" --name "$current" >/dev/null
  "$schemac" gen cpp "schemas/$name" --out "$out/$name/cpp" --namespace "$name" --migrations "$out/$name/migrations"
done

mkdir -p "$out/man"
bash "$root/scripts/man.sh" "$schemac" >"$out/man/schemac.1.tmp"
mv "$out/man/schemac.1.tmp" "$out/man/schemac.1"

if [ $check = 1 ]; then
  if ! diff -ru "$root/generated" "$out"; then
    echo "generated/ is stale: run scripts/generate.sh and review the diff" >&2
    exit 1
  fi
  echo "generated/ is current"
fi
