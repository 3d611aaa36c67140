// `schemac pull` and `schemac diff`: they read live databases, so they run in
// schemac-migrate (see cli/migrate_command.hpp).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <pqxx/pqxx>
#include <set>

#include "cli/drift.hpp"
#include "cli/migrate_command.hpp"
#include "cli/plan_run.hpp"
#include "driver/compile.hpp"
#include "emit/sql.hpp"
#include "introspect/catalog.hpp"
#include "introspect/pull.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"

namespace schemac::cli {

namespace fs = std::filesystem;

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::unique_ptr<pqxx::connection> connect(const std::string& db) {
  try {
    return std::make_unique<pqxx::connection>(db);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot connect to the database: " + first_line(e.what()));
  }
}

// The connection string of another database on the same server: `dbname` replaced
// in a URL, or given last (it wins) in a keyword string.
static std::string with_dbname(const std::string& db, const std::string& name) {
  auto scheme = db.find("://");
  if (scheme == std::string::npos) return db + " dbname=" + name;
  auto path = db.find('/', scheme + 3);
  auto query = db.find('?', scheme + 3);
  std::string base = db.substr(0, std::min(path, query));
  return base + "/" + name + (query == std::string::npos ? "" : db.substr(query));
}

// What the language can express of a database, compiled like a schema directory:
// the same text `pull` would write, so two databases compare in the same spelling.
static model::Schema pulled_model(introspect::Catalog catalog, const std::string& what, bool warn) {
  if (warn)
    for (const auto& s : catalog.skipped)
      std::cerr << "schemac: note: " << what << ": not expressible: " << s.kind << " " << s.name << ": " << s.reason
                << "\n";
  Diagnostics diags;
  auto loaded = compile_sources(introspect::pull_files(catalog.schema), diags);
  if (diags.has_errors()) {
    diags.print(std::cerr, stderr_color());
    throw std::logic_error("what was read from the " + what +
                           " does not compile (a bug of schemac's introspection; please report it)");
  }
  return std::move(loaded.model);
}

namespace {

template <typename F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const pqxx::insufficient_privilege& e) {
    std::cerr << "schemac: error: permission denied: " << first_line(e.what()) << "\n";
  } catch (const pqxx::broken_connection& e) {
    std::cerr << "schemac: error: lost the database connection: " << first_line(e.what()) << "\n";
  } catch (const std::logic_error& e) {
    std::cerr << "schemac: internal error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "schemac: error: " << first_line(e.what()) << "\n";
  }
  return exit_environment;
}

}  // namespace

int run_pull(const DatabaseArgs& args) {
  return guarded([&] {
    fs::path out(args.dir);
    std::error_code ec;
    if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec))) {
      std::cerr << "schemac: error: " << args.dir
                << " exists and is not empty: pull writes a new directory and overwrites nothing\n";
      return exit_environment;
    }
    auto db = connect(args.db);
    introspect::Options options;
    options.schemas = args.schemas;
    auto catalog = introspect::read(*db, options);
    auto files = introspect::pull_files(catalog.schema);
    Diagnostics diags;
    compile_sources(files, diags);
    if (diags.has_errors()) {
      diags.print(std::cerr, stderr_color());
      std::cerr << "schemac: internal error: the pulled files do not compile (a bug of schemac's introspection; "
                   "please report it); nothing was written\n";
      return exit_environment;
    }
    // Written next to OUT_DIR and renamed into place: never half a directory.
    fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
    fs::path temporary = parent / (".schemac-pull-" + std::to_string(::getpid()));
    try {
      fs::create_directories(temporary);
      for (const auto& [name, text] : files) write_file_atomically(temporary / name, text);
      if (fs::exists(out)) fs::remove(out);
      fs::rename(temporary, out);
    } catch (...) {
      fs::remove_all(temporary, ec);
      throw;
    }
    for (const auto& s : catalog.skipped)
      std::cerr << "schemac: note: not expressible: " << s.kind << " " << s.name << ": " << s.reason << "\n";
    const auto& m = catalog.schema;
    auto own = [](const auto& objects) {
      return std::count_if(objects.begin(), objects.end(), [](const auto& x) { return !x.is_extern; });
    };
    std::cout << "pulled " << own(m.tables) << " tables, " << m.views.size() + m.materialized_views.size() << " views, "
              << own(m.functions) << " functions into " << args.dir << " (" << files.size()
              << (files.size() == 1 ? " file" : " files") << ")";
    if (!catalog.skipped.empty()) std::cout << "; " << catalog.skipped.size() << " not expressible (listed above)";
    std::cout << "\n";
    return exit_ok;
  });
}

std::vector<std::string> change_lines(const plan::Plan& p) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& op : p.ops) {
    if (op.up.empty()) continue;
    std::string line = std::string(plan::change_name(op.change.kind)) + " " + op.change.subject.display() +
                       (op.change.member.empty() ? "" : "." + op.change.member);
    if (seen.insert(line).second) out.push_back(line);
  }
  return out;
}

