#!/usr/bin/env bash
# Checks (or, with --fix, applies) the checked-in .clang-format on every tracked C++
# source outside generated/ (whose files are schemac's own output).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=(--dry-run -Werror)
[ "${1:-}" = "--fix" ] && mode=(-i)
files=$(git ls-files '*.cpp' '*.hpp' | grep -v '^generated/' || true)
[ -n "$files" ] || { echo "format: no sources found (not a git checkout?)" >&2; exit 2; }
# shellcheck disable=SC2086
clang-format "${mode[@]}" $files
echo "format: $(echo "$files" | wc -l) files checked"
