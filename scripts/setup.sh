#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need. Idempotent.
# With SCHEMAC_CITUS set (a Citus build for PostgreSQL 15: a folder with install.sh,
# or a tarball of its installed files, paths from /), installs Citus too, for the
# Citus tests; without it they say they did not run. CI sets it.
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
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

citus=${SCHEMAC_CITUS:-}
[ -n "$citus" ] || exit 0
citus_so=/usr/lib/postgresql/15/lib/citus.so
if [ -d "$citus" ]; then
  # A folder with its own (idempotent) installer, as ../shared/citus.
  [ -f "$citus/install.sh" ] || { echo "setup: SCHEMAC_CITUS=$citus has no install.sh" >&2; exit 2; }
elif [ -f "$citus" ]; then
  case "$citus" in
    *.tar.gz | *.tgz) ;;
    *) echo "setup: SCHEMAC_CITUS=$citus is neither a folder with install.sh nor a .tar.gz" >&2; exit 2 ;;
  esac
  [ -f "$citus_so" ] && exit 0  # an existing installation is used as it is
else
  echo "setup: SCHEMAC_CITUS=$citus does not exist" >&2
  exit 2
fi
if [ ! -f "$citus_so" ]; then
  # A Citus build links against a recent point release of the server (it calls
  # functions older ones do not export): bring the server up to date first.
  installed=$(dpkg-query -W -f='${Version}' postgresql-15)
  "${sudo[@]}" apt-get update -qq
  candidate=$(apt-cache policy postgresql-15 | awk '/Candidate:/ {print $2}')
  if [ -n "$candidate" ] && [ "$candidate" != "$installed" ]; then
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null
  fi
fi
if [ -d "$citus" ]; then
  "${sudo[@]}" bash "$citus/install.sh" >/dev/null
else
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends libcurl4 liblz4-1 libzstd1 >/dev/null
  "${sudo[@]}" tar -xzf "$citus" -C / --no-same-owner
fi
[ -f "$citus_so" ] || { echo "setup: SCHEMAC_CITUS=$citus did not install $citus_so" >&2; exit 2; }
