// The snapshot reads back as the same state, for every schema of the suite.
#include "plan/snapshot.hpp"

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace schemac;

TEST_CASE("snapshot round trip over every schema of the suite") {
  for (const auto& dir : test::valid_schema_dirs()) {
    DYNAMIC_SECTION(dir.generic_string()) {
      Diagnostics diags;
      auto loaded = compile_directory(test::source_dir() / dir, diags);
      REQUIRE_FALSE(diags.has_errors());
      std::string text = plan::snapshot_text(loaded.model);
      auto again = test::compile_files({{"snapshot.schema", text}});
      INFO(text);
      INFO(again.diagnostics);
      REQUIRE(again.ok);
      CHECK(plan::state_of(again.loaded.model) == plan::state_of(loaded.model));
      // Printing the read-back state gives the same text: the snapshot is canonical.
      CHECK(plan::snapshot_text(again.loaded.model) == text);
    }
  }
}
