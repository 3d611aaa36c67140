// fmt: the canonical form means the same schema, keeps every comment, and is a
// fixed point. Checked over every schema the test suite knows.
#include "emit/format.hpp"

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace schemac;

TEST_CASE("fmt round trip over every schema of the suite") {
  for (const auto& dir : test::valid_schema_dirs()) {
    DYNAMIC_SECTION(dir.generic_string()) {
      Diagnostics diags;
      auto loaded = compile_directory(test::source_dir() / dir, diags);
      INFO(diags.render());
      REQUIRE_FALSE(diags.has_errors());
      std::vector<std::pair<std::string, std::string>> once;
      for (const auto& f : loaded.files)
        once.push_back({diags.file(f.file_id).path(), emit::format_file(f.ast, diags.file(f.file_id).text())});
      auto again = test::compile_files(once);
      INFO(again.diagnostics);
      REQUIRE(again.ok);
      CHECK(again.loaded.model == loaded.model);  // same meaning
      for (std::size_t i = 0; i < once.size(); ++i) {
        INFO(once[i].first);
        CHECK(emit::count_comments(again.loaded.files[i].ast, once[i].second) ==
              emit::count_comments(loaded.files[i].ast, diags.file(loaded.files[i].file_id).text()));
        // A fixed point: formatting the canonical form changes nothing.
        CHECK(emit::format_file(again.loaded.files[i].ast, once[i].second) == once[i].second);
      }
    }
  }
}

TEST_CASE("fmt keeps comments where they were") {
  std::string src =
      "// header comment\n\nrole   a\nrole b\n\n/// doc\ntable   t   {   // after the brace\n  // before a\n"
      "  a int   default 1 // trailing a\n  bb  text?\n\n  /* block */\n  index on (a)\n}\n// the end\n";
  auto c = test::compile_text(src);
  REQUIRE(c.ok);
  CHECK(emit::format_file(c.loaded.files[0].ast, src) ==
        "// header comment\n"
        "role a\n"
        "role b\n"
        "\n"
        "/// doc\n"
        "table t {  // after the brace\n"
        "  // before a\n"
        "  a  int   default 1  // trailing a\n"
        "  bb text?\n"
        "\n"
        "  /* block */\n"
        "  index on (a)\n"
        "}\n"
        "\n"
        "// the end\n");
}

TEST_CASE("fmt quotes names only where the language needs it") {
  std::string src = "table \"Order Items\" {\n  \"check\" int\n  \"plain\" int\n  \"with space\" text\n}\n";
  auto c = test::compile_text(src);
  REQUIRE(c.ok);
  CHECK(emit::format_file(c.loaded.files[0].ast, src) ==
        "table \"Order Items\" {\n  \"check\"      int\n  plain        int\n  \"with space\" text\n}\n");
}

TEST_CASE("SQL's spellings by habit are accepted and fmt writes the schemac ones") {
  std::string src =
      "function f() returns trigger language plpgsql as $$ begin return new; end $$\n"
      "table t {\n  a int not null\n  b text null default null\n  c text? check (c <> '')\n"
      "  trigger t1 before update for each row execute function f()\n"
      "  trigger t2 before insert for each row execute procedure f()\n}\n";
  auto c = test::compile_text(src);
  INFO(c.diagnostics);
  REQUIRE(c.ok);
  const auto& t = c.loaded.model.tables.at(0);
  CHECK_FALSE(t.columns.at(0).nullable);
  CHECK(t.columns.at(1).nullable);
  CHECK(t.columns.at(1).default_sql == std::optional<std::string>("null"));
  CHECK(t.triggers.at(0).function.name == "f");
  CHECK(t.triggers.at(1).function.name == "f");
  std::string formatted = emit::format_file(c.loaded.files[0].ast, src);
  CHECK(formatted.find("  a int\n") != std::string::npos);
  CHECK(formatted.find("  b text? default null\n") != std::string::npos);
  CHECK(formatted.find("execute f()") != std::string::npos);
  CHECK(formatted.find("execute function") == std::string::npos);
  CHECK(formatted.find("procedure") == std::string::npos);

  auto both = test::compile_text("table t {\n  a text? not null\n}\n");
  CHECK_FALSE(both.ok);
  CHECK(both.diagnostics.find("test.schema:2:3: error: column 'a' is both nullable") != std::string::npos);
}
