// The runtime's Migrator, as a program would call it: every example's checked-in
// migrations go up, come all the way down, and go up again, with the catalog
// compared with the example's model at the top and empty at the bottom.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {
// Relations of the schemas the examples manage, besides the history table.
long user_relations(pqxx::connection& db) {
  pqxx::work tx(db);
  return tx.exec("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where "
                 "n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'auth') and c.relkind in "
                 "('r', 'v', 'm') and c.relname <> 'schemac_migrations'")
      .at(0)
      .at(0)
      .as<long>();
}
}  // namespace

TEST_CASE("Migrator: up, down to zero and up again across every example's migrations") {
  int n = 0;
  for (const auto& e : fs::directory_iterator(test::source_dir() / "generated")) {
    if (!fs::exists(e.path() / "migrations")) continue;
    std::string example = e.path().filename().string();
    DYNAMIC_SECTION(example) {
      auto model = test::compile_ok("schemas/" + example);
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
  auto s = runtime::split_statements("select ';'; create function f() returns int as $$ select 1; $$ language sql;\n"
                                     "-- a comment; with a semicolon\nselect 2");
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "select ';'");
  CHECK(s[1] == " create function f() returns int as $$ select 1; $$ language sql");
}
