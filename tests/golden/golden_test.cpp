// Golden cases, two kinds:
//   tests/golden/CASE/schema/*.schema in, and either expected.sql (the output of
//   `schemac sql`) or stderr.txt (the diagnostics, exactly as schemac prints them);
//   tests/golden/CASE/v1/ and v2/ in: v1 is planned as migration 0001, then v2 as
//   0002, and the expected files are 0002's up.sql, down.sql and verify.sql (or
//   stderr.txt when planning v2 is refused).
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
void compare_or_update(const fs::path& expected, const std::string& actual, bool update) {
  if (update) write(expected, actual);
  INFO(expected.generic_string());
  CHECK(actual == read_or_empty(expected));
}

void check_migration_case(const fs::path& dir, bool update) {
  auto migrations = test::plan_versions(dir);
  if (!migrations.errors.empty() || fs::exists(dir / "stderr.txt")) {
    compare_or_update(dir / "stderr.txt", migrations.errors, update);
    CHECK_FALSE(migrations.errors.empty());
    return;
  }
  compare_or_update(dir / "up.sql", migrations.up, update);
  compare_or_update(dir / "down.sql", migrations.down, update);
  compare_or_update(dir / "verify.sql", migrations.verify, update);
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
      if (fs::exists(dir / "v1")) {
        check_migration_case(dir, update);
      } else {
        Diagnostics diags;
        auto loaded = compile_directory(dir / "schema", diags);
        if (diags.has_errors() || fs::exists(dir / "stderr.txt")) {
          compare_or_update(dir / "stderr.txt", diags.render(), update);
          CHECK(diags.has_errors());
        } else {
          compare_or_update(dir / "expected.sql", plan::full_state_sql(loaded.model), update);
        }
      }
    }
  }
}
