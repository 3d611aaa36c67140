// Edit kinds: realistic schema edits a user makes, each a pair of schemas (v1, v2).
// For each: build v1 and seed it, plan v1 -> v2 from v1's snapshot (as `schemac plan`
// does), then on PostgreSQL: up + verify -> catalog equals v2; down -> catalog equals
// v1 and the seeded rows are unchanged; up + verify again -> catalog equals v2. Cases
// with a role also compare what that role may do with a fresh build of each version,
// and cases that say so check that v2 builds from an empty database.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "emit/sql.hpp"
#include "model/names.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "plan/snapshot.hpp"
#include "support.hpp"

using namespace schemac;
using test::fresh_database;
using test::report;

namespace {

struct Case {
  Case(std::string name_, std::string v1_, std::string v2_)
      : name(std::move(name_)), v1(std::move(v1_)), v2(std::move(v2_)) {}
  // `seed` runs on v1 once it is built; each query (SELECT ... ORDER BY) returns the
  // same rows before up and after down.
  Case seeded(std::string seed_, std::vector<std::string> queries_) && {
    seed = std::move(seed_);
    queries = std::move(queries_);
    return std::move(*this);
  }
  // Each probe, run as `role`, behaves after up as on a fresh build of v2, and after
  // down as on v1 before up.
  Case as_role(std::string role_, std::vector<std::string> probes_) && {
    role = std::move(role_);
    probes = std::move(probes_);
    return std::move(*this);
  }
  // Also: v2's full state (`schemac sql`) applies on an empty database.
  Case fresh() && {
    fresh_v2 = true;
    return std::move(*this);
  }

  std::string name, v1, v2;
  std::string seed;
  std::vector<std::string> queries;
  std::string role;
  std::vector<std::string> probes;
  bool fresh_v2 = false;
};

model::Schema compile_model(const std::string& text, const std::string& what) {
  auto c = test::compile_files({{"edit.schema", text}});
  INFO(what << "\n" << text << "\n" << c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

// Runs `sql` in one transaction; a PostgreSQL error fails the case, naming the step.
void apply(pqxx::connection& db, const std::string& sql, const std::string& step) {
  try {
    test::run(db, sql);
  } catch (const std::exception& e) {
    FAIL(step << " failed: " << e.what());
  }
}

// The same for an up file and its verify file, run as the migrator runs them.
void apply_up(pqxx::connection& db, const std::string& up, const std::string& verify, const std::string& step) {
  try {
    test::run_up(db, up, verify);
  } catch (const std::exception& e) {
    FAIL(step << " failed: " << e.what());
  }
}

std::string build_sql(const model::Schema& s) { return emit::platform_stub_sql(s) + plan::full_state_sql(s); }

// The rows of each query, one line per row, columns separated by " | ".
std::string data(pqxx::connection& db, const std::vector<std::string>& queries) {
  pqxx::work tx(db);
  std::string out;
  for (const auto& q : queries) {
    out += q + "\n";
    for (const auto& row : tx.exec(q)) {
      std::string line;
      for (const auto& field : row)
        line += (line.empty() ? "  " : " | ") + std::string(field.is_null() ? "<null>" : field.c_str());
      out += line + "\n";
    }
  }
  return out;
}

// What `role` may do: each probe in its own transaction, rolled back; the outcome is
// the rows it returns or affects, or the first line of PostgreSQL's refusal.
std::string behaviour(pqxx::connection& db, const std::string& role, const std::vector<std::string>& probes) {
  std::string out;
  for (const auto& probe : probes) {
    out += probe + "\n  -> ";
    pqxx::work tx(db);
    tx.exec("SET LOCAL ROLE " + names::quote(role));
    try {
      auto r = tx.exec(probe);
      out += "ok, " + std::to_string(r.affected_rows()) + " row(s):";
      for (const auto& row : r)
        for (const auto& field : row) out += std::string(" ") + (field.is_null() ? "<null>" : field.c_str());
    } catch (const pqxx::sql_error& e) {
      std::string what = e.what();
      out += "refused: " + what.substr(0, what.find('\n'));
    }
    out += "\n";
  }
  return out;
}

void fresh_build(const model::Schema& v2) {
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  std::string sql = build_sql(v2);
  INFO("full state of v2:\n" << sql);
  apply(db, sql, "full state of v2 on an empty database");
  auto problems = test::compare_catalog(db, v2);
  INFO("fresh build of v2:\n" << report(problems));
  CHECK(problems.empty());
}

void migrate(const Case& c, const model::Schema& from, const model::Schema& v2) {
  Diagnostics diags;
  auto p = plan::plan_migration(from, v2, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  if (p.empty()) FAIL("the planner found no change from v1 to v2");
  std::string up = plan::render_up(p, "edit kinds: " + c.name);
  std::string down = plan::render_down(p, "");
  std::string verify = plan::render_verify(p, "");
  INFO("up:\n" << up << "\ndown:\n" << down);

  // What the role may do on a fresh build of v2 (v1's behaviour is read from the
  // database below, before up).
  std::string v2_behaviour;
  if (!c.probes.empty()) {
    pqxx::connection fresh(fresh_database("schemac_edit_kinds_v2"));
    apply(fresh, build_sql(v2), "fresh build of v2");
    apply(fresh, c.seed, "seed on a fresh build of v2");
    v2_behaviour = behaviour(fresh, c.role, c.probes);
  }

  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(from), "build v1");
  if (!c.seed.empty()) apply(db, c.seed, "seed v1");
  std::string rows_before = data(db, c.queries);
  std::string v1_behaviour = c.probes.empty() ? "" : behaviour(db, c.role, c.probes);

  apply_up(db, up, verify, "up + verify");
  if (!c.probes.empty()) CHECK(behaviour(db, c.role, c.probes) == v2_behaviour);
  auto after_up = test::compare_catalog(db, v2);
  INFO("after up:\n" << report(after_up));
  REQUIRE(after_up.empty());

  apply(db, down, "down");
  CHECK(data(db, c.queries) == rows_before);
  if (!c.probes.empty()) CHECK(behaviour(db, c.role, c.probes) == v1_behaviour);
  auto after_down = test::compare_catalog(db, from);
  INFO("after down:\n" << report(after_down));
  REQUIRE(after_down.empty());

  apply_up(db, up, verify, "up + verify again");
  auto again = test::compare_catalog(db, v2);
  INFO("after up again:\n" << report(again));
  REQUIRE(again.empty());
}

void run_case(const Case& c) {
  model::Schema v1 = compile_model(c.v1, c.name + ": v1");
  model::Schema v2 = compile_model(c.v2, c.name + ": v2");
  // The previous state as `plan` reads it: v1's snapshot, parsed back.
  model::Schema from = test::snapshot_of(v1);
  if (c.fresh_v2) {
    SECTION("v2 builds on an empty database") { fresh_build(v2); }
  }
  SECTION("planned, applied, reverted, re-applied") { migrate(c, from, v2); }
}

void run_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) { run_case(c); }
  }
}

std::string replaced_first(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

const char* const items_seed = "INSERT INTO public.items (id, qty) VALUES (1, 5), (2, 0), (3, 12);";

}  // namespace

// Policies that read another table do so through a non-correlated subquery: the catalog
// comparison rebuilds a policy on a scratch table, and an outer reference inside a
// subquery would deparse with the scratch table's name instead of the real one.
TEST_CASE("edit kinds: a column renamed with `was` while something uses it", "[edit_kinds]") {
  run_cases({
      Case("rename column used by a view", R"(
table items {
  id  int primary key
  qty int
}
view item_quantities as $$ select id, qty from public.items $$
)",
           R"(
table items {
  id     int primary key
  amount int was qty
}
view item_quantities as $$ select id, amount from public.items $$
)")
          .seeded(items_seed, {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("rename column used by a check constraint", R"(
table items {
  id  int primary key
  qty int check (qty >= 0)
}
)",
           R"(
table items {
  id     int primary key
  amount int was qty check (amount >= 0)
}
)")
          .seeded(items_seed, {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("rename column used by a named check constraint", R"(
table items {
  id  int primary key
  qty int
  check items_positive (qty >= 0)
}
)",
           R"(
table items {
  id     int primary key
  amount int was qty
  check items_positive (amount >= 0)
}
)")
          .seeded(items_seed, {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("rename column used by a generated column", R"(
table items {
  id    int primary key
  qty   int
  twice int generated (qty * 2)
}
)",
           R"(
table items {
  id     int primary key
  amount int was qty
  twice  int generated (amount * 2)
}
)")
          .seeded(items_seed, {"SELECT id, qty, twice FROM public.items ORDER BY id"}),
      Case("rename column used by a partial index predicate", R"(
table items {
  id  int primary key
  qty int
  index items_in_stock on (id) where (qty > 0)
}
)",
           R"(
table items {
  id     int primary key
  amount int was qty
  index items_in_stock on (id) where (amount > 0)
}
)")
          .seeded(items_seed, {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("rename column used by a trigger WHEN", R"(
function touch() returns trigger language plpgsql as $$ begin return new; end $$
table items {
  id  int primary key
  qty int
  trigger items_qty_changed before update for each row when (new.qty <> old.qty) execute touch()
}
)",
           R"(
function touch() returns trigger language plpgsql as $$ begin return new; end $$
table items {
  id     int primary key
  amount int was qty
  trigger items_qty_changed before update for each row when (new.amount <> old.amount) execute touch()
}
)")
          .seeded(items_seed, {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("rename column used by another table's policy", R"(
role edit_reader
table items {
  id  int primary key
  qty int
}
table orders {
  id      int primary key
  item_id int references items(id)
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select i.id from public.items i where i.qty > 0))
}
)",
           R"(
role edit_reader
table items {
  id     int primary key
  amount int was qty
}
table orders {
  id      int primary key
  item_id int references items(id)
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select i.id from public.items i where i.amount > 0))
}
)")
          .seeded(
              std::string(items_seed) + "INSERT INTO public.orders (id, item_id) VALUES (10, 1), (11, 2);",
              {"SELECT id, qty FROM public.items ORDER BY id", "SELECT id, item_id FROM public.orders ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: a table renamed with `was` while something reads it", "[edit_kinds]") {
  run_cases({
      Case("rename table read by a view", R"(
table items {
  id   int primary key
  name text
}
view item_names as $$ select id, name from public.items $$
)",
           R"(
table products was items {
  id   int primary key
  name text
}
view item_names as $$ select id, name from public.products $$
)")
          .seeded("INSERT INTO public.items (id, name) VALUES (1, 'a'), (2, 'b');",
                  {"SELECT id, name FROM public.items ORDER BY id"}),
      Case("rename table read by another table's policy", R"(
role edit_reader
table items {
  id     int primary key
  shown  boolean
}
table orders {
  id      int primary key
  item_id int references items(id)
  row level security
  policy orders_public for select to edit_reader
    using (item_id in (select i.id from public.items i where i.shown))
}
)",
           R"(
role edit_reader
table products was items {
  id     int primary key
  shown  boolean
}
table orders {
  id      int primary key
  item_id int references products(id)
  row level security
  policy orders_public for select to edit_reader
    using (item_id in (select i.id from public.products i where i.shown))
}
)")
          .seeded(
              "INSERT INTO public.items (id, shown) VALUES (1, true), (2, false);"
              "INSERT INTO public.orders (id, item_id) VALUES (10, 1), (11, 2);",
              {"SELECT id, shown FROM public.items ORDER BY id", "SELECT id, item_id FROM public.orders ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: an enum value added and used in the same migration", "[edit_kinds]") {
  const char* const v1 = R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood default 'calm'
  note text?
}
)";
  const char* const seed = "INSERT INTO public.people (id, mood, note) VALUES (1, 'calm', null), (2, 'busy', 'x');";
  run_cases({
      Case("new enum value as a column default", v1, R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood default 'tired'
  note text?
}
)")
          .seeded(seed, {"SELECT id, mood, note FROM public.people ORDER BY id"}),
      Case("new enum value in a check", v1, R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood default 'calm'
  note text?
  check (mood <> 'tired' or note is not null)
}
)")
          .seeded(seed, {"SELECT id, mood, note FROM public.people ORDER BY id"}),
      Case("new enum value as a new column's default", v1, R"(
enum mood { calm, busy, tired }
table people {
  id    int primary key
  mood  mood default 'calm'
  note  text?
  later mood default 'tired'
}
)")
          .seeded(seed, {"SELECT id, mood, note FROM public.people ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: an enum value added while the enum is used", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.people (id, mood) VALUES (1, 'calm'), (2, 'busy');";
  const std::vector<std::string> people = {"SELECT id, mood FROM public.people ORDER BY id"};
  run_cases({
      Case("enum used by a check", R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood
  check (mood <> 'busy' or id > 1)
}
)",
           R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood
  check (mood <> 'busy' or id > 1)
}
)")
          .seeded(seed, people),
      Case("enum used by a partial index predicate", R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood
  index people_calm on (id) where (mood = 'calm')
}
)",
           R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood
  index people_calm on (id) where (mood = 'calm')
}
)")
          .seeded(seed, people),
      Case("enum used by a function parameter", R"(
enum mood { calm, busy }
function is_calm(p_mood mood) returns boolean language sql immutable as $$ select p_mood = 'calm' $$
table people {
  id   int primary key
  mood mood
}
)",
           R"(
enum mood { calm, busy, tired }
function is_calm(p_mood mood) returns boolean language sql immutable as $$ select p_mood = 'calm' $$
table people {
  id   int primary key
  mood mood
}
)")
          .seeded(seed, people),
      Case("enum used by a primary key column", R"(
enum mood { calm, busy }
table moods {
  mood  mood primary key
  label text
}
)",
           R"(
enum mood { calm, busy, tired }
table moods {
  mood  mood primary key
  label text
}
)")
          .seeded("INSERT INTO public.moods (mood, label) VALUES ('calm', 'Calm'), ('busy', 'Busy');",
                  {"SELECT mood, label FROM public.moods ORDER BY mood"}),
      Case("enum used by a unique key column that a foreign key references", R"(
enum mood { calm, busy }
table moods {
  id    int primary key
  mood  mood unique
}
table people {
  id   int primary key
  mood mood references moods(mood)
}
)",
           R"(
