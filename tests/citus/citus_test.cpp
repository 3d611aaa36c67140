// On a real three-node Citus cluster (a coordinator and two workers, started by
// scripts/with-citus.sh): the distributed AI assistant example's checked-in
// migrations are applied through the coordinator, verified, used and reverted; a
// table's distribution changes on a live table and comes back exactly, rows included.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>

#include "introspect/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/migrations_dir.hpp"
#include "schemac/migrations.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {

// The coordinator's `postgres` database, where with-citus.sh created the extension.
pqxx::connection coordinator() {
  REQUIRE(std::getenv("CITUS_WORKER_PORTS") != nullptr);  // run through scripts/with-citus.sh
  return pqxx::connection("dbname=postgres");
}

// Leaves the coordinator as a test found it: no tables in public, no history, nothing
// kept by a down.
void clean(pqxx::connection& db) {
  pqxx::nontransaction tx(db);
  tx.exec("DROP SCHEMA IF EXISTS schemac_retained CASCADE");
  for (auto row : tx.exec("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid "
                          "= c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT EXISTS "
                          "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"))
    tx.exec("DROP TABLE IF EXISTS " + std::string(row[0].c_str()) + " CASCADE");
}

std::string value(pqxx::connection& db, const std::string& sql) { return test::value(db, sql); }

runtime::RunOptions to(int version) {
  runtime::RunOptions o;
  o.to = version;
  return o;
}

// "table type column" per Citus table, in name order.
std::string distribution(pqxx::connection& db) {
  pqxx::work tx(db);
  std::string out;
  for (auto row :
       tx.exec("SELECT table_name::text, citus_table_type, distribution_column FROM citus_tables ORDER BY 1"))
    out += std::string(row[0].c_str()) + " " + row[1].c_str() + " " + row[2].c_str() + "\n";
  return out;
}

}  // namespace

