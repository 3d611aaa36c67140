// `schemac plan`, shared by schemac and by schemac-migrate (which runs it when --db
// gives a database to read the tables' sizes from).
#pragma once

#include <map>
#include <string>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"

namespace schemac::cli {

// Prints the diagnostics; the exit code they mean (1 with errors, else 0).
int report(const Diagnostics& diags);

// `plan` without --init: a migrations directory that does not exist is refused (a
// typo would start a second history), with the flag that starts one. Throws
// EnvironmentError.
void require_migrations_dir(const std::string& migrations);

// Writes the next migration and prints what it wrote, its notes and its lock
// summary; `rows` (estimates by table) adds the size of each table the summary names.
int run_plan(const std::string& dir, const std::string& migrations, const std::string& name,
             const std::map<model::QualifiedName, double>& rows = {});

// `plan --dry-run`: what the next migration would add, change and remove, its notes,
// lock summary and up SQL, on standard output; writes nothing.
int run_plan_dry(const std::string& dir, const std::string& migrations, const std::string& name);

}  // namespace schemac::cli