enum mood { calm, busy, tired }
table moods {
  id    int primary key
  mood  mood unique
}
table people {
  id   int primary key
  mood mood references moods(mood)
}
)")
          .seeded("INSERT INTO public.moods (id, mood) VALUES (1, 'calm'), (2, 'busy');"
                  "INSERT INTO public.people (id, mood) VALUES (1, 'calm'), (2, 'busy');",
                  {"SELECT id, mood FROM public.moods ORDER BY id", "SELECT id, mood FROM public.people ORDER BY id"}),
      Case("enum used by a view", R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood
}
view calm_people as $$ select id, mood from public.people where mood = 'calm' $$
)",
           R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood
}
view calm_people as $$ select id, mood from public.people where mood = 'calm' $$
)")
          .seeded(seed, people),
  });
}

TEST_CASE("edit kinds: a function's signature changed while something uses it", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.items (id, name, qty) VALUES (1, 'Ab', 5), (2, 'cd', 0);";
  const std::vector<std::string> items = {"SELECT id, name, qty FROM public.items ORDER BY id"};
  run_cases({
      Case("parameters changed, used by an index expression", R"(
function norm(p text) returns text language sql immutable as $$ select lower(p) $$
table items {
  id   int primary key
  name text
  qty  int
  index items_norm on ((norm(name)))
}
)",
           R"(
function norm(p text, p_trim boolean default true) returns text language sql immutable
  as $$ select case when p_trim then lower(trim(p)) else lower(p) end $$
table items {
  id   int primary key
  name text
  qty  int
  index items_norm on ((norm(name)))
}
)")
          .seeded(seed, items),
      Case("return type changed, used by a check", R"(
function weight(p int) returns int language sql immutable as $$ select p * 2 $$
table items {
  id   int primary key
  name text
  qty  int
  check (weight(qty) < 1000)
}
)",
           R"(
function weight(p int) returns bigint language sql immutable as $$ select p::bigint * 2 $$
table items {
  id   int primary key
  name text
  qty  int
  check (weight(qty) < 1000)
}
)")
          .seeded(seed, items),
      Case("return type changed, used by a column default", R"(
function first_qty() returns int language sql stable as $$ select 7 $$
table items {
  id   int primary key
  name text
  qty  bigint default first_qty()
}
)",
           R"(
function first_qty() returns bigint language sql stable as $$ select 7::bigint $$
table items {
  id   int primary key
  name text
  qty  bigint default first_qty()
}
)")
          .seeded(seed, items),
      Case("parameters changed, used by a generated column", R"(
function weight(p int) returns int language sql immutable as $$ select p * 2 $$
table items {
  id     int primary key
  name   text
  qty    int
  weight int generated (weight(qty))
}
)",
           R"(
function weight(p int, p_factor int default 2) returns int language sql immutable as $$ select p * p_factor $$
table items {
  id     int primary key
  name   text
  qty    int
  weight int generated (weight(qty))
}
)")
          .seeded(seed, {"SELECT id, name, qty, weight FROM public.items ORDER BY id"}),
      Case("return type changed, used by a view", R"(
function weight(p int) returns int language sql immutable as $$ select p * 2 $$
table items {
  id   int primary key
  name text
  qty  int
}
view item_weights as $$ select id, public.weight(qty) as weight from public.items $$
)",
           R"(
function weight(p int) returns bigint language sql immutable as $$ select p::bigint * 2 $$
table items {
  id   int primary key
  name text
  qty  int
}
view item_weights as $$ select id, public.weight(qty) as weight from public.items $$
)")
          .seeded(seed, items),
      Case("parameters changed, used by a policy", R"(
role edit_reader
function visible(p_qty int) returns boolean language sql immutable as $$ select p_qty > 0 $$
table items {
  id   int primary key
  name text
  qty  int
  row level security
  policy items_visible for select to edit_reader using (visible(qty))
}
)",
           R"(
role edit_reader
function visible(p_qty int, p_min int default 0) returns boolean language sql immutable as $$ select p_qty > p_min $$
table items {
  id   int primary key
  name text
  qty  int
  row level security
  policy items_visible for select to edit_reader using (visible(qty))
}
)")
          .seeded(seed, items),
  });
}

TEST_CASE("edit kinds: a column's type widened while something reads it", "[edit_kinds]") {
  run_cases({
      Case("integer to bigint, read by a generated column", R"(
table items {
  id    int primary key
  qty   int
  twice bigint generated (qty * 2)
}
)",
           R"(
table items {
  id    int primary key
  qty   bigint
  twice bigint generated (qty * 2)
}
)")
          .seeded(items_seed, {"SELECT id, qty, twice FROM public.items ORDER BY id"}),
      Case("integer to bigint, read by another table's policy", R"(
role edit_reader
table items {
  id  int primary key
  qty int
}
table orders {
  id      int primary key
  item_id int references items(id)
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select i.id from public.items i where i.qty > 0))
}
)",
           R"(
role edit_reader
table items {
  id  int primary key
  qty bigint
}
table orders {
  id      int primary key
  item_id int references items(id)
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select i.id from public.items i where i.qty > 0))
}
)")
          .seeded(
              std::string(items_seed) + "INSERT INTO public.orders (id, item_id) VALUES (10, 1), (11, 2);",
              {"SELECT id, qty FROM public.items ORDER BY id", "SELECT id, item_id FROM public.orders ORDER BY id"}),
      Case("integer to bigint, view trigger and policies do not read the column", R"(
role edit_reader
function touch() returns trigger language plpgsql as $$ begin return new; end $$
table items {
  id   int primary key
  name text
  qty  int
  row level security
  policy items_read for select to edit_reader using (name <> '')
  policy items_write for insert to edit_reader with check (name <> '')
  trigger items_touch before update for each row execute touch()
}
view item_names as $$ select id, name from public.items $$
)",
           R"(
role edit_reader
function touch() returns trigger language plpgsql as $$ begin return new; end $$
table items {
  id   int primary key
  name text
  qty  bigint
  row level security
  policy items_read for select to edit_reader using (name <> '')
  policy items_write for insert to edit_reader with check (name <> '')
  trigger items_touch before update for each row execute touch()
}
view item_names as $$ select id, name from public.items $$
)")
          .seeded("INSERT INTO public.items (id, name, qty) VALUES (1, 'a', 5), (2, 'b', 0);",
                  {"SELECT id, name, qty FROM public.items ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: a generated column's expression changed", "[edit_kinds]") {
  const std::vector<std::string> items = {"SELECT id, qty, total FROM public.items ORDER BY id"};
  run_cases({
      Case("generated column with an index, a unique key, a check and a comment", R"(
table items {
  id    int primary key
  qty   int
  /// Twice the quantity.
  total int generated (qty * 2) unique check (total >= 0)
  index on (total)
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  /// Twice the quantity.
  total int generated (qty * 3) unique check (total >= 0)
  index on (total)
}
)")
          .seeded(items_seed, items),
      Case("generated column with an index", R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 2)
  index items_total on (total)
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 3)
  index items_total on (total)
}
)")
          .seeded(items_seed, items),
      Case("generated column with a unique key", R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 2) unique
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 3) unique
}
)")
          .seeded(items_seed, items),
      Case("generated column with a check", R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 2) check (total >= 0)
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 3) check (total >= 0)
}
)")
          .seeded(items_seed, items),
      Case("generated column with a comment", R"(
table items {
  id    int primary key
  qty   int
  /// Derived.
  total int generated (qty * 2)
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  /// Derived.
  total int generated (qty * 3)
}
)")
          .seeded(items_seed, items),
  });
}

TEST_CASE("edit kinds: a policy clause removed", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.notes (id, owner, body) VALUES (1, 'edit_writer', 'mine'), (2, 'someone', 'theirs');";
  const std::vector<std::string> notes = {"SELECT id, owner, body FROM public.notes ORDER BY id"};
  const std::vector<std::string> probes = {
      "SELECT id FROM public.notes ORDER BY id",
      "INSERT INTO public.notes (id, owner, body) VALUES (10, 'edit_writer', '')",
      "INSERT INTO public.notes (id, owner, body) VALUES (11, 'edit_writer', 'ok')",
      "INSERT INTO public.notes (id, owner, body) VALUES (12, 'someone', 'x')",
      "UPDATE public.notes SET body = '' WHERE id = 1",
      "UPDATE public.notes SET owner = 'someone' WHERE id = 1",
      "UPDATE public.notes SET body = 'x' WHERE id = 2",
      "DELETE FROM public.notes WHERE id IN (1, 2)",
  };
  const char* const header = R"(
role edit_writer
table notes {
  id    int primary key
  owner text
  body  text
  row level security
  grant select, insert, update, delete to edit_writer
)";
  auto schema = [&](const std::string& policies) { return header + policies + "}\n"; };
  run_cases({
      Case(
          "for all: with check removed, using kept",
          schema(
              "  policy notes_own for all to edit_writer using (owner = current_user) with check (owner = current_user "
              "and body <> '')\n"),
          schema("  policy notes_own for all to edit_writer using (owner = current_user)\n"))
          .seeded(seed, notes)
          .as_role("edit_writer", probes),
      Case(
          "for all: using removed, with check kept",
          schema(
              "  policy notes_own for all to edit_writer using (owner = current_user) with check (owner = current_user "
              "and body <> '')\n"),
          schema("  policy notes_own for all to edit_writer with check (owner = current_user and body <> '')\n"))
          .seeded(seed, notes)
          .as_role("edit_writer", probes),
      Case(
          "for update: with check removed, using kept",
          schema(
              "  policy notes_read for select to edit_writer using (true)\n"
              "  policy notes_update for update to edit_writer using (owner = current_user) with check (body <> '')\n"),
          schema("  policy notes_read for select to edit_writer using (true)\n"
                 "  policy notes_update for update to edit_writer using (owner = current_user)\n"))
          .seeded(seed, notes)
          .as_role("edit_writer", probes),
      Case(
          "for update: using removed, with check kept",
          schema(
              "  policy notes_read for select to edit_writer using (true)\n"
              "  policy notes_update for update to edit_writer using (owner = current_user) with check (body <> '')\n"),
          schema("  policy notes_read for select to edit_writer using (true)\n"
                 "  policy notes_update for update to edit_writer with check (body <> '')\n"))
          .seeded(seed, notes)
          .as_role("edit_writer", probes),
  });
}

