// Every lint rule: a schema that triggers it and one that does not; silencing.
#include "lint/lint.hpp"

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace schemac;

namespace {

struct Linted {
  std::vector<std::string> codes;  // in order of report
  std::string rendered;
  lint::Result result;
};

Linted lint_text(const std::string& text, const std::string& previous = "") {
  Diagnostics diags;
  auto loaded = compile_sources({{"test.schema", text}}, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  std::optional<model::Schema> before;
  if (!previous.empty()) {
    auto p = test::compile_text(previous);
    INFO(p.diagnostics);
    REQUIRE(p.ok);
    before = p.loaded.model;
  }
  Linted out;
  out.result = lint::lint_schema(loaded, before ? &*before : nullptr, diags);
  for (const auto& d : diags.all()) {
    auto at = d.message.rfind(" [");
    if (at != std::string::npos) out.codes.push_back(d.message.substr(at + 2, 4));
  }
  out.rendered = diags.render();
  return out;
}

bool has(const Linted& l, const std::string& code) {
  INFO(l.rendered);
  return std::count(l.codes.begin(), l.codes.end(), code) > 0;
}

const char* const clean_table = "table t {\n  id int primary key\n}\n";

}  // namespace

TEST_CASE("lint: a clean schema has no findings") {
  auto l = lint_text(clean_table);
  CHECK(l.codes.empty());
  CHECK(l.result.errors == 0);
  CHECK(l.result.warnings == 0);
}

TEST_CASE("lint S101: row level security without policies") {
  CHECK(has(lint_text("table t {\n  id int primary key\n  row level security\n}"), "S101"));
  CHECK_FALSE(
      has(lint_text("table t {\n  id int primary key\n  row level security\n  policy p for select using (true)\n}"),
          "S101"));
}

TEST_CASE("lint S102: a table granted to the API roles without RLS is an error") {
  auto l = lint_text("role anon\ntable t {\n  id int primary key\n  grant select to anon\n}");
  CHECK(has(l, "S102"));
  CHECK(l.result.errors == 1);
  CHECK(l.rendered.find("test.schema:2:7: error: table 't' is granted to anon without row level security") == 0);
  CHECK_FALSE(has(lint_text("role anon\ntable t {\n  id int primary key\n  grant select to anon\n  row level security\n"
                            "  policy p for select to anon using (true)\n}"),
                  "S102"));
}

TEST_CASE("lint S103: a view over an RLS table without security_invoker") {
  std::string rls = "table t {\n  id int primary key\n  row level security\n  policy p for select using (true)\n}\n";
  CHECK(has(lint_text(rls + "view v as $$ select id from t $$"), "S103"));
  CHECK_FALSE(has(lint_text(rls + "view v with (security_invoker) as $$ select id from t $$"), "S103"));
  CHECK_FALSE(has(lint_text(std::string(clean_table) + "view v as $$ select id from t $$"), "S103"));
}

TEST_CASE("lint S104: security definer without search_path") {
  CHECK(has(lint_text("function f() returns int language sql security definer as $$ select 1 $$"), "S104"));
  CHECK_FALSE(
      has(lint_text("function f() returns int language sql security definer set search_path = '' as $$ select 1 $$"),
          "S104"));
  CHECK_FALSE(has(lint_text("function f() returns int language sql as $$ select 1 $$"), "S104"));
}

TEST_CASE("lint S106: security definer callable by PUBLIC") {
  const std::string definer =
      "role app\nfunction f(a uuid) returns int language sql security definer set search_path = '' as $$ select 1 $$\n";
  CHECK(has(lint_text(definer), "S106"));
  CHECK(has(lint_text(definer + "grant execute on function f(uuid) to app\n"), "S106"));
  CHECK_FALSE(has(lint_text(definer + "revoke execute on function f(uuid) from public\n"
                                      "grant execute on function f(uuid) to app\n"),
                  "S106"));
  CHECK_FALSE(has(lint_text("function t() returns trigger language plpgsql security definer set search_path = '' as "
                            "$$ begin return new; end $$"),
                  "S106"));
  CHECK_FALSE(has(lint_text("function g() returns int language sql as $$ select 1 $$"), "S106"));
}

TEST_CASE("lint S107-S110: what the Supabase API roles can reach") {
  const std::string platform =
      "role anon\nrole authenticated\nextern table auth.users {\n  id uuid primary key\n  email text?\n}\n";
  SECTION("auth.users through a view or a materialized view") {
    CHECK(has(lint_text(platform + "view people as $$ select id, email from auth.users $$ { grant select to anon }"),
              "S107"));
    CHECK(has(lint_text(platform + "materialized view people as $$ select id, email from auth.users $$ {\n"
                                   "  unique index on (id)\n  grant select to authenticated\n}"),
              "S107"));
    CHECK_FALSE(has(lint_text(platform + "view people as $$ select id, email from auth.users $$"), "S107"));
  }
  SECTION("a policy for writes that is always true") {
    std::string head = platform + "table t {\n  id int primary key\n  row level security\n";
    CHECK(has(lint_text(head + "  policy p for update to authenticated using (true)\n}"), "S108"));
    CHECK(has(lint_text(head + "  policy p for insert with check ( TRUE )\n}"), "S108"));
    CHECK_FALSE(has(lint_text(head + "  policy p for select to anon using (true)\n}"), "S108"));
    CHECK_FALSE(has(lint_text(head + "  policy p for update to authenticated using (id > 0)\n}"), "S108"));
  }
  SECTION("a security definer function granted to an API role") {
    std::string f = platform +
                    "function f(a uuid) returns int language sql security definer set search_path = '' as $$ "
                    "select 1 $$\nrevoke execute on function f(uuid) from public\n";
    CHECK(has(lint_text(f + "grant execute on function f(uuid) to authenticated\n"), "S109"));
    CHECK_FALSE(has(lint_text(f), "S109"));
    // One that checks who calls it.
    std::string checks = platform +
                         "extern function auth.uid() returns uuid language sql stable as $$ select null::uuid $$\n"
                         "function g(a uuid) returns boolean language sql security definer set search_path = '' as $$ "
                         "select a = (select auth.uid()) $$\nrevoke execute on function g(uuid) from public\n"
                         "grant execute on function g(uuid) to authenticated\n";
    CHECK_FALSE(has(lint_text(checks), "S109"));
  }
  SECTION("a materialized view granted to an API role") {
    std::string m = platform + "table t {\n  id int primary key\n}\n";
    CHECK(has(lint_text(m + "materialized view totals as $$ select id from t $$ {\n  unique index on (id)\n"
                            "  grant select to anon\n}"),
              "S110"));
    CHECK_FALSE(
        has(lint_text(m + "materialized view totals as $$ select id from t $$ {\n  unique index on (id)\n}"), "S110"));
  }
}

TEST_CASE("lint S111: an extension in public, where the API roles are") {
  CHECK(has(lint_text("role anon\nextension pg_trgm\n"), "S111"));
  CHECK(has(lint_text("role authenticated\nextension pg_trgm with schema public\n"), "S111"));
  CHECK_FALSE(has(lint_text("role authenticated\nextension pg_trgm with schema extensions\n"), "S111"));
  CHECK_FALSE(has(lint_text("extension pg_trgm\n"), "S111"));  // no API roles: not a Supabase project
}

TEST_CASE("lint D209-D213: what the planned change or a data step holds locks for") {
  std::string v1 = "table t {\n  id int primary key\n  a int\n}\n";
  SECTION("a volatile default on a new column") {
    CHECK(has(lint_text("table t {\n  id int primary key\n  a int\n  r float8 default random()\n}\n", v1), "D209"));
    CHECK_FALSE(
        has(lint_text("table t {\n  id int primary key\n  a int\n  at timestamptz default now()\n}\n", v1), "D209"));
  }
  SECTION("a rename") {
    CHECK(has(lint_text("table t {\n  id int primary key\n  b int was a\n}\n", v1), "D210"));
    CHECK(has(lint_text("table u was t {\n  id int primary key\n  a int\n}\n", v1), "D210"));
  }
  SECTION("a column filled for every row") {
    CHECK(has(lint_text("table t {\n  id int primary key\n  a int\n  s bigint identity\n}\n", v1), "D211"));
    CHECK(has(lint_text("table t {\n  id int primary key\n  a int\n  g int generated (a * 2)\n}\n", v1), "D211"));
    CHECK_FALSE(has(lint_text("table t {\n  id int primary key\n  a int\n  c int default 0\n}\n", v1), "D211"));
  }
  SECTION("NOT NULL that scans") {
    std::string nullable = "table t {\n  id int primary key\n  a int?\n}\n";
    CHECK(has(lint_text("table t {\n  id int primary key\n  a int identity\n}\n", nullable), "D212"));
    CHECK(has(lint_text("table t {\n  id int primary key\n  a varchar(20)\n}\n",
                        "table t {\n  id int primary key\n  a varchar(10)?\n}\n"),
              "D212"));
    CHECK_FALSE(has(lint_text(v1, nullable), "D212"));  // proved by a validated check: no scan
  }
  SECTION("a data step that locks for as long as it runs") {
    auto step = [&](const std::string& sql) { return lint_text(v1 + "data d {\n  up $$ " + sql + " $$\n}\n", v1); };
    CHECK(has(step("cluster t using t_pkey;"), "D213"));
    CHECK(has(step("vacuum (full) t;"), "D213"));
    CHECK(has(step("reindex table t;"), "D213"));
    CHECK(has(step("lock table t in access exclusive mode;"), "D213"));
    CHECK_FALSE(has(step("reindex table concurrently t;"), "D213"));
    CHECK_FALSE(has(step("update t set a = 1;"), "D213"));
  }
}

TEST_CASE("lint D214: a data step that deletes rows it does not retain") {
  std::string v1 = "table t {\n  id int primary key\n}\ntable u {\n  id int primary key\n}\n";
  auto step = [&](const std::string& retain, const std::string& sql) {
    return lint_text(v1 + "data d {\n" + retain + "  up $$ " + sql + " $$\n}\n", v1);
  };
  CHECK(has(step("", "delete from t where id > 1;"), "D214"));
  CHECK(has(step("", "truncate u;"), "D214"));
  CHECK(has(step("", "with gone as (delete from t returning id) select count(*) from gone;"), "D214"));
  CHECK(has(step("  retain t\n", "delete from t; delete from u;"), "D214"));  // u is not retained
  CHECK_FALSE(has(step("  retain t, u\n", "delete from t; delete from public.u;"), "D214"));
  CHECK_FALSE(has(step("", "update t set id = id + 1;"), "D214"));
  CHECK(step("", "delete from t;").rendered.find("write 'retain t' in the step") != std::string::npos);
  CHECK(step("", "truncate t;")
            .rendered.find("truncates t: its migration's down cannot bring the rows back; DELETE "
                           "them and write 'retain t'") != std::string::npos);
  // A partition counts as its table; cascades reach tables the step does not name.
  std::string more =
      "table p partition by list (k) {\n  k text\n}\npartition p_a of p for values in ('a')\n"
      "table parent {\n  id int primary key\n}\ntable child {\n  id int primary key\n  parent_id int "
      "references parent(id) on delete cascade\n}\ntable note {\n  id int primary key\n  parent_id int? "
      "references parent(id) on delete set null\n}\n";
  auto with = [&](const std::string& retain, const std::string& sql) {
    return lint_text(more + "data d {\n" + retain + "  up $$ " + sql + " $$\n}\n", more);
  };
  CHECK_FALSE(has(with("  retain p\n", "delete from p_a;"), "D214"));
  CHECK(with("", "delete from p_a;").rendered.find("write 'retain p' in the step") != std::string::npos);
  auto cascade = with("  retain parent\n", "delete from parent;");
  CHECK(cascade.rendered.find("ON DELETE CASCADE of child.child_parent_id_fkey deletes the rows of child") !=
        std::string::npos);
  CHECK(cascade.rendered.find("ON DELETE set null of note.note_parent_id_fkey changes the rows of note") !=
        std::string::npos);
  CHECK(with("  retain parent, child\n", "delete from parent;").rendered.find("deletes the rows of child") ==
        std::string::npos);
}

TEST_CASE("lint S105: per-row auth calls in policies") {
  std::string head =
      "extern function auth.uid() returns uuid\ntable t {\n  id uuid primary key\n  row level security\n";
  CHECK(has(lint_text(head + "  policy p for select using (id = auth.uid())\n}"), "S105"));
  CHECK(has(lint_text(head + "  policy p for insert with check (current_setting('app.tenant') = 'x')\n}"), "S105"));
  CHECK_FALSE(has(lint_text(head + "  policy p for select using (id = (select auth.uid()))\n}"), "S105"));
  CHECK_FALSE(has(lint_text(head + "  policy p for select using (id = ( SELECT auth . uid () ))\n}"), "S105"));
}

TEST_CASE("lint D201-D204: the planned change, against the previous state") {
  std::string v1 = "table t {\n  id int primary key\n  a int\n  b varchar(10)\n}\ntable gone { id int primary key }\n";
  SECTION("confirmed drops") {
    auto l = lint_text("table t {\n  id int primary key\n  b varchar(10)\n  drop column a\n}\ndrop table gone", v1);
    CHECK(std::count(l.codes.begin(), l.codes.end(), "D201") == 2);
  }
  SECTION("NOT NULL without default on an existing table") {
    std::string keep = "table gone { id int primary key }\n";
    CHECK(has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n  c int\n}\n" + keep, v1), "D202"));
    CHECK_FALSE(
        has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n  c int default 0\n}\n" + keep, v1),
            "D202"));
    CHECK_FALSE(
        has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n  c int?\n}\n" + keep, v1), "D202"));
    CHECK_FALSE(has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n}\n" + keep +
                                  "table fresh {\n  id int primary key\n  c int\n}",
                              v1),
                    "D202"));
  }
  SECTION("an index on an existing table") {
    std::string keep = "table gone { id int primary key }\n";
    // Built concurrently by the plan: no finding.
    CHECK_FALSE(
        has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n  index on (a)\n}\n" + keep, v1),
            "D203"));
    // PostgreSQL builds no index concurrently on a partitioned table.
    std::string parted = "table p partition by range (k) {\n  k int\n  v int\n}\n";
    CHECK(has(lint_text("table p partition by range (k) {\n  k int\n  v int\n  index on (v)\n}\n", parted), "D203"));
    CHECK_FALSE(has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(10)\n}\n" + keep +
                                  "table fresh {\n  id int primary key\n  c int\n  index on (c)\n}",
                              v1),
                    "D203"));
  }
  SECTION("table-rewriting type changes") {
    std::string keep = "table gone { id int primary key }\n";
    CHECK(has(lint_text("table t {\n  id int primary key\n  a bigint\n  b varchar(10)\n}\n" + keep, v1), "D204"));
    CHECK_FALSE(has(lint_text("table t {\n  id int primary key\n  a int\n  b varchar(20)\n}\n" + keep, v1), "D204"));
    CHECK_FALSE(has(lint_text("table t {\n  id int primary key\n  a int\n  b text\n}\n" + keep, v1), "D204"));
  }
  SECTION("without a previous state, no safety findings") {
    CHECK(lint_text("table t {\n  id int primary key\n  a int\n  index on (a)\n}").codes.empty());
  }
}

