// Golden cases: tests/golden/CASE/schema/*.schema in, and either
//   expected.sql  the output of `schemac sql` (the schema compiles), or
//   stderr.txt    the diagnostics, exactly as schemac prints them (it does not).
// SCHEMAC_UPDATE_GOLDEN=1 rewrites the expected files; review the diff like code.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "emit/sql.hpp"
#include "plan/plan.hpp"
#include "support.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {
std::string read_or_empty(const fs::path& p) {
  if (!fs::exists(p)) return {};
  return read_file(p);
}
void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}
}  // namespace

TEST_CASE("golden cases") {
  bool update = std::getenv("SCHEMAC_UPDATE_GOLDEN") != nullptr;
  fs::current_path(test::source_dir());  // diagnostics show paths relative to the source tree
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator("tests/golden"))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 5);
  for (const auto& dir : cases) {
    DYNAMIC_SECTION(dir.generic_string()) {
      Diagnostics diags;
      auto loaded = compile_directory(dir / "schema", diags);
      bool expect_errors = fs::exists(dir / "stderr.txt");
      if (diags.has_errors() || expect_errors) {
        std::string actual = diags.render();
        if (update) write(dir / "stderr.txt", actual);
        CHECK(actual == read_or_empty(dir / "stderr.txt"));
        CHECK(diags.has_errors());
      } else {
        std::string actual = plan::full_state_sql(loaded.model);
        if (update) write(dir / "expected.sql", actual);
        CHECK(actual == read_or_empty(dir / "expected.sql"));
      }
    }
  }
}
