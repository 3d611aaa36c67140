#include "cli/plan_run.hpp"

#include <filesystem>
#include <iostream>

#include "cli/migrate_command.hpp"
#include "driver/compile.hpp"
#include "plan/migrations_dir.hpp"

namespace schemac::cli {

int report(const Diagnostics& diags) {
  diags.print(std::cerr);
  if (diags.has_errors()) {
    std::cerr << diags.error_count() << (diags.error_count() == 1 ? " error" : " errors") << " generated.\n";
    return exit_input;
  }
  return exit_ok;
}

int run_plan(const std::string& dir, const std::string& migrations, const std::string& name,
             const std::map<model::QualifiedName, double>& rows) {
  Diagnostics diags;
  model::Schema desired;
  {
    auto loaded = compile_directory(dir, diags);
    if (diags.has_errors()) return report(diags);
    desired = std::move(loaded.model);  // the syntax trees are not needed any more
  }
  std::vector<std::string> notes;
  auto written = plan::write_next_migration(migrations, name, desired, diags, notes, rows);
  if (int rc = report(diags)) return rc;
  if (written.id.empty()) {
    std::cout << "no changes" << (written.files.empty() ? "" : " to the database (snapshot.schema updated)") << "\n";
    return exit_ok;
  }
  std::cout << "planned " << written.id << ":\n";
  for (const auto& f : written.files)
    std::cout << "  " << (std::filesystem::path(migrations) / f).generic_string() << "\n";
  for (const auto& n : notes) std::cout << "note: " << n << "\n";
  if (!written.locks.empty()) {
    std::cout << "locks on tables that exist (the strongest each phase takes):\n";
    for (const auto& l : written.locks) std::cout << "  " << l << "\n";
  }
  return exit_ok;
}

}  // namespace schemac::cli
