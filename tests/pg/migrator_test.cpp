// The runtime's Migrator, as a program would call it: every example's checked-in
// migrations go up, come all the way down, and go up again, with the catalog
// compared with the example's model at the top and empty at the bottom.
#include "schemac/migrator.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "schemac/migration_file.hpp"
#include "support.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {
// Relations of the schemas the examples manage, besides the history table.
long user_relations(pqxx::connection& db) {
  pqxx::work tx(db);
  return tx
      .exec(
          "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where "
          "n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'auth') and c.relkind in "
          "('r', 'v', 'm') and c.relname <> 'schemac_migrations'")
      .at(0)
      .at(0)
      .as<long>();
}
runtime::RunOptions options(
    int to, bool dry_run, std::function<void(const std::string&)> log = [](const std::string&) {}) {
  runtime::RunOptions o;
  o.to = to;
  o.dry_run = dry_run;
  o.log = std::move(log);
  return o;
}
}  // namespace

TEST_CASE("Migrator: up, down to zero and up again across every example's migrations") {
  int n = 0;
  for (const auto& e : fs::directory_iterator(test::source_dir() / "generated")) {
    if (!fs::exists(e.path() / "migrations")) continue;
    std::string example = e.path().filename().string();
    auto model = test::compile_ok("schemas/" + example);
    // A distributed example needs a Citus cluster: tests/citus runs its migrations there.
    if (std::any_of(model.tables.begin(), model.tables.end(), [](const auto& t) { return t.distribution; })) continue;
    DYNAMIC_SECTION(example) {
      pqxx::connection db(test::fresh_database("schemac_migrator_" + std::to_string(n++)));
      test::run(db, emit::platform_stub_sql(model));
      auto migrations = runtime::load_migrations(e.path() / "migrations");
      REQUIRE_FALSE(migrations.empty());
      runtime::Migrator migrator(db, migrations);
      CHECK(migrator.up() == static_cast<int>(migrations.size()));
      CHECK(migrator.up() == 0);  // nothing left
      auto problems = test::compare_catalog(db, model);
      INFO(test::report(problems));
      CHECK(problems.empty());
      runtime::RunOptions to_zero;
      to_zero.to = 0;
      CHECK(migrator.down(to_zero) == static_cast<int>(migrations.size()));
      CHECK(user_relations(db) == 0);
      for (const auto& s : migrator.status()) CHECK_FALSE(s.applied);
      CHECK(migrator.up() == static_cast<int>(migrations.size()));
      auto again = test::compare_catalog(db, model);
      INFO(test::report(again));
      CHECK(again.empty());
      for (const auto& s : migrator.status()) CHECK(s.file == "matches");
    }
  }
}

TEST_CASE("split_statements respects quotes, dollar quotes and comments") {
  auto s = runtime::split_statements(
      "select ';'; create function f() returns int as $$ select 1; $$ language sql;\n"
      "-- a comment; with a semicolon\nselect 2");
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "select ';'");
  CHECK(s[1] == " create function f() returns int as $$ select 1; $$ language sql");
}

TEST_CASE("Migrator: a migration in several transactions commits each, and a failed run resumes where it stopped") {
  // Planned from the schema language, as a user would: an enum value added and used
  // at once (PostgreSQL refuses the use before the value is committed).
  auto v1 = test::compile_files({{"s.schema",
                                  "enum mood { calm, busy }\ntable people {\n  id int primary key\n"
                                  "  mood mood default 'calm'\n}\n"}});
  auto v2 = test::compile_files({{"s.schema",
                                  "enum mood { calm, busy, tired }\ntable people {\n  id int primary key\n"
                                  "  mood mood default 'tired'\n  check (mood <> 'tired' and id > 0)\n}\n"}});
  REQUIRE((v1.ok && v2.ok));
  Diagnostics diags;
  auto plan = plan::plan_migration(v1.loaded.model, v2.loaded.model, diags);
  REQUIRE_FALSE(diags.has_errors());
  runtime::Migration first{1, "0001_init", plan::full_state_sql(v1.loaded.model), "", "SELECT 1;"};
  runtime::Migration second{2, "0002_tired", plan::render_up(plan, "tired"), plan::render_down(plan, ""),
                            plan::render_verify(plan, "")};
  // Enum values committed first, then the changes; the new check, added NOT VALID to
  // the existing table, is validated in a third phase.
  REQUIRE(migration_file::phases(second.up).size() == 3);
  pqxx::connection db(test::fresh_database("schemac_migrator_phases"));
  runtime::Migrator migrator(db, {first, second});
  REQUIRE(migrator.up(options(1, false)) == 1);
  // A row the new check refuses stops the validation; the phases before stay committed.
  test::run(db, "insert into people values (-1, 'calm')");
  REQUIRE_THROWS_WITH(migrator.up(), Catch::Contains("in phase 3 of 3") && Catch::Contains("resumes"));
  auto status = migrator.status();
  REQUIRE(status.size() == 2);
  CHECK(status[1].transactions_done == std::optional<int>(2));
  CHECK(test::rows(db, "(select enumlabel from pg_enum where enumtypid = 'mood'::regtype)") ==
        "{\"enumlabel\":\"busy\"}\n{\"enumlabel\":\"calm\"}\n{\"enumlabel\":\"tired\"}\n");
  // Down of the half-applied migration undoes the two phases that ran, and only them.
  CHECK(migrator.down() == 1);
  CHECK(migrator.status()[1].file == "pending");
  CHECK(test::rows(db, "(select enumlabel from pg_enum where enumtypid = 'mood'::regtype)") ==
        "{\"enumlabel\":\"busy\"}\n{\"enumlabel\":\"calm\"}\n");
  REQUIRE_THROWS_WITH(migrator.up(), Catch::Contains("in phase 3 of 3"));
  // The cause fixed, up finishes the migration from its third phase.
  test::run(db, "delete from people where id = -1");
  CHECK(migrator.up() == 1);
  status = migrator.status();
  CHECK_FALSE(status[1].transactions_done);
  CHECK(status[1].file == "matches");
  CHECK(test::rows(db,
                   "(select column_default from information_schema.columns where table_name = 'people' and "
                   "column_name = 'mood')") == "{\"column_default\":\"'tired'::mood\"}\n");
  test::run(db, "delete from people");
  CHECK(migrator.down() == 1);
  CHECK(test::rows(db, "(select enumlabel from pg_enum where enumtypid = 'mood'::regtype)") ==
        "{\"enumlabel\":\"busy\"}\n{\"enumlabel\":\"calm\"}\n");
}