TEST_CASE("lint D205: a materialized view that cannot be refreshed concurrently") {
  std::string base = std::string(clean_table);
  CHECK(has(lint_text(base + "materialized view m as $$ select id from t $$"), "D205"));
  CHECK(has(lint_text(base + "materialized view m as $$ select id from t $$ {\n  index on (id)\n}"), "D205"));
  CHECK_FALSE(
      has(lint_text(base + "materialized view m as $$ select id from t $$ {\n  unique index on (id)\n}"), "D205"));
}

TEST_CASE("lint D206-D208: narrowing, enum value removal, functions reading a moved table") {
  CHECK(has(
      lint_text("table t {\n  id int primary key\n  a smallint\n}", "table t {\n  id int primary key\n  a bigint\n}"),
      "D206"));
  CHECK(has(
      lint_text("table t {\n  id int primary key\n  a varchar(5)\n}", "table t {\n  id int primary key\n  a text\n}"),
      "D206"));
  CHECK_FALSE(
      has(lint_text("table t {\n  id int primary key\n  a bigint\n}", "table t {\n  id int primary key\n  a int\n}"),
          "D206"));
  CHECK(has(lint_text("enum e { a, c }", "enum e { a, b, c }"), "D207"));
  CHECK_FALSE(has(lint_text("enum e { a, b, c, d }", "enum e { a, b, c }"), "D207"));
  std::string fn = "function f() returns bigint language sql as $$ select count(*) from old $$\n";
  std::string before = "table old {\n  id int primary key\n}\n" + fn;
  CHECK(has(lint_text("table old {\n  id int primary key\n}\narchive table old as old_2024\n" + fn, before), "D208"));
  CHECK(has(lint_text("table new was old {\n  id int primary key\n}\n" + fn, before), "D208"));
  CHECK(has(lint_text("drop table old\n" + fn, before), "D208"));
  CHECK_FALSE(has(lint_text("table new was old {\n  id int primary key\n}\n"
                            "function f() returns bigint language sql as $$ select count(*) from new $$\n",
                            before),
                  "D208"));
}

