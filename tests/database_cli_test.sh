#!/usr/bin/env bash
# `schemac pull` and `schemac diff` as a user meets them, on the throwaway PostgreSQL
# that scripts/with-postgres.sh started: adoption of an existing database, drift
# after hand-made changes (and the SQL that fixes it), bad input.
#   tests/database_cli_test.sh SCHEMAC
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
schemac=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', wanted '$3'"; fi; }
contains() { if grep -qF -- "$3" "$2"; then ok; else fail "$1: '$3' not in: $(cat "$2")"; fi; }
fresh() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1"; }
q() { psql -d "$1" -Atc "$2"; }

# 1. A database built from an example is pulled; the pulled files check, and diff
#    finds nothing against either the pulled files or the example itself.
fresh live
"$schemac" sql --externs "$root/schemas/ai_assistant" | psql -q -v ON_ERROR_STOP=1 -d live >/dev/null
# Only public: what it uses of the platform's auth schema is declared extern.
"$schemac" pull "$work/pulled" --db "dbname=live" --schema public >"$work/pull.out" 2>"$work/pull.err"
check "pull exit" $? 0
contains "pull says what it wrote" "$work/pull.out" "pulled 6 tables"
check "pull writes one file per schema" "$(ls "$work/pulled" | tr '\n' ' ')" "database.schema public.schema "
contains "what public uses of auth is extern" "$work/pulled/database.schema" "extern function auth.uid() returns uuid"
"$schemac" check "$work/pulled" >"$work/check.out" 2>&1
check "the pulled files check" $? 0
"$schemac" fmt --check "$work/pulled" >/dev/null 2>&1
check "the pulled files are fmt-clean" $? 0
"$schemac" diff "$work/pulled" --db "dbname=live" >"$work/diff0.out" 2>&1
check "diff against the pulled files exit" $? 0
contains "diff says equal" "$work/diff0.out" "no difference"
"$schemac" diff "$root/schemas/ai_assistant" --db "dbname=live" >"$work/diff1.out" 2>&1
check "diff against the example exit (expressions compared by meaning)" $? 0

# 2. Drift: hand-made changes are reported, and the SQL diff prints takes the
#    database back to the schema.
q live "alter table public.messages add column stray text" >/dev/null
q live "drop index public.idx_messages_conversation_created" >/dev/null
q live "alter policy messages_select on public.messages using (true)" >/dev/null
q live "create or replace function public.update_updated_at_column() returns trigger language plpgsql as \$\$ begin return old; end \$\$" >/dev/null
"$schemac" diff "$root/schemas/ai_assistant" --db "dbname=live" >"$work/diff2.out" 2>"$work/diff2.err"
check "diff with drift exit" $? 1
contains "drift: the stray column" "$work/diff2.out" "drop_column messages.stray"
contains "drift: the dropped index" "$work/diff2.out" "create_index messages.idx_messages_conversation_created"
contains "drift: the policy" "$work/diff2.out" "messages.messages_select"
contains "drift: the function body" "$work/diff2.out" "replace_function update_updated_at_column"
check "drift: exactly those four changes" "$(grep -c '^--   ' "$work/diff2.out")" 4
grep -v '^--' "$work/diff2.out" | psql -q -v ON_ERROR_STOP=1 -d live >/dev/null 2>"$work/fix.err"
check "the printed SQL applies" $? 0
"$schemac" diff "$root/schemas/ai_assistant" --db "dbname=live" >"$work/diff3.out" 2>&1
check "after applying it, no drift" $? 0
# A schema the files declare and the database lacks is drift too.
cp -r "$root/schemas/ai_assistant" "$work/more"
printf 'schema billing\ntable billing.invoices {\n  id int primary key\n}\n' > "$work/more/billing.schema"
"$schemac" diff "$work/more" --db "dbname=live" >"$work/diff4.out" 2>"$work/diff4.err"
check "diff with a missing schema exit" $? 1
contains "diff creates the missing table" "$work/diff4.out" "billing.invoices"
check "no role left behind by the shadow build" "$(q live "select count(*) from pg_roles where rolname = 'schemac_probe_role'")" 0
check "no shadow database is left behind" "$(q live "select count(*) from pg_database where datname like 'schemac_shadow%'")" 0