TEST_CASE("citus: the distributed AI assistant goes up, spreads its rows, isolates tenants, grows and comes down") {
  auto db = coordinator();
  clean(db);
  if (value(db, "SELECT count(*) FROM pg_roles WHERE rolname = 'app_user'") == "0") {
    pqxx::nontransaction tx(db);
    tx.exec("CREATE ROLE app_user LOGIN");  // through the coordinator: the workers get it too
  }
  auto migrations = runtime::load_migrations(test::source_dir() / "generated/ai_assistant_citus/migrations");
  REQUIRE(migrations.size() == 2);
  runtime::Migrator migrator(db, migrations);

  // Up to the first migration: every table distributed as declared, in one group.
  REQUIRE(migrator.up(to(1)) == 1);
  CHECK(distribution(db) ==
        "conversations distributed tenant_id\nfeedback distributed tenant_id\nmessages distributed tenant_id\n"
        "plans reference <none>\ntenants distributed id\nusage_metrics distributed tenant_id\n"
        "users distributed tenant_id\n");
  CHECK(value(db, "SELECT count(DISTINCT colocation_id) FROM citus_tables WHERE citus_table_type = 'distributed'") ==
        "1");
  CHECK(value(db, "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'public.messages'::regclass") ==
        "2");
  // Introspection (pull, diff, drift) reads the distribution back; the citus extension is the platform's.
  {
    auto catalog = introspect::read(db);
    const auto* messages = catalog.schema.find_table({"public", "messages"});
    REQUIRE(messages);
    REQUIRE(messages->distribution);
    CHECK(messages->distribution->column == "tenant_id");
    CHECK(messages->distribution->colocate_with == model::QualifiedName{"public", "tenants"});  // first of its group
    const auto* plans = catalog.schema.find_table({"public", "plans"});
    REQUIRE(plans);
    REQUIRE(plans->distribution);
    CHECK(plans->distribution->reference);
    for (const auto& e : catalog.schema.extensions) CHECK(e.name != "citus");
  }

  // Rows written through the coordinator land on both workers.
  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO plans (id, name, monthly_tokens) VALUES ('free', 'Free', 1000)");
    tx.exec(
        "INSERT INTO tenants (id, plan_id, name) SELECT ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid, "
        "'free', 'tenant ' || i FROM generate_series(1, 24) i");
    tx.exec("INSERT INTO users (tenant_id, id, email) SELECT id, id, name || '@example.com' FROM tenants");
    tx.exec("INSERT INTO conversations (tenant_id, id, user_id, title) SELECT id, id, id, 'hello' FROM tenants");
    tx.exec(
        "INSERT INTO messages (tenant_id, conversation_id, role, content) SELECT t.id, t.id, 'user', 'message ' || i "
        "FROM tenants t CROSS JOIN generate_series(1, 5) i");
    tx.commit();
  }
  {
    pqxx::work tx(db);
    auto per_worker = tx.exec(
        "SELECT nodeport, sum(result::bigint) FROM run_command_on_placements('public.messages', 'SELECT count(*) "
        "FROM %s') GROUP BY nodeport ORDER BY 1");
    REQUIRE(per_worker.size() == 2);
    long total = 0;
    for (auto row : per_worker) {
      CHECK(row[1].as<long>() > 0);
      total += row[1].as<long>();
    }
    CHECK(total == 120);
  }
  // The trigger on the distributed table fires on the shards.
  CHECK(value(db,
              "WITH u AS (UPDATE conversations SET title = 'renamed', updated_at = '2000-01-01' WHERE tenant_id = "
              "'00000000-0000-0000-0000-000000000001' RETURNING updated_at) SELECT bool_and(updated_at > "
              "'2001-01-01') FROM u") == "t");

  // Row level security through the coordinator, as a role that does not own the tables.
  const std::string a = "00000000-0000-0000-0000-000000000001", b = "00000000-0000-0000-0000-000000000002";
  auto as_tenant = [&](pqxx::work& tx, const std::string& tenant) {
    tx.exec("SET LOCAL citus.propagate_set_commands = 'local'");
    tx.exec("SET LOCAL app.tenant_id = '" + tenant + "'");
    tx.exec("SET LOCAL ROLE app_user");
  };
  {
    pqxx::work tx(db);
    as_tenant(tx, a);
    CHECK(tx.exec("SELECT count(*) FROM messages").at(0).at(0).as<long>() == 5);
    CHECK(tx.exec("SELECT count(*) FROM messages WHERE tenant_id = '" + b + "'").at(0).at(0).as<long>() == 0);
    CHECK(tx.exec("SELECT count(*) FROM tenants").at(0).at(0).as<long>() == 1);
    CHECK(tx.exec("UPDATE messages SET content = 'x' WHERE tenant_id = '" + b + "'").affected_rows() == 0);
  }
  {
    pqxx::work tx(db);
    as_tenant(tx, a);
    CHECK_THROWS_WITH(tx.exec("INSERT INTO messages (tenant_id, conversation_id, role, content) VALUES ('" + b +
                              "', '" + b + "', 'user', 'into another tenant')"),
                      Catch::Contains("row-level security"));
  }
  CHECK(value(db, "SELECT count(*) FROM messages WHERE tenant_id = '" + b + "'") == "5");

  // The verify file checks distribution: with the tables local again it names each.
  {
    pqxx::work tx(db);
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec("SELECT undistribute_table('public.plans', cascade_via_foreign_keys => true)");
    CHECK_THROWS_WITH(tx.exec(migrations[0].verify), Catch::Contains("table plans is not a reference table") &&
                                                         Catch::Contains("table messages is not distributed by "
                                                                         "tenant_id colocated with conversations"));
  }
  CHECK(value(db, "SELECT count(*) FROM citus_tables") == "7");

  // A later migration: a column and an index reach every shard.
  REQUIRE(migrator.up() == 1);
  CHECK(value(db,
              "SELECT count(*) FILTER (WHERE result = '1') || '/' || count(*) FROM run_command_on_shards("
              "'public.messages', $$SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname "
              "= 'language' AND NOT attisdropped$$)") == "32/32");
  CHECK(value(db,
              "SELECT count(*) FILTER (WHERE result = '1') || '/' || count(*) FROM run_command_on_shards("
              "'public.messages', $$SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE "
              "i.indrelid = '%s'::regclass AND c.relname LIKE 'idx_messages_language%%' AND i.indisvalid$$)") ==
        "32/32");
  CHECK(value(db, "SELECT count(*) FROM messages") == "120");

  // Down leaves no distributed table, on the coordinator or on a worker.
  REQUIRE(migrator.down(to(0)) == 2);
  CHECK(value(db, "SELECT count(*) FROM citus_tables") == "0");
  CHECK(value(db,
              "SELECT string_agg(result, ',') FROM run_command_on_workers($$SELECT count(*) FROM pg_class c JOIN "
              "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'$$)") == "0,0");
  CHECK(value(db,
              "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND "
              "relname <> 'schemac_migrations'") == "0");

  // And up again, all the way.
  CHECK(migrator.up() == 2);
  CHECK(value(db, "SELECT count(*) FROM citus_tables") == "7");
  CHECK(migrator.down(to(0)) == 2);
  clean(db);
}

