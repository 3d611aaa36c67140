#!/usr/bin/env bash
# The Citus tests on a throwaway three-node cluster. When Citus is not installed for
# PostgreSQL 15 this says so plainly and exits 77 (ctest: skipped), unless
# SCHEMAC_CITUS is set (CI sets it: scripts/setup.sh installs Citus from it), when a
# missing Citus is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f /usr/lib/postgresql/15/lib/citus.so ]; then
  if [ -n "${SCHEMAC_CITUS:-}" ]; then
    echo "citus tests: SCHEMAC_CITUS=$SCHEMAC_CITUS but Citus is not installed: run scripts/setup.sh" >&2
    exit 1
  fi
  echo "citus tests: NOT RUN: Citus is not installed for PostgreSQL 15 (set SCHEMAC_CITUS to a Citus" \
    "tarball or to a folder with install.sh, then run scripts/setup.sh)"
  exit 77
fi
exec "$root/scripts/with-citus.sh" "$@"
