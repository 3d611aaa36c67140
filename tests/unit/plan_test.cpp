// The planner's decisions as typed changes (plan::Change), not SQL text: what each
// edit changes, what it re-creates around the change, and what it leaves alone.
#include "plan/plan.hpp"

#include <catch2/catch.hpp>

#include "check/statements.hpp"
#include "plan/render.hpp"
#include "plan/snapshot.hpp"
#include "schemac/migration_file.hpp"
#include "support.hpp"

using namespace schemac;
using plan::ChangeKind;

namespace {

model::Schema model_of(const std::string& text) {
  auto c = test::compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

// "kind subject[.member]" per operation that does something in up or down, in up order.
std::vector<std::string> changes(const std::string& v1, const std::string& v2) {
  // The previous state as `plan` reads it: the snapshot, parsed back.
  model::Schema from = test::snapshot_of(model_of(v1));
  Diagnostics diags;
  auto p = plan::plan_migration(from, model_of(v2), diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  std::vector<std::string> out;
  for (const auto& op : p.ops) {
    if (op.change.kind == ChangeKind::other) continue;
    const auto& c = op.change;
    bool function = c.kind == ChangeKind::create_function || c.kind == ChangeKind::replace_function ||
                    c.kind == ChangeKind::drop_function;
    out.push_back(std::string(plan::change_name(c.kind)) + " " + c.subject.display() +
                  (c.member.empty() ? "" : "." + c.member) + (function ? "(" + c.detail + ")" : ""));
  }
  return out;
}

using Changes = std::vector<std::string>;

const char* const items = R"(
role reader
function touch() returns trigger language plpgsql as $$ begin return new; end $$
table items {
  id   int primary key
  name text
  qty  int
  row level security
  policy items_read for select to reader using (name <> '')
  trigger items_touch before update for each row execute touch()
}
view item_names as $$ select id, name from public.items $$
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a type change re-creates only what reads the column") {
  CHECK(changes(items, replaced(items, "qty  int", "qty  bigint")) == Changes{"alter_column_type items.qty"});
  // The view reads name: it goes before the change and comes back after it.
  CHECK(changes(replaced(items, "name text", "name varchar(40)"), items) ==
        Changes{"drop_policy items.items_read", "drop_view item_names", "alter_column_type items.name",
                "create_view item_names", "create_policy items.items_read"});
}

TEST_CASE("a renamed column's dependents are dropped before the rename and created after it") {
  std::string v2 = replaced(
      replaced(replaced(items, "name text", "title text was name"), "using (name <> '')", "using (title <> '')"),
      "select id, name from", "select id, title from");
  CHECK(changes(items, v2) == Changes{"drop_policy items.items_read", "drop_view item_names",
                                      "rename_column items.title", "create_view item_names",
                                      "create_policy items.items_read"});
}

TEST_CASE("a function whose signature changes takes what calls it along") {
  const char* v1 = R"(
function norm(t text) returns text language sql immutable as $$ select lower(t) $$
table items {
  id   int primary key
  name text default norm('x')
  check (norm(name) <> '')
  index on ((norm(name)))
}
)";
  std::string v2 = replaced(replaced(v1, "norm(t text)", "norm(t text, n int default 0)"), "select lower(t)",
                            "select lower(t) || n");
  CHECK(changes(v1, v2) == Changes{"drop_constraint items.items_name_check", "drop_index items.items_norm_idx",
                                   "alter_column items.name", "drop_function norm(text)",
                                   "create_function norm(text, integer)", "alter_column items.name",
                                   "add_constraint items.items_name_check", "create_index items.items_norm_idx",
                                   // the check, added NOT VALID to the existing table, validated in a later phase
                                   "add_constraint items.items_name_check"});
}

TEST_CASE("overloads are distinct objects: one is added, changed or removed alone") {
  const char* v1 = R"(
function norm(t text) returns text language sql immutable as $$ select lower(t) $$
function norm(n int) returns text language sql immutable as $$ select n::text $$
view names as $$ select norm('A') as a $$
table items {
  id   int primary key
  name text default norm('x')
}
)";
  // A new overload: created; nothing that calls the name changes.
  std::string added =
      std::string(v1) + "function norm(t text, u text) returns text language sql as $$ select t || u $$\n";
  CHECK(changes(v1, added) == Changes{"create_function norm(text, text)"});
  // Removed while the others stay: calls of the name are re-created after it is gone.
  CHECK(changes(added, v1) == Changes{"drop_view names", "alter_column items.name", "drop_function norm(text, text)",
                                      "alter_column items.name", "create_view names"});
  // One body replaced: the other overload stays as it is.
  CHECK(changes(v1, replaced(v1, "select n::text", "select (n + 1)::text")) ==
        Changes{"replace_function norm(integer)"});
  // A parameter's type changed: one overload goes, another comes; calls of the name
  // are re-created around it (they may have resolved to it).
  std::string retyped = replaced(v1, "norm(n int)", "norm(n bigint)");
  CHECK(changes(v1, retyped) == Changes{"drop_view names", "alter_column items.name", "drop_function norm(integer)",
                                        "create_function norm(bigint)", "alter_column items.name",
                                        "create_view names"});
}