TEST_CASE("citus: a live table's distribution changes and comes back exactly, rows included") {
  auto db = coordinator();
  clean(db);
  fs::path dir = fs::temp_directory_path() / ("schemac_citus_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto plan = [&](const std::string& name, const std::string& text) {
    auto c = test::compile_text(text);
    INFO(c.diagnostics);
    REQUIRE(c.ok);
    Diagnostics diags;
    std::vector<std::string> notes;
    auto written = plan::write_next_migration(dir, name, c.loaded.model, diags, notes);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    REQUIRE_FALSE(written.id.empty());
  };
  // The same two tables and a view over one, distributed as `kinds` and `accounts` say.
  auto tables = [](const std::string& kinds, const std::string& accounts) {
    return "table kinds " + kinds + "{\n  id text primary key\n}\ntable accounts " + accounts +
           "{\n  id   int primary key\n  kind text references kinds(id)\n  name text\n  index on (kind)\n}\n"
           "view account_names as $$ select id, name from public.accounts $$\n";
  };
  plan("local", tables("", ""));
  plan("distributed", tables("reference ", "distributed by (id) "));
  plan("reference", tables("reference ", "reference "));
  auto migrations = runtime::load_migrations(dir);
  REQUIRE(migrations.size() == 3);
  runtime::Migrator migrator(db, migrations);
  REQUIRE(migrator.up(to(1)) == 1);
  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO kinds VALUES ('a'), ('b')");
    tx.exec(
        "INSERT INTO accounts SELECT i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, 'account ' || i FROM "
        "generate_series(1, 200) i");
    tx.commit();
  }
  std::string before = test::rows(db, "public.accounts") + test::rows(db, "public.kinds");

  REQUIRE(migrator.up(to(2)) == 1);
  CHECK(distribution(db) == "accounts distributed id\nkinds reference <none>\n");
  CHECK(test::rows(db, "public.accounts") + test::rows(db, "public.kinds") == before);
  CHECK(value(db, "SELECT count(*) FROM account_names") == "200");
  // The coordinator kept no copy of the rows it moved to the shards.
  CHECK(value(db, "SELECT pg_relation_size('public.accounts')") == "0");

  REQUIRE(migrator.up() == 1);
  CHECK(distribution(db) == "accounts reference <none>\nkinds reference <none>\n");
  CHECK(test::rows(db, "public.accounts") + test::rows(db, "public.kinds") == before);

  REQUIRE(migrator.down(to(1)) == 2);
  CHECK(distribution(db).empty());
  CHECK(test::rows(db, "public.accounts") + test::rows(db, "public.kinds") == before);
  CHECK(value(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'accounts_kind_fkey' AND convalidated") == "1");
  REQUIRE(migrator.down(to(0)) == 1);
  fs::remove_all(dir);
  clean(db);
}

TEST_CASE("citus: a renamed distribution column stays distributed; a dropped distributed table comes back so") {
  auto db = coordinator();
  clean(db);
  fs::path dir = fs::temp_directory_path() / ("schemac_citus_rename_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"base", "table t distributed by (a) {\n  a int primary key\n  v text\n}\n"},
           {"renamed", "table t distributed by (b) {\n  b int was a primary key\n  v text\n}\n"},
           {"dropped", "drop table t\n"}}) {
    auto c = test::compile_text(text);
    INFO(c.diagnostics);
    REQUIRE(c.ok);
    Diagnostics diags;
    std::vector<std::string> notes;
    auto written = plan::write_next_migration(dir, name, c.loaded.model, diags, notes);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    REQUIRE_FALSE(written.id.empty());
  }
  auto migrations = runtime::load_migrations(dir);
  REQUIRE(migrations.size() == 3);
  CHECK(migrations[1].up.find("distribute") == std::string::npos);  // a rename, nothing moves
  runtime::Migrator migrator(db, migrations);
  REQUIRE(migrator.up(to(1)) == 1);
  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 50) i");
    tx.commit();
  }
  REQUIRE(migrator.up(to(2)) == 1);
  CHECK(distribution(db) == "t distributed b\n");
  CHECK(value(db, "SELECT count(*) FROM t") == "50");
  std::string rows = test::rows(db, "public.t");
  REQUIRE(migrator.up() == 1);
  CHECK(distribution(db).empty());
  // Kept whole: gathered from the shards into a local table of the retention schema.
  CHECK(value(db, "SELECT count(*) FROM schemac_retained.m0003_dropped_public_t_table") == "50");
  REQUIRE(migrator.down(to(2)) == 1);
  CHECK(distribution(db) == "t distributed b\n");  // back with its rows, distributed as it was
  CHECK(test::rows(db, "public.t") == rows);
  CHECK(value(db, "SELECT pg_relation_size('public.t')") == "0");  // the rows are on the shards
  CHECK(value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'") == "0");
  REQUIRE(migrator.down(to(1)) == 1);
  CHECK(distribution(db) == "t distributed a\n");
  CHECK(value(db, "SELECT count(*) FROM t") == "50");
  // Rows written after up: the down of the migration that created the table keeps them.
  REQUIRE(migrator.down(to(0)) == 1);
  CHECK(value(db, "SELECT count(*) FROM schemac_retained.m0001_base_public_t_down") == "50");
  CHECK(value(db, "SELECT to_regclass('public.t') IS NULL") == "t");
  fs::remove_all(dir);
  clean(db);
}

