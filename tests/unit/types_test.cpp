// The one table of builtin type facts (model/types.hpp).
#include "model/types.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace schemac;
using model::Type;

namespace {
Type builtin(const std::string& name, std::vector<int> modifiers = {}, int array_dims = 0) {
  Type t;
  t.builtin = name;
  t.modifiers = std::move(modifiers);
  t.array_dims = array_dims;
  return t;
}
}  // namespace

TEST_CASE("every spelling names one builtin, and the snapshot's spelling reads back as it") {
  std::set<std::string_view> spellings;
  for (const auto& b : model::builtin_types()) {
    INFO(b.name);
    REQUIRE_FALSE(b.spellings.empty());
    for (auto s : b.spellings) {
      CHECK(spellings.insert(s).second);  // no spelling names two types
      REQUIRE(model::builtin_by_spelling(s) != nullptr);
      CHECK(model::builtin_by_spelling(s)->name == b.name);
    }
    CHECK(model::builtin_by_spelling(model::short_spelling(std::string(b.name)))->name == b.name);
    CHECK(model::builtin_by_name(b.name) == &b);
  }
  CHECK(model::builtin_by_spelling("citext") == nullptr);
  CHECK(model::short_spelling("timestamp with time zone") == "timestamptz");
}

TEST_CASE("types print as format_type() prints them") {
  CHECK(model::type_sql(builtin("character varying", {80})) == "character varying(80)");
  CHECK(model::type_sql(builtin("timestamp with time zone", {3})) == "timestamp(3) with time zone");
  CHECK(model::type_sql(builtin("numeric", {12, 2}, 1)) == "numeric(12,2)[]");
  Type e;
  e.named_type = model::QualifiedName{"app", "status"};
  e.kind = model::TypeKind::enumeration;
  e.array_dims = 1;
  CHECK(model::type_sql(e) == "app.status[]");
}

TEST_CASE("narrowing: conversions that can lose data or change values") {
  CHECK_FALSE(model::narrowing(builtin("integer"), builtin("bigint")));
  CHECK(model::narrowing(builtin("bigint"), builtin("integer")) == "narrows the integer type");
  CHECK_FALSE(model::narrowing(builtin("integer"), builtin("numeric")));
  CHECK(model::narrowing(builtin("integer"), builtin("numeric", {5, 0})));
  CHECK_FALSE(model::narrowing(builtin("character varying", {10}), builtin("character varying", {20})));
  CHECK(model::narrowing(builtin("character varying", {20}), builtin("character varying", {10})) ==
        "reduces the length or precision");
  CHECK(model::narrowing(builtin("text"), builtin("character varying", {10})));
  CHECK_FALSE(model::narrowing(builtin("uuid"), builtin("text")));
  CHECK(model::narrowing(builtin("json"), builtin("jsonb"))->find("duplicate keys dropped") != std::string::npos);
  CHECK_FALSE(model::narrowing(builtin("date"), builtin("timestamp with time zone")));
  CHECK(model::narrowing(builtin("text"), builtin("integer")) == "converts text to integer");
  CHECK(model::narrowing(builtin("text", {}, 1), builtin("text")) == "changes the number of array dimensions");
}

TEST_CASE("rewrites: type changes that rewrite the table") {
  CHECK_FALSE(model::rewrites(builtin("character varying", {10}), builtin("character varying", {20})));
  CHECK(model::rewrites(builtin("character varying", {20}), builtin("character varying", {10})));
  CHECK_FALSE(model::rewrites(builtin("character varying", {20}), builtin("text")));
  CHECK_FALSE(model::rewrites(builtin("text"), builtin("character varying")));
  CHECK_FALSE(model::rewrites(builtin("numeric", {10, 2}), builtin("numeric", {12, 2})));
  CHECK(model::rewrites(builtin("numeric", {10, 2}), builtin("numeric", {12, 3})));
  CHECK(model::rewrites(builtin("integer"), builtin("bigint")));
}

TEST_CASE("C++ types of builtins; types without one are read as text") {
  CHECK(model::cpp_scalar("bigint") == "std::int64_t");
  CHECK(model::cpp_scalar("timestamp with time zone") == "schemac::Timestamp");
  CHECK(model::cpp_scalar("interval") == "std::string");
  CHECK(model::cpp_scalar("no such type") == "std::string");
}
