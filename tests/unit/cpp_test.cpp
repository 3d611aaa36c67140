// schemac gen cpp on small schemas: names and types of what it generates.
#include "emit/cpp.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "driver/compile.hpp"
#include "emit/cpp_names.hpp"
#include "support.hpp"

using namespace schemac;

namespace {
struct Generated {
  std::string header, source;
};
Generated generated(const std::string& text) {
  auto c = test::compile_text(text);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  Diagnostics diags;
  auto files = emit::generate_cpp(c.loaded.model, {"ns", "test", {}}, diags);
  INFO(diags.render());
  REQUIRE(!diags.has_errors());
  return {files["ns.hpp"], files["ns.cpp"]};
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
  Diagnostics diags;
  CHECK_THROWS_AS(emit::generate_cpp(c.loaded.model, {"not-valid", "t", {}}, diags), std::invalid_argument);
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

TEST_CASE("gen cpp: names become identifiers, type names, literals and comments that cannot break the code") {
  CHECK(emit::identifier("order items") == "order_items");
  CHECK(emit::identifier("a__b") == "a_b");  // '__' is reserved
  CHECK(emit::identifier("_Upper") == "Upper_");
  CHECK(emit::identifier("1st") == "_1st");
  CHECK(emit::identifier("café au lait") == "caf_u00e9_au_lait");
  CHECK(emit::identifier("日本") == "u65e5_u672c");
  CHECK(emit::identifier("x\ny") == "x_y");
  for (const char* word : {"class", "std", "schemac", "pqxx", "linux", "errno", "migrate", "tx", "ENOENT", "EIO"})
    CHECK(emit::identifier(word) == std::string(word) + "_");
  CHECK(emit::identifier("Eager") == "Eager");
  CHECK(emit::type_name("order_items") == "OrderItems");
  CHECK(emit::type_name("ünï") == "U00FCNU00EF");
  CHECK(emit::type_name("NULL") == "NULL_");
  CHECK(emit::type_name("42") == "T42");
  std::set<std::string> used;
  CHECK(emit::unique_name("a", used) == "a");
  CHECK(emit::unique_name("a", used) == "a_");
  CHECK(emit::unique_name("a", used) == "a_2");
  CHECK(emit::unique_name("_", used) == "_");
  CHECK(emit::unique_name("_", used) == "_2");
  CHECK(emit::string_literal("a\"b\\c?\?/\x01") == "\"a\\\"b\\\\c?\\?/\\001\"");
  CHECK(emit::string_literal("one\ntwo") == "\"one\\n\"\n    \"two\"");
  CHECK(emit::comment_text("end */ and ?\?= and\nnext\r") == "end *\\/ and ?\\?= and\\nnext\\r");
  CHECK(emit::comment_text("trailing \\  ") == "trailing \\x5c");
}

namespace {
// gen cpp's diagnostics for a schema, as schemac prints them ("" when it generates).
std::string gen_errors(const std::string& text) {
  Diagnostics diags;
  auto loaded = compile_sources({{"c.schema", text}}, diags);
  REQUIRE(!diags.has_errors());
  auto files = emit::generate_cpp(loaded.model, {"ns", "test", {}}, diags);
  CHECK(files.empty() == diags.has_errors());  // nothing at all when a name collides
  return diags.render();
}
}  // namespace

TEST_CASE("gen cpp: objects whose C++ names would collide are errors at the second, noting the first") {
  CHECK(gen_errors("table user { id int }\ntable users { id int }") ==
        "c.schema:2:7: error: the row struct of table users would be the C++ name 'User', which is the row struct "
        "of table user already; name the row struct with `table NAME as ROW_TYPE`\n"
        "  table users { id int }\n        ^~~~~\n"
        "c.schema:1:7: note: that is declared here\n  table user { id int }\n        ^~~~\n");
  // `as` settles it.
  CHECK(gen_errors("table user { id int }\ntable users as Member { id int }").empty());
  CHECK(gen_errors("schema a\ntable a_b { id int }\ntable a.b { id int }")
            .find("c.schema:2:7: error: the namespace of table a_b would be the C++ name 'a_b', which is the "
                  "namespace of table a.b already") != std::string::npos);
  CHECK(gen_errors("table new_users { id int }\ntable users { id int }")
            .find("error: the insert struct of table users would be the C++ name 'NewUser', which is the row "
                  "struct of table new_users already") != std::string::npos);
  CHECK(gen_errors("table users { id int }\nfunction users() returns int language sql as $$ select 1 $$")
            .find("c.schema:2:10: error: the function users would be the C++ name 'users', which is the namespace "
                  "of table users already") != std::string::npos);
  CHECK(gen_errors("table x_rows { id int }\nview x as $$ select 1 as one $$")
            .find("c.schema:2:6: error: the row struct of view x would be the C++ name 'XRow'") != std::string::npos);
}

TEST_CASE("gen cpp: names that would share a C++ name without surprise get distinct ones") {
  auto files = generated(
      "enum item { 'a', 'b' }\ntable items { id int primary key\n  s item\n  \"Item\" int }\n"
      "table \"std\" { id int primary key\n  \"a b\" int\n  a_b int\n  \"a__b\" int }");
  // An enum named like a row struct gets "Type", as a composite type does.
  CHECK(files.header.find("enum class ItemType { a, b };") != std::string::npos);
  CHECK(files.header.find("struct Item {") != std::string::npos);
  CHECK(files.header.find("  ItemType s{};") != std::string::npos);
  // A member named like a type would hide it from the members after it.
  CHECK(files.header.find("  std::int32_t Item_{};") != std::string::npos);
  // `std` would hide the standard library inside the namespace.
  CHECK(files.header.find("namespace std_ {") != std::string::npos);
  CHECK(files.header.find("  std::int32_t a_b{};\n  std::int32_t a_b_{};\n  std::int32_t a_b_2{};") !=
        std::string::npos);
}

TEST_CASE("gen cpp: a large schema is split into parts, with the list of files") {
  auto c = test::compile_text(
      "enum e { 'x' }\ntable a { id int primary key }\ntable b { id int primary key }\ntable c { id int primary key "
      "}\nview v as $$ select id from a $$\nfunction f() returns int language sql as $$ select 1 $$");
  REQUIRE(c.ok);
  Diagnostics diags;
  emit::CppOptions options{"ns", "test", {}};
  options.tables_per_file = 2;
  auto files = emit::generate_cpp(c.loaded.model, options, diags);
  CHECK(files["ns.sources"] == "ns.hpp\nns.cpp\nns_common.hpp\nns_1.hpp\nns_1.cpp\nns_2.hpp\nns_2.cpp\n");
  CHECK(files.size() == 8);
  CHECK(files["ns.hpp"].find("#include \"ns_common.hpp\"\n#include \"ns_1.hpp\"\n#include \"ns_2.hpp\"\n") !=
        std::string::npos);
  // Tables a and b in the first part, c and the view in the second.
  CHECK(files["ns_1.hpp"].find("struct A {") != std::string::npos);
  CHECK(files["ns_1.hpp"].find("struct B {") != std::string::npos);
  CHECK(files["ns_2.hpp"].find("struct C {") != std::string::npos);
  CHECK(files["ns_2.hpp"].find("struct VRow {") != std::string::npos);
  CHECK(files["ns_2.cpp"].find("#include \"ns_2.hpp\"") != std::string::npos);
  CHECK(files["ns_2.cpp"].find("std::vector<VRow> select_all(") != std::string::npos);
  // Enums, functions and migrations once, in ns.cpp; none in the parts.
  CHECK(files["ns_common.hpp"].find("enum class E { x };") != std::string::npos);
  CHECK(files["ns.cpp"].find("std::string to_string(E v)") != std::string::npos);
  CHECK(files["ns.cpp"].find("f(pqxx::transaction_base& tx)") != std::string::npos);
  CHECK(files["ns_1.cpp"].find("to_string(E v)") == std::string::npos);
  CHECK(files["ns_1.cpp"].find("int migrate(") == std::string::npos);
}
