// schemac-migrate: `schemac migrate ...`, which schemac runs in its place (see
// cli/migrate_command.hpp). Its command line is schemac's, restricted to `migrate`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/migrate_command.hpp"

int main(int argc, char** argv) {
  using namespace schemac::cli;
  CLI::App app{"schemac: a schema-as-code compiler for PostgreSQL"};
  app.name("schemac");
  app.require_subcommand(1);
  MigrateArgs args;
  std::map<std::string, CLI::App*> actions;
  add_migrate_command(app, args, actions);
  DatabaseArgs dargs;
  auto database = add_database_commands(app, dargs);
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
  std::cerr << "schemac: error: no migrate action given\n";
  return exit_environment;
}
