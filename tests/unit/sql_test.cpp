// The full-state SQL: dependency order, cycles, quoting.
#include "emit/sql.hpp"

#include <catch2/catch.hpp>

#include "plan/plan.hpp"
#include "support.hpp"

using namespace schemac;

namespace {
std::string sql_of(const std::string& text) {
  auto c = test::compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return plan::full_state_sql(c.loaded.model);
}
std::size_t position(const std::string& sql, const std::string& what) {
  auto at = sql.find(what);
  INFO(what);
  REQUIRE(at != std::string::npos);
  return at;
}
}  // namespace

TEST_CASE("tables come after the tables they reference; a cycle is closed by ALTER TABLE") {
  auto sql = sql_of(
      "table a { id int primary key\n b int references b(id) }\n"
      "table b { id int primary key\n a int references a(id) }\n"
      "table c { id int primary key\n a int references a(id) }");
  // a references b, b references a: one of them is closed afterwards.
  CHECK(position(sql, "CREATE TABLE public.b") < position(sql, "CREATE TABLE public.a"));
  CHECK(position(sql, "CREATE TABLE public.a") < position(sql, "CREATE TABLE public.c"));
  CHECK(position(sql, "ALTER TABLE public.b ADD CONSTRAINT b_a_fkey FOREIGN KEY (a) REFERENCES public.a (id);") >
        position(sql, "CREATE TABLE public.c"));
}

TEST_CASE("functions first, views after their tables and the views they read") {
  auto sql = sql_of(
      "view z as $$ select * from public.y $$\nview y as $$ select * from t $$\n"
      "table t { id int }\nfunction f() returns trigger language plpgsql as $$ begin return new; end $$");
  CHECK(position(sql, "CREATE FUNCTION public.f()") < position(sql, "CREATE TABLE public.t"));
  CHECK(position(sql, "CREATE TABLE public.t") < position(sql, "CREATE VIEW public.y"));
  CHECK(position(sql, "CREATE VIEW public.y") < position(sql, "CREATE VIEW public.z"));
}

TEST_CASE("identifiers are quoted where PostgreSQL needs it, values are escaped") {
  auto sql = sql_of("/// It's a table.\ntable \"Order\" {\n  user text default 'o''k'\n  \"Total\" int\n}");
  CHECK(sql.find("CREATE TABLE public.\"Order\" (\n  \"user\" text NOT NULL DEFAULT 'o''k',\n  \"Total\" integer NOT "
                 "NULL\n);") != std::string::npos);
  CHECK(sql.find("COMMENT ON TABLE public.\"Order\" IS 'It''s a table.';") != std::string::npos);
}

TEST_CASE("the same schema gives byte-identical SQL") {
  std::string text = "table t { id int primary key\n  a text? }\nview v as $$ select 1 $$";
  CHECK(sql_of(text) == sql_of(text));
}
