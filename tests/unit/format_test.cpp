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
