// Lock-safe migrations on PostgreSQL: each online form (an index built concurrently,
// checks and foreign keys added NOT VALID and validated later, NOT NULL proved by a
// validated check, a unique and a primary key from concurrently built indexes) goes
// up, verifies, comes down and goes up again with the rows intact; a concurrent build
// that fails resumes once the data is fixed; a lock held elsewhere makes a phase time
// out, retry and give up naming the session that holds it, with nothing half applied.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "schemac/migration_file.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

using namespace schemac;

namespace {

const char* v1_text = R"(table owners {
  id int primary key
}

table items {
  id    int
  code  text?
  owner int?
  qty   int?
}
)";

// Every online form at once, on the tables v1 made.
const char* v2_text = R"(table owners {
  id int primary key
}

table items {
  id    int primary key
  code  text
  owner int? references owners(id)
  qty   int?
  unique items_code_key (code)
  check items_qty_check (qty >= 0)
  index on (owner)
}

table notes {
  id   int primary key
  item int? references items(id)
}
)";

model::Schema compiled(const char* text) {
  auto r = test::compile_files({{"s.schema", text}});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  return r.loaded.model;
}

struct Migrations {
  model::Schema v1, v2;
  plan::Plan plan;
  runtime::Migration first, second;
};

Migrations plan_it(const char* to = v2_text) {
  Migrations m{compiled(v1_text), compiled(to), {}, {}, {}};
  Diagnostics diags;
  m.plan = plan::plan_migration(m.v1, m.v2, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  m.first = {1, "0001_init", plan::full_state_sql(m.v1), "DROP TABLE items;\nDROP TABLE owners;\n", "SELECT 1;"};
  m.second = {2, "0002_online", plan::render_up(m.plan, "online"), plan::render_down(m.plan, ""),
              plan::render_verify(m.plan, "")};
  return m;
}

const char* seed =
    "insert into owners select g from generate_series(1, 50) g;\n"
    "insert into items select g, 'c' || g, 1 + g % 50, g % 7 from generate_series(1, 2000) g;\n";

std::string data(pqxx::connection& db) {
  return test::value(db,
                     "select md5(string_agg(row_to_json(i)::text, ',' order by id)) from (select id, code, owner, "
                     "qty from items) i");
}

runtime::RunOptions quiet() {
  runtime::RunOptions o;
  o.lock_timeout = std::chrono::milliseconds(500);
  o.retry_delay = std::chrono::milliseconds(50);
  return o;
}

runtime::RunOptions to_v1() {
  auto o = quiet();
  o.to = 1;
  return o;
}

// The first migration applied, then the rows.
void v1_with_rows(pqxx::connection& db, runtime::Migrator& migrator) {
  REQUIRE(migrator.up(to_v1()) == 1);
  test::run(db, seed);
}

}  // namespace

TEST_CASE("Online: every lock-safe form goes up, verifies, comes down and goes up again with the rows") {
  auto m = plan_it();
  INFO("up:\n" << m.second.up << "\ndown:\n" << m.second.down);
  const std::string& up = m.second.up;
  // The forms the plan uses (tables created in the migration keep the plain ones).
  CHECK(up.find("CREATE INDEX CONCURRENTLY items_owner_idx") != std::string::npos);
  CHECK(up.find("CREATE UNIQUE INDEX CONCURRENTLY items_code_key") != std::string::npos);
  CHECK(up.find("ADD CONSTRAINT items_code_key UNIQUE USING INDEX items_code_key") != std::string::npos);
  CHECK(up.find("ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_pkey") != std::string::npos);
  CHECK(up.find("CHECK (qty >= 0) NOT VALID") != std::string::npos);
  CHECK(up.find("REFERENCES public.owners (id) NOT VALID") != std::string::npos);
  CHECK(up.find("VALIDATE CONSTRAINT items_qty_check") != std::string::npos);
  CHECK(up.find("IS NOT NULL) NOT VALID") != std::string::npos);
  CHECK(up.find("ALTER COLUMN code SET NOT NULL") != std::string::npos);
  auto phases = migration_file::phases(up);
  REQUIRE(phases.size() == 4);  // changes, concurrently, validation, NOT NULL and keys
  CHECK_FALSE(phases[1].transaction);
  CHECK(migration_file::phases(m.second.down).size() == 4);
  CHECK(up.find("CONCURRENTLY notes") == std::string::npos);  // notes is new

  pqxx::connection db(test::fresh_database("schemac_online"));
  runtime::Migrator migrator(db, {m.first, m.second});
  v1_with_rows(db, migrator);
  std::string before = data(db);
  REQUIRE(migrator.up(quiet()) == 1);
  auto after_up = test::compare_catalog(db, m.v2);
  INFO("after up:\n" << test::report(after_up));
  CHECK(after_up.empty());
  CHECK(test::value(db,
                    "select count(*) from pg_index i join pg_class c on c.oid = i.indrelid where c.relname = "
                    "'items' and not i.indisvalid") == "0");
  CHECK(test::value(db,
                    "select count(*) from pg_constraint where conrelid = 'items'::regclass and not "
                    "convalidated") == "0");
  CHECK(test::value(db, "select count(*) from pg_constraint where conname like '%not_null_schemac'") == "0");
  CHECK(data(db) == before);

  REQUIRE(migrator.down(to_v1()) == 1);
  auto after_down = test::compare_catalog(db, m.v1);
  INFO("after down:\n" << test::report(after_down));
  CHECK(after_down.empty());
  CHECK(data(db) == before);

  REQUIRE(migrator.up(quiet()) == 1);
  CHECK(test::compare_catalog(db, m.v2).empty());
  CHECK(data(db) == before);
}

