// Distributed schemas (Citus): the syntax round-trips, each of Citus's rules is a
// compile-time error at the place that breaks it, and the planner distributes
// tables in the order Citus needs, with exact downs for changes of distribution.
#include <catch2/catch.hpp>

#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "plan/snapshot.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_text;

namespace {

model::Schema model_of(const std::string& text) {
  auto c = compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

// The diagnostics of a schema that must not compile.
std::string errors_of(const std::string& text) {
  auto c = compile_text(text);
  REQUIRE_FALSE(c.ok);
  return c.diagnostics;
}

plan::Plan plan_of(const std::string& v1, const std::string& v2, Diagnostics& diags) {
  return plan::plan_migration(test::snapshot_of(model_of(v1)), model_of(v2), diags);
}

const char* const tenants = R"(table tenants distributed by (id) {
  id uuid primary key
}
)";

}  // namespace

TEST_CASE("citus: distributed and reference tables resolve, format and survive the snapshot") {
  std::string text = std::string(tenants) + R"(table plans reference {
  id text primary key
}
table notes distributed by (tenant_id) colocate with tenants {
  tenant_id uuid references tenants(id)
  id int
  plan text references plans(id)
  primary key (tenant_id, id)
}
)";
  auto m = model_of(text);
  const auto* notes = m.find_table({"public", "notes"});
  REQUIRE(notes);
  REQUIRE(notes->distribution);
  CHECK(notes->distribution->column == "tenant_id");
  CHECK(notes->distribution->colocate_with == model::QualifiedName{"public", "tenants"});
  REQUIRE(m.find_table({"public", "plans"})->distribution);
  CHECK(m.find_table({"public", "plans"})->distribution->reference);
  auto snapshot = plan::snapshot_text(m);
  CHECK(snapshot.find("table notes distributed by (tenant_id) colocate with tenants {") != std::string::npos);
  CHECK(snapshot.find("table plans reference {") != std::string::npos);
  CHECK(plan::state_of(test::snapshot_of(m)) == plan::state_of(m));
}