TEST_CASE("edit kinds: comments on objects re-created because a dependency changed", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.items (id, name, qty) VALUES (1, 'Ab', 5), (2, 'cd', 0);";
  const std::vector<std::string> items = {"SELECT id, name, qty FROM public.items ORDER BY id"};
  run_cases({
      Case("view comment, the column it reads retyped", R"(
table items {
  id   int primary key
  name text
  qty  int
}
/// Quantities per item.
view item_quantities as $$ select id, qty from public.items $$
)",
           R"(
table items {
  id   int primary key
  name text
  qty  bigint
}
/// Quantities per item.
view item_quantities as $$ select id, qty from public.items $$
)")
          .seeded(seed, items),
      Case("materialized view and index comments, the column it reads retyped", R"(
table items {
  id   int primary key
  name text
  qty  int
}
/// Total quantity per name.
materialized view name_totals as $$ select name, sum(qty) as total from public.items group by name $$ {
  /// One row per name.
  unique index on (name)
}
)",
           R"(
table items {
  id   int primary key
  name text
  qty  bigint
}
/// Total quantity per name.
materialized view name_totals as $$ select name, sum(qty) as total from public.items group by name $$ {
  /// One row per name.
  unique index on (name)
}
)")
          .seeded(seed, items),
      Case("index comment, its expression's function re-created", R"(
function norm(p text) returns text language sql immutable as $$ select lower(p) $$
table items {
  id   int primary key
  name text
  qty  int
  /// Case-insensitive lookups.
  index items_norm on ((norm(name)))
}
)",
           R"(
function norm(p text, p_trim boolean default true) returns text language sql immutable
  as $$ select case when p_trim then lower(trim(p)) else lower(p) end $$
table items {
  id   int primary key
  name text
  qty  int
  /// Case-insensitive lookups.
  index items_norm on ((norm(name)))
}
)")
          .seeded(seed, items),
      Case("check comment, its function re-created", R"(
function weight(p int) returns int language sql immutable as $$ select p * 2 $$
table items {
  id   int primary key
  name text
  qty  int
  /// Keeps parcels light.
  check items_light (weight(qty) < 1000)
}
)",
           R"(
function weight(p int) returns bigint language sql immutable as $$ select p::bigint * 2 $$
table items {
  id   int primary key
  name text
  qty  int
  /// Keeps parcels light.
  check items_light (weight(qty) < 1000)
}
)")
          .seeded(seed, items),
      Case("check and index comments, the column retyped", R"(
table items {
  id   int primary key
  name text
  qty  int
  /// Never negative.
  check items_qty_positive (qty >= 0)
  /// By quantity.
  index items_qty on (qty)
}
)",
           R"(
table items {
  id   int primary key
  name text
  qty  bigint
  /// Never negative.
  check items_qty_positive (qty >= 0)
  /// By quantity.
  index items_qty on (qty)
}
)")
          .seeded(seed, items),
      Case("function comment, its parameter's enum gains a value", R"(
enum mood { calm, busy }
/// Whether a mood is calm.
function is_calm(p_mood mood) returns boolean language sql immutable as $$ select p_mood = 'calm' $$
)",
           R"(
enum mood { calm, busy, tired }
/// Whether a mood is calm.
function is_calm(p_mood mood) returns boolean language sql immutable as $$ select p_mood = 'calm' $$
)"),
  });
}

TEST_CASE("edit kinds: swaps and moves with `was`", "[edit_kinds]") {
  run_cases({
      Case("two columns swap names", R"(
table people {
  id    int primary key
  first text
  last  text
}
)",
           R"(
table people {
  id    int primary key
  first text was last
  last  text was first
}
)")
          .seeded("INSERT INTO public.people (id, first, last) VALUES (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing');",
                  {"SELECT id, first, last FROM public.people ORDER BY id"}),
      Case("table renamed and a new table takes its name", R"(
table items {
  id   int primary key
  name text
}
)",
           R"(
table old_items was items {
  id   int primary key
  name text
}
table items {
  id    int primary key
  label text
}
)")
          .seeded("INSERT INTO public.items (id, name) VALUES (1, 'a'), (2, 'b');",
                  {"SELECT id, name FROM public.items ORDER BY id"}),
      Case("table moved to another schema", R"(
table items {
  id   int primary key
  name text
  index on (name)
}
)",
           R"(
schema app
table app.items was public.items {
  id   int primary key
  name text
  index on (name)
}
)")
          .seeded("INSERT INTO public.items (id, name) VALUES (1, 'a'), (2, 'b');",
                  {"SELECT id, name FROM public.items ORDER BY id"}),
      // Default names follow: the key and index are renamed (the foreign key that
      // relies on the key stays), and so is the identity sequence.
      Case("table and a keyed column renamed, an identity column and a foreign key on the key", R"(
table tickets {
  id   int primary key identity
  code text unique
  index on (code)
}
table holds {
  id   int primary key
  code text references tickets(code)
}
)",
           R"(
table issues was tickets {
  id  int primary key identity
  tag text unique was code
  index on (tag)
}
table holds {
  id   int primary key
  code text references issues(tag)
}
)")
          .seeded("INSERT INTO public.tickets (code) VALUES ('a'), ('b'); INSERT INTO public.holds VALUES (1, 'a');",
                  {"SELECT id, code FROM public.tickets ORDER BY id", "SELECT id, code FROM public.holds ORDER BY id",
                   "SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY 1"}),
  });
}

TEST_CASE("edit kinds: a view over `*` whose table gains a column", "[edit_kinds]") {
  // PostgreSQL expands `*` when a view is created: the view is created again.
  run_cases({
      Case("table gains a column under select *", R"(
table items {
  id   int primary key
  name text
}
view all_items as $$ select * from public.items $$
)",
           R"(
table items {
  id   int primary key
  name text
  qty  int?
}
view all_items as $$ select * from public.items $$
)")
          .seeded("INSERT INTO public.items (id, name) VALUES (1, 'a');", {"SELECT * FROM public.all_items"}),
  });
}

TEST_CASE("edit kinds: combinations found in review", "[edit_kinds]") {
  run_cases({
      Case("table renamed while its index and check change", R"(
table items {
  id   int primary key
  name text
  qty  int check (qty > 0)
  index on (name)
}
)",
           R"(
table products was items {
  id   int primary key
  name text
  qty  int check (qty >= 0)
  index on (name) where (qty > 0)
}
)")
          .seeded("INSERT INTO public.items (id, name, qty) VALUES (1, 'a', 1), (2, 'b', 3);",
                  {"SELECT id, name, qty FROM public.items ORDER BY id"}),
      Case("generated column renamed while its expression changes", R"(
table items {
  id    int primary key
  qty   int
  twice int generated (qty * 2)
}
)",
           R"(
table items {
  id    int primary key
  qty   int
  total int generated (qty * 3) was twice
}
)")
          .seeded("INSERT INTO public.items (id, qty) VALUES (1, 1), (2, 3);",
                  {"SELECT id, qty FROM public.items ORDER BY id"}),
      Case("enum value added while a view over it and a function taking it change", R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood
}
view calm_people as $$ select id from public.people where mood = 'calm' $$
function is_calm(m mood) returns boolean language sql immutable as $$ select m = 'calm' $$
)",
           R"(
enum mood { calm, busy, tired }
table people {
  id   int primary key
  mood mood
}
view calm_people as $$ select id from public.people where mood <> 'busy' $$
function is_calm(m mood) returns boolean language sql immutable as $$ select m <> 'busy' $$
)")
          .seeded("INSERT INTO public.people (id, mood) VALUES (1, 'calm'), (2, 'busy');",
                  {"SELECT id, mood FROM public.people ORDER BY id"}),
      Case("two enum values added next to each other, first and in the middle", R"(
enum mood { calm, busy }
table people {
  id   int primary key
  mood mood
}
)",
           R"(
enum mood { sleepy, dozy, calm, tired, bored, busy }
table people {
  id   int primary key
  mood mood
}
)")
          .seeded("INSERT INTO public.people (id, mood) VALUES (1, 'calm'), (2, 'busy');",
                  {"SELECT id, mood FROM public.people ORDER BY id"}),
      Case("a policy reads a view whose column is retyped", R"(
role edit_reader
table stock {
  id  int primary key
  qty int
}
view in_stock as $$ select id, qty from public.stock where qty > 0 $$
table orders {
  id      int primary key
  item_id int
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select s.id from public.in_stock s))
}
)",
           R"(
role edit_reader
table stock {
  id  int primary key
  qty bigint
}
view in_stock as $$ select id, qty from public.stock where qty > 0 $$
table orders {
  id      int primary key
  item_id int
  row level security
  policy orders_in_stock for select to edit_reader
    using (item_id in (select s.id from public.in_stock s))
}
)")
          .seeded(
              "INSERT INTO public.stock VALUES (1, 5), (2, 0); INSERT INTO public.orders VALUES (10, 1), (11, 2);",
              {"SELECT id, qty FROM public.stock ORDER BY id", "SELECT id, item_id FROM public.orders ORDER BY id"}),
      Case("a generated column becomes plain under an index, a check, a view and a policy", R"(
role edit_reader
table items {
  id    int primary key
  qty   int
  total int generated (qty * 2)
  check (total >= 0)
  index on (total)
  row level security
  policy items_read for select to edit_reader using (total > 0)
}
view item_totals as $$ select id, total from public.items $$
)",
           R"(
role edit_reader
table items {
  id    int primary key
  qty   int
  total int
  check (total >= 0)
  index on (total)
  row level security
  policy items_read for select to edit_reader using (total > 0)
}
view item_totals as $$ select id, total from public.items $$
)")
          .seeded("INSERT INTO public.items (id, qty) VALUES (1, 1), (2, 3);",
                  {"SELECT id, qty, total FROM public.items ORDER BY id"}),
      Case("a default stops calling a function whose signature changes", R"(
function first_qty() returns int language sql stable as $$ select 1 $$
table items {
  id  int primary key
  qty int default first_qty()
}
)",
           R"(
function first_qty(n int default 1) returns int language sql stable as $$ select n $$
table items {
  id  int primary key
  qty int default 0
}
)")
          .seeded("INSERT INTO public.items (id) VALUES (1);", {"SELECT id, qty FROM public.items ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: a table archived in the same schema that names it", "[edit_kinds]") {
  const char* const v1 = R"(
table quests {
  id    int primary key
  title text
}
)";
  const char* const seed = "INSERT INTO public.quests (id, title) VALUES (1, 'a'), (2, 'b');";
  const std::vector<std::string> quests = {"SELECT id, title FROM public.quests ORDER BY id"};
  run_cases({
      Case("data step reads the table it archives", v1, R"(
table quests {
  id    int primary key
  title text
}
archive table quests as quests_2024
table user_quests {
  id    int primary key
  title text
}
data copy_quests {
  up $$ insert into public.user_quests (id, title) select id, title from public.quests $$
  down $$ delete from public.user_quests $$
}
)")
          .seeded(seed, quests)
          .fresh(),
      Case("view reads the archived table", v1, R"(
table quests {
  id    int primary key
  title text
}
archive table quests as quests_2024
view old_quests as $$ select id, title from public.quests_2024 $$
)")
          .seeded(seed, quests)
          .fresh(),
      // Undone: the check that changes is dropped under the archived names first.
      Case("archive undone while its check changes", R"(
table quests {
  id    int primary key
  title text check (length(title) < 100)
  index on (title)
}
archive table quests as quests_2024
)",
           R"(
table quests {
  id    int primary key
  title text check (length(title) < 200)
  index on (title)
}
)")
          .seeded("INSERT INTO public.quests_2024 (id, title) VALUES (1, 'a'), (2, 'b');",
                  {"SELECT id, title FROM public.quests_2024 ORDER BY id"}),
  });
}

