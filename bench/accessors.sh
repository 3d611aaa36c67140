#!/usr/bin/env bash
# Generated accessors vs hand-written libpqxx (find by primary key, insert), and
# insert_many (COPY) vs row-by-row inserts, against a throwaway PostgreSQL 15.
#   bench/accessors.sh [ROWS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_accessors >/dev/null
exec "$root/scripts/with-postgres.sh" bash -c 'createdb bench_accessors && "$0" "dbname=bench_accessors" "$1"' \
  "$root/build/bench/bench_accessors" "${1:-20000}"