TEST_CASE("an enum value added and used at once comes first, in a transaction of its own") {
  const char* v1 = "enum mood { calm, busy }\ntable people {\n  id int primary key\n  mood mood default 'calm'\n}\n";
  const char* v2 =
      "enum mood { calm, busy, tired }\ntable people {\n  id int primary key\n  mood mood default 'tired'\n}\n";
  CHECK(changes(v1, v2) == Changes{"add_enum_values mood", "alter_column people.mood"});
  Diagnostics diags;
  auto p = plan::plan_migration(model_of(v1), model_of(v2), diags);
  CHECK(p.commits_enum_values_first());
  CHECK(p.ops.front().change.values == std::vector<std::string>{"tired"});
}

TEST_CASE("swapped names and a schema move are renames, nothing is dropped") {
  const char* v1 = "schema app\ntable t {\n  id int primary key\n  a text\n  b int\n}\n";
  const char* v2 = "schema app\ntable app.t was t {\n  id int primary key\n  a int was b\n  b text was a\n}\n";
  // A cycle goes through a temporary name.
  CHECK(changes(v1, v2) == Changes{"rename_table app.t", "rename_column app.t.b_schemac_swap", "rename_column app.t.b",
                                   "rename_column app.t.a"});
}

TEST_CASE("default names follow a renamed column: the key is renamed, not built again") {
  const char* v1 =
      "table t {\n  id int primary key identity\n  code text unique\n  index on (code)\n}\n"
      "table u {\n  code text references t(code)\n}\n";
  const char* v2 =
      "table t {\n  id int primary key identity\n  tag text unique was code\n  index on (tag)\n}\n"
      "table u {\n  code text references t(tag)\n}\n";
  CHECK(changes(v1, v2) == Changes{"rename_column t.tag", "rename_members t"});
}

TEST_CASE("refused changes are typed too") {
  Diagnostics diags;
  auto p = plan::plan_migration(model_of("table t {\n  id int primary key\n  n bigint\n}\n"),
                                model_of("table t {\n  id int primary key\n  n int\n}\n"), diags);
  CHECK(diags.has_errors());
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].kind == ChangeKind::alter_column_type);
  CHECK(p.refused[0].member == "n");
  CHECK(p.refused[0].from_type->builtin == "bigint");
}

TEST_CASE("domains and composite types: created before their columns, changed in place, dropped after") {
  const char* const v1 = R"(
domain email text check (value ~* '@')
type address {
  street text
}
table t {
  id   int primary key
  mail email
  home address?
}
)";
  CHECK(changes("table t {\n  id int primary key\n}\n", v1) ==
        Changes{"create_type address", "create_type email", "add_column t.mail", "add_column t.home"});
  // A check and a default on the domain; a field at the end of the composite type.
  CHECK(changes(v1, replaced(replaced(v1, "check (value ~* '@')", "default 'x@y' check (value ~* '@') check (true)"),
                             "  street text\n", "  street text\n  city text\n")) ==
        Changes{"alter_type address.city", "alter_type email", "alter_type email"});
  CHECK(changes(v1, "table t {\n  id int primary key\n  drop column mail\n  drop column home\n}\n") ==
        Changes{"drop_column t.mail", "drop_column t.home", "drop_type email", "drop_type address"});

  auto refused = [](const std::string& from, const std::string& to) {
    Diagnostics diags;
    plan::plan_migration(test::snapshot_of(model_of(from)), model_of(to), diags);
    return diags.render();
  };
  CHECK(refused(v1, replaced(v1, "domain email text", "domain email varchar(200)"))
            .find("domain email: its base type cannot change (text to character varying(200))") != std::string::npos);
  CHECK(refused(v1, replaced(v1, "  street text\n", "  zip text\n  street text\n"))
            .find("composite type address: fields keep their order (field 'zip' where 'street' was)") !=
        std::string::npos);
  CHECK(refused(v1, replaced(v1, "  street text\n", "  street varchar(80)\n"))
            .find("the type of field 'street' cannot change while a column holds the type") != std::string::npos);
}