// A confirmed column drop keeps the values (as text, by primary key) in the retention
// schema; down adds the column back with every value, then its NOT NULL, identity and
// default, whatever its type, even after the enum it uses was re-created.
TEST_CASE("edit kinds: dropped columns come back with their values", "[edit_kinds]") {
  const char* const v1 = R"(
enum mood { calm, busy }
table people {
  id      int primary key
  code    text
  seq     bigint identity
  mood    mood default 'calm'
  badge   text? default 'none'
  born    date?
}
)";
  const char* const seed =
      "INSERT INTO public.people (id, code, mood, badge, born) VALUES (1, 'a''b', 'busy', null, '2001-02-03'), "
      "(2, 'c', 'calm', 'gold', null);";
  const std::vector<std::string> people = {"SELECT id, code, seq, mood, badge, born FROM public.people ORDER BY id"};
  run_cases({
      Case("drop every column but the key", v1, R"(
enum mood { calm, busy }
table people {
  id int primary key
  drop column code
  drop column seq
  drop column mood
  drop column badge
  drop column born
}
)")
          .seeded(seed, people),
      Case("drop a NOT NULL column while the enum gains a value", v1, R"(
enum mood { calm, busy, away }
table people {
  id      int primary key
  seq     bigint identity
  mood    mood default 'away'
  badge   text? default 'none'
  born    date?
  drop column code
}
)")
          .seeded(seed, people),
      // The restore does not fire the table's triggers (the values come back as they were).
      Case("drop a column of a table with an update trigger", R"(
function touch() returns trigger language plpgsql as $$ begin new.badge = 'touched'; return new; end $$
table people {
  id    int primary key
  code  text
  badge text? default 'none'
  trigger touch_badge before update for each row execute touch()
}
)",
           R"(
function touch() returns trigger language plpgsql as $$ begin new.badge = 'touched'; return new; end $$
table people {
  id    int primary key
  badge text? default 'none'
  trigger touch_badge before update for each row execute touch()
  drop column code
}
)")
          .seeded("INSERT INTO public.people (id, code, badge) VALUES (1, 'a', 'gold'), (2, 'b', null);",
                  {"SELECT id, code, badge FROM public.people ORDER BY id"}),
      // The drop runs after the archive, so it names the table by its archived name.
      Case("archive a table and drop one of its columns", R"(
table people {
  id   int primary key
  code text
  note text?
}
)",
           R"(
table people {
  id   int primary key
  code text
  drop column note
}
archive table people as people_2025
)")
          .seeded("INSERT INTO public.people (id, code, note) VALUES (1, 'a', 'x'), (2, 'b', null);",
                  {"SELECT id, code, note FROM public.people ORDER BY id"}),
  });
}

// Rows written between up and down: a dropped identity column comes back with the old
// rows' values, new values for the new rows, and the sequence after all of them.
TEST_CASE("edit kinds: a dropped identity column and rows written after up", "[edit_kinds]") {
  model::Schema v1 = compile_model("table people {\n  id  int primary key\n  seq bigint identity\n}\n", "v1");
  model::Schema v2 = compile_model("table people {\n  id  int primary key\n  drop column seq\n}\n", "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db, "INSERT INTO public.people (id) VALUES (1), (2), (3); DELETE FROM public.people WHERE id = 2;", "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_trim");
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up");
  apply(db, "INSERT INTO public.people (id) VALUES (10);", "a row written after up");
  apply(db, plan::render_down(p, ""), "down");
  CHECK(data(db, {"SELECT id, seq FROM public.people ORDER BY id"}) ==
        "SELECT id, seq FROM public.people ORDER BY id\n  1 | 1\n  3 | 3\n  10 | 4\n");
  apply(db, "INSERT INTO public.people (id) VALUES (11);", "a row written after down");
  CHECK(data(db, {"SELECT seq FROM public.people WHERE id = 11",
                  "SELECT attidentity FROM pg_attribute WHERE "
                  "attrelid = 'public.people'::regclass AND attname = 'seq'",
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'"}) ==
        "SELECT seq FROM public.people WHERE id = 11\n  5\n"
        "SELECT attidentity FROM pg_attribute WHERE attrelid = 'public.people'::regclass AND attname = 'seq'\n  a\n"
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'\n  0\n");
}

// A table whose owner is subject to its own policies (FORCE ROW LEVEL SECURITY), run
// by an owner without BYPASSRLS: the copy and the restore still see every row.
TEST_CASE("edit kinds: a dropped column of a table with forced row level security", "[edit_kinds]") {
  const char* const policies =
      "  row level security force\n"
      "  policy first_only for select using (id = 1)\n"
      "  policy add_any for insert with check (true)\n"
      "  policy change_any for update using (true)\n";
  model::Schema v1 =
      compile_model(std::string("table people {\n  id   int primary key\n  note text?\n") + policies + "}\n", "v1");
  model::Schema v2 = compile_model(
      std::string("table people {\n  id   int primary key\n") + policies + "  drop column note\n}\n", "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db,
        "DO $$ BEGIN CREATE ROLE schemac_owner NOLOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object "
        "THEN NULL; END $$; GRANT ALL ON SCHEMA public TO schemac_owner; CREATE SCHEMA IF NOT EXISTS "
        "schemac_retained AUTHORIZATION schemac_owner;",
        "the owner role");
  auto as_owner = [](const std::string& sql) { return "SET LOCAL ROLE schemac_owner;\n" + sql; };
  apply(db, as_owner(build_sql(v1)), "build v1 as the owner");
  apply(db, as_owner("INSERT INTO public.people (id, note) VALUES (1, 'a'), (2, 'b'), (3, null);"), "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_trim");
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  // The owner sees one row through its policies: the migration must not be limited by that.
  CHECK(data(db, {"SELECT count(*) FROM public.people"}) == "SELECT count(*) FROM public.people\n  3\n");
  apply(db, as_owner(plan::render_up(p, "") + plan::render_verify(p, "")), "up as the owner");
  CHECK(data(db, {"SELECT count(*) FROM schemac_retained.m0002_trim_public_people_note"}) ==
        "SELECT count(*) FROM schemac_retained.m0002_trim_public_people_note\n  3\n");
  apply(db, as_owner(plan::render_down(p, "")), "down as the owner");
  CHECK(data(db, {"SELECT id, note FROM public.people ORDER BY id",
                  "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.people'::regclass"}) ==
        "SELECT id, note FROM public.people ORDER BY id\n  1 | a\n  2 | b\n  3 | <null>\n"
        "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.people'::regclass\n  t\n");
}

TEST_CASE("edit kinds: privileges on views, materialized views, functions and schemas", "[edit_kinds]") {
  // Refreshed, so that the materialized view holds the rows as one re-created by up does.
  const char* const seed =
      "INSERT INTO app.items (id, owner, qty) VALUES (1, 'a', 5), (2, 'b', 7); REFRESH MATERIALIZED VIEW app.totals;";
  const std::vector<std::string> items = {"SELECT id, owner, qty FROM app.items ORDER BY id"};
  // What edit_reader may do: read through the view and the materialized view, call the
  // function, create in the schema.
  const std::vector<std::string> probes = {
      "SELECT id FROM app.published ORDER BY id",
      "SELECT owner, total FROM app.totals ORDER BY owner",
      "SELECT app.visible(1)",
      "CREATE TABLE app.scratch (x int)",
  };
  const char* const header = R"(
role edit_reader
schema app
table app.items {
  id    int primary key
  owner text
  qty   int
}
)";
  auto schema = [&](const std::string& qty_type, const std::string& rest) {
    std::string h = header;
    h.replace(h.find("qty   int"), 9, "qty   " + qty_type);
    return h + rest;
  };
  const std::string granted = R"(
grant usage on schema app to edit_reader
/// Whether an item is visible.
function app.visible(p int) returns boolean language sql stable as $$ select p > 0 $$
revoke execute on function app.visible(int) from public
grant execute on function app.visible(int) to edit_reader
/// Published items.
view app.published as $$ select id, owner, qty from app.items $$ {
  grant select to edit_reader
}
materialized view app.totals as $$ select owner, sum(qty) as total from app.items group by owner $$ {
  unique index on (owner)
  grant select to edit_reader
}
)";
  const std::string bare = R"(
function app.visible(p int) returns boolean language sql stable as $$ select p > 0 $$
view app.published as $$ select id, owner, qty from app.items $$
materialized view app.totals as $$ select owner, sum(qty) as total from app.items group by owner $$ {
  unique index on (owner)
}
)";
  std::string changed_function = granted;
  changed_function.replace(changed_function.find("visible(p int)"), 14, "visible(p bigint)");
  changed_function.replace(changed_function.find("visible(int) from"), 12, "visible(bigint)");
  changed_function.replace(changed_function.find("visible(int) to"), 12, "visible(bigint)");
  run_cases({
      Case("granted and revoked where there were none", schema("int", bare), schema("int", granted))
          .seeded(seed, items)
          .as_role("edit_reader", probes)
          .fresh(),
      Case("grants taken away", schema("int", granted), schema("int", bare))
          .seeded(seed, items)
          .as_role("edit_reader", probes),
      Case("a view and a materialized view re-created keep their grants (the column they read retyped)",
           schema("int", granted), schema("bigint", granted))
          .seeded(seed, items)
          .as_role("edit_reader", probes),
      Case("a function re-created for a new signature keeps its privileges", schema("int", granted),
           schema("int", changed_function))
          .seeded(seed, items)
          .as_role("edit_reader", {"SELECT app.visible(1::bigint)", "SELECT app.visible(1::int)"})
          .fresh(),
  });
  // PUBLIC's EXECUTE, which PostgreSQL gives every new function, revoked and given back:
  // a role with no grant of its own may call the function before, not after.
  const std::string outsider = R"(
role edit_outsider
schema app
grant usage on schema app to edit_outsider
function app.visible(p int) returns boolean language sql stable as $$ select p > 0 $$
)";
  const std::vector<std::string> call = {"SELECT app.visible(1)"};
  run_cases({
      Case("PUBLIC's execute revoked", outsider, outsider + "revoke execute on function app.visible(int) from public\n")
          .as_role("edit_outsider", call),
      Case("PUBLIC's execute given back", outsider + "revoke execute on function app.visible(int) from public\n",
           outsider)
          .as_role("edit_outsider", call),
  });
}

