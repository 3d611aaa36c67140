// schemac gen cpp on small schemas: names and types of what it generates.
#include "emit/cpp.hpp"

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace schemac;

namespace {
emit::CppFiles generated(const std::string& text) {
  auto c = test::compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  return emit::generate_cpp(c.loaded.model, {"ns", "test", {}});
}
}  // namespace

TEST_CASE("gen cpp: view columns are named as PostgreSQL names them and selected by name") {
  auto files = generated(
      "table posts {\n  id int primary key\n  title text\n  score numeric\n}\n"
      "view v as $$ select p.*, 1::int, lower(title), sum(score) as total, count(*), title::varchar, 2 + 2, "
      "(select 1) from posts p group by p.id $$");
  CHECK(files.source.find("\"SELECT id, title, score, int4, lower, total, count, title, \\\"?column?\\\" FROM "
                          "public.v\"") != std::string::npos);
  CHECK(files.header.find("std::optional<std::int32_t> int4{};") != std::string::npos);
  CHECK(files.header.find("std::optional<schemac::Decimal> total{};") != std::string::npos);
  CHECK(files.header.find("std::optional<std::int64_t> count_{};") != std::string::npos);  // a generated name
  CHECK(files.header.find("std::optional<std::string> title_{};") != std::string::npos);   // the second 'title'
}

TEST_CASE("gen cpp: names that are C++ keywords, and a namespace that is not an identifier") {
  auto files = generated("table \"class\" {\n  id int primary key\n  \"new\" text?\n  \"Order Items\" int\n}");
  CHECK(files.header.find("struct Class {") != std::string::npos);
  CHECK(files.header.find("std::optional<std::string> new_{};") != std::string::npos);
  CHECK(files.header.find("std::int32_t Order_Items{};") != std::string::npos);
  CHECK(files.header.find("namespace class_ {") != std::string::npos);
  auto c = test::compile_text("table t { id int }");
  CHECK_THROWS_AS(emit::generate_cpp(c.loaded.model, {"not-valid", "t", {}}), std::invalid_argument);
}

TEST_CASE("gen cpp: overloads are C++ overloads, named by their SQL types where C++ cannot tell them apart") {
  auto files = generated(
      "function label(t text) returns text language sql as $$ select t $$\n"
      "function label(t varchar(10)) returns text language sql as $$ select t $$\n"
      "function label(n int) returns text language sql as $$ select n::text $$\n"
      "function pairs(n int) returns table (a int, b int) language sql as $$ select n, n $$\n"
      "function pairs(t text) returns table (a text) language sql as $$ select t $$\n"
      "function pairs(t varchar) returns table (a text) language sql as $$ select t $$\n"
      "function area(r float8) returns float8 language sql as $$ select r $$\n"
      "function area(w int, h int) returns int language sql as $$ select w * h $$\n");
  // int against text: a C++ overload of the plain name.
  CHECK(files.header.find("std::optional<std::string> label(pqxx::transaction_base& tx, const std::int32_t& n);") !=
        std::string::npos);
  // text and varchar(10) are both std::string: each is named with its SQL type.
  CHECK(files.header.find("std::optional<std::string> label_text(pqxx::transaction_base& tx, const std::string& t);") !=
        std::string::npos);
  CHECK(files.header.find("label_character_varying_10(pqxx::transaction_base& tx, const std::string& t);") !=
        std::string::npos);
  // Result rows follow the function's C++ name.
  CHECK(files.header.find("std::vector<PairsRow> pairs(pqxx::transaction_base& tx, const std::int32_t& n);") !=
        std::string::npos);
  CHECK(files.header.find("std::vector<PairsTextRow> pairs_text(") != std::string::npos);
  CHECK(files.header.find("std::vector<PairsCharacterVaryingRow> pairs_character_varying(") != std::string::npos);
  // Each calls its own overload: the parameters are cast to its types.
  CHECK(files.source.find("public.label($1::character varying(10))") != std::string::npos);
  // C++ overloads of one name prepare statements of their own.
  CHECK(files.header.find("std::optional<double> area(pqxx::transaction_base& tx, const double& r_);") !=
        std::string::npos);
  CHECK(files.source.find(".area_double_precision\", \"SELECT public.area($1::double precision)\"") !=
        std::string::npos);
  CHECK(files.source.find(".area_integer_integer\", \"SELECT public.area($1::integer, $2::integer)\"") !=
        std::string::npos);
}

TEST_CASE("gen cpp: composite types are structs, named apart from row structs") {
  auto files = generated(
      "/// Postal address.\ntype address {\n  street text\n  at spot\n}\n"
      "type spot { x int\n  y int }\n"
      "table addresses {\n  id int primary key\n  home address?\n  pts spot[]\n}\n");
  // The row struct of `addresses` is Address: the type's struct becomes AddressType.
  CHECK(files.header.find("struct Address {") != std::string::npos);
  CHECK(files.header.find("/// Postal address.\nstruct AddressType {") != std::string::npos);
  CHECK(files.header.find("  std::optional<Spot> at{};") != std::string::npos);
  CHECK(files.header.find("struct Spot {") < files.header.find("struct AddressType {"));  // what it holds first
  CHECK(files.header.find("inline auto record_members(AddressType& x) { return std::tie(x.street, x.at); }") !=
        std::string::npos);
  CHECK(files.header.find("std::optional<AddressType> home{};") != std::string::npos);
  CHECK(files.header.find("std::vector<Spot> pts{};") != std::string::npos);
  CHECK(files.header.find("struct string_traits<ns::AddressType> : schemac::detail::record_traits<ns::AddressType>") !=
        std::string::npos);
}
