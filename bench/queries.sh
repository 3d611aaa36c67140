#!/usr/bin/env bash
# A named query with a join returning 1,000 rows against the same query hand-written
# with libpqxx, against a throwaway PostgreSQL 15.
#   bench/queries.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
ninja -C "$root/build" bench_queries >/dev/null
exec "$root/scripts/with-postgres.sh" bash -c 'createdb bench_queries && "$0" "dbname=bench_queries" "$1"' \
  "$root/build/bench/bench_queries" "${1:-300}"