TEST_CASE("edit kinds: deferrable keys and references, NULLS NOT DISTINCT", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.parents (id, code) VALUES (1, 'a'), (2, null);"
      "INSERT INTO public.children (id, parent) VALUES (10, 1), (11, 2);";
  const std::vector<std::string> rows = {"SELECT id, code FROM public.parents ORDER BY id",
                                         "SELECT id, parent FROM public.children ORDER BY id"};
  // A child before its parent in one transaction: only a deferred reference lets it
  // through; a code taken before its holder lets go: only a deferrable key; two NULL
  // codes: only NULLS NOT DISTINCT refuses them. Each ends by checking what was deferred.
  const std::vector<std::string> probes = {
      "INSERT INTO public.children (id, parent) VALUES (20, 7); INSERT INTO public.parents (id) VALUES (7); "
      "SET CONSTRAINTS ALL IMMEDIATE",
      "INSERT INTO public.parents (id, code) VALUES (40, 'a'); UPDATE public.parents SET code = 'z' WHERE id = 1; "
      "SET CONSTRAINTS ALL IMMEDIATE",
      "INSERT INTO public.parents (id, code) VALUES (30, null), (31, null); SET CONSTRAINTS ALL IMMEDIATE",
  };
  auto schema = [](const std::string& unique, const std::string& reference) {
    return R"(
role edit_writer
table parents {
  id   int primary key
  code text?
  )" + unique +
           R"(
  grant select, insert, update to edit_writer
}
table children {
  id     int primary key
  parent int references parents(id))" +
           reference + R"(
  grant select, insert to edit_writer
}
)";
  };
  run_cases({
      Case("a reference made deferrable, initially deferred", schema("unique (code)", ""),
           schema("unique (code)", " deferrable initially deferred"))
          .seeded(seed, rows)
          .as_role("edit_writer", probes)
          .fresh(),
      Case("a deferred reference made immediate again", schema("unique (code)", " deferrable initially deferred"),
           schema("unique (code)", " deferrable"))
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
      Case("a unique key made NULLS NOT DISTINCT", schema("unique (code)", ""),
           schema("unique nulls not distinct (code)", ""))
          .seeded(seed, rows)
          .as_role("edit_writer", probes)
          .fresh(),
      Case("a unique key made deferrable", schema("unique (code)", ""),
           schema("unique (code) deferrable initially deferred", ""))
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
  });
}

TEST_CASE("edit kinds: unlogged tables", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.sessions (id) VALUES (1), (2);"
      "INSERT INTO public.hits (id, session) VALUES (10, 1), (11, 2);";
  const std::vector<std::string> rows = {"SELECT id FROM public.sessions ORDER BY id",
                                         "SELECT id, session FROM public.hits ORDER BY id"};
  auto schema = [](bool sessions_unlogged, bool hits_unlogged) {
    return std::string(sessions_unlogged ? "unlogged " : "") + "table sessions {\n  id int primary key\n}\n" +
           (hits_unlogged ? "unlogged " : "") +
           "table hits {\n  id int primary key\n  session int references sessions(id)\n}\n";
  };
  run_cases({
      // Referencing tables go unlogged first, and logged last.
      Case("two tables made unlogged, one referencing the other", schema(false, false), schema(true, true))
          .seeded(seed, rows)
          .fresh(),
      Case("two unlogged tables made logged", schema(true, true), schema(false, false)).seeded(seed, rows),
      Case("the referencing table alone made unlogged", schema(false, false), schema(false, true)).seeded(seed, rows),
  });
}

TEST_CASE("edit kinds: index operator classes and collations", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.docs (id, title) VALUES (1, 'Alpha'), (2, 'beta');";
  const std::vector<std::string> rows = {"SELECT id, title FROM public.docs ORDER BY id"};
  auto schema = [](const std::string& indexes) {
    return "extension pg_trgm\ntable docs {\n  id    int primary key\n  title text\n" + indexes + "}\n";
  };
  run_cases({
      Case("a trigram index added", schema(""), schema("  index docs_title_trgm on (title gin_trgm_ops) using gin\n"))
          .seeded(seed, rows)
          .fresh(),
      Case("an element's collation and operator class changed",
           schema("  index docs_title on (title collate \"C\" desc)\n"),
           schema("  index docs_title on (title collate \"POSIX\" text_pattern_ops desc nulls last)\n"))
          .seeded(seed, rows)
          .fresh(),
  });
}

TEST_CASE("edit kinds: documented indexes and keys added to an existing table", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.docs (id, code, owner) VALUES (1, 'a', 1), (2, 'b', 1);";
  const std::vector<std::string> rows = {"SELECT id, code, owner FROM public.docs ORDER BY id"};
  const std::string v1 =
      "table owners {\n  id int primary key\n}\ntable docs {\n  id    int\n  code  text\n"
      "  owner int\n}\n";
  // Built in later phases, each carries its comment in its own statement.
  run_cases({
      Case("a documented index, unique key, primary key and foreign key", v1,
           "table owners {\n  id int primary key\n}\ntable docs {\n  /// The key.\n  id    int primary key\n"
           "  code  text\n  owner int\n  /// Codes are unique.\n  unique docs_code_key (code)\n"
           "  /// Owned.\n  foreign key docs_owner_fkey (owner) references owners(id)\n"
           "  /// By owner.\n  index docs_owner_idx on (owner)\n}\n"
           "table notes {\n  id  int primary key\n  doc int\n  /// To the new key.\n"
           "  foreign key notes_doc_fkey (doc) references docs(id)\n}\n")
          .seeded("INSERT INTO public.owners (id) VALUES (1);" + std::string(seed), rows)
          .fresh(),
  });
}

TEST_CASE("edit kinds: an extension in a schema of its own", "[edit_kinds]") {
  const char* const seed = "INSERT INTO public.docs (id, title) VALUES (1, 'Alpha'), (2, 'beta');";
  const std::vector<std::string> rows = {"SELECT id, title FROM public.docs ORDER BY id"};
  const std::string docs = "table docs {\n  id    int primary key\n  title text\n";
  run_cases({
      // Its operator class is written with its schema (ext is not on the search path).
      Case("an extension moved out of public, with an index on its operator class",
           "extension pg_trgm\n" + docs + "}\n",
           "schema ext\nextension pg_trgm with schema ext\n" + docs +
               "  index docs_title_trgm on (title gin_trgm_ops) using gin\n}\n")
          .seeded(seed, rows)
          .fresh(),
      // The column keeps its type (no ALTER COLUMN TYPE): the type moves with its extension.
      Case("an extension moved out of public while a column uses its type",
           "extension citext\n" + docs + "  email citext?\n}\n",
           "schema ext\nextension citext with schema ext\n" + docs + "  email citext?\n}\n")
          .seeded(seed, rows)
          .fresh(),
      // Its type too.
      Case("a column of a type of an extension in its own schema",
           "schema ext\nextension citext with schema ext\n" + docs + "}\n",
           "schema ext\nextension citext with schema ext\n" + docs + "  email citext?\n}\n")
          .seeded(seed, rows)
          .fresh(),
  });
}

TEST_CASE("edit kinds: persistence and privileges changed next to what constrains their order", "[edit_kinds]") {
  run_cases({
      // SET LOGGED must come before the new logged table that references it.
      Case("a table made logged while a new logged table references it",
           "unlogged table sessions {\n  id int primary key\n}\n",
           "table sessions {\n  id int primary key\n}\ntable hits {\n  id int primary key\n"
           "  session int references sessions(id)\n}\n")
          .seeded("INSERT INTO public.sessions (id) VALUES (1);", {"SELECT id FROM public.sessions ORDER BY id"}),
      // SET UNLOGGED must wait until the logged table referencing it is dropped.
      Case("a table made unlogged while the logged table referencing it is dropped",
           "table sessions {\n  id int primary key\n}\ntable hits {\n  id int primary key\n"
           "  session int references sessions(id)\n}\n",
           "unlogged table sessions {\n  id int primary key\n}\ndrop table hits\n")
          .seeded("INSERT INTO public.sessions (id) VALUES (1);", {"SELECT id FROM public.sessions ORDER BY id"}),
      // Down re-creates the enum type, moving the function aside: it comes back with
      // its old privileges, not through the revoke's own undo.
      Case("an enum value added and a function taking the enum revoked from PUBLIC",
           "enum mood { calm, busy }\nfunction weight(m mood) returns int language sql immutable as $$ select 1 $$\n",
           "enum mood { calm, busy, away }\nfunction weight(m mood) returns int language sql immutable as $$ select 1 "
           "$$\nrevoke execute on function weight(mood) from public\n"),
  });
}