plan::Plan plan_from_database(pqxx::connection& live, const std::string& db, const std::string& shadow_db_given,
                              const model::Schema& desired, Diagnostics& diags, bool warn) {
  introspect::Options options;  // the schemas the schema declares; one the database lacks reads as empty
  options.schemas = {"public"};
  for (const auto& s : desired.schemas) options.schemas.push_back(s.name);
  options.missing_schemas_ok = true;
  // The schema is built in a shadow database and read back from there, so that both
  // sides are spelled by the same server (pg_get_expr, pg_get_viewdef): only
  // differences of meaning remain.
  std::string shadow_name, shadow_db = shadow_db_given;
  if (shadow_db.empty()) {
    shadow_name = "schemac_shadow_" + std::to_string(::getpid()) + "_" +
                  std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
    pqxx::nontransaction admin(live);
    try {
      admin.exec("CREATE DATABASE " + shadow_name);
    } catch (const pqxx::sql_error& e) {
      throw std::runtime_error("cannot create a shadow database (give --shadow-db an empty database): " +
                               first_line(e.what()));
    }
    shadow_db = with_dbname(db, shadow_name);
  }
  struct DropShadow {
    pqxx::connection& live;
    std::string name;
    ~DropShadow() {
      if (name.empty()) return;
      try {
        pqxx::nontransaction admin(live);
        admin.exec("DROP DATABASE IF EXISTS " + name);
      } catch (...) {
        std::cerr << "schemac: warning: could not drop the shadow database " << name << "\n";
      }
    }
  } drop{live, shadow_name};
  model::Schema wanted;
  {
    auto shadow = connect(shadow_db);
    // Built, read and rolled back in one transaction: the shadow database stays empty
    // and the roles the schema names are not left on the server.
    pqxx::work tx(*shadow);
    if (tx.exec("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN "
                "('pg_catalog', 'information_schema', 'pg_toast') LIMIT 1")
            .size())
      throw std::runtime_error("the shadow database is not empty");
    // Citus: the shadow database has no cluster. The tables are built local there and
    // take the distribution the schema declares back in the model.
    model::Schema local = desired;
    for (auto& t : local.tables) t.distribution.reset();
    tx.exec(emit::platform_stub_sql(local));
    tx.exec(plan::full_state_sql(local));
    wanted = pulled_model(introspect::read(tx, options), "schema", false);
    tx.abort();
    for (auto& t : wanted.tables)
      if (const auto* d = desired.find_table(t.name)) t.distribution = d->distribution;
  }
  auto have = pulled_model(introspect::read(live, options), "database", warn);
  // A table or column the database has and the schema does not is drift to show, not
  // a drop to refuse: the plan drops it (keeping its data in the retention schema).
  for (auto& t : wanted.tables)
    if (const auto* h = have.find_table(t.name))
      for (const auto& c : h->columns)
        if (!t.find_column(c.name)) t.dropped_columns.push_back(c.name);
  for (const auto& h : have.tables)
    if (!h.is_extern && !wanted.find_table(h.name)) wanted.dropped_tables.push_back({h.name, {}});
  for (const auto& h : have.partitions)
    if (std::none_of(wanted.partitions.begin(), wanted.partitions.end(),
                     [&](const model::Partition& w) { return w.name == h.name; }))
      wanted.dropped_tables.push_back({h.name, {}});
  return plan::plan_migration(have, wanted, diags);
}

int run_diff(const DatabaseArgs& args) {
  return guarded([&]() -> int {
    Diagnostics diags;
    model::Schema desired;
    {
      auto loaded = compile_directory(args.dir, diags);
      if (diags.has_errors()) {
        diags.print(std::cerr, stderr_color());
        return exit_input;
      }
      desired = std::move(loaded.model);
    }
    auto live = connect(args.db);
    auto p = plan_from_database(*live, args.db, args.shadow_db, desired, diags, true);
    if (diags.has_errors()) {
      diags.print(std::cerr, stderr_color());
      return exit_input;
    }
    if (p.ops.empty()) {
      std::cout << "no difference: the database matches " << args.dir << "\n";
      return exit_ok;
    }
    std::cout << "-- the database differs from " << args.dir << ":\n";
    for (const auto& line : change_lines(p)) std::cout << "--   " << line << "\n";
    std::cout << plan::render_up(p, "schemac diff: " + args.dir);
    return exit_input;
  });
}

int run_plan_with_sizes(const PlanArgs& args) {
  std::map<model::QualifiedName, double> rows;
  try {
    auto db = connect(args.db);
    pqxx::read_transaction tx(*db);
    for (auto row : tx.exec("SELECT n.nspname, c.relname, c.reltuples::float8 FROM pg_class c JOIN pg_namespace n ON "
                            "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
                            "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"))
      rows[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<double>();
  } catch (const std::exception& e) {
    std::cerr << "schemac: error: " << first_line(e.what()) << "\n";
    return exit_environment;
  }
  try {
    return run_plan(args.dir, args.migrations, args.name, rows);
  } catch (const EnvironmentError& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_environment;
  }
}

}  // namespace schemac::cli
