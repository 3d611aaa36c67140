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
  CHECK(indexes == std::vector<std::string>{"t_a_idx", "t_a_idx1", "t_lower_upper_b_idx"});
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

TEST_CASE("privileges on functions, schemas, views and materialized views") {
  const char* const base = R"(role anon
role authenticated
schema app
function app.f(a uuid, b int) returns int language sql as $$ select b $$
view v as $$ select 1 as x $$ {
  grant select to anon
  grant select to authenticated
}
materialized view m as $$ select 1 as x $$ {
  grant select to authenticated
}
)";
  SECTION("attached to the objects they name") {
    auto c = compile_text(std::string(base) +
                          "grant usage on schema app to anon\ngrant all on schema app to authenticated\n"
                          "revoke execute on function app.f(uuid, integer) from public, anon\n"
                          "grant execute on function app.f(uuid, int4) to authenticated\n");
    const auto& m = model_of(c);
    const auto& f = m.functions.at(0);
    REQUIRE(f.grants.size() == 1);
    CHECK(f.grants[0].role == "authenticated");
    CHECK(f.grants[0].privileges == std::vector<std::string>{"EXECUTE"});
    CHECK(f.revoked == std::vector<std::string>{"anon", "public"});
    const auto& s = m.schemas.at(0);
    REQUIRE(s.grants.size() == 2);
    CHECK(s.grants[0].privileges == std::vector<std::string>{"USAGE"});
    CHECK(s.grants[1].privileges == std::vector<std::string>{"ALL"});
    CHECK(m.views.at(0).grants.size() == 2);
    CHECK(m.materialized_views.at(0).grants.at(0).role == "authenticated");
  }
  struct Bad {
    std::string line, message;
  };
  for (const auto& [line, message] : std::vector<Bad>{
           {"grant execute on function app.g(uuid) to anon", "test.schema:12:27: error: unknown function 'app.g'"},
           {"grant execute on function app.f(uuid) to anon",
            "test.schema:12:27: error: no function 'app.f(uuid)': 'app.f' is declared as app.f(uuid, integer); name "
            "its parameter types as declared"},
           {"grant select on function app.f(uuid, int) to anon",
            "test.schema:12:1: error: privilege 'select' does not apply to a function"},
           {"grant usage on schema other to anon", "test.schema:12:23: error: schema 'other' is not declared"},
           {"grant execute on function app.f(uuid, int) to nobody", "test.schema:12:47: error: unknown role 'nobody'"},
           {"revoke execute on function app.f(uuid, int) from anon\ngrant execute on function app.f(uuid, int) to anon",
            "error: role 'anon' is both granted and revoked privileges on function 'app.f(uuid, integer)'"},
           {"grant execute on function app.f(uuid, int) from anon",
            "test.schema:12:44: error: expected 'to', found 'from'"},
       }) {
    auto c = compile_text(std::string(base) + line + "\n");
    INFO(line << "\n" << c.diagnostics);
    CHECK_FALSE(c.ok);
    CHECK(c.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("deferrable keys and references, NULLS NOT DISTINCT") {
  auto c = compile_text(R"(table p {
  id   int primary key
  a    int?
  b    int?
  unique nulls not distinct (a) deferrable initially deferred
  unique u_b nulls not distinct (b)
  unique nulls (a, b) deferrable
}
table c {
  id  int
  pid int references p(id) on delete cascade deferrable initially deferred
  q   int
  primary key (id) deferrable
  foreign key (q) references p(id) deferrable initially immediate
}
)");
  const auto& m = model_of(c);
  const auto& p = *m.find_table({"public", "p"});
  REQUIRE(p.constraints.size() == 4);
  CHECK(p.constraints[1].nulls_not_distinct);
  CHECK(p.constraints[1].deferrable);
  CHECK(p.constraints[1].initially_deferred);
  CHECK(p.constraints[2].name == "u_b");
  CHECK(p.constraints[2].nulls_not_distinct);
  CHECK_FALSE(p.constraints[2].deferrable);
  CHECK(p.constraints[3].name == "nulls");  // a constraint may be called nulls
  CHECK_FALSE(p.constraints[3].nulls_not_distinct);
  const auto& t = *m.find_table({"public", "c"});
  for (const auto& k : t.constraints) {
    CHECK(k.deferrable);
    CHECK(k.initially_deferred == (k.kind == model::ConstraintKind::foreign_key && k.columns[0] == "pid"));
  }

  auto to_deferrable = compile_text(
      "table p {\n  id int\n  primary key (id) deferrable\n}\n"
      "table c {\n  id int references p(id)\n}\n");
  CHECK_FALSE(to_deferrable.ok);
  CHECK(to_deferrable.diagnostics.find("test.schema:6:21: error: foreign key references 'p' (id), whose key is "
                                       "deferrable") != std::string::npos);
  auto no_key = compile_text("table p {\n  id int\n  x int\n}\ntable c {\n  id int references p(x)\n}\n");
  CHECK_FALSE(no_key.ok);
  CHECK(no_key.diagnostics.find("foreign key references 'p' (x), which is not its primary key or a unique key") !=
        std::string::npos);
}

TEST_CASE("unlogged tables") {
  auto c = compile_text("unlogged table cache {\n  k text primary key\n}\ntable t {\n  k text\n}\n");
  const auto& m = model_of(c);
  CHECK(m.find_table({"public", "cache"})->unlogged);
  CHECK_FALSE(m.find_table({"public", "t"})->unlogged);
  auto bad =
      compile_text("unlogged table cache {\n  k text primary key\n}\ntable t {\n  k text references cache(k)\n}\n");
  CHECK_FALSE(bad.ok);
  CHECK(bad.diagnostics.find("test.schema:5:21: error: table 't' is logged but references the unlogged table "
                             "'cache'") != std::string::npos);
}

TEST_CASE("index elements: operator classes and collations") {
  auto c = compile_text(R"(extension pg_trgm
table t {
  id    int primary key
  name  text
  title text
  index on (name gin_trgm_ops) using gin
  index t_title on (title collate "C" text_pattern_ops desc nulls last, (lower(name)) collate "POSIX")
}
)");
  const auto& t = model_of(c).tables.at(0);
  REQUIRE(t.indexes.size() == 2);
  CHECK(t.indexes[0].elements[0].opclass == "gin_trgm_ops");
  CHECK(t.indexes[0].method == "gin");
  const auto& e = t.indexes[1].elements;
  CHECK(e[0].collation == "C");
  CHECK(e[0].opclass == "text_pattern_ops");
  CHECK(e[0].order == "desc");
  CHECK(e[0].nulls == "last");
  CHECK(e[1].collation == "POSIX");
  CHECK(e[1].opclass.empty());

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"table t {\n  a text\n  index on (a gin_trgm_ops) using gin\n}\n",
            "test.schema:3:15: error: operator class 'gin_trgm_ops' comes with the extension pg_trgm: declare "
            "'extension pg_trgm'"},
           {"extension pg_trgm\ntable t {\n  a text\n  index on (a gin_trgm_ops)\n}\n",
            "test.schema:4:15: error: operator class 'gin_trgm_ops' is for gin indexes, not btree: add 'using gin'"},
           {"table t {\n  a text\n  index on (a text_pattern_opz)\n}\n",
            "test.schema:3:15: error: unknown operator class 'text_pattern_opz'"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("keys the compiler cannot see, operator classes it does not know, whole revokes") {
  // An extern table declares its columns only: a reference to it is taken on trust.
  auto ext =
      compile_text("extern table auth.users {\n  id uuid\n}\ntable t {\n  u uuid references auth.users(id)\n}\n");
  INFO(ext.diagnostics);
  CHECK(ext.ok);
  // An extension outside the operator class table may provide the class.
  auto vec = compile_text(
      "extension vector\ntable t {\n  id int primary key\n  e text\n"
      "  index on (e vector_cosine_ops) using hnsw\n}\n");
  INFO(vec.diagnostics);
  CHECK(vec.ok);
  auto gin = compile_text("extension pg_trgm\ntable t {\n  e text\n  index on (e gin_trgm_ops) using GIN\n}\n");
  INFO(gin.diagnostics);
  CHECK(gin.ok);
  auto partial = compile_text("role r\nschema s\nrevoke usage on schema s from r\n");
  CHECK_FALSE(partial.ok);
  CHECK(partial.diagnostics.find("a revoke takes all of a role's privileges on the schema: write 'revoke all'") !=
        std::string::npos);
}

TEST_CASE("the open type system: every builtin, extension and extern types, domains, composite types") {
  auto c = compile_text(R"(extension citext
extern type extensions.vector
domain email citext not null check email_format (value ~* '@') check (length(value) < 200) check (true)
type address {
  street text
  zip    varchar(10)
}
table t {
  a  bit varying(8)
  b  timestamp(3) with time zone
  c  time(2) without time zone
  d  char varying(20)
  e  tstzmultirange[]
  f  email
  g  address?
  h  vector
  i  money
  j  interval(6)
  k  pg_catalog.int4
}
)");
  const auto& m = model_of(c);
  std::vector<std::string> types;
  for (const auto& col : m.tables.at(0).columns) types.push_back(col.type.sql());
  CHECK(types == std::vector<std::string>{"bit varying(8)", "timestamp(3) with time zone", "time(2) without time zone",
                                          "character varying(20)", "tstzmultirange[]", "public.email", "public.address",
                                          "extensions.vector", "money", "interval(6)", "integer"});
  const auto& d = m.domains.at(0);
  CHECK(d.base.sql() == "citext");
  CHECK(d.base.kind == model::TypeKind::external);
  CHECK(d.not_null);
  REQUIRE(d.checks.size() == 3);
  // Unnamed checks take PostgreSQL's names, skipping the ones taken.
  CHECK(d.checks[0].name == "email_format");
  CHECK(d.checks[1].name == "email_check");
  CHECK(d.checks[2].name == "email_check1");
  CHECK(m.tables.at(0).columns[5].type.kind == model::TypeKind::domain);
  CHECK(m.tables.at(0).columns[6].type.kind == model::TypeKind::composite);

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"table t {\n  a varchar(0)\n}\n", "test.schema:2:5: error: the length of varchar must be at least 1"},
           {"table t {\n  a varchar(-3)\n}\n", "test.schema:2:5: error: the length of varchar must be at least 1"},
           {"table t {\n  a bit(10485761)\n}\n", "test.schema:2:5: error: the length of bit cannot exceed 10485760"},
           {"table t {\n  a timestamptz(7)\n}\n",
            "test.schema:2:5: error: the precision of timestamptz must be between 0 and 6"},
           {"table t {\n  a numeric(1001)\n}\n",
            "test.schema:2:5: error: the precision of numeric must be between 1 and 1000"},
           {"table t {\n  a numeric(10, 1001)\n}\n",
            "test.schema:2:5: error: the scale of numeric must be between -1000 and 1000"},
           {"table t {\n  a money(2)\n}\n", "test.schema:2:5: error: type 'money' takes no modifiers"},
           {"table t {\n  a citext\n}\n",
            "test.schema:2:5: error: type 'citext' comes with the extension citext: declare 'extension citext'"},
           {"table t {\n  a vectr\n}\n", "test.schema:2:5: error: unknown type 'vectr': not a PostgreSQL type"},
           {"extern type vector\nextern type app.vector\n",
            "test.schema:2:17: error: duplicate name 'vector': already declared as an extern type"},
           {"extern type text\n", "test.schema:1:13: error: 'text' is a PostgreSQL type: it needs no 'extern type'"},
           {"domain d d\n", "test.schema:1:10: error: domain 'd' cannot be over itself"},
           {"type a {\n  x a\n}\n", "test.schema:2:5: error: composite type 'a' cannot contain itself"},
           {"type a {\n  x int\n  x text\n}\n", "test.schema:3:3: error: duplicate field 'x' in type 'a'"},
           {"type a {\n}\n", "test.schema:1:6: error: composite type 'a' has no fields"},
           {"domain d int check c (value > 0) check c (value < 9)\n",
            "test.schema:1:40: error: domain 'd' has two checks named 'c'"},
           {"enum e { x }\ndomain e int\n", "test.schema:2:8: error: duplicate name 'e': already declared as an enum"},
           {"domain d int check (value >)\n", "test.schema:1:"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("sequences and serial columns") {
  auto c = compile_text(R"(role clerk
sequence order_no as integer increment 5 start 1000 cache 20 cycle owned by orders.no
sequence down_no increment -1
grant usage, select on sequence order_no to clerk
table orders {
  id bigserial primary key
  no int default nextval('order_no')
  s2 serial2
}
)");
  const auto& m = model_of(c);
  REQUIRE(m.sequences.size() == 2);
  const auto& s = m.sequences[1];  // sorted: down_no, order_no
  CHECK(s.name.name == "order_no");
  CHECK(s.type == "integer");
  CHECK(s.increment == 5);
  CHECK(s.start == 1000);
  CHECK(s.cycle);
  REQUIRE(s.owned_by);
  CHECK(s.owned_by->second == "no");
  REQUIRE(s.grants.size() == 1);
  CHECK(s.grants[0].privileges == std::vector<std::string>{"SELECT", "USAGE"});
  auto down = m.sequences[0].effective();  // a descending sequence counts down from -1
  CHECK(down.maxvalue == -1);
  CHECK(down.start == -1);
  const auto& t = m.tables.at(0);
  CHECK(t.columns[0].serial);
  CHECK(t.columns[0].type.sql() == "bigint");
  CHECK(t.columns[2].type.sql() == "smallint");

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"sequence s as text\n", "test.schema:1:15: error: a sequence is smallint, integer or bigint"},
           {"sequence s increment 0\n", "test.schema:1:1: error: a sequence's increment cannot be zero"},
           {"sequence s minvalue 5 maxvalue 5\n", "error: minvalue (5) must be less than maxvalue (5)"},
           {"sequence s start 0\n", "error: start value 0 is outside minvalue 1 and maxvalue"},
           {"sequence s as smallint maxvalue 40000\n",
            "error: minvalue and maxvalue must be within the range of smallint"},
           {"sequence s cache 0\n", "error: a sequence's cache must be at least 1"},
           {"sequence s start 99999999999999999999\n", "error: start 99999999999999999999 is out of range"},
           {"sequence s owned by t.c\n", "error: sequence 's' is owned by a column of 't', which is not a table"},
           {"sequence s owned by t.c\ntable t {\n  a int\n}\n", "error: unknown column 'c' in table 't'"},
           {"schema app\nsequence s owned by app.t.a\ntable app.t {\n  a int\n}\n",
            "error: a sequence must be in the schema of the table that owns it"},
           {"role r\ngrant usage on sequence nope to r\n", "error: unknown sequence 'nope'"},
           {"role r\nsequence s\nrevoke all on sequence s from r\n", "error: a sequence grants nothing"},
           {"role r\nsequence s\ngrant execute on sequence s to r\n",
            "error: privilege 'execute' does not apply to a sequence: a sequence takes usage, select, update or all"},
           {"table t {\n  a serial?\n}\n", "test.schema:2:3: error: a serial column cannot be nullable"},
           {"table t {\n  a serial default 1\n}\n", "error: a serial column's default is its sequence's next value"},
           {"table t {\n  a serial[]\n}\n", "error: 'serial' takes no modifiers and makes no array"},
           {"function f(a serial) returns int as $$ select 1 $$\n",
            "error: 'serial' makes a column with a sequence of its own: it is a column's type only"},
           {"sequence t\ntable t {\n  a int\n}\n", "error: duplicate name 't': already declared as a sequence"},
           {"table t {\n  a bigint default nextval('nope')\n}\n",
            "test.schema:2:20: error: unknown sequence 'nope': declare it with 'sequence nope'"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("exclusion constraints and index methods") {
  auto c = compile_text(R"(extension btree_gist
table t {
  id     int primary key
  room   int
  during tstzrange
  email  text?
  exclude using gist (room with =, during with &&)
  exclude using gist ((lower(email)) with =) where (id > 0) deferrable initially deferred
  unique index on (email) nulls not distinct
  index on ((lower(email)))
  index on ((id + 1))
  index on (room) using HASH
}
)");
  const auto& t = model_of(c).tables.at(0);
  REQUIRE(t.constraints.size() == 3);
  CHECK(t.constraints[1].name == "t_room_during_excl");
  CHECK(t.constraints[1].operators == std::vector<std::string>{"=", "&&"});
  CHECK(t.constraints[1].method == "gist");
  CHECK(t.constraints[2].name == "t_lower_excl");  // named as PostgreSQL names expression columns
  CHECK(t.constraints[2].initially_deferred);
  REQUIRE(t.indexes.size() == 4);
  CHECK(t.indexes[0].nulls_not_distinct);
  CHECK(t.indexes[1].name == "t_lower_idx");
  CHECK(t.indexes[2].name == "t_expr_idx");
  CHECK(t.indexes[3].method == "hash");

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"table t {\n  a int\n  index on (a) using bitmap\n}\n",
            "test.schema:3:3: error: unknown index method 'bitmap': PostgreSQL has btree, hash, gist, spgist, gin and "
            "brin"},
           {"table t {\n  a int\n  unique index on (a) using hash\n}\n",
            "error: only btree indexes can be unique (this one uses hash)"},
           {"table t {\n  a int\n  index on (a) nulls not distinct\n}\n",
            "error: 'nulls not distinct' is for a unique index: write 'unique index'"},
           {"table t {\n  a int\n  exclude using gist (b with =)\n}\n", "error: unknown column 'b'"},
           {"table t {\n  a int\n  index on (a) using bloom\n}\n",
            "error: index method 'bloom' comes with the extension bloom"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("transition tables and constraint triggers") {
  const std::string fn = "function f() returns trigger language plpgsql as $$ begin return null; end $$\n";
  auto c = compile_text(fn + R"(table t {
  a int
  trigger x after update referencing old table as o new table as n for each statement execute f()
  constraint trigger y after delete deferrable initially deferred execute f()
}
)");
  const auto& t = model_of(c).tables.at(0);
  REQUIRE(t.triggers.size() == 2);
  CHECK(t.triggers[0].old_table == "o");
  CHECK(t.triggers[0].new_table == "n");
  CHECK_FALSE(t.triggers[0].for_each_row);
  CHECK(t.triggers[1].constraint);
  CHECK(t.triggers[1].for_each_row);  // a constraint trigger is a row trigger
  CHECK(t.triggers[1].initially_deferred);

  struct Bad {
    std::string members, message;
  };
  for (const auto& [members, message] : std::vector<Bad>{
           {"constraint trigger y before insert execute f()", "error: a constraint trigger fires 'after'"},
           {"constraint trigger y after insert for each statement execute f()",
            "error: a constraint trigger fires 'for each row'"},
           {"trigger y after insert deferrable execute f()",
            "error: only a constraint trigger can be deferred: write 'constraint trigger'"},
           {"trigger y before insert referencing new table as n execute f()",
            "error: transition tables ('referencing') are for 'after' triggers"},
           {"trigger y after insert referencing old table as o execute f()",
            "error: 'old table' is for a trigger that fires on update or delete"},
           {"trigger y after delete referencing new table as n execute f()",
            "error: 'new table' is for a trigger that fires on insert or update"},
           {"trigger y after update of a referencing new table as n execute f()",
            "error: a trigger with transition tables cannot name the columns of an update"},
           {"trigger y after insert or update referencing new table as n execute f()",
            "error: a trigger with transition tables fires on one event"},
       }) {
    auto bad = compile_text(fn + "table t {\n  a int\n  " + members + "\n}\n");
    INFO(members << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("procedures and function options") {
  auto c = compile_text(R"(table t {
  id int primary key
}
procedure p(n int default 3) language sql as $$ delete from t where id < n $$
function f(n int) returns setof t language sql stable parallel restricted cost 4.5 rows 20 as $$ select * from t $$
function g() returns int language sql leakproof parallel unsafe as $$ select 1 $$
)");
  const auto& m = model_of(c);
  REQUIRE(m.functions.size() == 3);
  CHECK(m.functions[0].name.name == "f");
  CHECK(m.functions[0].returns == "SETOF public.t");
  CHECK(m.functions[0].parallel == "restricted");
  CHECK(m.functions[0].cost == 4.5);
  CHECK(m.functions[0].rows == 20);
  CHECK(m.functions[1].leakproof);
  CHECK(m.functions[1].parallel.empty());  // unsafe is the default
  CHECK(m.functions[2].procedure);

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"procedure p() language sql stable as $$ select 1 $$\n",
            "error: a procedure takes language, security and search_path"},
           {"function f() returns int language sql rows 5 as $$ select 1 $$\n",
            "error: 'rows' estimates the rows of a function that returns a set"},
           {"function f() returns int language sql cost 0 as $$ select 1 $$\n", "error: cost must be positive"},
           {"function f() returns int language sql parallel maybe as $$ select 1 $$\n",
            "error: expected 'safe', 'restricted' or 'unsafe'"},
           {"role r\nprocedure p() language sql as $$ select 1 $$\ngrant execute on function p() to r\n",
            "error: 'p' is a procedure: write 'on procedure p(...)'"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("overloaded functions are distinct objects, identified by their parameter types") {
  auto c = compile_text(R"(role authenticated
function area(r float8) returns float8 language sql as $$ select pi() * r * r $$
function area(w int, h int) returns int language sql as $$ select w * h $$
procedure area(label text) language sql as $$ select 1 $$
function touch() returns trigger language plpgsql as $$ begin return new; end $$
function touch(x int) returns int language sql as $$ select x $$
revoke execute on function area(int4, integer) from public
grant execute on function area(integer, integer) to authenticated
table t {
  id int primary key
  trigger t_touch before update for each row execute touch()
}
)");
  const auto& m = model_of(c);
  REQUIRE(m.functions.size() == 5);
  // Sorted by name, then by parameter types.
  CHECK(m.functions[0].id() == model::FunctionId{{"public", "area"}, "double precision"});
  CHECK(m.functions[1].id() == model::FunctionId{{"public", "area"}, "integer, integer"});
  CHECK(m.functions[2].id() == model::FunctionId{{"public", "area"}, "text"});
  CHECK(m.functions[2].procedure);
  CHECK(m.functions[0].grants.empty());
  CHECK(m.functions[0].revoked.empty());
  CHECK(m.functions[1].grants.at(0).role == "authenticated");
  CHECK(m.functions[1].revoked == std::vector<std::string>{"public"});
  CHECK(m.overloads({"public", "touch"}).size() == 2);
  CHECK(m.find_function({{"public", "touch"}, ""})->returns_trigger);

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"function f(a int) returns int language sql as $$ select 1 $$\n"
            "function f(b int4) returns int language sql as $$ select 2 $$\n",
            "test.schema:2:10: error: duplicate name 'f(integer)': already declared as a function"},
           {"function f(a int) returns int language sql as $$ select 1 $$\n"
            "procedure f(b integer) language sql as $$ select 2 $$\n",
            "test.schema:2:11: error: duplicate name 'f(integer)': already declared as a function"},
           // PostgreSQL ignores a parameter's modifiers: one function.
           {"function f(a varchar(10)) returns int language sql as $$ select 1 $$\n"
            "function f(b varchar(80)) returns int language sql as $$ select 2 $$\n",
            "test.schema:2:10: error: duplicate name 'f(character varying)': already declared as a function"},
           {"function f(a int) returns trigger language plpgsql as $$ begin return new; end $$\n"
            "table t {\n  id int\n  trigger t_f before insert for each row execute f()\n}\n",
            "error: function 'f' takes (integer): a trigger calls a function without parameters"},
           {"role r\nfunction f(a int) returns int language sql as $$ select 1 $$\n"
            "function f(a text) returns int language sql as $$ select 1 $$\n"
            "grant execute on function f(bigint) to r\n",
            "error: no function 'f(bigint)': 'f' is declared as f(integer), f(text)"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("default privileges hold for the declared objects they cover") {
  auto c = compile_text(R"(role reader
schema app
default privileges in schema app grant select on tables to reader
default privileges revoke execute on functions from public
default privileges grant usage on sequences to reader
table app.t {
  id int primary key
  grant insert to reader
}
table u {
  id int primary key
}
sequence s
function f() returns int language sql as $$ select 1 $$
)");
  const auto& m = model_of(c);
  REQUIRE(m.default_privileges.size() == 3);
  const auto* t = m.find_table({"app", "t"});
  REQUIRE(t->grants.size() == 1);
  CHECK(t->grants[0].privileges == std::vector<std::string>{"SELECT", "INSERT"});
  CHECK(m.find_table({"public", "u"})->grants.empty());  // another schema
  CHECK(m.sequences.at(0).grants.at(0).privileges == std::vector<std::string>{"USAGE"});
  CHECK(m.functions.at(0).revoked == std::vector<std::string>{"public"});

  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"role r\ndefault privileges in schema public revoke execute on functions from public\n",
            "error: default privileges in a schema only add to the global ones"},
           {"role r\ndefault privileges revoke select on tables from r\n",
            "error: a default revoke takes back what PostgreSQL gives every role by default"},
           {"role r\ndefault privileges grant execute on tables to r\n",
            "error: privilege 'execute' does not apply to tables"},
           {"default privileges grant select on tables to nobody\n", "error: unknown role 'nobody'"},
           {"role r\ndefault privileges in schema app grant select on tables to r\n",
            "error: schema 'app' is not declared"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("partitioned tables and partitions") {
  auto c = compile_text(R"(table events partition by range (created_at) {
  id         bigint
  created_at timestamptz
  primary key (id, created_at)
}
partition events_2025 of events for values from ('2025-01-01') to ('2026-01-01')
partition events_other of events default
)");
  const auto& m = model_of(c);
  REQUIRE(m.tables.at(0).partition_by);
  CHECK(m.tables.at(0).partition_by->method == "range");
  REQUIRE(m.partitions.size() == 2);
  CHECK(m.partitions[0].bound_sql() == "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
  CHECK(m.partitions[1].bound_sql() == "DEFAULT");

  const std::string table = "table t partition by list (k) {\n  k text\n  v int\n}\n";
  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {table + "partition p of t for values from ('a') to ('b')\n",
            "error: table 't' is partitioned by list: a partition takes 'for values in (..)' or 'default'"},
           {"table t {\n  k text\n}\npartition p of t default\n",
            "error: table 't' is not partitioned: declare it 'partition by range|list|hash (...)'"},
           {table + "partition p of u default\n", "error: 'u' is not a table of the schema"},
           {table + "partition p of t default\npartition q of t default\n",
            "error: table 't' has more than one default partition"},
           {"table t partition by range (k) {\n  k int\n  v int\n  primary key (v)\n}\n",
            "error: a primary or unique key of the partitioned table 't' must include its partition key column 'k'"},
           {"table t partition by hash (nope) {\n  k int\n}\n",
            "error: table 't' is partitioned by 'nope', which is not one of its columns"},
           {"unlogged table t partition by hash (k) {\n  k int\n}\n", "error: a partitioned table cannot be unlogged"},
           {"table t partition by range (k) {\n  k int\n}\npartition p of t for values from ('abc') to (10)\n",
            "error: a partition bound of the wrong type: 'abc' for column 'k' (integer)"},
           {"table t partition by range (k) {\n  k int\n}\npartition p of t for values from (1, 2) to (3)\n",
            "error: the partition key of 't' has 1 column(s): a bound gives 1 value(s), not 2"},
           {"table t partition by list (k) {\n  k date\n}\npartition p of t for values in (5)\n",
            "error: a partition bound of the wrong type: a number for column 'k' (date)"},
           {"table t partition by hash (k) {\n  k int\n}\npartition a of t for values with (modulus 2, remainder 0)\n"
            "partition b of t for values with (modulus 3, remainder 1)\n",
            "error: hash partitions of 't': modulus 3 is not a multiple of modulus 2 (of a)"},
           {"table t partition by hash (k) {\n  k int\n}\npartition a of t for values with (modulus 2, remainder 0)\n"
            "partition b of t for values with (modulus 4, remainder 2)\n",
            "error: hash partition b takes rows partition a already takes"},
           {"table t partition by range (g) {\n  k int\n  g int generated (k + 1)\n}\n",
            "error: table 't' cannot be partitioned by the generated column 'g'"},
           {"table t partition by list (k) {\n  k int\n  v int\n  unique index on (v)\n}\n",
            "error: a unique index of the partitioned table 't' must include its partition key column 'k'"},
           {"extension btree_gist\ntable t partition by list (k) {\n  k int\n  exclude using gist (k with =)\n}\n",
            "error: PostgreSQL 15 cannot enforce an exclusion constraint on the partitioned table 't'"},
           {"table t partition by hash (k) {\n  k int\n}\npartition p of t for values with (modulus 2, remainder 2)\n",
            "error: a hash partition's modulus is positive and its remainder less than the modulus"},
           // A zero modulus next to another hash partition (found by the fuzzer: it divided by it).
           {"table t partition by hash (k) {\n  k int\n}\npartition a of t for values with (modulus 0, remainder 0)\n"
            "partition b of t for values with (modulus 2, remainder 1)\n",
            "error: a hash partition's modulus is positive and its remainder less than the modulus"},
           {"table t partition by hash (k) {\n  k int\n}\npartition p of t default\n",
            "error: table 't' is partitioned by hash: a partition takes 'for values with (modulus N, remainder M)'"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
}

TEST_CASE("what PostgreSQL would refuse at apply is refused at compile time") {
  struct Bad {
    std::string schema, message;
  };
  for (const auto& [schema, message] : std::vector<Bad>{
           {"table t {\n  id int primary key\n  tags int[]\n  exclude using gin (tags with &&)\n}\n",
            "error: a gin index cannot enforce an exclusion constraint"},
           {"function ok(v int) returns boolean language sql immutable as $$ select v > 0 $$\n"
            "domain d int check (ok(value))\n",
            "error: a domain's default or check cannot call the schema's function 'ok'"},
           {"sequence s\ndomain d bigint default nextval('s')\n",
            "error: a domain's default cannot take values from a sequence"},
           {"table t {\n  id int primary key\n}\ntype p {\n  x t\n}\n",
            "error: the row type of table 't' may type a function's parameters and result only"},
           {"domain a b\ndomain b a\n", "is made of itself through other domains or composite types"},
           {"sequence t_id_seq\ntable t {\n  id serial primary key\n}\n",
            "error: the sequence of t.id would be named 't_id_seq1': 't_id_seq' is taken by another relation"},
       }) {
    auto bad = compile_text(schema);
    INFO(schema << "\n" << bad.diagnostics);
    CHECK_FALSE(bad.ok);
    CHECK(bad.diagnostics.find(message) != std::string::npos);
  }
  // Still columns, and still a declaration after a domain.
  for (const char* good :
       {"table t {\n  exclude boolean\n  constraint text\n}\n", "table t {\n  exclude varchar(10)\n}\n",
        "role r\ndomain email text\ndefault privileges grant select on tables to r\n",
        "function f(n int) returns int language sql cost 0.00001 as $$ select n $$\n"}) {
    auto c = compile_text(good);
    INFO(good << "\n" << c.diagnostics);
    CHECK(c.ok);
  }
}
