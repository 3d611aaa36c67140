// The parser, construct by construct: what each piece of syntax becomes in the AST.
#include <catch2/catch.hpp>

#include "syntax/grammar.hpp"

using namespace schemac;

namespace {

ast::File parse_ok(const std::string& text) {
  ast::File f;
  auto errors = syntax::parse_declarations(text, f);
  INFO(text);
  for (const auto& e : errors) INFO("error at " << e.offset << ": " << e.message);
  REQUIRE(errors.empty());
  return f;
}

template <typename T>
T only(const ast::File& f) {
  REQUIRE(f.declarations.size() == 1);
  REQUIRE(std::holds_alternative<T>(f.declarations[0]));
  return std::get<T>(f.declarations[0]);
}

template <typename T>
const T& member(const ast::Table& t, std::size_t i) {
  REQUIRE(t.members.size() > i);
  REQUIRE(std::holds_alternative<T>(t.members[i]));
  return std::get<T>(t.members[i]);
}

}  // namespace

TEST_CASE("simple declarations: extension, schema, role") {
  auto f = parse_ok("extension pgcrypto\nschema app\nrole authenticated\n");
  REQUIRE(f.declarations.size() == 3);
  CHECK(std::get<ast::Extension>(f.declarations[0]).name.text == "pgcrypto");
  CHECK(std::get<ast::SchemaDecl>(f.declarations[1]).name.text == "app");
  CHECK(std::get<ast::Role>(f.declarations[2]).name.text == "authenticated");
}

TEST_CASE("enum with identifiers, strings, trailing comma and doc comments") {
  auto e = only<ast::Enum>(parse_ok("enum app.status {\n  /// doc\n  active, 'on hold', 'it''s',\n}"));
  CHECK(e.name.schema->text == "app");
  CHECK(e.name.name.text == "status");
  REQUIRE(e.values.size() == 3);
  CHECK(e.values[0].text == "active");
  CHECK(e.values[0].doc == ast::Doc{"doc"});
  CHECK(e.values[1].text == "on hold");
  CHECK(e.values[1].quoted);
  CHECK(e.values[2].text == "it's");
}

TEST_CASE("extern table and extern function") {
  auto f = parse_ok(
      "extern table auth.users { id uuid primary key\n email text? }\n"
      "extern function auth.uid() returns uuid\n");
  auto& t = std::get<ast::ExternTable>(f.declarations[0]);
  CHECK(t.name.schema->text == "auth");
  REQUIRE(t.columns.size() == 2);
  CHECK(t.columns[0].primary_key);
  CHECK(t.columns[1].nullable);
  auto& fn = std::get<ast::Function>(f.declarations[1]);
  CHECK(fn.is_extern);
  CHECK(fn.name.name.text == "uid");
  CHECK(!fn.body);
}

TEST_CASE("table header: row type and rename hint") {
  auto t = only<ast::Table>(parse_ok("table app.conversations as Conversation was chats { id uuid }"));
  CHECK(t.name.schema->text == "app");
  CHECK(t.row_type->text == "Conversation");
  CHECK(t.was->name.text == "chats");
}

TEST_CASE("every column attribute") {
  auto t = only<ast::Table>(parse_ok(R"(table t {
  id uuid primary key default gen_random_uuid()
  tenant_id uuid references tenants(id) on delete cascade on update set null
  title text?
  slug varchar(80) unique
  rating int? check (rating in (-1, 1))
  cost numeric(12,4) default 0
  tags text[] default '{}'
  meta jsonb default '{}'::jsonb
  total int generated (a + b)
  seq bigint identity
  email text was mail
  at timestamptz default current_timestamp
  ttl interval default interval '1 day'
  ratio double precision default -1.5
})"));
  auto& id = member<ast::Column>(t, 0);
  CHECK(id.name.text == "id");
  CHECK(id.type.name.name.text == "uuid");
  CHECK(id.primary_key);
  CHECK(id.default_value->text == "gen_random_uuid()");
  CHECK(!id.nullable);
  auto& tenant = member<ast::Column>(t, 1);
  CHECK(tenant.references->table.name.text == "tenants");
  CHECK(tenant.references->columns[0].text == "id");
  CHECK(tenant.references->on_delete == "cascade");
  CHECK(tenant.references->on_update == "set null");
  CHECK(member<ast::Column>(t, 2).nullable);
  auto& slug = member<ast::Column>(t, 3);
  CHECK(slug.unique);
  CHECK(slug.type.modifiers == std::vector<std::string>{"80"});
  auto& rating = member<ast::Column>(t, 4);
  CHECK(rating.nullable);
  CHECK(rating.check->text == "rating in (-1, 1)");
  CHECK(member<ast::Column>(t, 5).type.modifiers == std::vector<std::string>{"12", "4"});
  auto& tags = member<ast::Column>(t, 6);
  CHECK(tags.type.array_dims == 1);
  CHECK(tags.default_value->text == "'{}'");
  CHECK(member<ast::Column>(t, 7).default_value->text == "'{}'::jsonb");
  CHECK(member<ast::Column>(t, 8).generated->text == "a + b");
  CHECK(member<ast::Column>(t, 9).identity);
  CHECK(member<ast::Column>(t, 10).was->text == "mail");
  CHECK(member<ast::Column>(t, 11).default_value->text == "current_timestamp");
  CHECK(member<ast::Column>(t, 12).default_value->text == "interval '1 day'");
  auto& ratio = member<ast::Column>(t, 13);
  CHECK(ratio.type.name.name.text == "double precision");
  CHECK(ratio.default_value->text == "-1.5");
}

