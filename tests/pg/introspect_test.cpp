// Introspection on a real PostgreSQL 15: every schema of the suite is built with
// `schemac sql`, read back from the catalog (`schemac pull`), the pulled files
// compile, and building them on an empty database gives the catalog the original
// schema describes, object by object.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "driver/compile.hpp"
#include "emit/alter.hpp"
#include "emit/ddl.hpp"
#include "emit/format.hpp"
#include "emit/sql.hpp"
#include "introspect/catalog.hpp"
#include "introspect/pull.hpp"
#include "model/names.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "support.hpp"

using namespace schemac;

namespace {

void build(pqxx::connection& db, const model::Schema& s) {
  pqxx::work tx(db);
  tx.exec(emit::platform_stub_sql(s));
  tx.exec(plan::full_state_sql(s));
  tx.commit();
}

// What pull reads from `db`, compiled as `schemac check` would.
model::Schema pulled(pqxx::connection& db, std::vector<introspect::Skipped>* skipped = nullptr) {
  auto catalog = introspect::read(db);
  if (skipped) *skipped = catalog.skipped;
  Diagnostics diags;
  auto loaded = compile_sources(introspect::pull_files(catalog.schema), diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  return loaded.model;
}

// The changes a plan from one pulled state to another makes ("kind subject.member").
std::vector<std::string> drift(const model::Schema& from, const model::Schema& to) {
  Diagnostics diags;
  auto p = plan::plan_migration(from, to, diags);
  std::vector<std::string> out;
  for (const auto& op : p.ops)
    if (!op.up.empty())
      out.push_back(std::string(plan::change_name(op.change.kind)) + " " + op.change.subject.display() + "." +
                    op.change.member);
  if (diags.has_errors()) out.push_back(diags.render());
  return out;
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
      auto schema = test::single_node(test::compile_ok(dir));
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
      auto compiled = compile_sources(files, diags);
      INFO(diags.render());
      REQUIRE_FALSE(diags.has_errors());
      // fmt leaves the pulled files as they are.
      REQUIRE(compiled.files.size() == files.size());
      for (std::size_t i = 0; i < files.size(); ++i)
        CHECK(emit::format_file(compiled.files[i].ast, files[i].second) == files[i].second);
      pqxx::connection again(test::fresh_database("schemac_pull_again_" + std::to_string(n++)));
      build(again, compiled.model);
      auto problems = test::compare_catalog(again, schema);
      INFO("the rebuilt catalog differs from the original schema:\n" << report(problems));
      CHECK(problems.empty());
      // No false drift: read back, the two databases plan to nothing either way.
      auto first = pulled(db), second = pulled(again);
      CHECK(drift(first, second).empty());
      CHECK(drift(second, first).empty());

      // Hand-made changes to the rebuilt database (a column, an index, a policy, a
      // function body, where the schema has one): the plan back to the original
      // state is exactly those changes, and its SQL removes the drift.
      std::vector<std::string> tampering, expected;
      for (const auto& t : schema.tables) {
        if (t.is_extern || t.archived_as || t.partition_by) continue;
        tampering.push_back("ALTER TABLE " + t.name.sql() + " ADD COLUMN schemac_stray integer");
        expected.push_back("drop_column " + t.name.display() + ".schemac_stray");
        break;
      }
      for (const auto& t : schema.tables) {
        if (t.is_extern || t.archived_as || t.indexes.empty()) continue;
        tampering.push_back("DROP INDEX " + model::QualifiedName{t.name.schema, t.indexes[0].name}.sql());
        expected.push_back("create_index " + t.name.display() + "." + t.indexes[0].name);
        break;
      }
      bool policy_done = false;
      for (const auto& t : schema.tables) {
        if (t.is_extern || t.archived_as || policy_done) continue;
        for (const auto& p : t.policies)
          if (p.command != "insert" && p.using_sql) {
            tampering.push_back("ALTER POLICY " + names::quote(p.name) + " ON " + t.name.sql() + " USING (false)");
            expected.push_back("alter_policy " + t.name.display() + "." + p.name);
            policy_done = true;
            break;
          }
      }
      for (const auto& f : schema.functions) {
        if (f.is_extern || f.procedure || (f.language != "sql" && f.language != "plpgsql")) continue;
        model::Function changed = f;
        changed.body += "\n-- changed by hand";
        tampering.push_back(emit::replace_function(changed));
        expected.push_back("replace_function " + f.name.display() + ".");
        break;
      }
      {
        pqxx::work tx(again);
        tx.exec("SET check_function_bodies = off");
        for (const auto& sql : tampering) tx.exec(sql);
        tx.commit();
      }
      Diagnostics plan_diags;
      auto tampered = pulled(again);
      for (auto& t : second.tables)  // the stray column is drift to drop, not a drop to confirm
        if (tampered.find_table(t.name) && tampered.find_table(t.name)->find_column("schemac_stray"))
          t.dropped_columns.push_back("schemac_stray");
      auto p = plan::plan_migration(tampered, second, plan_diags);
      INFO(plan_diags.render());
      REQUIRE_FALSE(plan_diags.has_errors());
      std::set<std::string> changes;
      for (const auto& op : p.ops)
        if (!op.up.empty())
          changes.insert(std::string(plan::change_name(op.change.kind)) + " " + op.change.subject.display() + "." +
                         op.change.member);
      CHECK(changes == std::set<std::string>(expected.begin(), expected.end()));
      test::run_up(again, plan::render_up(p, "fix drift"), "");
      CHECK(drift(pulled(again), first).empty());
    }
  }
}

TEST_CASE("pull reads hand-written dumps in the style of real applications") {
  int n = 0;
  // What each dump holds that the language cannot express, listed by pull: the
  // Supabase dump's partitions took SELECT from the schema's default privileges
  // (schemac's partitions hold no grants of their own).
  const std::vector<std::pair<const char*, std::set<std::string>>> dumps = {
      {"tests/introspect/rails_dump.sql", {}},
      {"tests/introspect/supabase_dump.sql",
       {"partition members app.events_2025", "partition members app.events_rest"}}};
  for (const auto& [name, expected_skips] : dumps) {
    DYNAMIC_SECTION(name) {
      pqxx::connection db(test::fresh_database("schemac_dump_" + std::to_string(n)));
      {
        pqxx::work tx(db);
        tx.exec(read_file(test::source_dir() / name));
        tx.commit();
      }
      std::vector<introspect::Skipped> skipped;
      auto model = pulled(db, &skipped);
      std::string listed;
      std::set<std::string> skips;
      for (const auto& s : skipped) {
        listed += "  " + s.kind + " " + s.name + ": " + s.reason + "\n";
        skips.insert(s.kind + " " + s.name);
      }
      INFO("not expressible:\n" << listed);
      CHECK(skips == expected_skips);
      INFO("pulled:\n" << introspect::pull_files(introspect::read(db).schema).back().second);
      // The dump's catalog is the one the pulled model describes ...
      auto problems = test::compare_catalog(db, model);
      INFO("the dump's catalog differs from the pulled model:\n" << report(problems));
      CHECK(problems.empty());
      // ... and building the pulled files gives it again.
      pqxx::connection again(test::fresh_database("schemac_dump_again_" + std::to_string(n++)));
      build(again, model);
      problems = test::compare_catalog(again, model);
      INFO("the rebuilt catalog differs from the pulled model:\n" << report(problems));
      CHECK(problems.empty());
      CHECK(drift(model, pulled(again)).empty());
    }
  }
}
