#!/usr/bin/env bash
# `schemac migrate` as operators meet it, on the throwaway PostgreSQL that
# scripts/with-postgres.sh started: concurrency, a killed runner, a failing verify,
# tampered and reordered history, no-transaction files, dry runs, purge.
set -uo pipefail
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

# Migrations written by hand: what `plan` would write, kept small.
mig() {  # mig DIR NAME UP VERIFY [DOWN]
  mkdir -p "$1"
  printf '%s\n' "$3" > "$1/$2.up.sql"
  printf '%s\n' "${5:--- nothing}" > "$1/$2.down.sql"
  printf '%s\n' "$4" > "$1/$2.verify.sql"
}
exists() { echo "DO \$\$ BEGIN IF to_regclass('$1') IS NULL THEN RAISE EXCEPTION 'schemac verify: %', 'table $1 is missing'; END IF; END \$\$;"; }

m=$work/basic
mig "$m" 0001_counter "create table counter (n int); create table applied_log (migration text);" "$(exists counter)" \
  "drop table applied_log; drop table counter;"
mig "$m" 0002_log "insert into applied_log values ('0002');" "select 1;" "delete from applied_log where migration = '0002';"
mig "$m" 0003_slowish "select pg_sleep(0.3); insert into applied_log values ('0003');" "select 1;" \
  "delete from applied_log where migration = '0003';"

# 1. Eight deploys at once: every one exits 0, each migration runs once.
fresh concurrent
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$schemac" migrate up "$m" --db "dbname=concurrent" >"$work/c$i.out" 2>"$work/c$i.err" & pids+=($!)
done
all_zero=yes
for pid in "${pids[@]}"; do wait "$pid" || all_zero=no; done
check "8 concurrent runs exit 0" "$all_zero" yes
check "each migration applied once" "$(q concurrent "select string_agg(migration, ',' order by migration) from applied_log")" "0002,0003"
check "three history rows" "$(q concurrent "select count(*) from schemac_migrations")" 3
check "one runner applied them" "$(cat "$work"/c*.out | grep -c '^applied')" 3

# 2. A runner killed in the middle of a long migration: the previous version stays,
#    and a rerun completes.
k=$work/killed
mig "$k" 0001_base "create table t (x int);" "$(exists t)" "drop table t;"
mig "$k" 0002_long "insert into t values (1); select pg_sleep(4); insert into t values (2);" "select 1;" "delete from t;"
fresh killed
"$schemac" migrate up "$k" --db "dbname=killed" --to 1 >/dev/null
"$schemac" migrate up "$k" --db "dbname=killed" >/dev/null 2>&1 &
runner=$!
sleep 1
kill -9 "$runner"
wait "$runner" 2>/dev/null
check "killed: still at version 1" "$(q killed "select max(version) from schemac_migrations")" 1
check "killed: nothing of 0002 committed" "$(q killed "select count(*) from t")" 0
"$schemac" migrate up "$k" --db "dbname=killed" >"$work/rerun.out" 2>&1
check "rerun exit" $? 0
check "rerun completes" "$(q killed "select count(*) from t")" 2
check "rerun records 0002" "$(q killed "select max(version) from schemac_migrations")" 2

# 3. A failing verify rolls its migration back.
v=$work/verify
mig "$v" 0001_half "create table made (x int);" "$(exists missing_table)" "drop table made;"
fresh verify
"$schemac" migrate up "$v" --db "dbname=verify" 2>"$work/verify.err"
check "failing verify exit" $? 1
contains "failing verify message" "$work/verify.err" "migration 0001_half did not verify (table missing_table is missing); it was rolled back"
check "failing verify rolled back" "$(q verify "select to_regclass('made') is null")" t
check "failing verify not recorded" "$(q verify "select count(*) from schemac_migrations")" 0

