// Assertions: `assert NAME $$ SELECT <boolean> $$`, from the grammar to the verify
// file: parsed and printed back, checked (positions of each error), and planned into
// the verify files of the migrations that could break them.
#include <catch2/catch.hpp>

#include "emit/format.hpp"
#include "emit/verify.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "support.hpp"

using namespace schemac;
using plan::ChangeKind;
using test::compile_text;
using test::error_of;

namespace {

model::Schema model_of(const std::string& text) {
  auto c = compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

plan::Plan plan_of(const std::string& v1, const std::string& v2) {
  Diagnostics diags;
  auto p = plan::plan_migration(test::snapshot_of(model_of(v1)), model_of(v2), diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  return p;
}

// "kind name[: detail]" of each assertion operation.
std::vector<std::string> assertion_changes(const plan::Plan& p) {
  std::vector<std::string> out;
  for (const auto& op : p.ops) {
    const auto& c = op.change;
    if (c.kind != ChangeKind::create_assertion && c.kind != ChangeKind::alter_assertion &&
        c.kind != ChangeKind::drop_assertion && c.kind != ChangeKind::check_assertion)
      continue;
    CHECK(op.up.empty());
    CHECK(op.down.empty());
    CHECK(op.verify.size() == (c.kind == ChangeKind::drop_assertion ? 0u : 1u));
    out.push_back(std::string(plan::change_name(c.kind)) + " " + c.subject.display() +
                  (c.detail.empty() ? "" : ": " + c.detail));
  }
  return out;
}

using Lines = std::vector<std::string>;

const char* const quests = R"(
table user_quests {
  id        int     primary key
  is_active boolean default true
}
table user_quest_tasks {
  id            int primary key
  user_quest_id int references user_quests(id)
}
table notes {
  id   int primary key
  body text
}
view active_quests as $$ select id from public.user_quests where is_active $$
assert every_enrolment_has_tasks $$
  select not exists (select 1 from public.user_quests q
    where q.is_active and not exists (select 1 from public.user_quest_tasks t where t.user_quest_id = q.id))
$$
)";

std::string with(const std::string& extra) { return quests + extra; }

}  // namespace

TEST_CASE("assertions parse, keep their doc comment and print back in canonical form") {
  std::string src =
      "table t { ok boolean }\n/// Every row is fine.\nassert   all_ok   $$ select bool_and(ok) from public.t $$ "
      "// why\n";
  auto c = compile_text(src);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto& a = std::get<ast::Assertion>(c.loaded.files[0].ast.declarations[1]);
  CHECK(a.name.text == "all_ok");
  CHECK(a.query.text == " select bool_and(ok) from public.t ");
  CHECK(a.doc == ast::Doc{"Every row is fine."});
  CHECK(emit::format_file(c.loaded.files[0].ast, src) ==
        "table t {\n  ok boolean\n}\n\n/// Every row is fine.\nassert all_ok $$ select bool_and(ok) from public.t $$  "
        "// why\n");
  const auto& model = c.loaded.model;
  REQUIRE(model.assertions.size() == 1);
  CHECK(model.assertions[0].name == "all_ok");
  CHECK(model.assertions[0].reads == std::vector<model::QualifiedName>{{"public", "t"}});
}

TEST_CASE("an assertion is one query returning one boolean, over declared tables and columns") {
  std::string t = "table t {\n  id int primary key\n  name text\n  ok boolean\n}\n";  // lines 1-5
  SECTION("accepted: the result is boolean, or cannot be told") {
    for (const char* q :
         {"select exists (select 1 from t)", "select count(*) = 0 from t", "values (true)", "select ok from t limit 1",
          "select bool_and(ok) from t", "select 'yes'::boolean", "select (select count(*) from t) < 10",
          "select f.x from generate_series(1, 2) f(x)", "select not exists (select 1 from t where name is null);",
          "with x as (select ok from t) select bool_or(ok) from x union all select true"}) {
      INFO(q);
      auto c = compile_text(t + "assert a $$ " + q + " $$");
      INFO(c.diagnostics);
      CHECK(c.ok);
    }
  }
  SECTION("a syntax error in its SQL") {
    CHECK(error_of(t + "assert a $$\n  select not exists (select 1 from t where)\n$$") ==
          "test.schema:7:43: error: SQL error in assertion: syntax error at or near \")\"");
  }
  SECTION("an unknown table or column") {
    CHECK(error_of(t + "assert a $$ select not exists (select 1 from users) $$") ==
          "test.schema:6:46: error: unknown table or view 'users' in assertion: declare it, or 'extern table' if it "
          "exists already");
    CHECK(error_of(t + "assert a $$ select not exists (select 1 from t where nme = '') $$") ==
          "test.schema:6:54: error: column 'nme' does not exist in t; did you mean 'name'? (in assertion)");
  }
  SECTION("two columns, or none") {
    CHECK(error_of(t + "assert a $$ select true, false $$") ==
          "test.schema:6:26: error: assertion 'a' returns 2 columns; it must return exactly one, a boolean");
    CHECK(error_of(t + "assert a $$ select * from t $$") ==
          "test.schema:6:13: error: assertion 'a' returns 3 columns; it must return exactly one, a boolean");
    CHECK(error_of(t + "assert a $$ values (true, 1) $$") ==
          "test.schema:6:27: error: assertion 'a' returns 2 columns; it must return exactly one, a boolean");
  }
  SECTION("a result that is not boolean") {
    CHECK(error_of(t + "assert a $$ select count(*) from t $$") ==
          "test.schema:6:20: error: assertion 'a' returns bigint; it must return a boolean (true while the data "
          "holds)");
    CHECK(error_of(t + "assert a $$\n  select name from t\n$$") ==
          "test.schema:7:10: error: assertion 'a' returns text; it must return a boolean (true while the data "
          "holds)");
    CHECK(error_of(t + "assert a $$ select 1 $$") ==
          "test.schema:6:20: error: assertion 'a' returns integer; it must return a boolean (true while the data "
          "holds)");
  }
  SECTION("not a query, or more than one statement") {
    CHECK(error_of(t + "assert a $$ delete from t $$") ==
          "test.schema:6:13: error: assertion 'a' is a query (SELECT or VALUES) that returns a boolean; it must not "
          "change anything");
    CHECK(error_of(t + "assert a $$ select true; select false $$") ==
          "test.schema:6:25: error: assertion 'a' is one query (a SELECT that returns a boolean), not 2 statements");
    CHECK(error_of(t + "assert a $$ select '$schemac_verify$' = '' $$") ==
          "test.schema:6:21: error: assertion 'a' holds '$schemac_verify$', the tag the verify file quotes its checks "
          "with: write the string another way");
    CHECK(error_of(t + "assert a $$ $$") ==
          "test.schema:6:12: error: assertion 'a' has no query: write one SELECT that returns a boolean");
    CHECK(error_of(t + "assert a $$\n    select true; -- a comment $$") ==
          "test.schema:7:18: error: assertion 'a' ends at its ';': write a comment before it, or leave the ';' out");
  }
  SECTION("names: identifiers, unique among assertions") {
    CHECK(error_of(t + "assert a $$ select true $$\nassert a $$ select false $$") ==
          "test.schema:7:8: error: duplicate name 'a': already declared as an assertion");
    CHECK(error_of(t + "assert 'a' $$ select true $$") == "test.schema:6:8: error: expected identifier, found '''");
    CHECK(error_of(t + "assert a") ==
          "test.schema:6:9: error: expected dollar-quoted body ($$ ... $$), found end of file");
  }
  SECTION("an archived table by its new name") {
    CHECK(
        error_of("table old { id int }\narchive table old as old_2024\nassert a $$ select count(*) = 0 from old $$") ==
        "test.schema:3:38: error: assertion 'a' reads table 'old', which is archived as 'old_2024': name it "
        "'old_2024'");
    CHECK(compile_text("table old { id int }\narchive table old as old_2024\n"
                       "assert a $$ select count(*) = 0 from old_2024 $$")
              .ok);
  }
}

TEST_CASE("the verify file runs an assertion as a scalar subquery that must be true") {
  auto s = model_of("assert a $$ select true -- done\n; $$");
  std::string statement = emit::check_statement(emit::assertion_holds(s.assertions[0]));
  CHECK(statement ==
        "  IF NOT ((select true -- done\n) IS TRUE) THEN\n"
        "    missing := array_append(missing, 'assertion a does not hold');\n  END IF;\n");
}

TEST_CASE("planning: which migrations run an assertion") {
  SECTION("added: its migration runs it, and plan lists it") {
    auto p = plan_of("table user_quests { id int primary key }", quests);
    CHECK(assertion_changes(p) == Lines{"create_assertion every_enrolment_has_tasks"});
    CHECK(plan::assertion_summary(p) == Lines{"every_enrolment_has_tasks (added)"});
    std::string verify = plan::render_verify(p, "test");
    CHECK(verify.find("'assertion every_enrolment_has_tasks does not hold'") != std::string::npos);
    CHECK(verify.find("where q.is_active and not exists") != std::string::npos);
  }
  SECTION("added alone: a migration with nothing but the check") {
    auto p = plan_of(quests, with("assert notes_exist $$ select exists (select 1 from public.notes) $$"));
    CHECK_FALSE(p.empty());
    CHECK(assertion_changes(p) == Lines{"create_assertion notes_exist"});
    CHECK(p.phases().empty());
  }
  SECTION("a later migration that changes a table it reads runs it again") {
    std::string v2 = quests;
    v2.replace(v2.find("  user_quest_id int"), 0, "  title text?\n");
    auto p = plan_of(quests, v2);
    CHECK(assertion_changes(p) == Lines{"check_assertion every_enrolment_has_tasks: user_quest_tasks"});
    CHECK(plan::assertion_summary(p) ==
          Lines{"every_enrolment_has_tasks (reads user_quest_tasks, which this migration changes)"});
  }
  SECTION("a migration that touches nothing it reads does not run it") {
    std::string v2 = quests;
    v2.replace(v2.find("  body text"), 0, "  title text?\n");
    auto p = plan_of(quests, v2);
    CHECK_FALSE(p.empty());
    CHECK(assertion_changes(p).empty());
    CHECK(plan::render_verify(p, "test").find("assertion") == std::string::npos);
  }
  SECTION("a data step that names a table it reads runs it; one that does not, not") {
    auto p = plan_of(quests, with("data fill { up $$ insert into public.user_quest_tasks values (1, 1) $$ }"));
    CHECK(assertion_changes(p) == Lines{"check_assertion every_enrolment_has_tasks: user_quest_tasks"});
    p = plan_of(quests, with("data fill { up $$ insert into public.notes values (1, 'x') $$ }"));
    CHECK(assertion_changes(p).empty());
    // A function of the schema may change any table.
    p = plan_of(quests, with("function tidy() returns void language sql as $$ delete from public.notes $$\n"
                             "data fill { up $$ select tidy() $$ }"));
    CHECK(assertion_changes(p) ==
          Lines{"check_assertion every_enrolment_has_tasks: a data step calls a function of the schema"});
  }
  SECTION("a change under a view it reads runs it") {
    std::string v1 = with("assert some_active $$ select count(*) > 0 from public.active_quests $$");
    std::string v2 = v1;
    v2.replace(v2.find("  is_active boolean"), 0, "  title text?\n");
    auto p = plan_of(v1, v2);
    CHECK(assertion_changes(p) ==
          Lines{"check_assertion every_enrolment_has_tasks: user_quests", "check_assertion some_active: user_quests"});
  }
  SECTION("changed: runs; removed: not run, listed with the migration's changes, alone no migration") {
    std::string v1 = with("assert few_notes $$ select count(*) < 10 from public.notes $$");
    auto p = plan_of(v1, with("assert few_notes $$ select count(*) < 100 from public.notes $$"));
    CHECK(assertion_changes(p) == Lines{"alter_assertion few_notes"});
    CHECK(plan::assertion_summary(p) == Lines{"few_notes (its query changed)"});
    CHECK(plan_of(v1, quests).empty());
    std::string v2 = quests;
    v2.replace(v2.find("  body text"), 0, "  title text?\n");
    CHECK(assertion_changes(plan_of(v1, v2)) == Lines{"drop_assertion few_notes"});
  }
  SECTION("the full state (schemac sql) runs no assertion") {
    CHECK(plan::full_state_sql(model_of(quests)).find("every_enrolment") == std::string::npos);
  }
}

TEST_CASE("in a migration of several phases, the up file checks the assertions before its main phase commits") {
  // An index on an existing table is built concurrently, in a phase of its own: the
  // data step's phase commits before the verify file runs, so the assertion is
  // checked at its end too, where a failure rolls the data step back.
  std::string v2 = quests;
  v2.replace(v2.find("  body text\n"), std::string("  body text\n").size(), "  body text\n  index on (body)\n");
  v2 += "data fill { up $$ insert into public.user_quest_tasks values (1, 1) $$ }";
  auto p = plan_of(quests, v2);
  REQUIRE(p.phases().size() == 2);
  std::string up = plan::render_up(p, "test");
  auto check = up.find("'assertion every_enrolment_has_tasks does not hold'");
  auto data = up.find("insert into public.user_quest_tasks values (1, 1)");
  auto outside = up.find("-- Phase 2 of 2");
  REQUIRE(check != std::string::npos);
  CHECK(data < check);
  CHECK(check < outside);
  CHECK(up.find("-- Assertions, checked before this phase commits (and again by the verify file)") < check);
  CHECK(up.find("#variable_conflict use_column") < check);
  // The verify file still runs it, after the last phase.
  CHECK(plan::render_verify(p, "test").find("'assertion every_enrolment_has_tasks does not hold'") !=
        std::string::npos);
  // In one phase, the verify file runs in the same transaction: the up file has no check.
  auto single = plan_of(quests, with("data fill { up $$ insert into public.user_quest_tasks values (1, 1) $$ }"));
  REQUIRE(single.phases().size() == 1);
  CHECK(plan::render_up(single, "test").find("does not hold") == std::string::npos);
}
