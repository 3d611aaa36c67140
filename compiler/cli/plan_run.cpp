#include "cli/plan_run.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <vector>

#include "cli/migrate_command.hpp"
#include "driver/compile.hpp"
#include "plan/migrations_dir.hpp"
#include "plan/render.hpp"

namespace schemac::cli {

int report(const Diagnostics& diags) {
  diags.print(std::cerr, stderr_color());
  if (diags.has_errors()) {
    std::cerr << diags.error_count() << (diags.error_count() == 1 ? " error" : " errors") << " generated.\n";
    return exit_input;
  }
  return exit_ok;
}

void require_migrations_dir(const std::string& migrations) {
  std::error_code ec;
  if (std::filesystem::is_directory(migrations, ec)) return;
  if (std::filesystem::exists(migrations, ec)) throw EnvironmentError("'" + migrations + "' is not a directory");
  throw EnvironmentError("migrations directory '" + migrations +
                         "' does not exist; check the path, or pass --init to start a new one there");
}

namespace {
// What the verify file checks of the data.
void print_assertions(const std::vector<std::string>& assertions) {
  if (assertions.empty()) return;
  std::cout << "assertions the verify file checks:\n";
  for (const auto& a : assertions) std::cout << "  " << a << "\n";
}
}  // namespace

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
  print_assertions(written.assertions);
  return exit_ok;
}

int run_plan_dry(const std::string& dir, const std::string& migrations, const std::string& name) {
  Diagnostics diags;
  model::Schema desired;
  {
    auto loaded = compile_directory(dir, diags);
    if (diags.has_errors()) return report(diags);
    desired = std::move(loaded.model);
  }
  plan::check_migration_name(name);
  auto existing = plan::list_migrations(migrations);
  model::Schema previous = plan::read_snapshot(migrations, diags);
  if (diags.has_errors()) return report(diags);
  if (!existing.empty() && !std::filesystem::exists(std::filesystem::path(migrations) / "snapshot.schema"))
    throw EnvironmentError("'" + migrations +
                           "' has migrations but no snapshot.schema; restore it from version control");
  int number = existing.empty() ? 1 : existing.back().number + 1;
  char id[16];
  std::snprintf(id, sizeof id, "%04d", number);
  std::string migration = std::string(id) + "_" + name;
  plan::Plan p = plan::plan_migration(previous, desired, diags, migration);
  if (int rc = report(diags)) return rc;
  if (p.empty()) {
    std::cout << "no changes (dry run: nothing written)\n";
    return exit_ok;
  }
  // What each operation does to an object, once per object and kind of change.
  std::vector<std::string> added, changed, removed;
  std::set<std::string> seen;
  for (const auto& op : p.ops) {
    const auto& c = op.change;
    // An assertion is no statement of the up file, but it is added, changed or removed.
    bool assertion = c.kind == plan::ChangeKind::create_assertion || c.kind == plan::ChangeKind::alter_assertion ||
                     c.kind == plan::ChangeKind::drop_assertion;
    if ((op.up.empty() && !assertion) || c.kind == plan::ChangeKind::other || c.kind == plan::ChangeKind::moved_aside)
      continue;
    std::string kind = plan::change_name(c.kind);
    std::string line = kind + " " + c.subject.display() + (c.member.empty() ? "" : "." + c.member);
    if (!seen.insert(line).second) continue;
    if (kind.rfind("create_", 0) == 0 || kind.rfind("add_", 0) == 0)
      added.push_back(line);
    else if (kind.rfind("drop_", 0) == 0 || kind.rfind("remove_", 0) == 0)
      removed.push_back(line);
    else
      changed.push_back(line);
  }
  std::cout << "dry run: migration " << migration << " would be written to " << migrations << " (nothing written)\n";
  for (const auto& [title, lines] : {std::pair<const char*, const std::vector<std::string>*>{"added", &added},
                                     {"changed", &changed},
                                     {"removed", &removed}}) {
    std::cout << title << " (" << lines->size() << "):\n";
    for (const auto& l : *lines) std::cout << "  " << l << "\n";
  }
  for (const auto& n : p.notes) std::cout << "note: " << n << "\n";
  auto locks = plan::lock_summary(p);
  if (!locks.empty()) {
    std::cout << "locks on tables that exist (the strongest each phase takes):\n";
    for (const auto& l : locks) std::cout << "  " << l << "\n";
  }
  print_assertions(plan::assertion_summary(p));
  std::cout << "\n" << plan::render_up(p, "schemac plan --dry-run: " + migration + " (up)");
  return exit_ok;
}

}  // namespace schemac::cli