# 4. Tampered, missing and out-of-order history is refused, naming the migration.
fresh tamper
"$schemac" migrate up "$m" --db "dbname=tamper" --to 2 >/dev/null
echo "-- an edit" >> "$m/0001_counter.up.sql"
"$schemac" migrate up "$m" --db "dbname=tamper" 2>"$work/tamper.err"
check "tampered exit" $? 1
contains "tampered message" "$work/tamper.err" "applied migration 0001_counter has changed since it ran"
"$schemac" migrate status "$m" --db "dbname=tamper" >"$work/status.out"
check "status exit on a changed file" $? 1
contains "status shows the change" "$work/status.out" "0001_counter  applied"
contains "status says changed" "$work/status.out" "file changed (up)"
sed -i '$ d' "$m/0001_counter.up.sql"
# A changed down (or verify) file of an applied migration is refused before it runs.
echo "-- an edit" >> "$m/0002_log.down.sql"
"$schemac" migrate down "$m" --db "dbname=tamper" 2>"$work/tamper_down.err"
check "changed down exit" $? 1
contains "changed down message" "$work/tamper_down.err" "applied migration 0002_log has changed since it ran (the checksum of its down file differs)"
check "changed down did not run" "$(q tamper "select count(*) from schemac_migrations")" 2
"$schemac" migrate status "$m" --db "dbname=tamper" >"$work/status_down.out"
check "status exit on a changed down file" $? 1
contains "status names the down file" "$work/status_down.out" "file changed (down)"
sed -i '$ d' "$m/0002_log.down.sql"
"$schemac" migrate status "$m" --db "dbname=tamper" >/dev/null
check "status exit once restored" $? 0
mv "$m/0002_log.up.sql" "$work/0002_log.up.sql.saved"
"$schemac" migrate up "$m" --db "dbname=tamper" 2>"$work/missing.err"
check "missing exit" $? 1
contains "missing message" "$work/missing.err" "applied migration 0002_log has no file any more"
"$schemac" migrate status "$m" --db "dbname=tamper" >"$work/status_missing.out"
check "status exit on a missing file" $? 1
contains "status says missing" "$work/status_missing.out" "file missing"
mv "$work/0002_log.up.sql.saved" "$m/0002_log.up.sql"
o=$work/order
mig "$o" 0001_a "create table a (x int);" "select 1;" "drop table a;"
mig "$o" 0003_c "create table c (x int);" "select 1;" "drop table c;"
fresh order
"$schemac" migrate up "$o" --db "dbname=order" >/dev/null
mig "$o" 0002_b "create table b (x int);" "select 1;" "drop table b;"
"$schemac" migrate up "$o" --db "dbname=order" 2>"$work/order.err"
check "out of order exit" $? 1
contains "out of order message" "$work/order.err" "migration 0002_b is not applied, but 0003_c, after it, is"

# 5. Outside a transaction: applied statement by statement; a failure leaves it
#    recorded as half applied, and the next run resumes at the statement that failed.
n=$work/notx
mig "$n" 0001_table "create table items (x int);" "$(exists items)" "drop table items;"
mig "$n" 0002_concurrently "-- schemac:no-transaction
create index concurrently items_x on items (x);" "select 1;" "drop index concurrently items_x;"
fresh notx
"$schemac" migrate up "$n" --db "dbname=notx" >"$work/notx.out" 2>&1
check "no-transaction exit" $? 0
contains "no-transaction applied" "$work/notx.out" "applied 0002_concurrently (outside a transaction)"
check "concurrent index built" "$(q notx "select to_regclass('items_x') is not null")" t
"$schemac" migrate down "$n" --db "dbname=notx" >/dev/null
check "no-transaction down" "$(q notx "select to_regclass('items_x') is null")" t
mig "$n" 0003_broken "-- schemac:no-transaction
create index concurrently items_y on items (x);
create index concurrently items_z on nosuchtable (x);" "select 1;" "drop index concurrently items_y;"
"$schemac" migrate up "$n" --db "dbname=notx" 2>"$work/broken.err" >/dev/null
check "half applied exit" $? 1
contains "half applied message" "$work/broken.err" "migration 0003_broken stopped at statement 2 of 2, outside a transaction"
contains "says how to go on" "$work/broken.err" "resumes with this one once the cause is fixed"
"$schemac" migrate status "$n" --db "dbname=notx" >"$work/half.out"
contains "status shows half applied" "$work/half.out" "0003_broken  HALF APPLIED (0 of 1 phases done, 1 statements of phase 1"
q notx "create table nosuchtable (x int)" >/dev/null
"$schemac" migrate up "$n" --db "dbname=notx" >"$work/resumed.out" 2>&1
check "resumed exit" $? 0
contains "resumed at the failed statement" "$work/resumed.out" "applied 0003_broken (resumed at phase 1, statement 2)"
check "both indexes built" "$(q notx "select count(*) from pg_indexes where indexname in ('items_y', 'items_z')")" 2

# 6. --dry-run touches nothing, not even the history table.
fresh dry
"$schemac" migrate up "$m" --db "dbname=dry" --dry-run >"$work/dry.out"
check "dry run exit" $? 0
contains "dry run says what" "$work/dry.out" "would apply 0001_counter"
check "dry run touched nothing" "$(q dry "select to_regclass('public.schemac_migrations') is null and to_regclass('counter') is null")" t

# 7. down reverts the newest, or down to --to, removing history rows.
fresh downs
"$schemac" migrate up "$m" --db "dbname=downs" >/dev/null
"$schemac" migrate down "$m" --db "dbname=downs" >/dev/null
check "down one" "$(q downs "select string_agg(version::text, ',' order by version) from schemac_migrations")" "1,2"
"$schemac" migrate down "$m" --db "dbname=downs" --to 0 >/dev/null
check "down to 0" "$(q downs "select count(*) from schemac_migrations")" 0
check "down to 0 undid all" "$(q downs "select to_regclass('counter') is null")" t