TEST_CASE("citus: a dropped distributed partitioned table comes back, partitions, rows and shards") {
  auto db = coordinator();
  clean(db);
  fs::path dir = fs::temp_directory_path() / ("schemac_citus_partitions_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"events",
            "table events partition by range (at) distributed by (tenant) {\n  tenant int\n  at date\n  n bigserial\n"
            "  primary key (tenant, at)\n}\npartition events_2025 of events for values from ('2025-01-01') to "
            "('2026-01-01')\npartition events_2026 of events for values from ('2026-01-01') to ('2027-01-01')\n"},
           {"dropped", "drop table events\n"}}) {
    auto c = test::compile_text(text);
    INFO(c.diagnostics);
    REQUIRE(c.ok);
    Diagnostics diags;
    std::vector<std::string> notes;
    auto written = plan::write_next_migration(dir, name, c.loaded.model, diags, notes);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    REQUIRE_FALSE(written.id.empty());
  }
  auto migrations = runtime::load_migrations(dir);
  runtime::Migrator migrator(db, migrations);
  REQUIRE(migrator.up(to(1)) == 1);
  {
    pqxx::work tx(db);
    tx.exec("INSERT INTO events (tenant, at) SELECT i, date '2025-01-01' + (i * 3) FROM generate_series(1, 200) i");
    tx.commit();
  }
  std::string rows = test::rows(db, "public.events");
  REQUIRE(migrator.up() == 1);
  CHECK(value(db, "SELECT count(*) FROM citus_tables") == "0");
  CHECK(value(db,
              "SELECT sum(n) FROM (SELECT count(*) AS n FROM schemac_retained.m0002_dropped_public_events_2025_"
              "partition UNION ALL SELECT count(*) FROM schemac_retained.m0002_dropped_public_events_2026_"
              "partition) k") == "200");
  REQUIRE(migrator.down(to(1)) == 1);
  CHECK(test::rows(db, "public.events") == rows);
  CHECK(distribution(db) ==
        "events distributed tenant\nevents_2025 distributed tenant\nevents_2026 distributed tenant\n");
  CHECK(value(db, "SELECT pg_relation_size('public.events_2025') + pg_relation_size('public.events_2026')") == "0");
  // The sequence goes on after the restored rows.
  CHECK(value(db,
              "WITH x AS (INSERT INTO events (tenant, at) VALUES (1000, '2026-06-01') RETURNING n) SELECT n FROM x") ==
        "201");
  REQUIRE(migrator.down(to(0)) == 1);
  fs::remove_all(dir);
  clean(db);
}
