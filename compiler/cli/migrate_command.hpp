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

namespace schemac::cli {

constexpr int exit_ok = 0;
constexpr int exit_input = 1;
constexpr int exit_environment = 2;

struct MigrateArgs {
  std::string dir, db;
  std::optional<int> to;
  std::optional<int> before;  // purge
  bool dry_run = false;
};

// Adds `migrate` and its actions (up, down, status, baseline, purge) to app; each
// action's subcommand is put in actions by name.
void add_migrate_command(CLI::App& app, MigrateArgs& args, std::map<std::string, CLI::App*>& actions);

// Runs one action (schemac-migrate only: it links the database client).
int run_migrate(const std::string& action, const MigrateArgs& args);

}  // namespace schemac::cli
