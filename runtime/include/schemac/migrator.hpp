// Applying migrations: the runtime's migrator. `schemac migrate` is a thin wrapper,
// and a program can hand it embedded migrations to migrate itself at start-up.
//
// Safety, in short:
// - one PostgreSQL advisory lock is held for the whole run, so that deploys from
//   several hosts at once apply each migration exactly once;
// - each migration runs with its verify file in one transaction, and its history
//   row is written in that transaction; a migration marked `-- schemac:no-transaction`
//   runs statement by statement, and its history row records how far it got; an up
//   file in several transactions (`-- schemac:commit`, see migration_file.hpp)
//   records each one committed, and the next `up` resumes after the last of them;
// - an applied migration whose up file changed, is missing or is out of order, and a
//   half-applied one, stop the run with a message that names it and says what to do.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "schemac/migrations.hpp"

namespace schemac::runtime {

// The migrator refuses to go on (exit 1 in the CLI): the message says why and how.
struct MigrationRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A migration's SQL failed: the message names the migration and PostgreSQL's error.
struct MigrationFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MigrationStatus {
  int version = 0;
  std::string name;
  bool applied = false;
  std::string applied_at;                // as PostgreSQL prints timestamptz; "" when pending
  std::string file;                      // "matches", "changed", "missing" (applied), "pending"
  std::optional<int> statements_done;    // a half-applied no-transaction migration
  std::optional<int> transactions_done;  // a half-applied migration in several transactions
};

// A copy kept by a confirmed drop (schemac_retained), with the migration it belongs to.
struct RetainedCopy {
  std::string table;      // its name in the retention schema
  std::string migration;  // the migration's id ("0003_trim"); "" when none of the directory's
  std::string note;       // its comment: what it holds
  long long bytes = 0;    // its size on disk, indexes and TOAST included
};

struct RunOptions {
  std::optional<int> to;  // up: apply through this version; down: revert down to it
  bool dry_run = false;   // say what would run; touch nothing
  std::function<void(const std::string&)> log = [](const std::string&) {};
};

class Migrator {
 public:
  Migrator(pqxx::connection_base& db, std::vector<Migration> migrations);

  // Applies the pending migrations in order; returns how many ran.
  int up(const RunOptions& options = {});
  // Reverts the newest applied migration, or all above `options.to`; returns how many.
  int down(const RunOptions& options = {});
  // Applied and pending migrations, and whether each applied file still matches.
  std::vector<MigrationStatus> status();
  // Adopts a database built before schemac: runs the verify files through `to` and,
  // only if every one holds, records those migrations as applied. Otherwise throws
  // MigrationRefused listing what differs.
  void baseline(
      int to, const std::function<void(const std::string&)>& log = [](const std::string&) {});
  // The copies in the retention schema, by name.
  std::vector<RetainedCopy> retained();
  // Deletes the copies of applied migrations (through version `options.to` when given) and
  // returns them; with `options.dry_run`, only returns them. Their downs then stop
  // before they change anything, saying the values were purged. Copies of migrations
  // that are not applied, or not in the directory, are left alone.
  std::vector<RetainedCopy> purge(const RunOptions& options = {});

  static constexpr const char* history_table = "public.schemac_migrations";

 private:
  struct Applied {
    int version = 0;
    std::string name, checksum, applied_at;
    std::optional<int> statements_done;
    std::optional<int> transactions_done;
  };

  class Lock;
  void ensure_history();
  bool history_exists();
  std::vector<Applied> read_history();
  std::string checksum(const std::string& text);
  const Migration* find(int version) const;
  // Refuses a changed, missing, reordered or half-applied history.
  void check_history(const std::vector<Applied>& applied);
  // `resume`: how many of its transactions a previous run committed.
  void apply(const Migration& m, const std::function<void(const std::string&)>& log, int resume = 0);
  void apply_in_transactions(const Migration& m, const std::function<void(const std::string&)>& log, int resume);
  void revert(const Migration& m, const std::function<void(const std::string&)>& log);

  pqxx::connection_base& db_;
  std::vector<Migration> migrations_;
};

// Splits SQL into statements (PostgreSQL's own scanner: quotes, dollar quotes and
// comments respected), for files that run outside a transaction.
std::vector<std::string> split_statements(const std::string& sql);

}  // namespace schemac::runtime