TEST_CASE("lint H301-H304: hygiene") {
  CHECK(has(lint_text("table t { a int }"), "H301"));
  std::string parent = "table p { id int primary key }\n";
  CHECK(has(lint_text(parent + "table c {\n  id int primary key\n  p int references p(id)\n}"), "H302"));
  CHECK(has(
      lint_text(parent + "table c {\n  id int primary key\n  p int references p(id)\n  index on (p) where (p > 0)\n}"),
      "H302"));
  CHECK_FALSE(has(
      lint_text(parent + "table c {\n  id int primary key\n  p int references p(id)\n  index on (p, id)\n}"), "H302"));
  CHECK_FALSE(has(lint_text(parent + "table c {\n  p int primary key references p(id)\n}"), "H302"));
  CHECK(has(lint_text("table t {\n  id int primary key\n  a int\n  index on (a)\n  index again on (a)\n}"), "H303"));
  CHECK_FALSE(
      has(lint_text("table t {\n  id int primary key\n  a int\n  index on (a)\n  index on (a) using hash\n}"), "H303"));
  std::string rls = "role r\ntable t {\n  id int primary key\n  row level security\n";
  CHECK(
      has(lint_text(rls + "  policy a for select to r using (true)\n  policy b for all to r using (true)\n}"), "H304"));
  CHECK_FALSE(has(
      lint_text(rls + "  policy a for select to r using (true)\n  policy b restrictive for all to r using (true)\n}"),
      "H304"));
  CHECK_FALSE(
      has(lint_text(rls + "  policy a for select to r using (true)\n  policy b for insert to r with check (true)\n}"),
          "H304"));
}

