// Helpers shared by the PostgreSQL tests. The server comes from PGHOST / PGPORT /
// PGUSER, set by scripts/with-postgres.sh.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "model/schema.hpp"

namespace schemac::test {

// Drops and creates database `name`; returns the connection string for it.
std::string fresh_database(const std::string& name);

// Runs `sql` (any number of statements) in one transaction; a migration file with
// phases (migration_file.hpp) phase by phase, as the migrator runs them.
void run(pqxx::connection& db, const std::string& sql);
// An up file as the migrator runs it: each of its phases in turn, the verify file
// with the last.
void run_up(pqxx::connection& db, const std::string& up, const std::string& verify);

// Every row of `table` as JSON text, one per line, in a stable order.
std::string rows(pqxx::connection& db, const std::string& table);

// A schema directory (relative to the source tree) that must compile.
model::Schema compile_ok(const std::string& dir);

// The schema as one server holds it: distributed and reference tables (Citus) made
// local. The single-server tests build every schema of the suite so; tests/citus
// builds the distributed ones on a cluster.
model::Schema single_node(model::Schema s);

// The first value of the first row of `sql` as text ("<null>" for NULL), committed.
std::string value(pqxx::connection& db, const std::string& sql);

// A checked-in migration file of an example: generated/EXAMPLE/migrations/FILE.
std::string migration_file(const std::string& example, const std::string& file);

// Catalog differences, one per line, for test messages.
std::string report(const std::vector<std::string>& problems);

}  // namespace schemac::test