# 8. Connection problems: one line, exit 2.
"$schemac" migrate status "$m" --db "host=/nonexistent" 2>"$work/conn.err"
check "unreachable exit" $? 2
check "unreachable one line" "$(wc -l < "$work/conn.err")" 1
"$schemac" migrate up "$m" --db "postgresql://%zz" 2>"$work/url.err"
check "bad url exit" $? 2
createuser nobody_special 2>/dev/null
fresh perms
"$schemac" migrate up "$m" --db "dbname=perms user=nobody_special" 2>"$work/perm.err"
check "permission exit" $? 2
check "permission one line" "$(wc -l < "$work/perm.err")" 1

# 9. Purge: a column drop and a table drop planned by `schemac plan` keep their data;
#    down brings the table back with its rows; purge says what it deletes and how
#    large, a dry run deletes nothing, and nothing outside schemac_retained is touched.
sd=$work/purge_schema
pm=$work/purge_migrations
mkdir -p "$sd"
printf 'table t {\n  id int primary key\n  note text\n}\ntable gone {\n  id int primary key\n  v text\n}\n' > "$sd/s.schema"
"$schemac" plan --init "$sd" "$pm" --name init >/dev/null
printf 'table t {\n  id int primary key\n  drop column note\n}\ntable gone {\n  id int primary key\n  v text\n}\n' > "$sd/s.schema"
"$schemac" plan "$sd" "$pm" --name trim >/dev/null
printf 'table t {\n  id int primary key\n  drop column note\n}\ndrop table gone\n' > "$sd/s.schema"
"$schemac" plan "$sd" "$pm" --name dropgone >"$work/plan_gone.out"
contains "plan says the table is kept" "$work/plan_gone.out" "table gone is dropped; it is kept whole, rows and all, in schemac_retained.m0003_dropgone_public_gone_table"
"$schemac" lint "$sd" "$pm" >"$work/lint_gone.out" 2>&1
contains "lint says the table is kept" "$work/lint_gone.out" "it is kept whole in schemac_retained.m0003_dropgone_public_gone_table"
fresh purge
"$schemac" migrate up "$pm" --db "dbname=purge" --to 1 >/dev/null
q purge "insert into t values (1, 'kept'); insert into gone select g, 'v' || g from generate_series(1, 500) g" >/dev/null
q purge "create schema keepme; create table keepme.m0003_dropgone_x (a int); insert into keepme.m0003_dropgone_x values (1); create table public.m0002_trim_y (a int)" >/dev/null
gone_before=$(q purge "select md5(string_agg(g::text, ',' order by id)) from gone g")
"$schemac" migrate up "$pm" --db "dbname=purge" >/dev/null
check "the dropped table is gone" "$(q purge "select to_regclass('public.gone') is null")" t
"$schemac" migrate down "$pm" --db "dbname=purge" >/dev/null
check "down brings every row back" "$(q purge "select md5(string_agg(g::text, ',' order by id)) from gone g")" "$gone_before"
"$schemac" migrate up "$pm" --db "dbname=purge" >/dev/null
"$schemac" migrate purge "$pm" --db "dbname=purge" --dry-run >"$work/purge_dry.out"
contains "purge dry run names the copy" "$work/purge_dry.out" "would purge schemac_retained.m0002_trim_public_t_note ("
contains "purge dry run names the table" "$work/purge_dry.out" "would purge schemac_retained.m0003_dropgone_public_gone_table ("
check "dry run deleted nothing" "$(q purge "select count(*) from pg_tables where schemaname = 'schemac_retained'")" 2
"$schemac" migrate purge "$pm" --db "dbname=purge" --before 3 >"$work/purge_before.out"
contains "purge --before keeps the newer" "$work/purge_before.out" "purged 1 retained copy, "
"$schemac" migrate purge "$pm" --db "dbname=purge" >"$work/purge.out"
check "purge exit" $? 0
contains "purge says what and how large" "$work/purge.out" "purged schemac_retained.m0003_dropgone_public_gone_table ("
contains "purge totals" "$work/purge.out" "purged 1 retained copy, "
check "purge deleted the copies" "$(q purge "select count(*) from pg_tables where schemaname = 'schemac_retained'")" 0
check "purge left other schemas alone" "$(q purge "select (select count(*) from keepme.m0003_dropgone_x) + (select count(*) from public.m0002_trim_y) + (select count(*) from t)")" 2
"$schemac" migrate down "$pm" --db "dbname=purge" 2>"$work/purge_down.err"
check "down after purge exit" $? 1
contains "down after purge says why" "$work/purge_down.err" "was purged (schemac migrate purge); this down cannot restore it"
check "down after purge changed nothing" "$(q purge "select count(*) from schemac_migrations")" 3

echo "migrate: $passed passed, $failed failed"
[ "$failed" = 0 ]
