#include <iostream>
#include <memory>

#include "cli/migrate_command.hpp"
#include "schemac/migrator.hpp"

namespace schemac::cli {

int run_migrate(const std::string& action, const MigrateArgs& args) {
  std::vector<runtime::Migration> migrations;
  try {
    migrations = runtime::load_migrations(args.dir);
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
    if (action == "up") {
      int n = migrator.up(options);
      if (n == 0) std::cout << "nothing to apply\n";
    } else if (action == "down") {
      int n = migrator.down(options);
      if (n == 0) std::cout << "nothing to revert\n";
    } else if (action == "status") {
      for (const auto& s : migrator.status()) {
        std::string state = s.applied ? "applied " + s.applied_at : "pending";
        if (s.statements_done) state = "HALF APPLIED (" + std::to_string(*s.statements_done) + " statements ran)";
        if (s.transactions_done)
          state = "HALF APPLIED (" + std::to_string(*s.transactions_done) +
                  " transactions committed; `migrate up` finishes it)";
        std::cout << s.name << "  " << state << (s.applied ? "  file " + s.file : "") << "\n";
      }
    } else if (action == "baseline") {
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
