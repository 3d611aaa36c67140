// Every migration golden case on a real PostgreSQL: build v1 (migration 0001) and
// seed it, then
//   up + verify    -> the live catalog is v2's model;
//   down           -> the live catalog is v1's model, and every row of v1 is back;
//   up + verify    -> v2 again.
#include <catch2/catch.hpp>
#include <map>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "model/names.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_ok;
using test::fresh_database;
using test::report;
using test::rows;
using test::run;
namespace fs = std::filesystem;

namespace {

// Every row of every table of v1, as text, in a stable order; tables and columns
// whose drop v2 confirms are left out (their down re-creates them empty).
std::map<std::string, std::vector<std::string>> table_data(pqxx::connection& db, const model::Schema& v1,
                                                           const model::Schema& v2) {
  std::map<std::string, std::vector<std::string>> out;
  pqxx::work tx(db);
  for (const auto& t : v1.tables) {
    if (t.is_extern) continue;
    bool dropped = false;
    for (const auto& d : v2.dropped_tables) dropped |= d.name == t.live_name();
    if (dropped) continue;
    std::string minus;
    for (const auto& t2 : v2.tables)
      if (t2.name == t.name || (t2.was && *t2.was == t.name))
        for (const auto& c : t2.dropped_columns) minus += " - " + tx.quote(c);
    std::string name = t.live_name().sql();
    auto& rows = out[name];
    for (auto row : tx.exec("select (to_jsonb(x)" + minus + ")::text from " + name + " x order by 1"))
      rows.push_back(row[0].c_str());
  }
  return out;
}

}  // namespace

TEST_CASE("migrations go up, verify, come down exactly, and go up again") {
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(test::source_dir() / "tests/golden"))
    if (fs::exists(e.path() / "v1") && !fs::exists(e.path() / "stderr.txt")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 3);
  int n = 0;
  for (const auto& dir : cases) {
    DYNAMIC_SECTION(dir.filename().string()) {
      auto m = test::plan_versions(dir);
      INFO(m.errors);
      REQUIRE(m.errors.empty());
      REQUIRE_FALSE(m.up.empty());
      std::string name = "schemac_migrate_" + std::to_string(n++);
      pqxx::connection db(fresh_database(name));
      run(db, emit::platform_stub_sql(m.v1) + emit::platform_stub_sql(m.v2));
      run(db, m.v1_up + m.v1_verify);
      if (fs::exists(dir / "seed.sql")) run(db, read_file(dir / "seed.sql"));
      auto before = table_data(db, m.v1, m.v2);
      {
        auto problems = test::compare_catalog(db, m.v1);
        INFO("v1 as built:\n" << report(problems));
        REQUIRE(problems.empty());
      }
      // One transaction for up and verify, as `migrate up` runs them.
      test::run_up(db, m.up, m.verify);
      {
        auto problems = test::compare_catalog(db, m.v2);
        INFO("after up, the catalog differs from v2:\n" << report(problems));
        CHECK(problems.empty());
      }
      run(db, m.down);
      {
        auto problems = test::compare_catalog(db, m.v1);
        INFO("after down, the catalog differs from v1:\n" << report(problems));
        CHECK(problems.empty());
        CHECK(table_data(db, m.v1, m.v2) == before);
      }
      test::run_up(db, m.up, m.verify);
      auto problems = test::compare_catalog(db, m.v2);
      INFO("after up again:\n" << report(problems));
      CHECK(problems.empty());
    }
  }
}
