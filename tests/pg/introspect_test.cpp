// Introspection on a real PostgreSQL 15: every schema of the suite is built with
// `schemac sql`, read back from the catalog (`schemac pull`), the pulled files
// compile, and building them on an empty database gives the catalog the original
// schema describes, object by object.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "driver/compile.hpp"
#include "emit/format.hpp"
#include "emit/sql.hpp"
#include "introspect/catalog.hpp"
#include "introspect/pull.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "support.hpp"

using namespace schemac;

namespace {

void build(pqxx::connection& db, const model::Schema& s) {
  pqxx::work tx(db);
  tx.exec(emit::platform_stub_sql(s));
  tx.exec(plan::full_state_sql(s));
  tx.commit();
}

std::string report(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += "  " + p + "\n";
  return out;
}

}  // namespace

TEST_CASE("pull reads back every schema of the suite: the pulled files rebuild the same catalog") {
  auto dirs = test::valid_schema_dirs();
  REQUIRE(dirs.size() >= 4);
  int n = 0;
  for (const auto& dir : dirs) {
    DYNAMIC_SECTION(dir.generic_string()) {
      auto schema = test::compile_ok(dir);
      pqxx::connection db(test::fresh_database("schemac_pull_" + std::to_string(n)));
      build(db, schema);
      auto catalog = introspect::read(db);
      auto files = introspect::pull_files(catalog.schema);
      std::string text;
      for (const auto& [name, content] : files) text += "==> " + name + "\n" + content;
      INFO("pulled:\n" << text);
      std::string skipped;
      for (const auto& s : catalog.skipped) skipped += "  " + s.kind + " " + s.name + ": " + s.reason + "\n";
      INFO("not expressible:\n" << skipped);
      CHECK(catalog.skipped.empty());  // every schema of the suite is expressible
      Diagnostics diags;
      auto pulled = compile_sources(files, diags);
      INFO(diags.render());
      REQUIRE_FALSE(diags.has_errors());
      // fmt leaves the pulled files as they are.
      REQUIRE(pulled.files.size() == files.size());
      for (std::size_t i = 0; i < files.size(); ++i)
        CHECK(emit::format_file(pulled.files[i].ast, files[i].second) == files[i].second);
      pqxx::connection again(test::fresh_database("schemac_pull_again_" + std::to_string(n++)));
      build(again, pulled.model);
      auto problems = test::compare_catalog(again, schema);
      INFO("the rebuilt catalog differs from the original schema:\n" << report(problems));
      CHECK(problems.empty());
    }
  }
}