TEST_CASE("edit kinds: domains, composite types, extension types and builtin types", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.people (id, mail, home, born) VALUES "
      "(1, 'Ada@Example.org', ROW('1 Main St', 'Leeds')::public.address, '1815-12-10 10:00:00+00'), "
      "(2, 'b@c.d', null, null);";
  const std::vector<std::string> rows = {"SELECT id, mail, home::text, born FROM public.people ORDER BY id"};
  auto schema = [](const std::string& domain, const std::string& fields, const std::string& columns) {
    return "extension citext\n" + domain + "\ntype address {\n" + fields +
           "}\ntable people {\n  id   int primary key\n" + columns + "}\n";
  };
  const std::string street_city = "  street text\n  city   text\n";
  const std::string plain = "  mail text\n  home address?\n  born timestamptz(0)?\n";
  const std::string typed = "  mail email\n  home address?\n  born timestamptz(0)?\n";
  run_cases({
      Case("a domain added and a column changed to it", schema("", street_city, plain),
           schema("domain email citext check (value ~* '@')", street_city, typed))
          .seeded(seed, rows)
          .fresh(),
      Case("a domain's default, NOT NULL and checks changed",
           schema("domain email citext check (value ~* '@')", street_city, typed),
           schema("/// An address.\ndomain email citext not null default 'x@y' check at_sign (value ~* '@') check "
                  "(length(value) < 100)",
                  street_city, typed))
          .seeded(seed, rows)
          .fresh(),
      Case("a domain dropped: its column goes back to text",
           schema("domain email citext check (value ~* '@')", street_city, typed), schema("", street_city, plain))
          .seeded(seed, rows),
      Case("a composite type gains a field while a column holds it", schema("", street_city, plain),
           schema("", street_city + "  /// The postal code.\n  zip    varchar(10)\n", plain))
          .seeded(seed, rows)
          .fresh(),
      Case("a timestamp's precision raised, an extension's type used", schema("", street_city, plain),
           schema("", street_city, "  mail citext\n  home address?\n  born timestamptz(3)?\n"))
          .seeded(seed, rows)
          .fresh(),
  });
  // A composite type no column holds may lose its last field or change a field's type.
  run_cases({
      Case("a free composite type loses its last field and retypes another",
           "type pair {\n  a int\n  b text\n  c text\n}\nfunction first_of(p pair) returns int language sql "
           "immutable as $$ select p.a $$\n",
           "type pair {\n  a bigint\n  b text\n}\nfunction first_of(p pair) returns int language sql immutable as $$ "
           "select p.a $$\n")
          .fresh(),
      // The table is kept with its values as text, so that the types can go.
      Case("a composite type and a domain dropped with the table using them",
           "domain small int check (value < 10)\ntype pair {\n  a small\n  b text\n}\ntable t {\n  id int primary "
           "key\n  p  pair?\n  s  small\n}\n",
           "drop table t\n")
          .seeded("INSERT INTO public.t VALUES (1, ROW(3, 'x'), 4), (2, null, 9);",
                  {"SELECT id, p, s, pg_typeof(p), pg_typeof(s) FROM public.t ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: sequences and serial columns", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.orders (id, qty) VALUES (1, 5), (2, 0), (12, 3); SELECT nextval('public.order_no') FROM "
      "generate_series(1, 3);";
  // The current value of the sequence survives up and down.
  const std::vector<std::string> rows = {"SELECT id, qty FROM public.orders ORDER BY id",
                                         "SELECT last_value, is_called FROM public.order_no"};
  auto schema = [](const std::string& sequence, const std::string& id, const std::string& more = "") {
    return "role clerk\nsequence order_no " + sequence + "\ntable orders {\n  id  " + id + " primary key\n  qty int\n" +
           more + "}\n";
  };
  run_cases({
      Case("a sequence's options changed; its current value stays", schema("as integer start 100", "int"),
           schema("as bigint increment 5 start 100 cache 10 maxvalue 100000 cycle", "int"))
          .seeded(seed, rows)
          .fresh(),
      Case("a sequence owned by a column, granted, and used by its default", schema("start 100", "int"),
           schema("start 100 owned by orders.no", "int", "  no  bigint default nextval('order_no')\n") +
               "grant usage, select on sequence order_no to clerk\n")
          // Filling the new column for the rows there takes values from the sequence.
          .seeded(seed, {rows[0]})
          .fresh(),
      Case("a column made serial: its sequence counts on from the largest value", schema("", "int"),
           schema("", "serial"))
          .seeded(seed, rows)
          .fresh(),
      Case("a serial column made plain", schema("", "serial"), schema("", "int")).seeded(seed, rows),
      Case("a serial column widened to bigserial", schema("", "serial"), schema("", "bigserial"))
          .seeded(seed, rows)
          .fresh(),
      Case("a serial column added to a table with rows", schema("", "int"), schema("", "int", "  line serial\n"))
          .seeded(seed, rows)
          .fresh(),
  });
  // A serial key renamed with its table: the sequence takes the name a fresh build
  // gives it; dropped, the column's values come back and its sequence after them.
  run_cases({
      Case("a serial column and its table renamed", "table orders {\n  id  serial primary key\n  qty int\n}\n",
           "table purchases was orders {\n  no  serial primary key was id\n  qty int\n}\n")
          .seeded("INSERT INTO public.orders (qty) VALUES (5), (7);", {"SELECT id, qty FROM public.orders ORDER BY id"})
          .fresh(),
      Case("a serial column dropped and restored", "table orders {\n  id  int primary key\n  line serial\n}\n",
           "table orders {\n  id  int primary key\n  drop column line\n}\n")
          .seeded("INSERT INTO public.orders (id) VALUES (1), (2); UPDATE public.orders SET line = line + 40;",
                  {"SELECT id, line FROM public.orders ORDER BY id"}),
  });
}

TEST_CASE("edit kinds: exclusion constraints, NULLS NOT DISTINCT indexes, index methods", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.bookings (id, room, during, email) VALUES "
      "(1, 1, '[2025-01-01, 2025-01-02)', 'a@x'), (2, 1, '[2025-01-02, 2025-01-03)', null), "
      "(3, 2, '[2025-01-01, 2025-01-05)', 'c@x');";
  const std::vector<std::string> rows = {"SELECT id, room, during, email FROM public.bookings ORDER BY id"};
  auto schema = [](const std::string& members) {
    return "extension btree_gist\ntable bookings {\n  id     int primary key\n  room   int\n  during tstzrange\n"
           "  email  text?\n" +
           members + "}\n";
  };
  run_cases({
      Case("an exclusion constraint added to a table with rows", schema(""),
           schema("  exclude using gist (room with =, during with &&)\n"))
          .seeded(seed, rows)
          .fresh(),
      Case("an exclusion constraint made partial and deferrable",
           schema("  exclude using gist (room with =, during with &&)\n"),
           schema("  exclude using gist (room with =, during with &&) where (email is not null) deferrable\n"))
          .seeded(seed, rows)
          .fresh(),
      Case("an exclusion constraint removed", schema("  exclude no_overlap using gist (room with =, during with &&)\n"),
           schema(""))
          .seeded(seed, rows),
      Case("indexes of other methods and a NULLS NOT DISTINCT unique index added", schema(""),
           schema("  unique index on (email) nulls not distinct\n  index on (room) using hash\n"
                  "  index on (during) using spgist\n  index on ((lower(email)))\n"))
          .seeded(seed, rows)
          .fresh(),
  });
}

TEST_CASE("edit kinds: transition tables and constraint triggers", "[edit_kinds]") {
  const char* const functions = R"(
table audit_log {
  id   bigint primary key identity
  note text
}
function audit_rows() returns trigger language plpgsql as $$
begin
  insert into audit_log (note) select 'inserted ' || count(*) from inserted;
  return null;
end $$
function check_stock() returns trigger language plpgsql as $$
begin
  if new.qty < 0 then raise exception 'negative stock'; end if;
  return null;
end $$
)";
  auto schema = [&](const std::string& triggers) {
    return functions + std::string("table items {\n  id  int primary key\n  qty int\n") + triggers + "}\n";
  };
  const char* const seed = "INSERT INTO public.items (id, qty) VALUES (1, 5), (2, 7);";
  const std::vector<std::string> rows = {"SELECT id, qty FROM public.items ORDER BY id",
                                         "SELECT note FROM public.audit_log ORDER BY id"};
  // What the triggers do, as a role that may write: a statement logs its rows once; a
  // negative quantity is refused when the constraint trigger fires (deferred: at the
  // end of the transaction, which a probe never reaches; immediate: at once).
  const std::vector<std::string> probes = {
      "INSERT INTO public.items (id, qty) VALUES (10, 1), (11, 2); SELECT note FROM public.audit_log ORDER BY id "
      "DESC LIMIT 1",
      "INSERT INTO public.items (id, qty) VALUES (20, -1); SELECT 'reached'",
      "INSERT INTO public.items (id, qty) VALUES (20, -1); SET CONSTRAINTS ALL IMMEDIATE",
  };
  const std::string grants = "  grant select, insert, update to edit_writer\n";
  auto with_role = [&](const std::string& s) {
    std::string out = "role edit_writer\n" + s;
    out.insert(out.rfind('}'), grants);
    std::size_t log = out.find("table audit_log {\n");
    out.insert(out.find("}\n", log), grants);
    return out;
  };
  run_cases({
      Case("a statement trigger with a transition table and a deferred constraint trigger added", with_role(schema("")),
           with_role(schema("  trigger audit after insert referencing new table as inserted for each statement "
                            "execute audit_rows()\n  constraint trigger stock after insert or update deferrable "
                            "initially deferred execute check_stock()\n")))
          .seeded(seed, rows)
          .as_role("edit_writer", probes)
          .fresh(),
      Case("a constraint trigger made immediate",
           with_role(schema("  constraint trigger stock after insert or update deferrable initially deferred execute "
                            "check_stock()\n")),
           with_role(schema("  constraint trigger stock after insert or update execute check_stock()\n")))
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
  });
}

TEST_CASE("edit kinds: procedures, function options, functions on a table's row type", "[edit_kinds]") {
  const char* const base = R"(
role edit_writer
table events {
  id  int primary key
  day int
  grant select, delete to edit_writer
}
)";
  const char* const seed = "INSERT INTO public.events (id, day) VALUES (1, 1), (2, 5), (3, 9);";
  const std::vector<std::string> rows = {"SELECT id, day FROM public.events ORDER BY id"};
  const std::vector<std::string> probes = {"CALL public.prune(4); SELECT count(*) FROM public.events",
                                           "SELECT id FROM public.latest(2)"};
  const std::string prune =
      "procedure prune(before_day int) language sql as $$ delete from events where day < before_day $$\n"
      "grant execute on procedure prune(int) to edit_writer\n";
  const std::string latest =
      "function latest(n int) returns setof events language sql stable as $$ select * from events order by day desc "
      "limit n $$\n";
  run_cases({
      Case("a procedure granted to a role, and a function returning a table's rows, added", base,
           std::string(base) + prune + latest)
          .seeded(seed, rows)
          .as_role("edit_writer", probes)
          .fresh(),
      Case("a function's planner options changed", std::string(base) + latest,
           std::string(base) +
               "function latest(n int) returns setof events language sql stable parallel safe cost 5 rows 10 as $$ "
               "select * from events order by day desc limit n $$\n")
          .seeded(seed, rows)
          .fresh(),
      Case("a procedure's body changed and its grant revoked", std::string(base) + prune,
           std::string(base) +
               "procedure prune(before_day int) language sql as $$ delete from events where day <= before_day $$\n")
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
  });
}

TEST_CASE("edit kinds: overloaded functions", "[edit_kinds]") {
  const char* const base = R"(
role edit_writer
table shapes {
  id    int primary key
  w     int
  label text default (describe(7))
  grant select to edit_writer
}
view sizes as $$ select id, describe(w) as size from shapes $$ {
  grant select to edit_writer
}
function describe(n int) returns text language sql immutable as $$ select n::text || ' units' $$
)";
  const char* const seed = "INSERT INTO public.shapes (id, w) VALUES (1, 3), (2, 5);";
  const std::vector<std::string> rows = {"SELECT id, w, label FROM public.shapes ORDER BY id",
                                         "SELECT id, size FROM public.sizes ORDER BY id"};
  const std::vector<std::string> probes = {"SELECT public.describe('box')", "SELECT size FROM public.sizes"};
  const std::string text_overload =
      "function describe(what text) returns text language sql immutable as $$ select 'a ' || what $$\n"
      "grant execute on function describe(text) to edit_writer\n"
      "revoke execute on function describe(int) from public\n"
      "grant execute on function describe(int) to edit_writer\n";
  run_cases({
      Case("an overload added next to one in use, each with its own privileges", base,
           std::string(base) + text_overload)
          .seeded(seed, rows)
          .as_role("edit_writer", probes)
          .fresh(),
      Case("one overload's body changed, the other's left alone", std::string(base) + text_overload,
           replaced_first(std::string(base) + text_overload, "select 'a ' || what", "select 'an ' || what"))
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
      Case("an overload's parameter type changed while a view and a default call the name",
           std::string(base) + text_overload,
           replaced_first(replaced_first(replaced_first(std::string(base) + text_overload, "describe(n int)",
                                                        "describe(n bigint)"),
                                         "function describe(int)", "function describe(bigint)"),
                          "function describe(int)", "function describe(bigint)"))
          .seeded(seed, rows)
          .as_role("edit_writer", probes),
      Case("an overload removed while another stays and the view calls the name",
           std::string(base) + text_overload +
               "function describe(n int, unit text) returns text language sql immutable as $$ select n::text || unit "
               "$$\n",
           std::string(base) + text_overload)
          .seeded(seed, rows),
  });
}

TEST_CASE("edit kinds: default privileges", "[edit_kinds]") {
  const char* const base = R"(
role edit_reader
table notes {
  id   int primary key
  body text
}
function answer() returns int language sql as $$ select 42 $$
)";
  const std::string defaults =
      "default privileges in schema public grant select on tables to edit_reader\n"
      "default privileges revoke execute on functions from public\n"
      "default privileges in schema public grant execute on functions to edit_reader\n";
  const char* const seed = "INSERT INTO public.notes (id, body) VALUES (1, 'a'), (2, 'b');";
  const std::vector<std::string> rows = {"SELECT id, body FROM public.notes ORDER BY id"};
  // The role reads the table and calls the function once the defaults hold for them.
  const std::vector<std::string> probes = {"SELECT count(*) FROM public.notes", "SELECT public.answer()"};
  run_cases({
      Case("default privileges set while the tables and functions they cover exist", base, base + defaults)
          .seeded(seed, rows)
          .as_role("edit_reader", probes)
          .fresh(),
      Case("default privileges taken away", base + defaults, base).seeded(seed, rows).as_role("edit_reader", probes),
      Case("a default grant widened", base + defaults,
           base + replaced_first(defaults, "grant select on tables", "grant select, insert on tables"))
          .seeded(seed, rows)
          .as_role("edit_reader", probes),
  });
}

