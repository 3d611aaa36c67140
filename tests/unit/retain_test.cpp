// `retain` on data steps: parsed and printed back, its names checked (each error at
// its position), and planned: the rows the step deletes kept by a trigger while it
// runs, put back after its down, referenced tables first.
#include <catch2/catch.hpp>

#include "emit/format.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_text;
using test::error_of;

namespace {

const char* const tables = R"(table parents {
  id int primary key
}
table children {
  id int primary key
  parent_id int references parents(id) on delete cascade
}
)";

}  // namespace

TEST_CASE("retain: parsed, printed back and kept in the snapshot") {
  std::string text = std::string(tables) +
                     "data prune {\n  retain children,   public.parents\n  up $$ delete from "
                     "parents where id > 1 $$\n  down $$ select 1 $$\n}\n";
  auto c = compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  REQUIRE(c.loaded.model.data_steps.size() == 1);
  const auto& d = c.loaded.model.data_steps[0];
  REQUIRE(d.retain.size() == 2);
  CHECK(d.retain[0].display() == "children");
  CHECK(d.retain[1].display() == "parents");
  std::string formatted = emit::format_file(c.loaded.files[0].ast, text);
  CHECK(formatted.find("  retain children, public.parents\n  up $$") != std::string::npos);
  // The snapshot (canonical form) holds it, and reads back equal.
  model::Schema back = test::snapshot_of(c.loaded.model);
  REQUIRE(back.data_steps.size() == 1);
  CHECK(back.data_steps[0].retain == d.retain);
}

TEST_CASE("retain: names that are not the schema's tables are errors at their position") {
  std::string head = std::string(tables) + "view v as $$ select id from parents $$\n";
  auto step = [&](const std::string& names, const std::string& sql = "delete from parents") {
    return head + "data d {\n  retain " + names + "\n  up $$ " + sql + " $$\n}\n";
  };
  CHECK(error_of(step("nope")) ==
        "test.schema:10:10: error: data step d retains the rows it deletes from nope, which is not a table of "
        "the schema (nor one that 'drop table' confirms)");
  CHECK(error_of(step("v")) ==
        "test.schema:10:10: error: data step d retains the rows it deletes from v, which is a view: only the "
        "rows of the schema's own tables can be kept");
  CHECK(error_of(step("parents, parents")) ==
        "test.schema:10:19: error: data step d retains the rows it deletes from parents, which it names twice");
  CHECK(error_of(step("parents", "truncate parents")) ==
        "test.schema:11:18: error: TRUNCATE of parents, whose deleted rows this data step retains: TRUNCATE fires no "
        "DELETE trigger, so its rows would be lost; write DELETE FROM instead");
  CHECK(error_of(step("parents", "delete from parents; vacuum parents")) ==
        "test.schema:11:30: error: VACUUM in a data step that retains rows: keeping the rows it deletes needs the "
        "step to run in one transaction, its down too (move VACUUM to a data step of its own)");
  // The down too: it would put the whole step outside a transaction.
  CHECK(
      error_of(head + "data d {\n  retain parents\n  up $$ delete from parents $$\n  down $$ vacuum parents $$\n}\n") ==
      "test.schema:12:11: error: VACUUM in a data step that retains rows: keeping the rows it deletes needs the "
      "step to run in one transaction, its down too (move VACUUM to a data step of its own)");
  // A table the schema drops may be retained (the step runs before the drop), and an
  // archived table by either name.
  auto c = compile_text(head +
                        "drop table gone\ndata d {\n  retain gone\n  up $$ select 1 $$\n}\n"
                        "table old_notes {\n  id int primary key\n}\narchive table old_notes as notes_2024\n"
                        "data e {\n  retain old_notes\n  up $$ select 1 $$\n}\ndata f {\n  retain notes_2024\n  up $$ "
                        "select 1 $$\n}\n");
  INFO(c.diagnostics);
  CHECK(c.ok);
}

TEST_CASE("retain: partitions and Citus tables are refused") {
  std::string events =
      "table events partition by list (k) {\n  id int\n  k text\n}\npartition events_a of events for values in "
      "('a')\n";
  CHECK(error_of(events + "data d {\n  retain events_a\n  up $$ delete from events_a $$\n}\n") ==
        "test.schema:7:10: error: data step d retains the rows it deletes from events_a, which is a partition: "
        "retain its table (the rows of every partition are kept)");
  std::string citus = "table t distributed by (id) {\n  id int primary key\n}\n";
  CHECK(error_of(citus + "data d {\n  retain t\n  up $$ delete from t $$\n}\n") ==
        "test.schema:5:10: error: data step d retains the rows it deletes from t, which is a distributed "
        "table: keeping deleted rows takes a trigger that schemac does not put on Citus tables (copy the rows with "
        "the step's own SQL)");
}

TEST_CASE("retain: a dropped partition or Citus table named by retain is an error of the plan") {
  auto v1 = compile_text(
      "table events partition by list (k) {\n  id int\n  k text\n}\npartition events_a of events for values in "
      "('a')\ntable t distributed by (id) {\n  id int primary key\n}\n");
  auto v2 = compile_text(
      "table events partition by list (k) {\n  id int\n  k text\n}\ndrop table events_a\ndrop table t\n"
      "data d {\n  retain events_a, t\n  up $$ select 1 $$\n}\n");
  REQUIRE(v1.ok);
  REQUIRE(v2.ok);
  Diagnostics diags;
  plan::plan_migration(test::snapshot_of(v1.loaded.model), v2.loaded.model, diags, "0002_d");
  std::string out = diags.render();
  INFO(out);
  CHECK(out.find("error: data step d retains the rows it deletes from events_a, which is a "
                 "partition: retain its table") != std::string::npos);
  CHECK(out.find("error: data step d retains the rows it deletes from t, which is a Citus table") != std::string::npos);
}

TEST_CASE("retain: the plan keeps the rows while the step runs and restores them after its down") {
  auto v1 = compile_text(tables);
  auto v2 = compile_text(std::string(tables) +
                         "data prune {\n  retain children, parents\n  up $$ delete from parents where id > 1 $$\n"
                         "  down $$ select 1 $$\n}\n");
  REQUIRE(v1.ok);
  REQUIRE(v2.ok);
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(v1.loaded.model), v2.loaded.model, diags, "0002_prune");
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  std::string up = plan::render_up(p, ""), down = plan::render_down(p, ""), verify = plan::render_verify(p, "");
  INFO(up << "\n----\n" << down);
  // Parents first (children reference them): kept in that order, restored in that order.
  auto kept_parents = up.find("schemac_retained.m0002_prune_public_parents_rows");
  auto kept_children = up.find("schemac_retained.m0002_prune_public_children_rows");
  auto step = up.find("delete from parents where id > 1;");
  auto stop = up.find("DROP TRIGGER IF EXISTS schemac_keep_deleted");
  REQUIRE(kept_parents != std::string::npos);
  REQUIRE(kept_children != std::string::npos);
  CHECK(kept_parents < kept_children);
  CHECK(kept_children < step);
  CHECK(step < stop);
  auto own_down = down.find("select 1;");
  auto back_parents = down.find("-- rows data step prune deleted from parents come back");
  auto back_children = down.find("-- rows data step prune deleted from children come back");
  REQUIRE(own_down != std::string::npos);
  CHECK(own_down < back_parents);
  CHECK(back_parents < back_children);
  CHECK(verify.find("m0002_prune_public_children_rows") != std::string::npos);
  CHECK(std::count_if(p.notes.begin(), p.notes.end(), [](const std::string& n) {
          return n.find("data step prune keeps the rows it deletes from ") == 0;
        }) == 2);
}
