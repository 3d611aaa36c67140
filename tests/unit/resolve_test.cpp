// The resolved model: types, default names, grants, archives.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace schemac;
using schemac::test::compile_text;

namespace {
const model::Schema& model_of(const test::Compiled& c) {
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}
}  // namespace

TEST_CASE("types resolve to the names format_type() prints") {
  auto c = compile_text(
      "enum mood { happy }\ntable t {\n a int\n b varchar(80)\n c numeric(12,4)\n d timestamptz\n e bool\n f mood[]\n"
      " g double precision\n h timestamp\n i char(3)\n j decimal\n k int8\n}");
  const auto& t = model_of(c).tables.at(0);
  std::vector<std::string> types;
  for (const auto& col : t.columns) types.push_back(col.type.sql());
  CHECK(types == std::vector<std::string>{"integer", "character varying(80)", "numeric(12,4)",
                                          "timestamp with time zone", "boolean", "public.mood[]", "double precision",
                                          "timestamp without time zone", "character(3)", "numeric", "bigint"});
}

TEST_CASE("unnamed constraints and indexes get PostgreSQL's default names") {
  auto c = compile_text(R"(table t {
  id int primary key
  a int unique
  b int check (b > 0)
  c int references t(id)
  d int
  e int
  check (d > 0 and e > 0)
  check (true)
  unique (d, e)
  index on (a)
  index on (a)
  index on ((lower(d::text)), (upper(e::text))) include (b)
  foreign key (d, e) references u(x, y)
}
table u { x int
  y int
  primary key (x, y) }
)");
  const auto& t = model_of(c).tables.at(0);
  std::vector<std::string> constraints;
  for (const auto& k : t.constraints) constraints.push_back(k.name);
  CHECK(constraints == std::vector<std::string>{"t_pkey", "t_a_key", "t_b_check", "t_c_fkey", "t_check", "t_check1",
                                                "t_d_e_key", "t_d_e_fkey"});
  std::vector<std::string> indexes;
  for (const auto& ix : t.indexes) indexes.push_back(ix.name);
  CHECK(indexes == std::vector<std::string>{"t_a_idx", "t_a_idx1", "t_expr_expr1_b_idx"});
  CHECK(model_of(c).tables.at(1).constraints.at(0).name == "u_pkey");
}

TEST_CASE("a foreign key without columns references the primary key") {
  auto c = compile_text("table u { id uuid primary key }\ntable t { u uuid references u }");
  CHECK(model_of(c).find_table({"public", "t"})->constraints.at(0).ref_columns == std::vector<std::string>{"id"});
}

TEST_CASE("grants merge per role in PostgreSQL's privilege order") {
  auto c = compile_text(
      "role a\nrole b\ntable t {\n x int\n grant delete, select to b, a\n grant insert to a\n grant all to b\n}");
  const auto& g = model_of(c).tables.at(0).grants;
  REQUIRE(g.size() == 2);
  CHECK(g[0].role == "a");
  CHECK(g[0].privileges == std::vector<std::string>{"SELECT", "INSERT", "DELETE"});
  CHECK(g[1].privileges == std::vector<std::string>{"ALL"});
}

TEST_CASE("an archived table keeps its block and is known by its new name") {
  auto c = compile_text(
      "table quests { id int primary key }\narchive table quests as quests_old\n"
      "table done { q int references quests_old(id) }");
  const auto& m = model_of(c);
  const auto* t = m.find_table({"public", "quests"});
  REQUIRE(t);
  CHECK(t->archived_as == std::optional<std::string>("quests_old"));
  CHECK(t->live_name().name == "quests_old");
}

TEST_CASE("objects are sorted by name whatever file declared them") {
  auto a = test::compile_files({{"1.schema", "table b { x int }"}, {"2.schema", "table a { x int }"}});
  auto b = test::compile_files({{"1.schema", "table a { x int }\ntable b { x int }"}});
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(a.loaded.model == b.loaded.model);
  CHECK(a.loaded.model.tables.at(0).name.name == "a");
}
