// Every diagnostic of the front end: its exact message and position.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "diag/report.hpp"
#include "support.hpp"

using namespace schemac;
using schemac::test::compile_files;
using schemac::test::compile_text;
using schemac::test::error_of;
using schemac::test::first_line;

TEST_CASE("rendering: location, source line and caret") {
  auto c = compile_text("table t {\n  a   nosuchtype\n}\n");
  CHECK(c.diagnostics ==
        "test.schema:2:7: error: unknown type 'nosuchtype': not a PostgreSQL type, a declared enum, domain or "
        "composite type, nor a type of a declared extension (declare it with 'extern type' if the database has it)\n"
        "    a   nosuchtype\n"
        "        ^~~~~~~~~~\n");
}

TEST_CASE("a column is one line: a word whose type would be on the next line is said at the word") {
  CHECK(error_of("table t {\n  id bigint primary key\n  at timestamptz nul\n  d timestamptz nullable\n}") ==
        "test.schema:3:18: error: 'nul' is read as a new column, with its type on the next line; did you mean "
        "'null', on the line of the column above?");
  CHECK(error_of("table t {\n  id bigint primary key\n  lonely\n  b text extra\n}") ==
        "test.schema:3:3: error: column 'lonely' has no type on its line: a column's type follows its name on the same "
        "line");
}

TEST_CASE("ranges: from the parser through the model, cut to a line; positions for editors") {
  Diagnostics diags;
  auto loaded = compile_sources({{"test.schema", "table t {\n  a   nosuchtype\n}\ntable t { id int }\n"}}, diags);
  REQUIRE(diags.all().size() >= 2);
  // The unknown type: exactly its name.
  const auto& type = *diags.sorted()[0];
  CHECK(diags.range(type.where).begin == 16);
  CHECK(diags.range(type.where).end == 26);
  CHECK(type.code == "schema");
  // A whole table's location (its declaration) is cut to its first line.
  SourceFile f("x", "table t {\n  a int\n}\n");
  CHECK(f.clamp_to_line(0, 19) == 9);
  CHECK(f.token_end(6) == 7);
  CHECK(f.token_end(0) == 5);
  SourceFile q("x", "a \"we\"\"ird\" 'it''s' é\n");
  CHECK(q.token_end(2) == 11);
  CHECK(q.token_end(12) == 19);
  CHECK(q.token_end(20) == 22);  // one character, both of its bytes
  // UTF-16 columns: 'é' is one unit, '😀' (4 bytes) two.
  SourceFile u("x", "é😀x\nab");
  CHECK(u.utf16(6).line == 0);
  CHECK(u.utf16(6).character == 3);
  CHECK(u.utf16(9).line == 1);
  CHECK(u.offset_of({0, 3}) == 6);
  CHECK(u.offset_of({1, 1}) == 9);
  CHECK(u.offset_of({1, 99}) == 10);
  CHECK(u.offset_of({7, 0}) == 10);
}