TEST_CASE("Online: a concurrent unique build that fails on duplicates resumes once the data is fixed") {
  auto m = plan_it();
  pqxx::connection db(test::fresh_database("schemac_online_resume"));
  runtime::Migrator migrator(db, {m.first, m.second});
  v1_with_rows(db, migrator);
  test::run(db, "update items set code = 'c1' where id = 2");  // a duplicate the unique key refuses
  REQUIRE_THROWS_WITH(migrator.up(quiet()),
                      Catch::Contains("0002_online stopped at statement") && Catch::Contains("in phase 2 of 4") &&
                          Catch::Contains("could not create unique index") && Catch::Contains("resumes with this one"));
  auto status = migrator.status();
  REQUIRE(status.size() == 2);
  CHECK(status[1].transactions_done == std::optional<int>(1));
  CHECK(status[1].statements_done.has_value());
  CHECK(test::value(db, "select count(*) from pg_index where not indisvalid") == "1");  // what the build left

  test::run(db, "update items set code = 'c2' where id = 2");
  std::vector<std::string> log;
  auto resume = quiet();
  resume.log = [&](const std::string& line) { log.push_back(line); };
  REQUIRE(migrator.up(resume) == 1);
  std::string all;
  for (const auto& l : log) all += l + "\n";
  CHECK_THAT(all, Catch::Contains("dropping invalid index") && Catch::Contains("resumed at phase 2"));
  CHECK(test::compare_catalog(db, m.v2).empty());
  CHECK(test::value(db, "select count(*) from pg_index where not indisvalid") == "0");
  CHECK_FALSE(migrator.status()[1].transactions_done);

  // Down of a half-applied migration undoes only what ran: fail again, then revert.
  REQUIRE(migrator.down(to_v1()) == 1);
  test::run(db, "update items set code = 'c1' where id = 2");
  CHECK_THROWS(migrator.up(quiet()));
  REQUIRE(migrator.down(to_v1()) == 1);
  CHECK(migrator.status()[1].file == "pending");
  CHECK(test::compare_catalog(db, m.v1).empty());
  CHECK(test::value(db, "select count(*) from pg_index where not indisvalid") == "0");
}

TEST_CASE("Online: a lock held by another session makes a phase time out, retry and fail naming it") {
  auto m = plan_it();
  pqxx::connection db(test::fresh_database("schemac_online_lock"));
  runtime::Migrator migrator(db, {m.first, m.second});
  v1_with_rows(db, migrator);
  std::string before = data(db);

  pqxx::connection other("dbname=schemac_online_lock");
  pqxx::work hold(other);
  hold.exec("LOCK TABLE items IN ACCESS SHARE MODE; SELECT count(*) FROM items");
  std::vector<std::string> log;
  auto timing_out = quiet();
  timing_out.lock_timeout = std::chrono::milliseconds(300);
  timing_out.lock_retries = 2;
  timing_out.log = [&](const std::string& line) { log.push_back(line); };
  REQUIRE_THROWS_WITH(migrator.up(timing_out),
                      Catch::Contains("could not take its locks within 300 ms in 3 attempts") &&
                          Catch::Contains("pid " + std::to_string(other.backendpid())) &&
                          Catch::Contains("SELECT count(*) FROM items") && Catch::Contains("rolled back"));
  CHECK(log.size() == 2);  // two retries, each logged
  // Nothing half applied: the first phase was rolled back.
  CHECK(migrator.status()[1].file == "pending");
  CHECK(test::compare_catalog(db, m.v1).empty());
  hold.abort();
  REQUIRE(migrator.up(quiet()) == 1);
  CHECK(test::compare_catalog(db, m.v2).empty());
  CHECK(data(db) == before);
}

// A data step holding VACUUM runs outside a transaction, after the migration's other
// changes, statement by statement; down undoes it the same way.
TEST_CASE("a data step with VACUUM runs outside a transaction", "[online]") {
  std::string with_step = std::string(v1_text) + R"(
data refill {
  up $$ update items set qty = 0 where qty is null; vacuum (analyze) items $$
  down $$ select 1; vacuum items $$
}
)";
  Migrations m{compiled(v1_text), compiled(with_step.c_str()), {}, {}, {}};
  Diagnostics diags;
  m.plan = plan::plan_migration(test::snapshot_of(m.v1), m.v2, diags, "0002_refill");
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  m.first = {1, "0001_init", plan::full_state_sql(m.v1), "DROP TABLE items;\nDROP TABLE owners;\n", "SELECT 1;"};
  m.second = {2, "0002_refill", plan::render_up(m.plan, ""), plan::render_down(m.plan, ""),
              plan::render_verify(m.plan, "")};
  INFO(m.second.up);
  pqxx::connection db(test::fresh_database("schemac_online_vacuum"));
  runtime::Migrator migrator(db, {m.first, m.second});
  v1_with_rows(db, migrator);
  test::run(db, "update items set qty = null where id <= 10");
  std::vector<std::string> log;
  auto options = quiet();
  options.log = [&](const std::string& line) { log.push_back(line); };
  REQUIRE(migrator.up(options) == 1);
  CHECK(log.back() == "applied 0002_refill (outside a transaction)");
  CHECK(test::value(db, "select count(*) from items where qty is null") == "0");
  // VACUUM ran: the table has been vacuumed since the rows were written.
  CHECK(test::value(db,
                    "select vacuum_count + autovacuum_count > 0 from pg_stat_user_tables where relname = "
                    "'items'") == "t");
  REQUIRE(migrator.down(quiet()) == 1);
  CHECK_FALSE(migrator.status()[1].applied);
}
