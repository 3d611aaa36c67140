// `schemac migrate`: its command line, shared by `schemac` (which parses it and then
// hands the run to `schemac-migrate`) and by `schemac-migrate` (which runs it).
//
// The database client (libpqxx, libpq and the libraries they load: TLS, Kerberos,
// LDAP) lives only in schemac-migrate: loading it costs about 20 ms, which every
// `check`, `plan` and `fmt` would otherwise pay before doing anything.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemac::cli {

constexpr int exit_ok = 0;
constexpr int exit_input = 1;
constexpr int exit_environment = 2;

// `--color auto|always|never` (every command; before or after it): colour in the
// diagnostics on standard error. auto: when it is a terminal and NO_COLOR is unset.
void add_color_option(CLI::App& app);
bool stderr_color();

struct MigrateArgs {
  std::string dir, db, shadow_db;
  std::optional<int> to;
  std::optional<int> before;  // purge
  bool dry_run = false;
  // up and down: lock_timeout of each statement (ms), retries of a phase that times
  // out, and statement_timeout (ms; unset: the server's)
  int lock_timeout_ms = 2000;
  int lock_retries = 5;
  std::optional<int> statement_timeout_ms;
};

// Adds `migrate` and its actions (up, down, status, baseline, purge) to app; each
// action's subcommand is put in actions by name.
void add_migrate_command(CLI::App& app, MigrateArgs& args, std::map<std::string, CLI::App*>& actions);

// Runs one action (schemac-migrate only: it links the database client).
int run_migrate(const std::string& action, const MigrateArgs& args);

// `schemac pull OUT_DIR --db URL [--schema NAME ...]` and `schemac diff SCHEMA_DIR
// --db URL [--shadow-db URL]`: they read a live database, so they run in
// schemac-migrate too.
struct DatabaseArgs {
  std::string dir, db, shadow_db;
  std::vector<std::string> schemas;
};
struct DatabaseCommands {
  CLI::App* pull = nullptr;
  CLI::App* diff = nullptr;
};
DatabaseCommands add_database_commands(CLI::App& app, DatabaseArgs& args);
int run_pull(const DatabaseArgs& args);
int run_diff(const DatabaseArgs& args);

// `schemac plan SCHEMA_DIR MIGRATIONS_DIR --name NAME --db URL`: plan as schemac does,
// with the row estimates of the database's tables in the lock summary.
struct PlanArgs {
  std::string dir, migrations, name, db;
};
int run_plan_with_sizes(const PlanArgs& args);

}  // namespace schemac::cli