TEST_CASE("machine-readable diagnostics: JSON and SARIF carry range, code and notes") {
  Diagnostics diags;
  compile_sources({{"a.schema", "table users { id int }"}, {"b.schema", "\nview users as $$ select 1 $$"}}, diags);
  auto json = nlohmann::json::parse(report::json(diags));
  REQUIRE(json["diagnostics"].size() == 1);
  const auto& d = json["diagnostics"][0];
  CHECK(d["file"] == "b.schema");
  CHECK(d["code"] == "schema");
  CHECK(d["range"]["start"] == nlohmann::json({{"line", 2}, {"column", 6}, {"offset", 6}}));
  CHECK(d["range"]["end"] == nlohmann::json({{"line", 2}, {"column", 11}, {"offset", 11}}));
  CHECK(d["notes"][0]["file"] == "a.schema");
  CHECK(json["errors"] == 1);

  auto sarif = nlohmann::json::parse(report::sarif(diags, report::error_kinds(), "1.2.3"));
  CHECK(sarif["version"] == "2.1.0");
  const auto& run = sarif["runs"][0];
  CHECK(run["tool"]["driver"]["version"] == "1.2.3");
  const auto& result = run["results"][0];
  CHECK(result["ruleId"] == "schema");
  CHECK(run["tool"]["driver"]["rules"][result["ruleIndex"].get<int>()]["id"] == "schema");
  CHECK(result["level"] == "error");
  const auto& region = result["locations"][0]["physicalLocation"]["region"];
  CHECK(region["startLine"] == 2);
  CHECK(region["startColumn"] == 6);
  CHECK(region["endColumn"] == 11);
  CHECK(result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.schema");
  CHECK(result["relatedLocations"][0]["message"]["text"] == "first declared here");
}

TEST_CASE("syntax errors") {
  SECTION("missing '}' at the end of the file") {
    CHECK(error_of("table t {\n  a int\n") ==
          "test.schema:3:1: error: expected a column, a table member or '}', found end of file");
  }
  SECTION("unterminated dollar-quoted body") {
    CHECK(error_of("view v as $$ select 1\n") ==
          "test.schema:1:11: error: unterminated body: no closing $$ for this $$");
    CHECK(error_of("view v as $q$ select 1 $$\n") ==
          "test.schema:1:11: error: unterminated body: no closing $q$ for this $q$");
  }
  SECTION("unbalanced parentheses") {
    CHECK(error_of("table t {\n  a int check ((a > 0)\n}") ==
          "test.schema:2:15: error: unbalanced parentheses: this '(' is never closed");
  }
  SECTION("unterminated string, quoted identifier, comment") {
    CHECK(error_of("table t { a text default 'x }") == "test.schema:1:26: error: unterminated string literal");
    CHECK(error_of("table \"t { a int }") == "test.schema:1:7: error: unterminated quoted identifier");
    CHECK(error_of("table \"\" { a int }") == "test.schema:1:7: error: empty quoted identifier");
    CHECK(error_of("/* never closed\ntable t { a int }") ==
          "test.schema:1:1: error: unterminated comment: no '*/' closes this '/*'");
  }
  SECTION("expected tokens name what was found") {
    CHECK(error_of("table t {\n  a\n}") == "test.schema:3:1: error: expected type, found '}'");
    CHECK(error_of("table t { primary (a) }") == "test.schema:1:19: error: expected 'key', found '('");
    CHECK(error_of("table t { a int references u(x) on fire cascade }") ==
          "test.schema:1:36: error: expected 'delete' or 'update' after 'on', found 'fire'");
    CHECK(error_of("table t { policy p for everything }") ==
          "test.schema:1:24: error: expected policy command (all, select, insert, update, delete), found 'everything'");
    CHECK(error_of("extern view v") ==
          "test.schema:1:8: error: expected 'table', 'function' or 'type' after 'extern', found 'view'");
    CHECK(error_of("enum e { a b }") == "test.schema:1:12: error: expected an enum value or '}', found 'b'");
    // `returns int` reads as a parameter: the ')' is missing at the end.
    CHECK(error_of("function f( returns int") == "test.schema:1:24: error: expected ')', found end of file");
  }
  SECTION("not a declaration") {
    CHECK(error_of("tabel t { a int }") ==
          "test.schema:1:1: error: expected a declaration, found 'tabel'; did you mean 'table'?");
    CHECK(error_of("frobnicate t { a int }") ==
          "test.schema:1:1: error: expected a declaration (table, unlogged table, view, materialized view, "
          "function, procedure, enum, domain, type, sequence, extension, schema, role, extern, archive, partition, "
          "drop table, data, assert, query, grant, revoke or default privileges)");
  }
  SECTION("a doc comment with nothing after it") {
    CHECK(error_of("table t { a int }\n/// dangling\n") ==
          "test.schema:2:1: error: expected a declaration after the doc comment");
  }
  SECTION("invalid UTF-8 and NUL bytes") {
    CHECK(error_of("table t {\n  a text default 'caf\xC3' }") ==
          "test.schema:2:22: error: invalid UTF-8 in schema file");
    CHECK(error_of(std::string("table t {\0}", 11)) == "test.schema:1:10: error: NUL byte in schema file");
  }
}

TEST_CASE("every syntax error of a run is reported, recovering at the next declaration") {
  auto c = compile_text("table a {\n  x\n}\n\ntable b {\n  y int check (\n}\n\ntable c { z int }\nview v as\n");
  CHECK_FALSE(c.ok);
  CHECK(c.diagnostics.find("test.schema:3:1: error: expected type") != std::string::npos);
  CHECK(c.diagnostics.find("test.schema:6:15: error: unbalanced parentheses") != std::string::npos);
  CHECK(c.diagnostics.find("test.schema:11:1: error: expected dollar-quoted body ($$ ... $$), found end of file") !=
        std::string::npos);
  std::size_t errors = 0;
  for (std::size_t at = 0; (at = c.diagnostics.find(": error: ", at)) != std::string::npos; ++at) ++errors;
  CHECK(errors == 3);  // table c, between the broken ones, is fine
}

TEST_CASE("inputs that must not crash or hang") {
  SECTION("empty file") { CHECK(compile_text("").ok); }
  SECTION("100,000 nested parentheses, balanced") {
    // The schema parser takes any depth; PostgreSQL's own parser (which checks the
    // SQL inside) gives up near 10,000 levels, cleanly and at the spot.
    std::string deep(100000, '(');
    deep += "1";
    deep += std::string(100000, ')');
    CHECK(error_of("table t {\n  a int check " + deep + "\n}\n") ==
          "test.schema:2:10011: error: SQL error in check: memory exhausted at or near \"(\"");
    CHECK(
        compile_text("table t {\n  a int check " + std::string(1000, '(') + "1" + std::string(1000, ')') + "\n}\n").ok);
  }
  SECTION("100,000 nested parentheses, never closed") {
    CHECK(error_of("table t {\n  a int check " + std::string(100000, '(') + "\n}\n") ==
          "test.schema:2:15: error: unbalanced parentheses: this '(' is never closed");
  }
  SECTION("a 10 MB file") {
    std::string big;
    for (int i = 0; big.size() < 10 * 1024 * 1024; ++i)
      big +=
          "/// Table " + std::to_string(i) + ".\ntable t" + std::to_string(i) +
          " {\n  id bigint primary key\n  name text? default 'x' check (length(name) < 100)\n  index on (name)\n}\n\n";
    auto c = compile_text(big);
    CHECK(c.ok);
    CHECK(c.loaded.model.tables.size() > 50000);
  }
}

TEST_CASE("name errors") {
  SECTION("duplicate names across files, with both places") {
    auto c = compile_files({{"a.schema", "table users { id int }"}, {"b.schema", "\nview users as $$ select 1 $$"}});
    CHECK(c.diagnostics ==
          "b.schema:2:6: error: duplicate name 'users': already declared as a table\n"
          "  view users as $$ select 1 $$\n"
          "       ^~~~~\n"
          "a.schema:1:7: note: first declared here\n"
          "  table users { id int }\n"
          "        ^~~~~\n");
  }
  SECTION("duplicate column, policy, enum value") {
    CHECK(error_of("table t {\n  a int\n  a text\n}") == "test.schema:3:3: error: duplicate column 'a'");
    CHECK(error_of("table t {\n  row level security\n  policy p for all\n  policy p for all\n}") ==
          "test.schema:4:10: error: duplicate policy 'p'");
    CHECK(error_of("enum e { a, b, a }") == "test.schema:1:16: error: duplicate enum value 'a'");
  }
  SECTION("identifier longer than 63 bytes") {
    std::string long_name(64, 'x');
    CHECK(error_of("table t {\n  " + long_name + " int\n}") ==
          "test.schema:2:3: error: identifier 'xxxxxxxxxxxxxxxxxxxx...' is 64 bytes long; PostgreSQL allows at most 63 "
          "(it "
          "would silently truncate it)");
    CHECK(compile_text("table t {\n  " + std::string(63, 'x') + " int\n}").ok);
  }
  SECTION("schema not declared") {
    CHECK(error_of("table app.t { a int }") ==
          "test.schema:1:7: error: schema 'app' is not declared: add 'schema app'");
  }
}

TEST_CASE("reference errors") {
  SECTION("unknown type") {
    CHECK(error_of("table t { a mood }") ==
          "test.schema:1:13: error: unknown type 'mood': not a PostgreSQL type, a declared enum, domain or "
          "composite type, nor a type of a declared extension (declare it with 'extern type' if the database has "
          "it)");
  }
  SECTION("unknown table in a foreign key") {
    CHECK(
        error_of("table t {\n  u int references users(id)\n}") ==
        "test.schema:2:20: error: foreign key references 'users', which is not declared (declare it, or 'extern table' "
        "if it exists already)");
  }
  SECTION("unknown column: key, index, referenced column, trigger column") {
    CHECK(error_of("table t {\n  a int\n  primary key (b)\n}") ==
          "test.schema:3:16: error: unknown column 'b' in table 't'");
    CHECK(error_of("table t {\n  a int\n  index on (a, c)\n}") ==
          "test.schema:3:16: error: unknown column 'c' in table 't'");
    CHECK(error_of("table t {\n  a int\n  index on (a) include (d)\n}") ==
          "test.schema:3:25: error: unknown column 'd' in table 't'");
    CHECK(error_of("table u { id int primary key }\ntable t {\n  u int references u(nope)\n}") ==
          "test.schema:3:22: error: unknown column 'nope' in table 'u'");
    CHECK(error_of("function f() returns trigger language plpgsql as $$ begin return new; end $$\n"
                   "table t {\n  a int\n  trigger tr before update of a, zz execute f()\n}") ==
          "test.schema:4:34: error: unknown column 'zz' in table 't'");
  }
  SECTION("foreign key to a table without primary key and no columns") {
    CHECK(
        error_of("table u { id int }\ntable t {\n  u int references u\n}") ==
        "test.schema:3:20: error: foreign key references 'u' without columns, but that table has no primary key: name "
        "the referenced columns");
  }
  SECTION("foreign key type mismatch") {
    auto c = compile_text("table u { id uuid primary key }\ntable t {\n  u bigint references u(id)\n}");
    CHECK(first_line(c.diagnostics) == "test.schema:3:23: error: foreign key column 'u' is bigint but 'u.id' is uuid");
    CHECK(c.diagnostics.find("test.schema:1:11: note: referenced column declared here") != std::string::npos);
  }
  SECTION("unknown role") {
    CHECK(error_of("table t {\n  a int\n  grant select to anon\n}") ==
          "test.schema:3:19: error: unknown role 'anon': declare it with 'role anon'");
    CHECK(error_of("table t {\n  a int\n  row level security\n  policy p for all to anon using (true)\n}") ==
          "test.schema:4:23: error: unknown role 'anon': declare it with 'role anon'");
    CHECK(compile_text("table t {\n  a int\n  grant select to public\n}").ok);
  }
  SECTION("unknown trigger function, and one that does not return trigger") {
    CHECK(error_of("table t {\n  a int\n  trigger tr before insert execute f()\n}") ==
          "test.schema:3:36: error: unknown function 'f': declare it with 'function' or 'extern function'");
    auto c = compile_text(
        "function f() returns int as $$ select 1 $$\ntable t {\n  a int\n  trigger tr before insert execute f()\n}");
    CHECK(first_line(c.diagnostics) ==
          "test.schema:4:36: error: function 'f' cannot be used by a trigger: it returns integer, not trigger");
    CHECK(c.diagnostics.find("test.schema:1:10: note: declared here") != std::string::npos);
  }
  SECTION("policy on a table without row level security") {
    CHECK(error_of("table t {\n  a int\n  policy p for select using (true)\n}") ==
          "test.schema:3:3: error: policy 'p' on table 't' has no effect: the table does not enable 'row level "
          "security'");
  }
  SECTION("archive and drop directives") {
    CHECK(error_of("archive table gone as gone_old") ==
          "test.schema:1:15: error: 'archive table gone' needs the table's block: keep 'table gone { ... }' in the "
          "schema "
          "to describe the archived table");
    CHECK(error_of("table t { a int }\ndrop table t") ==
          "test.schema:2:12: error: 'drop table t' confirms removing a table, but the schema still declares it");
    CHECK(error_of("table t {\n  a int\n  drop column a\n}") ==
          "test.schema:3:15: error: 'drop column a' confirms removing a column, but the table still declares it");
  }
  SECTION("function without body") {
    CHECK(error_of("function f() returns int") == "test.schema:1:10: error: function 'f' needs a body: as $$ ... $$");
  }
}

TEST_CASE("embedded SQL is parsed by PostgreSQL's parser; errors point into the .schema file") {
  SECTION("expressions") {
    CHECK(error_of("table t {\n  a int check (a >> > 1)\n}") ==
          "test.schema:2:21: error: SQL error in check: syntax error at or near \">\"");
    CHECK(error_of("table t {\n  a int default now(,)\n}") ==
          "test.schema:2:21: error: SQL error in default: syntax error at or near \",\"");
    CHECK(error_of("table t {\n  a int\n  b int generated (a +)\n}") ==
          "test.schema:3:23: error: SQL error in generated column: syntax error at or near \")\"");
    // `SELECT a >= 0 and` would parse, with `and` as a column label: expressions are
    // parsed inside parentheses so that nothing can trail.
    CHECK(error_of("table t {\n  a int\n  check positive (a >= 0 and)\n}") ==
          "test.schema:3:29: error: SQL error in check: syntax error at or near \")\"");
    CHECK(error_of("table t {\n  a text\n  index on ((lower(a) ||)) where (a is not nul)\n}") ==
          "test.schema:3:25: error: SQL error in index expression: syntax error at or near \")\"");
    CHECK(error_of("table t {\n  a text\n  index on (a) where (a is not nul)\n}") ==
          "test.schema:3:32: error: SQL error in index predicate: syntax error at or near \"nul\"");
    CHECK(error_of("table t {\n  a int\n  row level security\n  policy p for all using (a = = 1)\n}") ==
          "test.schema:4:31: error: SQL error in policy 'using': syntax error at or near \"=\"");
    CHECK(error_of("table t {\n  a int\n  row level security\n  policy p for insert with check (a in ())\n}") ==
          "test.schema:4:41: error: SQL error in policy 'with check': syntax error at or near \")\"");
    CHECK(error_of("function f() returns trigger language plpgsql as $$ begin return new; end $$\n"
                   "table t {\n  a int\n  trigger tr before update for each row when (new.a <>) execute f()\n}") ==
          "test.schema:4:55: error: SQL error in trigger 'when': syntax error at or near \")\"");
    CHECK(error_of("function f(p int default (1 +)) returns int as $$ select p $$") ==
          "test.schema:1:30: error: SQL error in parameter default: syntax error at or near \")\"");
  }
  SECTION("positions count characters, not bytes") {
    CHECK(error_of("table t {\n  a text check (a <> 'ünïcödé' and and)\n}") ==
          "test.schema:2:36: error: SQL error in check: syntax error at or near \"and\"");
  }
  SECTION("queries, bodies and data steps") {
    CHECK(error_of("view v as $$ select * frm t $$") ==
          "test.schema:1:23: error: SQL error in view query: syntax error at or near \"frm\"");
    CHECK(error_of("materialized view m as $q$\n  select count(*)\n    from t\n   grup by 1\n$q$") ==
          "test.schema:4:9: error: SQL error in materialized view query: syntax error at or near \"by\"");
    CHECK(error_of("function f() returns int language sql as $$ select 1; selec 2 $$") ==
          "test.schema:1:55: error: SQL error in SQL function body: syntax error at or near \"selec\"");
    CHECK(error_of("function f() returns trigger language plpgsql as $$\nbegin\n  new.a = 1\n  retur new;\nend;\n$$") ==
          "test.schema:3:3: error: SQL error in PL/pgSQL function body: syntax error at or near \"new\"");
    CHECK(error_of("data d {\n  up $$ update t set a = 1 wher a = 2 $$\n}") ==
          "test.schema:2:28: error: SQL error in data step: syntax error at or near \"wher\"");
    CHECK(error_of("data d {\n  up $$ select 1 $$\n  down $$ delete t $$\n}") ==
          "test.schema:3:18: error: SQL error in data step (down): syntax error at or near \"t\"");
    // The runner owns the transactions.
    CHECK(error_of("table t {\n  a int\n}\ndata d {\n  up $$ update t set a = 1; commit; $$\n}")
              .rfind("test.schema:5:29: error: COMMIT in a data step: schemac runs each data step", 0) == 0);
    CHECK(error_of("data d {\n  up $$ select 1 $$\n  down $$begin; select 2$$\n}")
              .rfind("test.schema:3:10: error: BEGIN in a data step", 0) == 0);
  }
  SECTION("valid SQL of every kind passes") {
    CHECK(compile_text("function f(p int default (1 + 1)) returns table (x int) language plpgsql as $$\n"
                       "begin\n  return query select p;\nend;\n$$\n"
                       "table t {\n  a int default (1 + 1) check (a between 0 and 9)\n  b int generated (a * 2)\n"
                       "  index on ((a + b)) where (a > 0)\n}\nview v as $$ select a from t $$\n"
                       "data d { up $$ insert into t (a) values (1); update t set a = 2 $$ }")
              .ok);
  }
}

TEST_CASE("views, materialized views and policies may only name declared tables and views") {
  CHECK(error_of("table orders { id int }\nview v as $$ select o.id from orders o join customers c on true $$") ==
        "test.schema:2:45: error: unknown table or view 'customers' in view query: declare it, or 'extern table' if "
        "it exists already");
  CHECK(error_of("materialized view m as $$ select * from app.totals $$") ==
        "test.schema:1:41: error: unknown table or view 'app.totals' in materialized view query: declare it, or "
        "'extern table' if it exists already");
  CHECK(error_of("table t {\n  id int\n  row level security\n  policy p for select using (exists (select 1 from "
                 "members m where m.id = id))\n}") ==
        "test.schema:4:52: error: unknown table or view 'members' in policy 'using': declare it, or 'extern table' if "
        "it exists already");
  // Common table expressions, system catalogs, extern tables, archived names, other
  // views: all known. Function bodies and data steps may name anything.
  CHECK(
      compile_text("extern table auth.users { id uuid primary key }\ntable t { id int }\ntable old { id int }\n"
                   "archive table old as old_2024\n"
                   "view a as $$ with recent as (select id from t) select * from recent join auth.users u on true $$\n"
                   "view b as $$ select * from a, old_2024, pg_class, pg_catalog.pg_namespace $$\n"
                   "function f() returns int language sql as $$ select count(*)::int from somewhere_else $$\n"
                   "data d { up $$ insert into t select id from legacy_table $$ }")
          .ok);
}

TEST_CASE("what a view reads and calls comes from its parse tree") {
  auto c = test::compile_text(
      "table t { id int }\nfunction f() returns int as $$ select 1 $$\n"
      "view v as $$ with x as (select 1) select f(), id from public.t, x $$\n"
      "// a comment mentioning public.nothing\nview w as $$ select * from v $$");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto& views = c.loaded.model.views;
  REQUIRE(views.size() == 2);
  CHECK(views[0].reads == std::vector<model::QualifiedName>{{"public", "t"}});
  CHECK(views[0].calls == std::vector<model::QualifiedName>{{"public", "f"}});
  CHECK(views[1].reads == std::vector<model::QualifiedName>{{"public", "v"}});
}

TEST_CASE("views, materialized views and policies may only name columns their tables have") {
  std::string tables =
      "table users {\n  id int primary key\n  name text\n}\n"
      "table posts {\n  id int primary key\n  author int\n  title text\n}\n";  // lines 1-9
  SECTION("an unqualified column in a policy is looked up in the policy's table") {
    CHECK(error_of("table t {\n  id int\n  owner text\n  row level security\n"
                   "  policy p for select using (ownr = current_user)\n}") ==
          "test.schema:5:30: error: column 'ownr' does not exist in t; did you mean 'owner'? (in policy 'using')");
  }
  SECTION("a qualified column, in a subquery of a policy") {
    CHECK(error_of(tables + "table t {\n  id int\n  row level security\n  policy p for select using "
                            "(exists (select 1 from posts p where p.author = t.id and p.titel <> ''))\n}") ==
          "test.schema:13:86: error: column 'titel' does not exist in posts (as p); did you mean 'title'? (in "
          "policy 'using')");
  }
  SECTION("a view: a qualified column, an unqualified one, and an alias with no FROM entry") {
    CHECK(
        error_of(tables + "view v as $$ select u.nme from users u $$") ==
        "test.schema:10:21: error: column 'nme' does not exist in users (as u); did you mean 'name'? (in view query)");
    CHECK(
        error_of(tables + "view v as $$ select title, nam from users join posts on posts.author = users.id $$") ==
        "test.schema:10:28: error: column 'nam' does not exist in users, posts; did you mean 'name'? (in view query)");
    CHECK(error_of(tables + "view v as $$ select x.id from users $$") ==
          "test.schema:10:21: error: no table or alias 'x' in scope here (a FROM entry is missing) (in view query)");
  }
  SECTION("a materialized view index on a column the query does not produce") {
    CHECK(error_of(tables + "materialized view m as $$ select u.id, count(*) as n from users u group by u.id $$ {\n"
                            "  unique index on (id)\n  index on (name)\n}") ==
          "test.schema:12:13: error: materialized view 'm' has no column 'name' (its query produces: id, n)");
    // Columns of a view over a view, `*` expanded, casts named after their argument.
    CHECK(error_of(tables +
                   "view v as $$ select *, title::varchar as t2 from posts $$\n"
                   "materialized view m as $$ select v.*, id::text from v $$ {\n  unique index on (nope)\n}") ==
          "test.schema:12:20: error: materialized view 'm' has no column 'nope' (its query produces: id, author, "
          "title, t2, id)");
  }
  SECTION("where it cannot tell, it stays silent") {
    auto c =
        compile_text(tables +
                     "view a as $$ with c as (select 1 as q) select q, c.anything from c $$\n"
                     "view b as $$ select s.whatever, g from (select 1) s, generate_series(1, 3) g $$\n"
                     "view c as $$ select u, u.name, title as t from users u, posts order by t $$\n"
                     "view d as $$ select id from users where exists (select 1 from posts where author = id) $$\n"
                     "materialized view m as $$ select s.x from (select 1 as x) s $$ {\n  unique index on (x)\n}\n"
                     "table r {\n  id int\n  row level security\n  policy p for select using (r.id > 0 and id > 0)\n}");
    INFO(c.diagnostics);
    CHECK(c.ok);
  }
}

TEST_CASE("function bodies: the tables they read come from their parse trees") {
  auto c = test::compile_text(
      "table a { id int }\ntable b { id int }\ntable c { id int }\n"
      "function f() returns int language sql as $$ select count(*)::int from a $$\n"
      "function g(p int) returns int language plpgsql as $$\ndeclare v int;\nbegin\n"
      "  v := (select count(*) from b);\n  insert into c(id) values (p);\n"
      "  if exists (select 1 from public.a) then return v; end if;\n  return 0;\nend;\n$$");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto* f = c.loaded.model.find_function({{"public", "f"}, ""});
  const auto* g = c.loaded.model.find_function({{"public", "g"}, "integer"});
  REQUIRE((f && g));
  CHECK(f->reads == std::vector<model::QualifiedName>{{"public", "a"}});
  CHECK(g->reads == std::vector<model::QualifiedName>{{"public", "a"}, {"public", "b"}, {"public", "c"}});
}

TEST_CASE("what a policy calls comes from its parse tree") {
  auto c = test::compile_text(
      "extern function auth.uid() returns uuid\nfunction f() returns int as $$ select 1 $$\n"
      "table t {\n  id uuid\n  n int\n  row level security\n"
      "  policy p for all using (id = (select auth.uid())) with check (n = f())\n}");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto& p = c.loaded.model.tables.at(0).policies.at(0);
  CHECK(p.calls == std::vector<model::QualifiedName>{{"auth", "uid"}, {"public", "f"}});
}

TEST_CASE("what each expression reads, column by column, comes from its parse tree") {
  auto c = test::compile_text(
      "enum mood { calm, angry }\nfunction f(x int) returns int as $$ select x $$\n"
      "table a { id int primary key\n  n int default f(1)\n  m mood\n  g int generated (n * 2)\n"
      "  check (m <> 'angry'::mood)\n  index on ((f(n))) where (id > 0)\n  index on (m)\n"
      "  row level security\n  policy p for select using (exists (select 1 from b where b.a_id = id))\n"
      "  trigger t before update of m for each row when (new.n <> old.n) execute touch()\n}\n"
      "table b { a_id int\n  note text\n  extra text }\n"
      "function touch() returns trigger language plpgsql as $$ begin return new; end $$\n"
      "view v as $$ select a.id, b.note from a join b on b.a_id = a.id $$\n"
      "view w as $$ select * from v $$\nview u as $$ select id, y from a, lateral f(a.id) as x(y) $$");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  using model::ColumnUse;
  using Q = model::QualifiedName;
  const Q a{"public", "a"}, b{"public", "b"}, v{"public", "v"};
  const auto& t = *c.loaded.model.find_table(a);
  CHECK(t.find_column("n")->uses.functions == std::vector<Q>{{"public", "f"}});
  CHECK(t.find_column("g")->uses.columns == std::vector<ColumnUse>{{a, "n"}});
  const auto& check = t.constraints.at(1);
  REQUIRE(check.kind == model::ConstraintKind::check);
  CHECK(check.uses.columns == std::vector<ColumnUse>{{a, "m"}});
  CHECK(check.uses.types == std::vector<Q>{{"public", "mood"}});
  CHECK(t.indexes.at(0).uses.columns == std::vector<ColumnUse>{{a, "id"}, {a, "n"}});
  CHECK(t.indexes.at(0).uses.calls({"public", "f"}));
  CHECK(t.indexes.at(1).uses.columns.empty());  // a plain column is in `elements`
  CHECK(t.policies.at(0).uses.columns == std::vector<ColumnUse>{{a, "id"}, {b, "a_id"}});
  CHECK(t.triggers.at(0).uses.columns == std::vector<ColumnUse>{{a, "n"}});
  const auto& views = c.loaded.model.views;
  REQUIRE(views.size() == 3);  // u, v, w
  CHECK(views[1].uses.columns == std::vector<ColumnUse>{{a, "id"}, {b, "a_id"}, {b, "note"}});
  CHECK(views[1].uses.reads(b, "note"));
  CHECK_FALSE(views[1].uses.reads(b, "extra"));
  // A function in FROM hides which relation `x` comes from: every column of a counts.
  CHECK(views[0].uses.reads(a, "m"));
  CHECK(views[2].uses.columns == std::vector<ColumnUse>{{v, "*"}});
  CHECK(views[2].uses.reads(v, "note"));
}