TEST_CASE("citus: each rule is an error at the place that breaks it") {
  SECTION("a unique key without the distribution column") {
    auto d = errors_of(std::string(tenants) + "table t distributed by (a) {\n  a int\n  b int unique\n}\n");
    CHECK(d.find("test.schema:6:3: error: unique key 't_b_key' of distributed table 't' does not include its "
                 "distribution column 'a'") != std::string::npos);
    CHECK(d.find("test.schema:4:25: note: distributed by this column") != std::string::npos);
  }
  SECTION("a primary key without it") {
    auto d = errors_of("table t distributed by (a) {\n  a int\n  id int primary key\n}\n");
    CHECK(d.find("test.schema:3:3: error: the primary key of distributed table 't' does not include") !=
          std::string::npos);
  }
  SECTION("a unique index without it") {
    auto d = errors_of("table t distributed by (a) {\n  a int\n  b int\n  unique index on (b)\n}\n");
    CHECK(d.find("test.schema:4:3: error: unique index 't_b_idx' of distributed table 't'") != std::string::npos);
  }
  SECTION("a foreign key between tables that are not colocated") {
    auto d = errors_of(std::string(tenants) +
                       "table t distributed by (a) {\n  a int\n  tenant uuid references tenants(id)\n}\n");
    CHECK(d.find("test.schema:6:26: error: foreign key from distributed table 't' to distributed table 'tenants': "
                 "the tables are not colocated (distributed by integer and by uuid)") != std::string::npos);
  }
  SECTION("a foreign key that leaves out the distribution columns") {
    auto d = errors_of(std::string(tenants) +
                       "table t distributed by (a) {\n  a uuid\n  b uuid references tenants(id)\n}\n");
    CHECK(d.find("test.schema:6:21: error: foreign key from distributed table 't' to distributed table 'tenants' "
                 "does not include the distribution columns (a referencing id)") != std::string::npos);
  }
  SECTION("a foreign key from a reference table to a distributed one") {
    auto d = errors_of(std::string(tenants) +
                       "table r reference {\n  id int primary key\n  t uuid references "
                       "tenants(id)\n}\n");
    CHECK(d.find("test.schema:6:21: error: foreign key from reference table 'r' to distributed table 'tenants'") !=
          std::string::npos);
  }
  SECTION("foreign keys between distributed and local tables, either way") {
    auto d = errors_of(std::string(tenants) +
                       "table l {\n  id int primary key\n  t uuid references tenants(id)\n}\n"
                       "table d distributed by (t) {\n  t uuid\n  l int references l(id)\n}\n");
    CHECK(d.find("test.schema:6:21: error: foreign key from local table 'l' to distributed table 'tenants'") !=
          std::string::npos);
    CHECK(d.find("test.schema:10:20: error: foreign key from distributed table 'd' to local table 'l'") !=
          std::string::npos);
  }
  SECTION("a distribution column whose type has no hash function") {
    auto d = errors_of("table t distributed by (doc) {\n  doc json\n}\n");
    CHECK(d.find("test.schema:1:25: error: the distribution column 'doc' has type json, which has no hash function") !=
          std::string::npos);
  }
  SECTION("colocation with a table distributed by another type") {
    auto d = errors_of(std::string(tenants) + "table t distributed by (a) colocate with tenants {\n  a int\n}\n");
    CHECK(d.find("test.schema:4:42: error: 't' is distributed by a (integer) but 'tenants' by id (uuid)") !=
          std::string::npos);
  }
  SECTION("colocation with a table that is not distributed") {
    auto d = errors_of(
        "table r reference {\n  id int primary key\n}\ntable t distributed by (a) colocate with r {\n"
        "  a int\n}\n");
    CHECK(d.find("test.schema:4:42: error: 'r' is a reference table: a table is colocated only with a distributed "
                 "table") != std::string::npos);
  }
  SECTION("a distribution column that is not a column") {
    auto d = errors_of("table t distributed by (nope) {\n  a int\n}\n");
    CHECK(d.find("test.schema:1:25: error: unknown column 'nope'") != std::string::npos);
  }
  SECTION("a statement-level trigger") {
    auto d = errors_of(std::string(tenants) +
                       "table t distributed by (a) {\n  a uuid\n  trigger x after insert for each statement execute "
                       "f()\n}\nfunction f() returns trigger language plpgsql as $$ begin return null; end; $$\n");
    CHECK(d.find("test.schema:6:3: error: statement-level trigger 'x' on distributed table 't'") != std::string::npos);
  }
  SECTION("a subquery in a policy") {
    auto d = errors_of(std::string(tenants) +
                       "function me() returns uuid language sql stable as $$ select null::uuid $$\n"
                       "table t distributed by (a) {\n  a uuid\n  row level security\n"
                       "  policy p for select using (a = (select me()))\n}\n");
    CHECK(d.find("test.schema:8:34: error: policy 'p' on distributed table 't' has a subquery, which Citus does not "
                 "support in policies") != std::string::npos);
  }
  SECTION("a partitioned reference table") {
    auto d = errors_of("table r partition by range (a) reference {\n  a int\n}\n");
    CHECK(d.find("test.schema:1:32: error: partitioned table 'r' cannot be a reference table") != std::string::npos);
  }
  SECTION("a foreign key action that would change the distribution column") {
    auto d = errors_of(std::string(tenants) +
                       "table t distributed by (a) {\n  a uuid references tenants(id) on delete set null\n}\n");
    CHECK(d.find("test.schema:5:21: error: foreign key from distributed table 't' to distributed table 'tenants': "
                 "'on delete set null' would change the distribution column a") != std::string::npos);
  }
  SECTION("a domain is a type of its own for colocation; modifiers do not count") {
    auto d = errors_of(std::string(tenants) +
                       "domain tenant_id uuid\n"
                       "table t distributed by (a) colocate with tenants {\n  a tenant_id\n}\n");
    CHECK(d.find("error: 't' is distributed by a (public.tenant_id) but 'tenants' by id (uuid)") != std::string::npos);
    auto ok = compile_text(
        "table a distributed by (k) {\n  k varchar(36)\n}\n"
        "table b distributed by (k) colocate with a {\n  k varchar(64)\n}\n");
    INFO(ok.diagnostics);
    CHECK(ok.ok);
  }
  SECTION("an array of a type without a hash function") {
    auto d = errors_of("table t distributed by (a) {\n  a json[]\n}\n");
    CHECK(d.find("test.schema:1:25: error: the distribution column 'a' has type json[]") != std::string::npos);
  }
  SECTION("an identity column that is not bigint") {
    auto d = errors_of("table t distributed by (a) {\n  a int\n  n int identity\n}\n");
    CHECK(d.find("test.schema:3:3: error: identity column 'n' of distributed table 't' must be bigint") !=
          std::string::npos);
  }
}

