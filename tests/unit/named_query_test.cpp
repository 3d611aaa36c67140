// Named queries: `query NAME(params) returns one|many|exec as $$ SQL $$`, from the
// grammar to the C++: parsed and printed back, checked (positions of each error), the
// result columns' types and nullability worked out, the generated functions, and the
// compatibility lint (D215) of a migration against the queries and accessors of the
// previous state.
#include <catch2/catch.hpp>

#include "emit/cpp.hpp"
#include "emit/format.hpp"
#include "lint/lint.hpp"
#include "plan/snapshot.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_text;
using test::first_line;

namespace {

const char* const tables =
    "enum mood { happy, sad }\n"                                                           // 1
    "table authors {\n  id bigint primary key\n  name text\n  nick text?\n"                // 2-5
    "  score numeric(5,2)?\n  mood mood?\n  born date?\n  email text unique\n}\n"          // 6-10
    "table books {\n  id bigint primary key\n  author_id bigint references authors(id)\n"  // 11-13
    "  title text\n  pages int?\n}\n";                                                     // 14-16

std::string error_of(const std::string& text) {
  auto c = compile_text(text);
  INFO(c.diagnostics);
  CHECK_FALSE(c.ok);
  return first_line(c.diagnostics);
}

model::Schema model_of(const std::string& text) {
  auto c = compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

// "name type[?]" of each column of the query.
std::vector<std::string> columns_of(const std::string& query) {
  auto m = model_of(std::string(tables) + query);
  REQUIRE(m.queries.size() == 1);
  std::vector<std::string> out;
  for (const auto& c : m.queries[0].columns) out.push_back(c.name + " " + c.type.sql() + (c.nullable ? "?" : ""));
  return out;
}

using Columns = std::vector<std::string>;

}  // namespace

TEST_CASE("named queries parse, keep their doc comment, print back and survive the snapshot") {
  std::string src = std::string(tables) +
                    "/// Books of an author.\nquery   books_of( author bigint ,n int)   returns   many as $$ select "
                    "title from books where author_id = $1 limit $2 $$ // why\n";
  auto c = compile_text(src);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto& q = std::get<ast::Query>(c.loaded.files[0].ast.declarations.back());
  CHECK(q.name.text == "books_of");
  CHECK(q.returns == "many");
  CHECK(q.parameters.size() == 2);
  CHECK(q.doc == ast::Doc{"Books of an author."});
  std::string formatted = emit::format_file(c.loaded.files[0].ast, src);
  CHECK(formatted.find("/// Books of an author.\nquery books_of(author bigint, n int) returns many as $$ select title "
                       "from books where author_id = $1 limit $2 $$  // why\n") != std::string::npos);
  const auto& model = c.loaded.model;
  REQUIRE(model.queries.size() == 1);
  CHECK(model.queries[0].parameters[0].type.sql() == "bigint");
  // The snapshot writes it, and reads back the same query.
  auto back = test::snapshot_of(model);
  REQUIRE(back.queries.size() == 1);
  CHECK(back.queries[0].name == "books_of");
  CHECK(back.queries[0].query == model.queries[0].query);
  CHECK(back.queries[0].parameters == model.queries[0].parameters);
  CHECK(back.queries[0].returns == "many");
}

TEST_CASE("named queries: result types and nullability from the parse tree and the model") {
  SECTION("columns of a table keep their nullability; an outer join makes its side nullable") {
    CHECK(columns_of("query q() returns many as $$ select a.id, a.nick, b.title, b.pages from authors a "
                     "left join books b on b.author_id = a.id $$") ==
          Columns{"id bigint", "nick text?", "title text?", "pages integer?"});
    CHECK(columns_of("query q() returns many as $$ select a.name, b.title from books b right join authors a "
                     "on b.author_id = a.id $$") == Columns{"name text", "title text?"});
    CHECK(columns_of("query q() returns many as $$ select a.name, b.title from books b full join authors a "
                     "on b.author_id = a.id $$") == Columns{"name text?", "title text?"});
    CHECK(columns_of("query q() returns many as $$ select a.name, b.title from books b join authors a "
                     "on b.author_id = a.id $$") == Columns{"name text", "title text"});
  }
  SECTION("aggregates: count never NULL, the others may be") {
    CHECK(
        columns_of("query q() returns many as $$ select count(*), count(pages) as n, sum(pages), max(title), "
                   "avg(pages), sum(score) as s, coalesce(sum(pages), 0) as total from books, authors $$") ==
        Columns{"count bigint", "n bigint", "sum bigint?", "max text?", "avg numeric?", "s numeric?", "total bigint"});
  }
  SECTION("casts, constants, expressions, subqueries, star") {
    CHECK(columns_of("query q() returns one as $$ select pages::text as p, 1 as one, 'x' as s, name || '!' as "
                     "bang, pages > 1 as big, exists (select 1 from books) as e, (select max(id) from books) as "
                     "m, now() as t, case when pages > 1 then title end as c, mood::text as md from books, "
                     "authors $$") == Columns{"p text?", "one integer", "s text", "bang text", "big boolean?",
                                              "e boolean", "m bigint?", "t timestamp with time zone", "c text?",
                                              "md text?"});
    CHECK(columns_of("query q() returns many as $$ select * from books $$") ==
          Columns{"id bigint", "author_id bigint", "title text", "pages integer?"});
    CHECK(columns_of("query q() returns many as $$ with t as (select id, nick from authors) select t.nick, "
                     "x.n from t, (select count(*) as n from books) x $$") == Columns{"nick text?", "n bigint"});
  }
  SECTION("an enum column, and RETURNING") {
    CHECK(columns_of("query q(n text) returns one as $$ insert into authors (id, name, email) values (1, $1, 'e') "
                     "returning id, mood $$") == Columns{"id bigint", "mood public.mood?"});
    CHECK(columns_of("query q(id bigint) returns exec as $$ delete from books where id = $1 $$").empty());
  }
}

TEST_CASE("named queries: errors at their line and column") {
  std::string t = tables;  // 16 lines; the query is on line 17
  SECTION("a table or column that does not exist") {
    CHECK(error_of(t + "query q() returns many as $$ select titel from books $$") ==
          "test.schema:17:37: error: column 'titel' does not exist in books; did you mean 'title'? (in query 'q')");
    CHECK(error_of(t + "query q() returns many as $$ select 1 as x from bookz $$") ==
          "test.schema:17:49: error: unknown table or view 'bookz' in query 'q'; did you mean 'books'?");
  }
  SECTION("a parameter used with an incompatible type") {
    CHECK(error_of(t + "query q(author text) returns many as $$ select title from books where author_id = $1 $$") ==
          "test.schema:17:83: error: query 'q': $1 is parameter 'author' of type text, used where a value of type "
          "bigint goes: declare the parameter with that type, or cast it");
    CHECK(error_of(t + "query q(n bigint) returns exec as $$ update books set title = $1 $$") ==
          "test.schema:17:63: error: query 'q': $1 is parameter 'n' of type bigint, used where a value of type "
          "text goes: declare the parameter with that type, or cast it");
  }
  SECTION("a $n that names no parameter, a parameter not used") {
    CHECK(error_of(t + "query q(a int) returns many as $$ select title from books where pages = $1 or pages = $2 "
                       "$$") == "test.schema:17:87: error: query 'q' has 1 parameter: $2 names none of them");
    CHECK(error_of(t + "query q(a int, b int) returns many as $$ select title from books where pages = $1 $$") ==
          "test.schema:17:16: error: parameter 'b' of query 'q' is not used: write $2 where it goes, or remove it");
  }
  SECTION("a result type that cannot be told asks for a cast") {
    CHECK(error_of(t + "query q() returns many as $$ select id, null as nothing from books $$") ==
          "test.schema:17:41: error: query 'q': cannot tell the type of column 'nothing': cast it (e.g. "
          "(...)::text) so that its C++ type is known");
    CHECK(error_of(t + "query q() returns many as $$ select f.x from generate_series(1, 3) f(x) $$") ==
          "test.schema:17:37: error: query 'q': cannot tell the type of column 'x': cast it (e.g. (...)::text) so "
          "that its C++ type is known");
  }
  SECTION("rows expected, none returned; a second statement; a parameter default") {
    CHECK(error_of(t + "query q(id bigint) returns one as $$ delete from books where id = $1 $$") ==
          "test.schema:17:38: error: query 'q' returns one but its statement returns no rows: add RETURNING, or "
          "declare it 'returns exec' (rows affected)");
    CHECK(error_of(t + "query q() returns many as $$ select 1 as a; select 2 as b $$") ==
          "test.schema:17:44: error: query 'q' is one statement, not 2");
    CHECK(error_of(t + "query q(a int default 1) returns many as $$ select title from books where pages = $1 $$") ==
          "test.schema:17:23: error: a query's parameter has no default: the C++ function takes every parameter "
          "(pass a std::optional and write coalesce($n, ...) in the SQL instead)");
  }
  SECTION("two queries with one name") {
    CHECK(error_of(t + "query q() returns many as $$ select 1 as a $$\nquery q() returns many as $$ select 1 as a $$")
              .find("test.schema:18:7: error: duplicate name 'q': already declared as a query") != std::string::npos);
  }
}

TEST_CASE("gen cpp: a function and a row struct per named query; New... structs require their required columns") {
  auto c =
      compile_text(std::string(tables) +
                   "query author_books(min int) returns many as $$ select a.name, b.title from authors a left "
                   "join books b on b.author_id = a.id where coalesce(b.pages, 0) >= $1 $$\n"
                   "query one_author(email text) returns one as $$ select id, nick from authors where email = "
                   "$1 $$\nquery touch(id bigint) returns exec as $$ update books set pages = 1 where id = $1 $$\n");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  Diagnostics diags;
  auto files = emit::generate_cpp(c.loaded.model, {"ns", "test", {}}, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  const std::string& h = files["ns.hpp"];
  const std::string& s = files["ns.cpp"];
  CHECK(h.find("struct AuthorBooksRow {\n  std::string name{};\n  std::optional<std::string> title{};") !=
        std::string::npos);
  CHECK(h.find("std::vector<AuthorBooksRow> author_books(pqxx::transaction_base& tx, const std::int32_t& min);") !=
        std::string::npos);
  CHECK(h.find("void author_books_each(pqxx::transaction_base& tx, const std::int32_t& min, const "
               "std::function<void(AuthorBooksRow&&)>& each, std::size_t batch = 1000);") != std::string::npos);
  CHECK(h.find("std::optional<OneAuthorRow> one_author(pqxx::transaction_base& tx, const std::string& email);") !=
        std::string::npos);
  CHECK(h.find("std::int64_t touch(pqxx::transaction_base& tx, const std::int64_t& id);") != std::string::npos);
  // The SQL as written, values only as parameters.
  CHECK(s.find("\"ns.query.one_author\", \"select id, nick from authors where email = $1\", email)") !=
        std::string::npos);
  // Required members have no default; optional ones do.
  CHECK(h.find("struct NewAuthor {\n  schemac::Required<std::int64_t> id;\n  schemac::Required<std::string> name;\n"
               "  std::optional<std::string> nick{};") != std::string::npos);
  // A unique key's lookup returns std::optional; a foreign key's a vector; list and page_after.
  CHECK(h.find("std::optional<Author> by_email(pqxx::transaction_base& tx, const std::string& email);") !=
        std::string::npos);
  CHECK(h.find("std::vector<Book> by_author_id(pqxx::transaction_base& tx, const std::int64_t& author_id);") !=
        std::string::npos);
  CHECK(h.find("std::vector<Book> list(pqxx::transaction_base& tx, schemac::Order order = "
               "schemac::Order::ascending,") != std::string::npos);
  CHECK(h.find("std::vector<Book> page_after(pqxx::transaction_base& tx, const std::int64_t& id, std::int64_t "
               "limit);") != std::string::npos);
  CHECK(s.find("FROM public.books WHERE id > $1::bigint ORDER BY id LIMIT $2\", id, limit)") != std::string::npos);
}

TEST_CASE("gen cpp: a query's name and row claim their C++ names") {
  auto c = compile_text(
      "table authors_rows { id int primary key }\n"
      "query authors() returns many as $$ select id from authors_rows $$\n");
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  Diagnostics diags;
  emit::generate_cpp(c.loaded.model, {"ns", "test", {}}, diags);
  REQUIRE(diags.all().size() >= 1);
  const auto& d = diags.all()[0];
  CHECK(d.message ==
        "the result row of query authors would be the C++ name 'AuthorsRow', which is the row struct of table "
        "authors_rows already");
  CHECK(d.where.offset == std::string("table authors_rows { id int primary key }\nquery ").size());
}

namespace {

std::string lint_against(const std::string& before, const std::string& after) {
  Diagnostics diags;
  auto loaded = compile_sources({{"test.schema", after}}, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  auto previous = test::snapshot_of(model_of(before));  // what `lint` reads: the snapshot
  lint::lint_schema(loaded, &previous, diags);
  std::string out;
  for (const auto& d : diags.all())
    if (d.message.find("[D215") != std::string::npos) out += d.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("lint D215: a migration that breaks the previous state's named queries and accessors") {
  std::string query = "query names() returns many as $$ select name from people where age > 1 $$\n";
  std::string v1 = "table people {\n  id int primary key\n  name text\n  age int\n}\n" + query;
  SECTION("a column renamed") {
    auto out = lint_against(v1, "table people {\n  id int primary key\n  full_name text was name\n  age int\n}\n" +
                                    std::string("query names() returns many as $$ select full_name from people "
                                                "where age > 1 $$\n"));
    CHECK(out.find("query 'names' of the previous state reads column 'people.name', and this migration renames it "
                   "to 'full_name'") != std::string::npos);
    CHECK(out.find("the generated accessors of table 'people' (find, insert, list, ...) in the deployed code read "
                   "column 'people.name', and this migration renames it to 'full_name'") != std::string::npos);
  }
  SECTION("a column dropped") {
    auto out = lint_against(v1,
                            "table people {\n  id int primary key\n  name text\n  drop column age\n}\n"
                            "query names() returns many as $$ select name from people $$\n");
    CHECK(out.find("query 'names' of the previous state reads column 'people.age', and this migration drops it") !=
          std::string::npos);
  }
  SECTION("a column retyped") {
    auto out = lint_against(v1, "table people {\n  id int primary key\n  name text\n  age bigint\n}\n" + query);
    CHECK(out.find("query 'names' of the previous state reads column 'people.age', and this migration changes its "
                   "type from integer to bigint") != std::string::npos);
  }
  SECTION("a table archived") {
    auto out = lint_against(v1,
                            "table people {\n  id int primary key\n  name text\n  age int\n}\n"
                            "archive table people as people_old\n");
    CHECK(out.find("query 'names' of the previous state reads table 'people', and this migration archives it") !=
          std::string::npos);
  }
  SECTION("a change that breaks nothing the query reads") {
    auto out =
        lint_against(v1, "table people {\n  id int primary key\n  name text\n  age int\n  city text?\n}\n" + query);
    CHECK(out.empty());
  }
}
