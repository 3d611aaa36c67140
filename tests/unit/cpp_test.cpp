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