TEST_CASE("table constraints: composite keys, named constraints, foreign keys") {
  auto t = only<ast::Table>(parse_ok(R"(table t {
  a int
  b int
  primary key (a, b)
  unique (a)
  unique t_b_named (b)
  check (a > 0)
  check positive_b (b > 0)
  foreign key (a, b) references other(x, y) on delete restrict
  foreign key fk_named (b) references other on update cascade
})"));
  CHECK(member<ast::PrimaryKey>(t, 2).columns.size() == 2);
  CHECK(!member<ast::UniqueConstraint>(t, 3).name);
  CHECK(member<ast::UniqueConstraint>(t, 4).name->text == "t_b_named");
  CHECK(member<ast::CheckConstraint>(t, 5).expression.text == "a > 0");
  CHECK(member<ast::CheckConstraint>(t, 6).name->text == "positive_b");
  auto& fk = member<ast::ForeignKey>(t, 7);
  CHECK(fk.columns.size() == 2);
  CHECK(fk.references.columns.size() == 2);
  CHECK(fk.references.on_delete == "restrict");
  auto& fk2 = member<ast::ForeignKey>(t, 8);
  CHECK(fk2.name->text == "fk_named");
  CHECK(fk2.references.columns.empty());
  CHECK(fk2.references.on_update == "cascade");
}

TEST_CASE("column attributes that are member keywords belong to the column only on its line") {
  auto t =
      only<ast::Table>(parse_ok("table t {\n  a int unique\n  b int\n  unique (a, b)\n  c int check (c > 0)\n"
                                "  check (a < c)\n}"));
  CHECK(member<ast::Column>(t, 0).unique);
  CHECK(!member<ast::Column>(t, 1).unique);
  CHECK(member<ast::UniqueConstraint>(t, 2).columns.size() == 2);
  CHECK(member<ast::Column>(t, 3).check->text == "c > 0");
  CHECK(member<ast::CheckConstraint>(t, 4).expression.text == "a < c");
}

TEST_CASE("a column is one line: words that are attributes elsewhere name columns on the next line") {
  auto t = only<ast::Table>(
      parse_ok("table t {\n  a int\n  was text\n  default int\n  identity bigint\n  "
               "generated bool\n  references text\n  b int references u(x)\n      on delete cascade\n}"));
  REQUIRE(t.members.size() == 7);
  CHECK(!member<ast::Column>(t, 0).was);
  CHECK(member<ast::Column>(t, 1).name.text == "was");
  CHECK(member<ast::Column>(t, 2).name.text == "default");
  CHECK(member<ast::Column>(t, 3).name.text == "identity");
  CHECK(member<ast::Column>(t, 4).name.text == "generated");
  CHECK(member<ast::Column>(t, 5).name.text == "references");
  CHECK(member<ast::Column>(t, 6).references->on_delete == "cascade");  // a reference's actions may wrap
}

TEST_CASE("indexes: expressions, order, method, include, where, unique") {
  auto t = only<ast::Table>(parse_ok(R"(table t {
  index on (tenant_id, updated_at desc nulls last, (lower(title))) using btree include (title) where (not is_archived)
  unique index t_slug on (slug)
  index gin_meta on (meta) using gin
})"));
  auto& ix = member<ast::Index>(t, 0);
  CHECK(!ix.unique);
  CHECK(!ix.name);
  REQUIRE(ix.elements.size() == 3);
  CHECK(ix.elements[0].column->text == "tenant_id");
  CHECK(ix.elements[1].order == "desc");
  CHECK(ix.elements[1].nulls == "last");
  CHECK(ix.elements[2].expression->text == "lower(title)");
  CHECK(ix.method == "btree");
  CHECK(ix.include[0].text == "title");
  CHECK(ix.where->text == "not is_archived");
  auto& u = member<ast::Index>(t, 1);
  CHECK(u.unique);
  CHECK(u.name->text == "t_slug");
  CHECK(member<ast::Index>(t, 2).method == "gin");
}

