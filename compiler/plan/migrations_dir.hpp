// The migrations directory: NNNN_name.{up,down,verify}.sql and snapshot.schema.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "plan/plan.hpp"

namespace schemac::plan {

struct MigrationFile {
  int number = 0;
  std::string id;  // "0002_personalized_quests"
};

// Applied-in-order migrations found in `dir` (by their up files), sorted by number.
// Throws EnvironmentError for a directory that cannot be read or numbers that repeat.
std::vector<MigrationFile> list_migrations(const std::filesystem::path& dir);

// The previous state: snapshot.schema read back (empty when there is none). Errors in
// it go to diags.
model::Schema read_snapshot(const std::filesystem::path& dir, Diagnostics& diags);

// The state before the newest migration (snapshot.previous.schema, which plan writes
// with each migration), so that `lint` can still lint a change once it is planned;
// nullopt when there is none.
std::optional<model::Schema> read_previous_snapshot(const std::filesystem::path& dir, Diagnostics& diags);

// Throws EnvironmentError unless `name` is lower case letters, digits and underscores.
void check_migration_name(const std::string& name);

struct Written {
  std::string id;                       // the new migration, or "" when nothing changed
  std::vector<std::string> files;       // what was written, relative to dir
  std::vector<std::string> locks;       // lock_summary of the plan
  std::vector<std::string> assertions;  // assertion_summary of the plan
};

// Plans from the snapshot to `desired` and writes the migration and the new
// snapshot. Returns an empty id when there is nothing to migrate.
// `rows`: table size estimates for the lock summary (Written::locks).
Written write_next_migration(const std::filesystem::path& dir, const std::string& name, const model::Schema& desired,
                             Diagnostics& diags, std::vector<std::string>& notes,
                             const std::map<model::QualifiedName, double>& rows = {});

}  // namespace schemac::plan
