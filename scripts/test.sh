#!/usr/bin/env bash
# The test command: installs, builds (warnings are errors), runs every test through
# CTest (unit, golden, CLI, generated/ staleness, PostgreSQL integration), then
# fuzzes the parser for a bounded time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure)
bash "$root/scripts/fuzz.sh" "${SCHEMAC_FUZZ_SECONDS:-60}"