TEST_CASE("citus: new tables are distributed after they are created, before their foreign keys and triggers") {
  auto m = model_of(std::string(tenants) + R"(table plans reference {
  id text primary key
}
table notes distributed by (tenant_id) colocate with tenants {
  tenant_id uuid references tenants(id)
  id int
  plan text references plans(id)
  primary key (tenant_id, id)
  trigger touch before update for each row execute f()
}
function f() returns trigger language plpgsql as $$ begin return new; end; $$
)");
  auto sql = plan::full_state_sql(m);
  auto at = [&](const std::string& s) {
    auto p = sql.find(s);
    INFO(s);
    REQUIRE(p != std::string::npos);
    return p;
  };
  // No foreign key inline: Citus refuses one to a table not yet distributed.
  CHECK(sql.find("REFERENCES", at("CREATE TABLE public.notes")) > at("SELECT create_reference_table"));
  CHECK(at("CREATE TABLE public.notes") < at("SELECT create_reference_table('public.plans');"));
  CHECK(at("SELECT create_reference_table('public.plans');") <
        at("SELECT create_distributed_table('public.tenants', 'id', colocate_with => 'default');"));
  CHECK(at("SELECT create_distributed_table('public.tenants'") <
        at("SELECT create_distributed_table('public.notes', 'tenant_id', colocate_with => 'public.tenants');"));
  CHECK(at("SELECT create_distributed_table('public.notes'") <
        at("ALTER TABLE public.notes ADD CONSTRAINT notes_tenant_id_fkey"));
  // A row trigger on a distributed table is allowed for its own statement only.
  CHECK(at("SET LOCAL citus.enable_unsafe_triggers = on;\nCREATE TRIGGER touch") >
        at("ALTER TABLE public.notes ADD CONSTRAINT notes_plan_fkey"));
  // Each transaction runs its shard commands one connection at a time.
  CHECK(at("SET LOCAL citus.multi_shard_modify_mode TO 'sequential';") < at("CREATE TABLE public.tenants"));
}

