#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/drift.hpp"
#include "cli/migrate_command.hpp"
#include "plan/migrations_dir.hpp"
#include "schemac/migrator.hpp"

namespace schemac::cli {
namespace {

// The differences between the live catalog and snapshot.schema (the state after the
// directory's newest migration); nullopt, with the reason printed, when not compared.
std::optional<std::vector<std::string>> drift_from_snapshot(pqxx::connection& db, const MigrateArgs& args,
                                                            std::ostream& why) {
  if (!std::filesystem::exists(std::filesystem::path(args.dir) / "snapshot.schema")) {
    why << "no snapshot.schema in " << args.dir;
    return std::nullopt;
  }
  Diagnostics diags;
  model::Schema snapshot = plan::read_snapshot(args.dir, diags);
  if (diags.has_errors()) {
    diags.print(std::cerr, stderr_color());
    why << "snapshot.schema does not compile";
    return std::nullopt;
  }
  plan::Plan p;
  try {
    p = plan_from_database(db, args.db, args.shadow_db, snapshot, diags, false);
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {  // e.g. no privilege to create a shadow database
    why << first_line(e.what());
    return std::nullopt;
  }
  if (diags.has_errors()) {
    diags.print(std::cerr, stderr_color());
    why << "the database cannot be compared with snapshot.schema";
    return std::nullopt;
  }
  return change_lines(p);
}

}  // namespace

int run_migrate(const std::string& action, const MigrateArgs& args) {
  std::vector<runtime::Migration> migrations;
  std::vector<int> versions;  // of the migrations, in order
  try {
    migrations = runtime::load_migrations(args.dir);
    for (const auto& m : migrations) versions.push_back(m.version);
  } catch (const std::exception& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_environment;
  }
  std::unique_ptr<pqxx::connection> db;
  try {
    db = std::make_unique<pqxx::connection>(args.db);
  } catch (const std::exception& e) {
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    std::cerr << "schemac: error: cannot connect to the database: " << message << "\n";
    return exit_environment;
  }
  try {
    runtime::Migrator migrator(*db, std::move(migrations));
    runtime::RunOptions options;
    options.to = args.to;
    options.dry_run = args.dry_run;
    options.log = [](const std::string& line) { std::cout << line << std::endl; };
    options.lock_timeout = std::chrono::milliseconds(args.lock_timeout_ms);
    options.lock_retries = args.lock_retries;
    if (args.statement_timeout_ms) options.statement_timeout = std::chrono::milliseconds(*args.statement_timeout_ms);
    options.observer = args.db;
    if (action == "up") {
      int n = migrator.up(options);
      if (n == 0) std::cout << "nothing to apply\n";
    } else if (action == "down") {
      int n = migrator.down(options);
      if (n == 0) std::cout << "nothing to revert\n";
    } else if (action == "status") {
      auto statuses = migrator.status();
      bool tampered = false;  // an applied migration's file changed or is gone
      for (const auto& s : statuses) {
        std::string state = s.applied ? "applied " + s.applied_at : "pending";
        if (s.statements_done || s.transactions_done) {
          int done = s.transactions_done.value_or(0);
          state = "HALF APPLIED (" + std::to_string(done) + " of " + std::to_string(s.phases) + " phases done";
          if (s.statements_done)
            state += ", " + std::to_string(*s.statements_done) + " statements of phase " + std::to_string(done + 1);
          state += "; `migrate up` finishes it, `migrate down` undoes what ran)";
        }
        std::string file;
        if (s.applied) {
          file = "  file " + s.file;
          for (std::size_t i = 0; i < s.changed.size(); ++i) file += (i ? ", " : " (") + s.changed[i];
          if (!s.changed.empty()) file += ")";
          if (s.baselined) file += "  (adopted by baseline: down never reverts it)";
        }
        std::cout << s.name << "  " << state << file << "\n";
        tampered |= s.file == "missing" || s.file == "changed";
      }
      if (tampered)
        std::cout << "an applied migration's file changed or is missing: restore it from version control (up and "
                     "down refuse to run until then)\n";
      int result = tampered ? exit_input : exit_ok;
      // Drift: the catalog against the state the newest applied migration left, when
      // that is the directory's newest (snapshot.schema describes only that one).
      const runtime::MigrationStatus* newest = nullptr;
      for (const auto& s : statuses)
        if (s.applied) newest = &s;
      if (!newest) return result;
      if (newest != &statuses.back()) {
        std::cout << "drift: not checked (snapshot.schema is the state after " << statuses.back().name
                  << ", not yet applied)\n";
        return result;
      }
      std::ostringstream why;
      auto drift = drift_from_snapshot(*db, args, why);
      if (!drift) {
        std::cout << "drift: not checked (" << why.str() << ")\n";
      } else if (drift->empty()) {
        std::cout << "drift: none (the catalog matches snapshot.schema)\n";
      } else {
        std::cout << "drift: the catalog differs from snapshot.schema (`schemac diff` prints the SQL):\n";
        for (const auto& line : *drift) std::cout << "  " << line << "\n";
        return exit_input;
      }
      return result;
    } else if (action == "baseline") {
      // Adopting the newest migration: the catalog must be the snapshot's, object by
      // object (the verify files check only what each migration created).
      if (!versions.empty() && *args.to == versions.back()) {
        std::ostringstream why;
        auto drift = drift_from_snapshot(*db, args, why);
        if (!drift) {
          std::cerr << "schemac: error: cannot compare the catalog with snapshot.schema: " << why.str() << "\n";
          return exit_input;
        }
        if (!drift->empty()) {
          std::cerr << "schemac: error: the database is not at the state of " << args.dir
                    << "/snapshot.schema; it differs in:\n";
          for (const auto& line : *drift) std::cerr << "  " << line << "\n";
          std::cerr << "(`schemac diff` prints the SQL that would close the gap)\n";
          return exit_input;
        }
      } else {
        std::cout << "note: snapshot.schema is the state after the newest migration; version " << *args.to
                  << " is checked by its verify files only\n";
      }
      migrator.baseline(*args.to, options.log);
    } else if (action == "purge") {
      if (args.before) options.to = *args.before - 1;
      auto purged = migrator.purge(options);
      long long bytes = 0;
      for (const auto& p : purged) bytes += p.bytes;
      std::cout << (args.dry_run ? "would purge " : "purged ") << purged.size() << " retained cop"
                << (purged.size() == 1 ? "y" : "ies") << ", " << bytes << " bytes\n";
    }
    return exit_ok;
  } catch (const runtime::MigrationRefused& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_input;
  } catch (const runtime::MigrationFailed& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_input;
  } catch (const pqxx::broken_connection& e) {
    std::string message = e.what();
    std::cerr << "schemac: error: lost the database connection: " << message.substr(0, message.find('\n')) << "\n";
    return exit_environment;
  } catch (const pqxx::insufficient_privilege& e) {
    std::string message = e.what();
    std::cerr << "schemac: error: permission denied: " << message.substr(0, message.find('\n')) << "\n";
    return exit_environment;
  } catch (const std::exception& e) {
    std::string message = e.what();
    std::cerr << "schemac: error: " << message.substr(0, message.find('\n')) << "\n";
    return exit_environment;
  }
}

}  // namespace schemac::cli
