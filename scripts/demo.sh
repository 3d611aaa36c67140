#!/usr/bin/env bash
# The main job: builds schemac, compiles every example schema in schemas/, starts a
# throwaway PostgreSQL 15, applies each example's SQL to a database of its own and
# prints what was created; then runs the example program (examples/ai_assistant),
# which migrates a database of its own with its embedded migrations and uses the
# generated C++ accessors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
schemac=$root/build/compiler/schemac
cd "$root"
for dir in schemas/*/; do
  "$schemac" check "$dir"
  echo "schemac check $dir: ok"
done
exec "$root/scripts/with-postgres.sh" bash -c '
set -euo pipefail
for dir in schemas/*/; do
  name=$(basename "$dir")
  sql=$("$0" sql "$dir")
  if grep -qE "^SELECT create_(distributed|reference)_table" <<<"$sql"; then
    echo
    echo "== $name: a distributed schema, for a Citus cluster (the Citus tests apply it: scripts/with-citus.sh)"
    continue
  fi
  createdb "$name"
  { "$0" sql "$dir" --externs; } | psql -q -v ON_ERROR_STOP=1 -d "$name" >/dev/null
  echo
  echo "== $name: applied $("$0" sql "$dir" | grep -c ";$") statements"
  psql -d "$name" -P footer=off -c "
    select c.relname as \"table\",
           (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
           (select count(*) from pg_index i where i.indrelid = c.oid) as indexes,
           c.relrowsecurity as rls,
           (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
           (select count(*) from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal) as triggers
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = '"'"'r'"'"' and n.nspname not in ('"'"'pg_catalog'"'"', '"'"'information_schema'"'"', '"'"'auth'"'"')
     order by 1"
  psql -d "$name" -P footer=off -c "
    select c.relname as view, case c.relkind when '"'"'m'"'"' then '"'"'materialized'"'"' else '"'"'view'"'"' end as kind
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('"'"'v'"'"', '"'"'m'"'"') and n.nspname = '"'"'public'"'"' order by 1"
  psql -d "$name" -P footer=off -c "
    select p.proname as function, pg_get_function_result(p.oid) as returns
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = '"'"'public'"'"' and p.prokind = '"'"'f'"'"'
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = '"'"'e'"'"')
     order by 1"
done
echo
echo "== examples/ai_assistant: the program on its generated accessors"
createdb ai_assistant_app
"$0" sql schemas/ai_assistant --externs-only | psql -q -v ON_ERROR_STOP=1 -d ai_assistant_app >/dev/null
"$1" "dbname=ai_assistant_app"
' "$schemac" "$root/build/examples/ai_assistant_demo"