# 3. Bad input: nothing written, a clear error.
mkdir -p "$work/full" && touch "$work/full/keep.schema"
"$schemac" pull "$work/full" --db "dbname=live" 2>"$work/full.err"
check "pull into a non-empty directory exit" $? 2
contains "pull into a non-empty directory says so" "$work/full.err" "exists and is not empty"
check "nothing written into it" "$(ls "$work/full")" "keep.schema"
"$schemac" pull "$work/none" --db "host=/nonexistent dbname=x" 2>"$work/conn.err"
check "unreachable database exit" $? 2
contains "unreachable database says so" "$work/conn.err" "cannot connect to the database"
check "nothing written for an unreachable database" "$(ls -d "$work/none" 2>/dev/null)" ""
"$schemac" pull "$work/none" --db "dbname=live" --schema nosuch 2>"$work/schema.err"
check "unknown --schema exit" $? 2
contains "unknown --schema says so" "$work/schema.err" "schema 'nosuch' does not exist"
q live "create role schemac_no_catalog login" >/dev/null 2>&1
q live "revoke select on pg_catalog.pg_proc from public" >/dev/null
"$schemac" pull "$work/none" --db "dbname=live user=schemac_no_catalog" 2>"$work/priv.err"
check "missing catalog privileges exit" $? 2
contains "missing catalog privileges say so" "$work/priv.err" "permission denied"
q live "grant select on pg_catalog.pg_proc to public" >/dev/null
check "nothing written without privileges" "$(ls -d "$work/none" 2>/dev/null)" ""

# 4. migrate status reports drift from the applied state; baseline adopts only a
#    database whose catalog is the snapshot's.
mq=$root/generated/quests/migrations
fresh applied
"$schemac" sql --externs-only "$root/schemas/quests" | psql -q -v ON_ERROR_STOP=1 -d applied >/dev/null
"$schemac" migrate up "$mq" --db "dbname=applied" >/dev/null
"$schemac" migrate status "$mq" --db "dbname=applied" >"$work/status0.out" 2>&1
check "status without drift exit" $? 0
contains "status says no drift" "$work/status0.out" "drift: none"
q applied "alter table public.quests add column stray int" >/dev/null
"$schemac" migrate status "$mq" --db "dbname=applied" >"$work/status1.out" 2>&1
check "status with drift exit" $? 1
contains "status names the drift" "$work/status1.out" "drop_column quests.stray"
ma=$work/ai_migrations
"$schemac" plan --init "$root/schemas/ai_assistant" "$ma" --name init >/dev/null
fresh adopted
"$schemac" sql --externs "$root/schemas/ai_assistant" | psql -q -v ON_ERROR_STOP=1 -d adopted >/dev/null
q adopted "alter table public.tenants alter column name drop not null" >/dev/null
"$schemac" migrate baseline "$ma" --db "dbname=adopted" --to 1 >"$work/base1.out" 2>"$work/base1.err"
check "baseline of a drifted database exit" $? 1
contains "baseline says why" "$work/base1.err" "is not at the state of"
contains "baseline lists the differences" "$work/base1.err" "alter_column tenants.name"
check "nothing adopted" "$(q adopted "select count(*) from pg_tables where tablename = 'schemac_migrations'")" 0
fresh adopted
"$schemac" sql --externs "$root/schemas/ai_assistant" | psql -q -v ON_ERROR_STOP=1 -d adopted >/dev/null
"$schemac" migrate baseline "$ma" --db "dbname=adopted" --to 1 >"$work/base2.out" 2>&1
check "baseline of a matching database exit" $? 0
"$schemac" migrate status "$ma" --db "dbname=adopted" >"$work/status2.out" 2>&1
contains "the adopted database has no drift" "$work/status2.out" "drift: none"

