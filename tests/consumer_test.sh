#!/usr/bin/env bash
# Installs schemac into a temporary prefix, then configures and builds the project in
# tests/consumer/ from an empty build directory through find_package(schemac), runs
# it against PostgreSQL, and checks that the generated code is regenerated when a
# .schema file changes, and only then.
#   tests/consumer_test.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cp -r "$root/tests/consumer" "$work/src"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
[ -f "$work/build/schemac_shop/shop.hpp" ] || fail "shop.hpp was not generated"
"$work/build/shop" | grep -q "order status paid" || fail "the consumer does not run"
"$work/build/shop_report" | grep -q "report: shipped, paid is paid" || fail "the second program on the namespace does not run"
echo "ok: built from an empty directory through find_package(schemac); three targets share one namespace"

# A required column (NOT NULL, no default) left out of a New... struct does not
# compile, and the error says why; with it given, the same code compiles.
cxx() { c++ -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$work/build/schemac_shop" -I"$work/prefix/include" \
  -isystem /usr/include/postgresql "$@"; }
printf '#include "shop.hpp"\nint main() {\n  shop::NewProduct p{.sku = "SKU-1", .price = schemac::Decimal::parse("1")};\n  (void)p;\n}\n' >"$work/unset.cpp"
if cxx "$work/unset.cpp" >"$work/unset.out" 2>&1; then fail "a New... struct without its required member 'name' compiled"; fi
grep -q "a required column (NOT NULL, no default) of a New... struct is left unset" "$work/unset.out" ||
  fail "the error of an unset required member does not say why: $(head -c 2000 "$work/unset.out")"
sed 's/.sku = "SKU-1", /.sku = "SKU-1", .name = "Kettle", /' "$work/unset.cpp" >"$work/set.cpp"
cxx "$work/set.cpp" || fail "a New... struct with every required member does not compile"
echo "ok: a required member left unset does not compile, and says why"

# One namespace from two schema directories is refused at configure time, saying why.
mkdir -p "$work/clash/a" "$work/clash/b"
cp "$root/tests/consumer/schema/"*.schema "$work/clash/a/"
cp "$root/tests/consumer/schema/"*.schema "$work/clash/b/"
cat >"$work/clash/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(clash LANGUAGES CXX)
find_package(schemac 0.1 REQUIRED)
schemac_generate(SCHEMA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/a NAMESPACE shop)
schemac_generate(SCHEMA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/b NAMESPACE shop)
CMAKE
if cmake -S "$work/clash" -B "$work/clash/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/clash.out" 2>&1; then
  fail "one namespace from two schema directories was accepted"
fi
grep -q "namespace shop is generated already from" "$work/clash.out" || fail "the clash is not explained: $(cat "$work/clash.out")"
echo "ok: one namespace from two schema directories is refused"

# Nothing changed: neither schemac nor the compiler runs.
out=$(cmake --build "$work/build" -- -v 2>&1)
echo "$out" | grep -q "gen cpp" && fail "schemac ran although nothing changed"
echo "$out" | grep -q -- " -c " && fail "something was recompiled although nothing changed"
# A .schema file touched without a change: schemac runs, rewrites nothing, nothing recompiles.
sleep 1
touch "$work/src/schema/shop.schema"
before=$(stat -c %Y "$work/build/schemac_shop/shop.cpp")
out=$(cmake --build "$work/build" -- -v 2>&1)
echo "$out" | grep -q "gen cpp" || fail "a touched .schema did not run schemac"
echo "$out" | grep -q -- " -c " && fail "an unchanged generated file was recompiled"
[ "$(stat -c %Y "$work/build/schemac_shop/shop.cpp")" = "$before" ] || fail "an unchanged generated file was rewritten"
echo "ok: a touched .schema regenerates and rewrites nothing"
# A real change: regenerated and recompiled.
sed -i 's/  quantity   int          default 1/  quantity   int          default 1\n  note       text?/' "$work/src/schema/shop.schema"
out=$(cmake --build "$work/build" -- -v 2>&1)
echo "$out" | grep -q "shop.cpp.o" || fail "a changed schema did not recompile"
grep -q "std::optional<std::string> note" "$work/build/schemac_shop/shop.hpp" || fail "the new column is missing"
echo "ok: a changed .schema regenerates and recompiles"

# Against a database: the generated insert and count work.
createdb schemac_consumer
"$work/prefix/bin/schemac" sql "$work/src/schema" | psql -q -v ON_ERROR_STOP=1 -d schemac_consumer >/dev/null
out=$("$work/build/shop" "dbname=schemac_consumer")
echo "$out" | grep -q "product 1 19.99 1" || fail "the consumer's insert failed"
echo "$out" | grep -qF 'ship to 1 Main St, "Rear", Springfield' || fail "the composite column did not round-trip"
echo "ok: the consumer inserts and reads through its generated code"

# A third table: the code is split into parts, which the same build compiles (the
# list of files changed: Ninja re-ran CMake first), and the programs still work.
printf '\ntable notes {\n  id bigint primary key\n  body text\n}\n' >>"$work/src/schema/shop.schema"
out=$(cmake --build "$work/build" -- -v 2>&1) || fail "the build after the split failed: $out"
for part in shop_1.cpp shop_2.cpp; do
  echo "$out" | grep -q "$part.o" || fail "$part was not compiled in the build that split the code"
done
grep -qx "shop_2.hpp" "$work/build/schemac_shop/shop.sources" || fail "shop.sources does not list the parts"
out=$("$work/build/shop" "dbname=schemac_consumer")
echo "$out" | grep -Eq "product [0-9]+ 19.99 1" || fail "the consumer does not work after the split: $out"
out=$(cmake --build "$work/build" -- -v 2>&1)
echo "$out" | grep -q -- " -c " && fail "something was recompiled after the split although nothing changed"
echo "ok: a schema that grows past TABLES_PER_FILE is split into parts, compiled in the same build"