TEST_CASE("sequences: made before the defaults that call them, owned once their column exists") {
  const char* const v1 = "table t {\n  id int primary key\n}\n";
  const char* const v2 = R"(
sequence t_no start 10 owned by t.no
table t {
  id int primary key
  no bigint default nextval('t_no')
}
)";
  CHECK(changes(v1, v2) == Changes{"create_sequence t_no", "add_column t.no"});
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(model_of(v1)), model_of(v2), diags);
  std::vector<plan::Step> steps;
  for (const auto& op : p.ops) steps.push_back(op.step);
  CHECK(steps == std::vector<plan::Step>{plan::Step::sequence, plan::Step::column, plan::Step::sequence_owner});
  // Dropped: the owner lets go first, the sequence goes after the column.
  CHECK(changes(v2, "table t {\n  id int primary key\n  drop column no\n}\n") ==
        Changes{"drop_column t.no", "drop_sequence t_no"});
  CHECK(changes(v2, replaced(v2, "start 10", "start 10 increment 2")) == Changes{"alter_sequence t_no"});
}

TEST_CASE("default privileges are taken away before anything is created, given after") {
  const char* const with = "role r\ndefault privileges grant select, insert on tables to r\n";
  auto steps = [](const std::string& v1, const std::string& v2) {
    Diagnostics diags;
    auto p = plan::plan_migration(test::snapshot_of(model_of(v1)), model_of(v2), diags);
    INFO(diags.render());
    std::vector<std::pair<plan::Step, std::string>> out;
    for (const auto& op : p.ops) out.push_back({op.step, op.up});
    return out;
  };
  auto narrowed =
      steps(std::string(with), "role r\ndefault privileges grant select on tables to r\ntable t {\n  id int\n}\n");
  REQUIRE(narrowed.size() >= 2);
  CHECK(narrowed.front().first == plan::Step::take_default_privileges);
  CHECK(narrowed.front().second == "ALTER DEFAULT PRIVILEGES REVOKE INSERT ON TABLES FROM r;");
  auto widened = steps("role r\ntable t {\n  id int\n}\n", std::string(with) + "table t {\n  id int\n}\n");
  CHECK(widened.back().first == plan::Step::grant);
  CHECK(widened.front().first == plan::Step::grant);  // the table's own grant, then the defaults
}

TEST_CASE("an enum that a domain is over cannot gain a value (down could not take it back)") {
  Diagnostics diags;
  plan::plan_migration(test::snapshot_of(model_of("enum mood { calm }\ndomain m mood\n")),
                       model_of("enum mood { calm, busy }\ndomain m mood\n"), diags);
  CHECK(diags.render().find("enum mood gains a value while domain m is over it") != std::string::npos);
}

TEST_CASE("the lock summary: per phase, each existing table's strongest lock, and the hazards") {
  const char* v1 = R"(
table owners {
  id int primary key
}
table events {
  id      int primary key
  owner   int?
  amount  int
  note    text?
}
)";
  const char* v2 = R"(
