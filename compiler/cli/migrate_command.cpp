#include "cli/migrate_command.hpp"

#include <unistd.h>

#include <cstdlib>

namespace schemac::cli {

static std::string color_mode = "auto";

void add_color_option(CLI::App& app) {
  app.add_option("--color", color_mode, "colour in diagnostics: auto (a terminal without NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

bool stderr_color() {
  if (color_mode == "always") return true;
  if (color_mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // no-color.org: set and not empty
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return ::isatty(2) == 1;
}

void add_migrate_command(CLI::App& app, MigrateArgs& args, std::map<std::string, CLI::App*>& actions) {
  auto* migrate = app.add_subcommand("migrate", "apply, revert, list or adopt migrations on a database");
  migrate->require_subcommand(1);
  for (const char* action : {"up", "down", "status", "baseline", "purge"}) {
    auto* a = migrate->add_subcommand(action);
    a->add_option("MIGRATIONS_DIR", args.dir, "directory of migrations")->required();
    a->add_option("--db", args.db, "libpq connection string or URL (default: the PG* environment variables)");
    if (std::string(action) == "purge") {
      a->add_option("--before", args.before, "only the copies of migrations older than this version");
      a->add_flag("--dry-run", args.dry_run, "print what would be deleted and touch nothing");
      actions[action] = a;
      continue;
    }
    if (std::string(action) == "status" || std::string(action) == "baseline")
      a->add_option("--shadow-db", args.shadow_db,
                    "an empty scratch database for comparing the catalog with snapshot.schema (default: one "
                    "created on the same server and dropped after)");
    auto* to = a->add_option("--to", args.to, "version to migrate up to, down to, or adopt through");
    if (std::string(action) == "baseline") to->required();
    if (std::string(action) != "status" && std::string(action) != "baseline") {
      a->add_flag("--dry-run", args.dry_run, "print what would run and touch nothing");
      a->add_option("--lock-timeout", args.lock_timeout_ms,
                    "milliseconds a statement may wait for a lock before its phase is rolled back and retried "
                    "(default 2000)")
          ->check(CLI::Range(1, 3600000));
      a->add_option("--lock-retries", args.lock_retries, "retries of a phase that timed out waiting (default 5)")
          ->check(CLI::Range(0, 1000));
      a->add_option("--statement-timeout", args.statement_timeout_ms,
                    "milliseconds any statement may run (default: the server's statement_timeout)")
          ->check(CLI::Range(1, 86400000));
    }
    actions[action] = a;
  }
  migrate->description(
      "  up        apply pending migrations, each in its phases, with its verify file; resumes a half-applied one\n"
      "  down      revert the newest migration, or down to --to (never one adopted by baseline)\n"
      "  status    list applied and pending migrations, and drift from snapshot.schema (exit 1 on drift,\n"
      "            or when an applied migration's up, down or verify file changed or is missing)\n"
      "  baseline  adopt a database built before schemac (its catalog must match snapshot.schema when --to is\n"
      "            the newest migration; the verify files run through --to)\n"
      "  purge     delete what confirmed drops of applied migrations, and downs, kept in schemac_retained\n"
      "            (older than --before)");
}

DatabaseCommands add_database_commands(CLI::App& app, DatabaseArgs& args) {
  DatabaseCommands out;
  out.pull = app.add_subcommand("pull", "write .schema files for what a live database holds");
  out.pull->add_option("OUT_DIR", args.dir, "directory to create (it must not exist, or be empty)")->required();
  out.pull->add_option("--db", args.db, "libpq connection string or URL (default: the PG* environment variables)");
  out.pull->add_option("--schema", args.schemas, "only these database schemas (repeatable; default: all)");
  out.diff = app.add_subcommand(
      "diff", "the migration SQL that takes a live database to the schema; exit 0 when equal, 1 when they differ");
  out.diff->add_option("SCHEMA_DIR", args.dir, "directory of .schema files")->required();
  out.diff->add_option("--db", args.db, "libpq connection string or URL (default: the PG* environment variables)");
  out.diff->add_option("--shadow-db", args.shadow_db,
                       "an empty scratch database to build the schema in (default: one created on the same server "
                       "and dropped after)");
  return out;
}

}  // namespace schemac::cli