TEST_CASE("edit kinds: partitions", "[edit_kinds]") {
  const char* const seed =
      "INSERT INTO public.events (id, created_at, kind) VALUES (1, '2025-03-01', 'a'), (2, '2026-03-01', 'b'), "
      "(3, '2030-01-01', 'c');";
  const std::vector<std::string> rows = {"SELECT id, created_at, kind FROM public.events ORDER BY id",
                                         "SELECT tableoid::regclass::text, id FROM public.events ORDER BY id"};
  auto schema = [](const std::string& partitions, const std::string& members = "") {
    return "table events partition by range (created_at) {\n  id         bigint\n  created_at timestamptz\n"
           "  kind       text\n  primary key (id, created_at)\n" +
           members + "}\n" + partitions;
  };
  const std::string p2025 = "partition events_2025 of events for values from ('2025-01-01') to ('2026-01-01')\n";
  const std::string p2026 = "partition events_2026 of events for values from ('2026-01-01') to ('2027-01-01')\n";
  const std::string other = "partition events_other of events default\n";
  run_cases({
      Case("a partitioned table with a default partition gains an index", schema(p2025 + other),
           schema(p2025 + other, "  index on (kind)\n"))
          .seeded(seed, rows)
          .fresh(),
      Case("a partition's bound widened", schema(p2025 + p2026 + other),
           schema("partition events_2025 of events for values from ('2024-01-01') to ('2026-01-01')\n" + p2026 + other))
          .seeded(seed, rows)
          .fresh(),
      // The old partition is detached before the new ones take its range, and back in down.
      Case("a partition split in two", schema(p2025 + p2026 + other),
           schema("partition events_2025a of events for values from ('2025-01-01') to ('2025-07-01')\n"
                  "partition events_2025b of events for values from ('2025-07-01') to ('2026-01-01')\n" +
                  p2026 + other + "drop table events_2025\n"))
          .seeded(seed, {rows[0]}),
      Case("the default partition replaced", schema(p2025 + p2026 + other),
           schema(p2025 + p2026 + "partition events_rest of events default\ndrop table events_other\n"))
          .seeded("INSERT INTO public.events (id, created_at, kind) VALUES (1, '2025-03-01', 'a');", rows),
      Case("a partitioned table dropped: down brings back its partitions", schema(p2025 + other),
           "drop table events\n"),
      // Its rows leave the table in up and come back with it in down.
      // Its partitions keep their names and stay attached; its key and index follow the name.
      Case("a partitioned table renamed (was)", schema(p2025 + p2026 + other, "  index on (kind)\n"),
           "table journal was events partition by range (created_at) {\n  id         bigint\n"
           "  created_at timestamptz\n  kind       text\n  primary key (id, created_at)\n  index on (kind)\n}\n"
           "partition events_2025 of journal for values from ('2025-01-01') to ('2026-01-01')\n"
           "partition events_2026 of journal for values from ('2026-01-01') to ('2027-01-01')\n"
           "partition events_other of journal default\n")
          .seeded(seed, rows),
      Case("a partition dropped (confirmed)", schema(p2025 + p2026 + other),
           schema(p2025 + other + "drop table events_2026\n"))
          .seeded("INSERT INTO public.events (id, created_at, kind) VALUES (1, '2025-03-01', 'a'), (3, '2030-01-01', "
                  "'c'), (2, '2026-03-01', 'b');",
                  rows),
  });
}

// A confirmed table drop keeps the table whole in the retention schema: down brings it
// back with every row, and what tied it to other objects (references both ways,
// checks, defaults, generated columns, indexes, triggers, policies, grants, comments)
// as it was, the references from surviving tables validated again.
TEST_CASE("edit kinds: dropped tables come back with their rows", "[edit_kinds]") {
  const std::string common = R"(
role app_reader
enum plan_kind { free, paid }
table orgs {
  id int primary key
}
function stamp() returns trigger language plpgsql as $$ begin new.touched = now(); return new; end $$
)";
  const std::string accounts = R"(
/// Paying customers.
table accounts {
  id      bigserial primary key
  org_id  int references orgs(id) on delete cascade
  email   text unique
  kind    plan_kind default 'free'
  tags    plan_kind[]?
  seats   int check (seats > 0) default 1
  doubled int generated (seats * 2)
  touched timestamptz?
  index on ((lower(email)))
  trigger stamp_it before update for each row execute stamp()
  row level security
  policy readable for select to app_reader using (true)
  grant select to app_reader
}
)";
  const std::string seed =
      "INSERT INTO public.orgs VALUES (1), (2); INSERT INTO public.accounts (org_id, email, kind, tags, seats) "
      "VALUES (1, 'a@x', 'paid', '{free,paid}', 3), (2, 'b@x', 'free', null, 1); INSERT INTO public.invoices "
      "VALUES (10, 1), (11, 2);";
  const std::vector<std::string> rows = {
      "SELECT id, org_id, email, kind, tags, seats, doubled, touched FROM public.accounts ORDER BY id",
      "SELECT id, account_id FROM public.invoices ORDER BY id",
      "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'"};
  run_cases({
      Case("a table that a surviving table references", common + accounts + R"(
table invoices {
  id int primary key
  account_id bigint references accounts(id)
}
)",
           common + R"(
table invoices {
  id int primary key
  account_id bigint
}
drop table accounts
)")
          .seeded(seed, rows),
  });
  // Found in review: a name of multi-byte characters near the 63-byte limit and with a
  // '%', a domain over an array dropped with the table, a generated column with a
  // unique key (its key comes back with it), a column named like the verify block's
  // variable.
  const std::string odd =
      "table \"顧客注文履歴明細データ保存用テーブル%\" {\n  id int primary key\n  t tags?\n  a text\n"
      "  a_lc text generated (lower(a))\n  missing bool?\n  unique (a_lc)\n}\n";
  run_cases({
      Case("a table with an odd name, a domain over an array and a unique generated column",
           "domain tags text[]\n" + odd, "drop table \"顧客注文履歴明細データ保存用テーブル%\"\n")
          .seeded("INSERT INTO public.\"顧客注文履歴明細データ保存用テーブル%\" (id, t, a) VALUES (1, '{x,y}', 'AbC'), "
                  "(2, null, 'q');",
                  {"SELECT id, t, a, a_lc, pg_typeof(t) FROM public.\"顧客注文履歴明細データ保存用テーブル%\" ORDER BY "
                   "id"}),
  });
  // The enum goes with the table in the same migration: the kept table holds text.
  model::Schema v1 = compile_model(common + accounts +
                                       "table invoices {\n  id int primary key\n  account_id bigint "
                                       "references accounts(id)\n}\n",
                                   "v1");
  model::Schema v2 = compile_model(
      "role app_reader\ntable orgs {\n  id int primary key\n}\nfunction stamp() returns trigger language plpgsql as "
      "$$ begin new.touched = now(); return new; end $$\ntable invoices {\n  id int primary key\n  account_id "
      "bigint\n}\ndrop table accounts\n",
      "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db, seed, "seed");
  std::string before = data(db, rows);
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_drop");
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  std::string up = plan::render_up(p, ""), down = plan::render_down(p, "");
  INFO("up:\n" << up << "\ndown:\n" << down);
  apply_up(db, up, plan::render_verify(p, ""), "up");
  CHECK(data(db, {"SELECT count(*), string_agg(kind, ',' ORDER BY id) FROM "
                  "schemac_retained.m0002_drop_public_accounts_table",
                  "SELECT to_regtype('public.plan_kind') IS NULL"}) ==
        "SELECT count(*), string_agg(kind, ',' ORDER BY id) FROM schemac_retained.m0002_drop_public_accounts_table\n"
        "  2 | paid,free\n"
        "SELECT to_regtype('public.plan_kind') IS NULL\n  t\n");
  // The orgs the kept rows pointed at can go: nothing ties the kept table to them.
  apply(db, "DELETE FROM public.orgs WHERE id = 2; INSERT INTO public.orgs VALUES (2);", "orgs change after up");
  apply(db, down, "down");
  CHECK(data(db, rows) == before);
  auto after_down = test::compare_catalog(db, test::snapshot_of(v1));
  INFO("after down:\n" << report(after_down));
  CHECK(after_down.empty());
  // The sequence goes on after the restored rows; the restored trigger fires.
  CHECK(data(db, {"INSERT INTO public.accounts (org_id, email) VALUES (1, 'c@x') RETURNING id, kind, seats, doubled",
                  "UPDATE public.accounts SET seats = 2 WHERE id = 1 RETURNING touched IS NOT NULL"}) ==
        "INSERT INTO public.accounts (org_id, email) VALUES (1, 'c@x') RETURNING id, kind, seats, doubled\n  3 | free "
        "| 1 | 2\n"
        "UPDATE public.accounts SET seats = 2 WHERE id = 1 RETURNING touched IS NOT NULL\n  t\n");
}

// A down that would drop a table holding rows written after up keeps it instead; an
// empty one is dropped. Purge deletes it, and nothing outside the retention schema.
TEST_CASE("edit kinds: a down keeps a created table that holds rows", "[edit_kinds]") {
  model::Schema v1 = compile_model("table a {\n  id int primary key\n}\n", "v1");
  model::Schema v2 = compile_model(
      "table a {\n  id int primary key\n}\nenum k { x, y }\ntable b {\n  id int primary key\n  a_id int "
      "references a(id)\n  k k\n}\ntable c {\n  id int primary key\n}\n",
      "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db, "INSERT INTO public.a VALUES (1);", "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_more");
  REQUIRE_FALSE(diags.has_errors());
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up");
  apply(db, "INSERT INTO public.b VALUES (1, 1, 'y');", "a row written after up");
  apply(db, plan::render_down(p, ""), "down");
  CHECK(data(db, {"SELECT to_regclass('public.b') IS NULL, to_regclass('public.c') IS NULL, to_regtype('public.k') "
                  "IS NULL",
                  "SELECT id, a_id, k FROM schemac_retained.m0002_more_public_b_down"}) ==
        "SELECT to_regclass('public.b') IS NULL, to_regclass('public.c') IS NULL, to_regtype('public.k') IS NULL\n"
        "  t | t | t\n"
        "SELECT id, a_id, k FROM schemac_retained.m0002_more_public_b_down\n  1 | 1 | y\n");
  // Up and down again: the second kept copy takes the next free name.
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up again");
  apply(db, "INSERT INTO public.b VALUES (2, 1, 'x');", "another row");
  apply(db, plan::render_down(p, ""), "down again");
  CHECK(data(db, {"SELECT id FROM schemac_retained.m0002_more_public_b_down_2"}) ==
        "SELECT id FROM schemac_retained.m0002_more_public_b_down_2\n  2\n");
  // The row of a stays where it was: a is not this migration's.
  CHECK(data(db, {"SELECT id FROM public.a"}) == "SELECT id FROM public.a\n  1\n");
}

TEST_CASE("edit kinds: a kept partition lets go of what it is tied to, and takes it back in down", "[edit_kinds]") {
  auto schema = [](const std::string& more) {
    return "table users {\n  id int primary key\n}\ntable events partition by range (at) {\n  id   int\n  at   date\n"
           "  n    serial\n  who  int references users(id)\n  primary key (id, at)\n}\n"
           "partition events_2025 of events for values from ('2025-01-01') to ('2026-01-01')\n" +
           more;
  };
  const std::string p2026 = "partition events_2026 of events for values from ('2026-01-01') to ('2027-01-01')\n";
  run_cases({
      Case("a partition with a reference and a serial default dropped", schema(p2026),
           schema("drop table events_2026\n"))
          .seeded("INSERT INTO public.users (id) VALUES (7); INSERT INTO public.events (id, at, who) VALUES (1, "
                  "'2025-05-01', 7), (2, '2026-05-01', 7);",
                  {"SELECT id, at, n, who FROM public.events ORDER BY id",
                   "SELECT column_name, column_default FROM information_schema.columns WHERE table_name = "
                   "'events_2026' ORDER BY column_name",
                   "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.events_2026'::regclass AND contype = "
                   "'f'"}),
  });
}

// A partitioned table dropped: each partition is kept whole (rows, serial sequence
// state), and down re-creates the table and attaches them again, its indexes, keys,
// references and triggers reaching them as before.
TEST_CASE("edit kinds: a dropped partitioned table comes back with its partitions' rows", "[edit_kinds]") {
  const std::string users = "table users {\n  id int primary key\n}\n";
  const std::string events = R"(
function touch() returns trigger language plpgsql as $$ begin new.note = coalesce(new.note, '') || '!'; return new; end $$
enum level { low, high }
table events partition by range (at) {
  id    int
  at    date
  n     bigserial
  who   int references users(id)
  lvl   level default 'low'
  note  text?
  twice bigint generated (n * 2)
  primary key (id, at)
  check positive_id (id > 0)
  index on (who)
  trigger touched before update for each row execute touch()
}
partition events_2025 of events for values from ('2025-01-01') to ('2026-01-01')
partition events_2026 of events for values from ('2026-01-01') to ('2027-01-01')
partition events_rest of events default
)";
  run_cases({
      Case("a partitioned table with a serial column, a reference, an enum and a trigger", users + events,
           users + "drop table events\n")
          .seeded("INSERT INTO public.users VALUES (7), (8); INSERT INTO public.events (id, at, who, lvl) VALUES (1, "
                  "'2025-05-01', 7, 'high'), (2, '2026-05-01', 8, 'low'), (3, '2030-01-01', 7, 'high');",
                  {"SELECT tableoid::regclass, id, at, n, who, lvl, note, twice FROM public.events ORDER BY id",
                   "SELECT last_value, is_called FROM public.events_n_seq"}),
      // An identity column: its sequence is the table's own, its state kept beside the
      // first partition.
      Case("a partitioned table with an identity column",
           "table ledger partition by list (book) {\n  id bigint identity\n  book text\n  amount numeric\n"
           "  primary key (id, book)\n}\npartition ledger_a of ledger for values in ('a')\npartition ledger_b of "
           "ledger for values in ('b')\n",
           "drop table ledger\n")
          .seeded("INSERT INTO public.ledger (book, amount) VALUES ('a', 1.5), ('b', -2), ('a', 3); DELETE FROM "
                  "public.ledger WHERE amount = 3;",
                  {"SELECT tableoid::regclass, id, book, amount FROM public.ledger ORDER BY id",
                   "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"}),
  });
  // After down the sequence continues, the trigger fires on a restored partition and
  // the reference holds again.
  model::Schema v1 = compile_model(users + events, "v1");
  model::Schema v2 = compile_model(users + "drop table events\n", "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db, "INSERT INTO public.users VALUES (7); INSERT INTO public.events (id, at, who) VALUES (1, '2025-05-01', 7);",
        "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_drop");
  REQUIRE_FALSE(diags.has_errors());
  CHECK(std::any_of(p.notes.begin(), p.notes.end(), [](const std::string& n) {
    return n.find(
               "partition events_2025 of dropped table events is kept whole in "
               "schemac_retained.m0002_drop_public_events_2025_partition") != std::string::npos;
  }));
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up");
  CHECK(data(db, {"SELECT count(*) FROM schemac_retained.m0002_drop_public_events_2025_partition",
                  "SELECT to_regclass('public.events') IS NULL, to_regtype('public.level') IS NULL"}) ==
        "SELECT count(*) FROM schemac_retained.m0002_drop_public_events_2025_partition\n  1\n"
        "SELECT to_regclass('public.events') IS NULL, to_regtype('public.level') IS NULL\n  t | t\n");
  apply(db, plan::render_down(p, ""), "down");
  CHECK(data(db, {"INSERT INTO public.events (id, at, who) VALUES (2, '2025-06-01', 7) RETURNING n",
                  "UPDATE public.events SET who = 7 WHERE id = 1 RETURNING note"}) ==
        "INSERT INTO public.events (id, at, who) VALUES (2, '2025-06-01', 7) RETURNING n\n  2\n"
        "UPDATE public.events SET who = 7 WHERE id = 1 RETURNING note\n  !\n");
  CHECK_THROWS_WITH(test::run(db, "INSERT INTO public.events (id, at, who) VALUES (3, '2025-07-01', 99);"),
                    Catch::Contains("violates foreign key constraint \"events_who_fkey\""));
}