TEST_CASE("row level security, policies with every option") {
  auto t = only<ast::Table>(parse_ok(R"(table t {
  row level security force
  policy p1 for all to authenticated, anon using (a = 1) with check (a = 2)
  policy p2 restrictive for select using (true)
  policy p3 permissive for insert with check (b)
  policy p4 for update to service_role using (x) with check (y)
  policy p5 for delete using (z)
})"));
  CHECK(member<ast::RowLevelSecurity>(t, 0).force);
  auto& p1 = member<ast::Policy>(t, 1);
  CHECK(p1.command == "all");
  CHECK(p1.roles.size() == 2);
  CHECK(p1.using_expr->text == "a = 1");
  CHECK(p1.check_expr->text == "a = 2");
  CHECK(member<ast::Policy>(t, 2).mode == "restrictive");
  CHECK(member<ast::Policy>(t, 3).mode == "permissive");
  CHECK(member<ast::Policy>(t, 3).command == "insert");
  CHECK(member<ast::Policy>(t, 4).command == "update");
  CHECK(member<ast::Policy>(t, 5).command == "delete");
  CHECK(!only<ast::Table>(parse_ok("table t { row level security }")).members.empty());
}

TEST_CASE("triggers: every event form, level, when, arguments") {
  auto t = only<ast::Table>(parse_ok(R"(table t {
  trigger a before insert or update of x, y or delete for each row when (new.x <> old.x) execute f('arg', 42)
  trigger b after truncate for each statement execute app.g()
  trigger c instead of update execute h()
})"));
  auto& a = member<ast::Trigger>(t, 0);
  CHECK(a.timing == "before");
  REQUIRE(a.events.size() == 3);
  CHECK(a.events[1].kind == "update");
  CHECK(a.events[1].columns.size() == 2);
  CHECK(a.events[2].kind == "delete");
  CHECK(a.level == "row");
  CHECK(a.when->text == "new.x <> old.x");
  CHECK(a.arguments.size() == 2);
  CHECK(a.arguments[0].text == "'arg'");
  CHECK(a.arguments[1].text == "42");
  auto& b = member<ast::Trigger>(t, 1);
  CHECK(b.events[0].kind == "truncate");
  CHECK(b.level == "statement");
  CHECK(b.function.schema->text == "app");
  CHECK(member<ast::Trigger>(t, 2).timing == "instead of");
}

TEST_CASE("grants and drop column") {
  auto t =
      only<ast::Table>(parse_ok("table t {\n grant select, insert, update, delete to a, b\n grant all to c\n"
                                " drop column legacy\n}"));
  auto& g = member<ast::Grant>(t, 0);
  CHECK(g.privileges == std::vector<std::string>{"select", "insert", "update", "delete"});
  CHECK(g.roles.size() == 2);
  CHECK(member<ast::Grant>(t, 1).privileges == std::vector<std::string>{"all"});
  CHECK(member<ast::DropColumn>(t, 2).name.text == "legacy");
}

TEST_CASE("views, with security_invoker, and materialized views with indexes") {
  auto f = parse_ok(
      "view v with (security_invoker) as $$ select 1 $$\n"
      "materialized view m as $q$ select 'a$$b' as x $q$ {\n  unique index on (x)\n  index m_x on ((x || 'y'))\n}");
  auto& v = std::get<ast::View>(f.declarations[0]);
  CHECK(v.security_invoker);
  CHECK(v.query.text == " select 1 ");
  auto& m = std::get<ast::MaterializedView>(f.declarations[1]);
  CHECK(m.query.tag == "q");
  CHECK(m.query.text == " select 'a$$b' as x ");
  REQUIRE(m.indexes.size() == 2);
  CHECK(m.indexes[0].unique);
  CHECK(m.indexes[1].elements[0].expression->text == "x || 'y'");
}