table owners {
  id int primary key
}
table events {
  id      int primary key
  owner   int? references owners(id)
  amount  bigint
  note    text
  index on (owner)
}
table fresh {
  id int primary key
}
)";
  model::Schema from = test::snapshot_of(model_of(v1));
  Diagnostics diags;
  auto p = plan::plan_migration(from, model_of(v2), diags);
  REQUIRE_FALSE(diags.has_errors());
  std::map<model::QualifiedName, double> rows = {{{"public", "events"}, 4.2e7}, {{"public", "owners"}, -1}};
  auto lines = plan::lock_summary(p, rows);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  // The changes take ACCESS EXCLUSIVE on events (the type change rewrites it); the new
  // table is not listed: nobody uses it yet.
  CHECK(lines ==
        std::vector<std::string>{"phase 1 of 4 (the changes): events (~42.0 M rows): ACCESS EXCLUSIVE, rewrites it",
                                 "phase 2 of 4 (indexes built concurrently, outside a transaction): events (~42.0 M "
                                 "rows): SHARE UPDATE EXCLUSIVE, scans it (writes go on)",
                                 "phase 3 of 4 (validation): events (~42.0 M rows): SHARE UPDATE EXCLUSIVE, scans it "
                                 "(writes go on)",
                                 "phase 4 of 4 (NOT NULL and keys): events (~42.0 M rows): ACCESS EXCLUSIVE, brief",
                                 "hazard: events (~42.0 M rows): rewrites the table under ACCESS EXCLUSIVE (column "
                                 "amount: integer -> bigint); reads and writes wait while it runs"});
}

TEST_CASE("statements PostgreSQL runs only outside a transaction are found in the parse tree") {
  auto outside = [](const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& s : check::classify_statements(sql).outside_transaction) out.push_back(s.what);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(outside("update t set a = 1; vacuum analyze t; analyze t") == V{"VACUUM"});
  CHECK(outside("create index concurrently i on t (a); create index j on t (b)") == V{"CREATE INDEX CONCURRENTLY"});
  CHECK(outside("reindex table concurrently t; reindex table t; reindex database d") ==
        V{"REINDEX CONCURRENTLY", "REINDEX DATABASE|SYSTEM"});
  CHECK(outside("drop index concurrently i; drop index j") == V{"DROP INDEX CONCURRENTLY"});
  CHECK(outside("alter system set work_mem = '64MB'; cluster; cluster t using i") ==
        V{"ALTER SYSTEM", "CLUSTER without a table"});
  CHECK(outside("alter table p detach partition c concurrently; alter table p detach partition d") ==
        V{"DETACH PARTITION CONCURRENTLY"});
  CHECK(outside("select 'vacuum'; -- vacuum\nrefresh materialized view concurrently m").empty());
  auto control = check::classify_statements("begin; select 1; savepoint s; commit").transaction_control;
  REQUIRE(control.size() == 3);
  CHECK(control[0].what == "BEGIN");
  CHECK(control[1].what == "SAVEPOINT");
  CHECK(control[2].location == 30);
}

TEST_CASE("a data step holding VACUUM runs outside a transaction, after the other changes") {
  const std::string v1 = "table t {\n  id int primary key\n  a int\n}\n";
  auto p = [&](const std::string& v2, Diagnostics& diags) {
    return plan::plan_migration(test::snapshot_of(model_of(v1)), model_of(v2), diags, "0002_x");
  };
  Diagnostics diags;
  auto plan = p(v1 + "data fill {\n  up $$ update t set a = 1; vacuum analyze t $$\n}\n", diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  auto phases = plan.phases();
  REQUIRE(phases.size() == 1);
  CHECK(phases[0].phase == plan::Phase::concurrently);
  CHECK(phases[0].ops[0]->step == plan::Step::data_outside);
  CHECK(plan::render_up(plan, "").find(migration_file::outside_transaction_marker) != std::string::npos);
  // With a contraction in the same migration, the step would not see what it was
  // checked against: refused, with the reason.
  Diagnostics refused;
  p("table t {\n  id int primary key\n  drop column a\n}\ndata fill {\n  up $$ vacuum t $$\n}\n", refused);
  CHECK(refused.render().find("data step fill holds VACUUM, which PostgreSQL runs only outside a transaction") !=
        std::string::npos);
  // A plain data step stays in the migration's transaction.
  Diagnostics plain;
  auto in_tx = p(v1 + "data fill {\n  up $$ update t set a = 1 $$\n}\n", plain);
  CHECK(in_tx.phases()[0].phase == plan::Phase::main);
}