// The down of a migration that created a partition, or a partitioned table with its
// partitions, detaches each partition holding rows and keeps it; empty ones go.
TEST_CASE("edit kinds: a down keeps created partitions that hold rows", "[edit_kinds]") {
  const std::string events =
      "table events partition by list (kind) {\n  id int\n  kind text\n  primary key (id, kind)\n}\n"
      "partition events_a of events for values in ('a')\n";
  model::Schema v1 = compile_model(events, "v1");
  model::Schema v2 = compile_model(events +
                                       "partition events_b of events for values in ('b')\n"
                                       "partition events_c of events for values in ('c')\n"
                                       "table logs partition by range (at) {\n  at date\n  line text\n}\n"
                                       "partition logs_2026 of logs for values from ('2026-01-01') to ('2027-01-01')\n",
                                   "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db, "INSERT INTO public.events VALUES (1, 'a');", "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_more");
  REQUIRE_FALSE(diags.has_errors());
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up");
  apply(db, "INSERT INTO public.events VALUES (2, 'b'); INSERT INTO public.logs VALUES ('2026-03-01', 'hello');",
        "rows written after up");
  apply(db, plan::render_down(p, ""), "down");
  CHECK(data(db, {"SELECT id, kind FROM public.events ORDER BY id",
                  "SELECT to_regclass('public.events_b') IS NULL, to_regclass('public.events_c') IS NULL, "
                  "to_regclass('public.logs') IS NULL, to_regclass('public.logs_2026') IS NULL",
                  "SELECT id, kind FROM schemac_retained.m0002_more_public_events_b_down",
                  "SELECT at, line FROM schemac_retained.m0002_more_public_logs_2026_down",
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'"}) ==
        "SELECT id, kind FROM public.events ORDER BY id\n  1 | a\n"
        "SELECT to_regclass('public.events_b') IS NULL, to_regclass('public.events_c') IS NULL, "
        "to_regclass('public.logs') IS NULL, to_regclass('public.logs_2026') IS NULL\n  t | t | t | t\n"
        "SELECT id, kind FROM schemac_retained.m0002_more_public_events_b_down\n  2 | b\n"
        "SELECT at, line FROM schemac_retained.m0002_more_public_logs_2026_down\n  2026-03-01 | hello\n"
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'schemac_retained'\n  2\n");
  auto after_down = test::compare_catalog(db, test::snapshot_of(v1));
  INFO("after down:\n" << report(after_down));
  CHECK(after_down.empty());
  // Up again: the names are free.
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up again");
}

// `retain T` on a data step: the rows its up deletes (directly, through a cascade, in
// a partition) are kept, and down puts them back after the step's own down.
TEST_CASE("edit kinds: a data step's deleted rows come back with down", "[edit_kinds]") {
  const std::string tables = R"(
enum tier { bronze, gold }
table customers {
  id    int primary key identity
  name  text
  tier  tier default 'bronze'
  tags  text[]?
  lower_name text generated (lower(name))
}
table orders {
  id          bigserial primary key
  customer_id int references customers(id) on delete cascade
  total       numeric(10, 2)
  placed      timestamptz default now()
}
table readings partition by range (at) {
  at    date
  value float8
}
partition readings_2025 of readings for values from ('2025-01-01') to ('2026-01-01')
partition readings_2026 of readings for values from ('2026-01-01') to ('2027-01-01')
)";
  const std::string step = R"(
data prune {
  retain orders, customers, readings
  up $$
    DELETE FROM customers WHERE tier = 'bronze';
    DELETE FROM readings WHERE value < 0;
    DELETE FROM readings_2026 WHERE value > 100;
  $$
}
)";
  run_cases({
      Case("rows deleted directly, by a cascade and from a partition", tables, tables + step)
          .seeded("INSERT INTO public.customers (name, tier, tags) VALUES ('Ann', 'gold', '{a,\"b c\"}'), ('Bob', "
                  "'bronze', null), ('Çelik', 'bronze', '{}'); INSERT INTO public.orders (customer_id, total, placed) "
                  "VALUES (1, 10.50, '2025-01-01 10:00+00'), (2, 0.01, '2025-02-01 10:00+00'), (3, 99999999.99, "
                  "'2025-03-01 10:00+00'); INSERT INTO public.readings VALUES ('2025-05-01', -1.5), ('2025-06-01', "
                  "0.1), ('2026-05-01', 1e300), ('2026-06-01', -0.0);",
                  {"SELECT id, name, tier, tags, lower_name FROM public.customers ORDER BY id",
                   "SELECT id, customer_id, total, placed FROM public.orders ORDER BY id",
                   "SELECT tableoid::regclass, at, value::text FROM public.readings ORDER BY at"}),
  });
  // What up keeps, and a purged copy stops the down before it changes anything.
  model::Schema v1 = compile_model(tables, "v1");
  model::Schema v2 = compile_model(tables + step, "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  apply(db,
        "INSERT INTO public.customers (name, tier) VALUES ('Ann', 'gold'), ('Bob', 'bronze'); INSERT INTO "
        "public.orders (customer_id, total) VALUES (1, 1), (2, 2), (2, 3);",
        "seed");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_prune");
  REQUIRE_FALSE(diags.has_errors());
  apply_up(db, plan::render_up(p, ""), plan::render_verify(p, ""), "up");
  CHECK(data(db, {"SELECT id, name, tier FROM schemac_retained.m0002_prune_public_customers_rows",
                  "SELECT id, customer_id FROM schemac_retained.m0002_prune_public_orders_rows ORDER BY id",
                  "SELECT count(*) FROM pg_trigger WHERE tgname = 'schemac_keep_deleted'"}) ==
        "SELECT id, name, tier FROM schemac_retained.m0002_prune_public_customers_rows\n  2 | Bob | bronze\n"
        "SELECT id, customer_id FROM schemac_retained.m0002_prune_public_orders_rows ORDER BY id\n  2 | 2\n  3 | 2\n"
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'schemac_keep_deleted'\n  0\n");
  apply(db, "DROP TABLE schemac_retained.m0002_prune_public_customers_rows;", "purge one copy");
  CHECK_THROWS_WITH(test::run(db, plan::render_down(p, "")),
                    Catch::Contains("rows of customers kept in schemac_retained.m0002_prune_public_customers_rows were "
                                    "purged"));
  CHECK(data(db, {"SELECT count(*) FROM public.customers"}) == "SELECT count(*) FROM public.customers\n  1\n");
}

// Found in review: a dropped partitioned table that another dropped table references
// (rows pointing at its partitions); a retained table archived by an earlier
// migration, named by its archived name; TRUNCATE hidden in a DO block, refused while
// rows are retained.
TEST_CASE("edit kinds: retention found in review", "[edit_kinds]") {
  const std::string events =
      "table events partition by list (k) {\n  id int\n  k text\n  primary key (id, k)\n}\n"
      "partition events_a of events for values in ('a')\n"
      "table marks {\n  id int primary key\n  event_id int\n  event_k text\n"
      "  foreign key (event_id, event_k) references events(id, k)\n}\n";
  run_cases({
      Case("a dropped partitioned table referenced by another dropped table", events,
           "drop table events\ndrop table marks\n")
          .seeded("INSERT INTO public.events VALUES (1, 'a'), (2, 'a'); INSERT INTO public.marks VALUES (10, 1, 'a');",
                  {"SELECT id, k FROM public.events ORDER BY id", "SELECT id, event_id FROM public.marks ORDER BY id"}),
  });
  const std::string notes = "table notes {\n  id int primary key\n  body text\n}\narchive table notes as notes_2024\n";
  run_cases({
      Case("a retained table archived by an earlier migration", notes,
           notes + "data prune {\n  retain notes_2024\n  up $$ delete from notes_2024 where id > 1 $$\n}\n")
          .seeded("INSERT INTO public.notes_2024 VALUES (1, 'a'), (2, 'b'), (3, 'c');",
                  {"SELECT id, body FROM public.notes_2024 ORDER BY id"}),
  });
  model::Schema v1 = compile_model(notes, "v1");
  model::Schema v2 = compile_model(
      notes + "data prune {\n  retain notes\n  up $$ do $x$ begin execute 'truncate notes_2024'; end $x$ $$\n}\n",
      "v2");
  pqxx::connection db(fresh_database("schemac_edit_kinds"));
  apply(db, build_sql(v1), "build v1");
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1), v2, diags, "0002_prune");
  REQUIRE_FALSE(diags.has_errors());
  CHECK_THROWS_WITH(test::run_up(db, plan::render_up(p, ""), plan::render_verify(p, "")),
                    Catch::Contains("TRUNCATE of notes_2024 while a data step keeps the rows deleted from it"));
}