TEST_CASE("Migrator: purge deletes the retained copies of applied migrations, and their downs then refuse") {
  auto v1 = test::compile_files({{"s.schema", "table t {\n  id int primary key\n  b text\n  c text\n}\n"}});
  auto v2 = test::compile_files({{"s.schema", "table t {\n  id int primary key\n  c text\n  drop column b\n}\n"}});
  auto v3 = test::compile_files({{"s.schema", "table t {\n  id int primary key\n  drop column c\n}\n"}});
  REQUIRE((v1.ok && v2.ok && v3.ok));
  Diagnostics diags;
  auto p2 = plan::plan_migration(test::snapshot_of(v1.loaded.model), v2.loaded.model, diags, "0002_drop_b");
  auto p3 = plan::plan_migration(test::snapshot_of(v2.loaded.model), v3.loaded.model, diags, "0003_drop_c");
  REQUIRE_FALSE(diags.has_errors());
  std::vector<runtime::Migration> migrations = {
      {1, "0001_init", plan::full_state_sql(v1.loaded.model), "DROP TABLE public.t;", "SELECT 1;"},
      {2, "0002_drop_b", plan::render_up(p2, ""), plan::render_down(p2, ""), plan::render_verify(p2, "")},
      {3, "0003_drop_c", plan::render_up(p3, ""), plan::render_down(p3, ""), plan::render_verify(p3, "")}};
  pqxx::connection db(test::fresh_database("schemac_migrator_purge"));
  runtime::Migrator migrator(db, migrations);
  REQUIRE(migrator.up(options(1, false)) == 1);
  test::run(db,
            "insert into t values (1, 'b1', 'c1'), (2, 'b2', 'c2');"
            "create schema other; create table other.keep (n int); insert into other.keep values (7);");
  REQUIRE(migrator.up() == 2);
  auto copies = migrator.retained();
  REQUIRE(copies.size() == 2);
  CHECK(copies[0].table == "m0002_drop_b_public_t_b");
  CHECK(copies[0].migration == "0002_drop_b");
  CHECK(copies[0].bytes > 0);
  CHECK(copies[0].note.find("column t.b") != std::string::npos);
  // A dry run deletes nothing; --before 3 takes only the copy of 0002.
  std::vector<std::string> said;
  auto log = [&](const std::string& line) { said.push_back(line); };
  CHECK(migrator.purge(options(2, true, log)).size() == 1);
  CHECK(migrator.retained().size() == 2);
  auto purged = migrator.purge(options(2, false, log));
  REQUIRE(purged.size() == 1);
  CHECK(purged[0].table == "m0002_drop_b_public_t_b");
  REQUIRE(said.size() == 2);
  CHECK(said[1].rfind("purged schemac_retained.m0002_drop_b_public_t_b (", 0) == 0);
  REQUIRE(migrator.retained().size() == 1);
  CHECK(test::rows(db, "other.keep") == "{\"n\":7}\n");
  // The down of 0003 still restores its column; the down of 0002 stops, saying why,
  // and changes nothing.
  REQUIRE(migrator.down() == 1);
  CHECK(test::rows(db, "public.t") == "{\"id\":1,\"c\":\"c1\"}\n{\"id\":2,\"c\":\"c2\"}\n");
  REQUIRE_THROWS_WITH(migrator.down(), Catch::Contains("were purged (schemac migrate purge)"));
  CHECK(test::rows(db, "public.t") == "{\"id\":1,\"c\":\"c1\"}\n{\"id\":2,\"c\":\"c2\"}\n");
  CHECK(migrator.status().at(1).applied);
}