TEST_CASE("lint: one occurrence is silenced with a reason, and listed") {
  auto l = lint_text(
      "// lint:allow H301 an append-only log, keyed by nothing\ntable log { line text }\ntable other { x int }");
  CHECK(std::count(l.codes.begin(), l.codes.end(), "H301") == 1);  // `other` still reported
  REQUIRE(l.result.silenced.size() == 1);
  CHECK(l.result.silenced[0].code == "H301");
  CHECK(l.result.silenced[0].reason == "an append-only log, keyed by nothing");
  // On the same line, too; and an allow needs a reason.
  CHECK(lint_text("table log { line text }  // lint:allow H301 append-only").codes.empty());
  auto no_reason = lint_text("// lint:allow H301\ntable log { line text }");
  CHECK(no_reason.result.errors == 1);
  CHECK(no_reason.rendered.find("lint:allow H301 needs a reason after the code") != std::string::npos);
}

TEST_CASE("C401-C404: distribution hazards that compile") {
  const std::string tenants = "table tenants distributed by (id) {\n  id uuid primary key\n}\n";
  const std::string f =
      "function f() returns trigger language plpgsql as $$ begin perform 1 from public.tenants; "
      "return new; end; $$\n";
  auto bad = lint_text(tenants + f +
                       "table notes distributed by (tenant_id) {\n  tenant_id uuid references tenants(id)\n  id int\n"
                       "  primary key (id, tenant_id)\n  row level security\n  policy p for select using (id > 0)\n"
                       "  trigger t before update for each row execute f()\n}\n");
  CHECK(has(bad, "C401"));
  CHECK(has(bad, "C402"));
  CHECK(has(bad, "C403"));
  CHECK(has(bad, "C404"));
  CHECK(bad.rendered.find("test.schema:5:13: warning: distributed table 'notes' has no index starting with") !=
        std::string::npos);
  auto good = lint_text(tenants +
                        "table notes distributed by (tenant_id) colocate with tenants {\n"
                        "  tenant_id uuid references tenants(id)\n  id int\n  primary key (tenant_id, id)\n"
                        "  row level security\n  policy p for select using (tenant_id is not null)\n}\n");
  CHECK_FALSE(has(good, "C401"));
  CHECK_FALSE(has(good, "C402"));
  CHECK_FALSE(has(good, "C403"));
}