# 6. plan --db: the lock summary with each table's size, from the database it names.
mkdir -p "$work/sized1" "$work/sized2"
printf 'table big {\n  id int primary key\n  v  int?\n}\n' >"$work/sized1/s.schema"
printf 'table big {\n  id int primary key\n  v  int\n  index on (v)\n}\n' >"$work/sized2/s.schema"
"$schemac" plan --init "$work/sized1" "$work/sized" --name base >/dev/null
fresh sized
"$schemac" migrate up "$work/sized" --db "dbname=sized" >/dev/null
q sized "insert into big select g, g from generate_series(1, 5000) g; analyze big" >/dev/null
"$schemac" plan "$work/sized2" "$work/sized" --name online --db "dbname=sized" >"$work/sized.out" 2>&1
check "plan --db exit" $? 0
contains "plan --db: the concurrent build, with the size" "$work/sized.out" "phase 2 of 4 (indexes built concurrently, outside a transaction): big (~5000 rows): SHARE UPDATE EXCLUSIVE, scans it (writes go on)"
contains "plan --db: NOT NULL without a scan under its lock" "$work/sized.out" "phase 4 of 4 (NOT NULL and keys): big (~5000 rows): ACCESS EXCLUSIVE, brief"
"$schemac" migrate up "$work/sized" --db "dbname=sized" --lock-timeout 1000 >"$work/sized-up.out" 2>&1
check "the online migration applies" $? 0
contains "in phases" "$work/sized-up.out" "applied 0002_online (in 4 phases, partly outside a transaction)"
check "NOT NULL set, the helper check gone" "$(q sized "select attnotnull from pg_attribute where attrelid = 'big'::regclass and attname = 'v'")/$(q sized "select count(*) from pg_constraint where conrelid = 'big'::regclass and contype = 'c'")" "t/0"
"$schemac" plan "$work/sized2" "$work/sized" --name again --db "dbname=nosuchdb" >/dev/null 2>"$work/sized.err"
check "plan --db with a database that is not there exit" $? 2

# 5. The Supabase stand-ins: auth.uid(), auth.role() and auth.jwt() read the request's
#    claims as the platform does, from the JSON of all claims or one setting per claim.
mkdir -p "$work/supa"
printf 'role authenticated\nextern function auth.uid() returns uuid\nextern table auth.users {\n  id uuid primary key\n}\n' >"$work/supa/a.schema"
fresh supa
"$schemac" sql --externs-only "$work/supa" | psql -q -v ON_ERROR_STOP=1 -d supa >/dev/null
check "stand-ins: the claims as JSON" "$(q supa "begin; select set_config('request.jwt.claims', '{\"sub\": \"6f1d1a52-58d8-4b8e-9bd0-0d2f9f5c3a11\", \"role\": \"authenticated\", \"email\": \"a@example.com\"}', true); select auth.uid() || ' ' || auth.role() || ' ' || (auth.jwt() ->> 'email'); commit" | sed -n 3p)" "6f1d1a52-58d8-4b8e-9bd0-0d2f9f5c3a11 authenticated a@example.com"
check "stand-ins: one setting per claim" "$(q supa "begin; select set_config('request.jwt.claim.sub', '0b7c9e3e-3a5f-4f7e-8a43-5a2c1e9d7b20', true), set_config('request.jwt.claim.role', 'anon', true); select auth.uid() || ' ' || auth.role(); commit" | sed -n 3p)" "0b7c9e3e-3a5f-4f7e-8a43-5a2c1e9d7b20 anon"
check "stand-ins: no claims, no user" "$(q supa "select coalesce(auth.uid()::text, 'none') || ' ' || coalesce(auth.role(), 'none')")" "none none"

echo "database commands: $passed passed, $failed failed"
[ "$failed" = 0 ]
