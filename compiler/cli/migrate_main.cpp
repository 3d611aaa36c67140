// schemac-migrate: `schemac migrate ...`, which schemac runs in its place (see
// cli/migrate_command.hpp). Its command line is schemac's, restricted to `migrate`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/migrate_command.hpp"
#include "cli/plan_run.hpp"
#include "diag/diagnostics.hpp"

int main(int argc, char** argv) {
  using namespace schemac::cli;
  CLI::App app{"schemac: a schema-as-code compiler for PostgreSQL"};
  app.name("schemac");
  app.require_subcommand(1);
  app.fallthrough();
  add_color_option(app);
  MigrateArgs args;
  std::map<std::string, CLI::App*> actions;
  add_migrate_command(app, args, actions);
  DatabaseArgs dargs;
  auto database = add_database_commands(app, dargs);
  // `schemac plan ... --db URL` (schemac runs plain `plan` itself).
  PlanArgs pargs;
  auto* plan = app.add_subcommand("plan", "write the next migration, with the table sizes of --db in its lock summary");
  plan->add_option("SCHEMA_DIR", pargs.dir, "directory of .schema files")->required();
  plan->add_option("MIGRATIONS_DIR", pargs.migrations, "directory of migrations and snapshot.schema")->required();
  plan->add_option("--name", pargs.name, "the migration's name: lower case letters, digits, underscores")->required();
  plan->add_option("--db", pargs.db, "a database whose table sizes (pg_class.reltuples) the lock summary shows")
      ->required();
  bool init = false;
  plan->add_flag("--init", init, "start MIGRATIONS_DIR if it does not exist (schemac checked it before running this)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_environment;
  }
  for (const auto& [action, sub] : actions)
    if (sub->parsed()) return run_migrate(action, args);
  if (database.pull->parsed()) return run_pull(dargs);
  if (database.diff->parsed()) return run_diff(dargs);
  if (plan->parsed()) return run_plan_with_sizes(pargs);
  std::cerr << "schemac: error: no migrate action given\n";
  return exit_environment;
}
