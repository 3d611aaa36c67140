#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need. Idempotent.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config # the build
  libboost-dev                     # Boost.Spirit X3: the .schema parser
  libfmt-dev                       # text emission
  libmimalloc-dev                  # the compiler's allocator (large pages: few page faults)
  libcli11-dev                     # command-line parsing
  nlohmann-json3-dev               # reading libpg_query's JSON parse trees
  libkainjow-mustache-dev          # the templates schemac gen cpp renders
  libpqxx-dev libpq-dev            # the runtime's PostgreSQL client (libpqxx 6.4)
  libpg-query-dev                  # PostgreSQL's own parser, for embedded SQL
  catch2                           # unit, golden and integration tests (v2)
  postgresql-15 postgresql-client-15  # the throwaway server the tests start
  clang libclang-rt-14-dev         # libFuzzer for the parser fuzz target
  clang-format                     # the style check in the tests
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