TEST_CASE("functions with every option") {
  auto f = parse_ok(
      "function f(p_a uuid, p_b int default 0) returns setof text language plpgsql stable strict "
      "security definer set search_path = public, extensions as $body$ begin end $body$\n"
      "function g() returns table (id uuid, n bigint) language sql immutable security invoker as $$ select 1 $$\n"
      "function h() returns trigger language plpgsql volatile set search_path to app as $$ begin return new; end $$");
  auto& a = std::get<ast::Function>(f.declarations[0]);
  CHECK(a.parameters.size() == 2);
  CHECK(a.parameters[1].default_value->text == "0");
  CHECK(a.returns_setof);
  CHECK(a.returns->name.name.text == "text");
  CHECK(a.language == "plpgsql");
  CHECK(a.volatility == "stable");
  CHECK(a.strict);
  CHECK(a.security == "definer");
  CHECK(a.search_path.size() == 2);
  CHECK(a.body->tag == "body");
  auto& g = std::get<ast::Function>(f.declarations[1]);
  CHECK(g.returns_table.size() == 2);
  CHECK(g.volatility == "immutable");
  CHECK(g.security == "invoker");
  auto& h = std::get<ast::Function>(f.declarations[2]);
  CHECK(h.returns->name.name.text == "trigger");
  CHECK(h.search_path[0].text == "app");
}

TEST_CASE("archive, drop table, data steps") {
  auto f = parse_ok(
      "archive table quest_tasks as quest_tasks_archived\ndrop table old_stuff\n"
      "data backfill { up $$ update t set x = 1 $$ down $$ update t set x = 0 $$ }\n"
      "data once { up $$ select 1 $$ }");
  auto& a = std::get<ast::Archive>(f.declarations[0]);
  CHECK(a.old_name.name.text == "quest_tasks");
  CHECK(a.new_name.text == "quest_tasks_archived");
  CHECK(std::get<ast::DropTable>(f.declarations[1]).name.name.text == "old_stuff");
  auto& d = std::get<ast::DataStep>(f.declarations[2]);
  CHECK(d.up.text == " update t set x = 1 ");
  CHECK(d.down->text == " update t set x = 0 ");
  CHECK(!std::get<ast::DataStep>(f.declarations[3]).down);
}

TEST_CASE("doc comments attach to declarations, columns and members; ordinary comments are skipped") {
  auto t =
      only<ast::Table>(parse_ok("// ordinary\n/// Table doc.\n///   indented\n/* block */ table t {\n"
                                "  /// Column doc.\n  a int // trailing\n  /// Index doc.\n  index on (a)\n}"));
  CHECK(t.doc == ast::Doc{"Table doc.", "  indented"});
  CHECK(member<ast::Column>(t, 0).doc == ast::Doc{"Column doc."});
  CHECK(member<ast::Index>(t, 1).doc == ast::Doc{"Index doc."});
}

TEST_CASE("quoted and contextual identifiers") {
  auto t = only<ast::Table>(parse_ok(
      "table \"Order Items\" {\n  \"check\" int\n  user text\n  order int\n  \"say \"\"hi\"\"\" text\n  date date\n}"));
  CHECK(t.name.name.text == "Order Items");
  CHECK(t.name.name.quoted);
  CHECK(member<ast::Column>(t, 0).name.text == "check");
  CHECK(member<ast::Column>(t, 1).name.text == "user");
  CHECK(member<ast::Column>(t, 2).name.text == "order");
  CHECK(member<ast::Column>(t, 3).name.text == "say \"hi\"");
  CHECK(member<ast::Column>(t, 4).type.name.name.text == "date");
  // Keywords are words only where the grammar expects them: `tables` is a name.
  auto f = parse_ok("table tables { views int }\ntable role { x int }");
  CHECK(std::get<ast::Table>(f.declarations[0]).name.name.text == "tables");
  CHECK(std::get<ast::Table>(f.declarations[1]).name.name.text == "role");
}

TEST_CASE("expression groups respect strings, quotes, dollar quotes and comments") {
  auto t = only<ast::Table>(parse_ok(
      "table t {\n  a text check (a <> ')' and a <> '('' ' and \"a\" <> $x$)$x$ -- )\n  /* ) */ and a <> E'\\')')\n}"));
  CHECK(member<ast::Column>(t, 0).check->text ==
        "a <> ')' and a <> '('' ' and \"a\" <> $x$)$x$ -- )\n  /* ) */ and a <> E'\\')'");
}

TEST_CASE("spans point at the node's first token") {
  std::string text = "// c\n\ntable t {\n  a int\n}";
  auto t = only<ast::Table>(parse_ok(text));
  CHECK(text.substr(t.span.begin, 5) == "table");
  CHECK(text.substr(t.name.name.span.begin, 1) == "t");
  CHECK(text.substr(member<ast::Column>(t, 0).span.begin, 5) == "a int");
}

TEST_CASE("empty file and comment-only file parse to nothing") {
  CHECK(parse_ok("").declarations.empty());
  CHECK(parse_ok("// nothing here\n/* at all */\n").declarations.empty());
}