TEST_CASE("citus: a change of distribution is a typed change with an exact down") {
  const std::string local =
      "table t {\n  id int primary key\n  r int references r(id)\n}\n"
      "table r {\n  id int primary key\n}\n";
  const std::string distributed =
      "table t distributed by (id) {\n  id int primary key\n  r int references r(id)\n}\n"
      "table r reference {\n  id int primary key\n}\n";
  SECTION("local to distributed and reference") {
    Diagnostics diags;
    auto p = plan_of(local, distributed, diags);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    std::vector<std::string> seen;
    for (const auto& op : p.ops)
      if (op.change.kind == plan::ChangeKind::distribute_table)
        seen.push_back(op.change.subject.display() + ": " + op.change.detail + " | " + op.up + " | " + op.down);
    CHECK(seen == std::vector<std::string>{
                      "r: local -> reference | SELECT create_reference_table('public.r');\nSELECT "
                      "truncate_local_data_after_distributing_table('public.r'); | SELECT "
                      "undistribute_table('public.r');",
                      "t: local -> distributed by id | SELECT create_distributed_table('public.t', 'id', colocate_with "
                      "=> 'default');\nSELECT truncate_local_data_after_distributing_table('public.t'); | SELECT "
                      "undistribute_table('public.t');"});
    // The foreign key between them goes before and comes back after.
    auto up = plan::render_up(p, "test");
    CHECK(up.find("ALTER TABLE public.t DROP CONSTRAINT t_r_fkey") < up.find("create_reference_table"));
    CHECK(up.find("ADD CONSTRAINT t_r_fkey") > up.find("create_distributed_table"));
    auto down = plan::render_down(p, "test");
    CHECK(down.find("DROP CONSTRAINT t_r_fkey") < down.find("undistribute_table('public.t')"));
    CHECK(down.find("ADD CONSTRAINT t_r_fkey") > down.find("undistribute_table('public.r')"));
    // The plan says what it locks: every row moves.
    std::string locks;
    for (const auto& line : plan::lock_summary(p)) locks += line + "\n";
    CHECK(locks.find("rewrites") != std::string::npos);
  }
  SECTION("back to local") {
    Diagnostics diags;
    auto p = plan_of(distributed, local, diags);
    REQUIRE_FALSE(diags.has_errors());
    auto up = plan::render_up(p, "test"), down = plan::render_down(p, "test");
    CHECK(up.find("SELECT undistribute_table('public.t');") != std::string::npos);
    CHECK(down.find("SELECT create_distributed_table('public.t', 'id', colocate_with => 'default');") !=
          std::string::npos);
    CHECK(down.find("SELECT create_reference_table('public.r');") != std::string::npos);
  }
  SECTION("to another distribution column, and between distributed and reference") {
    Diagnostics diags;
    auto p =
        plan_of("table t distributed by (a) {\n  a int\n  b int\n}\ntable u reference {\n  a int\n}\n",
                "table t distributed by (b) {\n  a int\n  b int\n}\ntable u distributed by (a) {\n  a int\n}\n", diags);
    REQUIRE_FALSE(diags.has_errors());
    auto up = plan::render_up(p, "test"), down = plan::render_down(p, "test");
    CHECK(up.find("SELECT alter_distributed_table('public.t', distribution_column => 'b', colocate_with => "
                  "'default');") != std::string::npos);
    CHECK(down.find("SELECT alter_distributed_table('public.t', distribution_column => 'a', colocate_with => "
                    "'default');") != std::string::npos);
    CHECK(up.find("SELECT undistribute_table('public.u');\nSELECT create_distributed_table('public.u', 'a'") !=
          std::string::npos);
    CHECK(down.find("SELECT undistribute_table('public.u');\nSELECT create_reference_table('public.u');") !=
          std::string::npos);
  }
  SECTION("renaming the distribution column is a rename, not a redistribution") {
    Diagnostics diags;
    auto p = plan_of("table t distributed by (a) {\n  a int\n}\n", "table t distributed by (b) {\n  b int was a\n}\n",
                     diags);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    for (const auto& op : p.ops) CHECK(op.change.kind != plan::ChangeKind::distribute_table);
    CHECK(plan::render_up(p, "test").find("RENAME COLUMN a TO b") != std::string::npos);
  }
  SECTION("a dropped distributed table is kept local and comes back distributed, rows and all, in down") {
    Diagnostics diags;
    auto p = plan_of(std::string(tenants) +
                         "table t distributed by (a) colocate with tenants {\n  a uuid references "
                         "tenants(id)\n}\n",
                     std::string(tenants) + "drop table t\n", diags);
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    auto up = plan::render_up(p, "test"), down = plan::render_down(p, "test");
    auto local = up.find("PERFORM undistribute_table('public.t')"), kept = up.find("SELECT pg_temp.schemac_retain(");
    REQUIRE(local != std::string::npos);
    CHECK(local < kept);
    auto created = down.find("ALTER TABLE schemac_retained.pending_public_t_table SET SCHEMA public;"),
         distributed = down.find(
             "SELECT create_distributed_table('public.t', 'a', colocate_with => 'default');\n"
             "SELECT truncate_local_data_after_distributing_table('public.t');"),
         key = down.find("ADD CONSTRAINT t_a_fkey");
    REQUIRE(created != std::string::npos);
    REQUIRE(distributed != std::string::npos);
    REQUIRE(key != std::string::npos);
    CHECK(created < distributed);
    CHECK(distributed < key);
  }
  SECTION("a table with an identity column keeps its distribution") {
    Diagnostics diags;
    plan_of("table t {\n  id bigint identity primary key\n}\n",
            "table t distributed by (id) {\n  id bigint identity primary key\n}\n", diags);
    CHECK(diags.render().find("error: the distribution of t cannot change: Citus cannot undistribute or redistribute a "
                              "table with an identity column (id)") != std::string::npos);
  }
  SECTION("naming a table to colocate with changes nothing") {
    Diagnostics diags;
    auto p = plan_of(std::string(tenants) + "table t distributed by (a) {\n  a uuid\n}\n",
                     std::string(tenants) + "table t distributed by (a) colocate with tenants {\n  a uuid\n}\n", diags);
    CHECK(p.ops.empty());
  }
  SECTION("the distribution column's type cannot change, nor an identity column be added") {
    Diagnostics diags;
    plan_of("table t distributed by (a) {\n  a int\n}\n",
            "table t distributed by (a) {\n  a bigint\n  n bigint identity\n}\n", diags);
    auto text = diags.render();
    CHECK(text.find("error: the type of t.a cannot change: it is the distribution column") != std::string::npos);
    CHECK(text.find("error: identity column t.n cannot be added") != std::string::npos);
  }
}
