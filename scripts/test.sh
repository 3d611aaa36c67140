#!/usr/bin/env bash
# The test command: installs, builds (warnings are errors), runs every test through
# CTest (unit, golden, CLI, generated/ staleness, PostgreSQL and Citus integration),
# then fuzzes the parser for a bounded time. The Citus tests run when Citus is
# installed (SCHEMAC_CITUS=path scripts/setup.sh installs it) and say plainly when not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure)
[ -f /usr/lib/postgresql/15/lib/citus.so ] ||
  echo "NOTE: the Citus tests did not run: Citus is not installed (set SCHEMAC_CITUS and run scripts/setup.sh)"
bash "$root/scripts/fuzz.sh" "${SCHEMAC_FUZZ_SECONDS:-60}"
