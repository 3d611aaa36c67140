// Assertions on a real database: planned into migration files as `schemac plan`
// writes them and applied by the runner `schemac migrate up` wraps. A migration that
// breaks an assertion is rolled back whole, and the error names the assertion; one
// that keeps it is applied.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/pg_support.hpp"
#include "plan/migrations_dir.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {

const char* const v1 = R"(
table enrolments {
  id     int     primary key
  active boolean default true
}
table tasks {
  id        int primary key
  enrolment int references enrolments(id)
}
/// Every active enrolment has a task.
assert every_enrolment_has_tasks $$
  select not exists (select 1 from public.enrolments e
    where e.active and not exists (select 1 from public.tasks t where t.enrolment = e.id))
$$
)";

// Plans each state in turn into a fresh migrations directory, as `schemac plan` does;
// returns the directory.
fs::path planned(const std::string& name, const std::vector<std::string>& states) {
  fs::path dir = fs::temp_directory_path() / ("schemac_assertions_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  int n = 0;
  for (const auto& state : states) {
    auto c = test::compile_text(state);
    INFO(c.diagnostics);
    REQUIRE(c.ok);
    Diagnostics diags;
    std::vector<std::string> notes;
    auto written = plan::write_next_migration(dir, "step" + std::to_string(++n), c.loaded.model, diags, notes);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    REQUIRE_FALSE(written.id.empty());
  }
  return dir;
}

}  // namespace

TEST_CASE("an assertion a migration breaks rolls it back; one it keeps lets it through") {
  std::string with_title = v1;
  with_title.replace(with_title.find("  enrolment int"), 0, "  title     text?\n");
  // The data step enrols without a task, in a migration that also adds a column.
  std::string breaking = with_title + "data enrol { up $$ insert into public.enrolments values (2, true) $$ }\n";
  std::string keeping = with_title +
                        "data enrol { up $$ insert into public.enrolments values (2, true);\n"
                        "  insert into public.tasks (id, enrolment) values (20, 2) $$ }\n";

  SECTION("broken: migrate up fails naming the assertion, and nothing of the migration stays") {
    fs::path dir = planned("broken", {v1, breaking});
    pqxx::connection db(test::fresh_database("schemac_assertion_broken"));
    runtime::Migrator first(db, runtime::load_migrations(dir));
    runtime::RunOptions to_first;
    to_first.to = 1;
    REQUIRE(first.up(to_first) == 1);
    test::run(db, "insert into enrolments values (1, true); insert into tasks values (10, 1)");
    runtime::Migrator migrator(db, runtime::load_migrations(dir));
    REQUIRE_THROWS_WITH(migrator.up(),
                        Catch::Contains("migration 0002_step2 did not verify (assertion every_enrolment_has_tasks "
                                        "does not hold); it was rolled back"));
    CHECK(migrator.status()[1].file == "pending");
    CHECK(test::value(db, "select count(*) from enrolments") == "1");
    CHECK(test::value(db,
                      "select count(*) from information_schema.columns where table_name = 'tasks' and "
                      "column_name = 'title'") == "0");
  }

  SECTION("kept: the same change with the task the assertion wants is applied") {
    fs::path dir = planned("kept", {v1, keeping});
    pqxx::connection db(test::fresh_database("schemac_assertion_kept"));
    runtime::Migrator migrator(db, runtime::load_migrations(dir));
    runtime::RunOptions to_first;
    to_first.to = 1;
    REQUIRE(migrator.up(to_first) == 1);
    test::run(db, "insert into enrolments values (1, true); insert into tasks values (10, 1)");
    CHECK(migrator.up() == 1);
    CHECK(test::value(db, "select count(*) from enrolments") == "2");
    CHECK(migrator.down() == 1);
  }

  SECTION("a migration that only adds an assertion checks the data as it is") {
    std::string holds = std::string(v1) + "assert some_tasks $$ select exists (select 1 from public.tasks) $$\n";
    std::string fails = std::string(v1) + "assert no_tasks $$ select not exists (select 1 from public.tasks) $$\n";
    for (const auto& [state, ok] : {std::pair{holds, true}, std::pair{fails, false}}) {
      fs::path dir = planned(ok ? "alone_holds" : "alone_fails", {v1, state});
      pqxx::connection db(test::fresh_database("schemac_assertion_alone"));
      runtime::Migrator migrator(db, runtime::load_migrations(dir));
      runtime::RunOptions to_first;
      to_first.to = 1;
      REQUIRE(migrator.up(to_first) == 1);
      test::run(db, "insert into enrolments values (1, true); insert into tasks values (10, 1)");
      if (ok)
        CHECK(migrator.up() == 1);
      else
        CHECK_THROWS_WITH(migrator.up(), Catch::Contains("assertion no_tasks does not hold"));
    }
  }
}
