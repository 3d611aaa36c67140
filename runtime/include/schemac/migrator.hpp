// Applying migrations: the runtime's migrator. `schemac migrate` is a thin wrapper,
// and a program can hand it embedded migrations to migrate itself at start-up.
//
// Safety, in short:
// - one PostgreSQL advisory lock is held for the whole run, so that deploys from
//   several hosts at once apply each migration exactly once;
// - a migration runs in phases (migration_file.hpp): each transactional phase commits
//   with the history row counting the phases done, and a phase outside a transaction
//   (CREATE INDEX CONCURRENTLY) records each statement done; the verify file runs with
//   the last phase; a run that stopped resumes at the first unfinished phase (or
//   statement), rebuilding an invalid index that a failed concurrent build left;
//   `down` of a half-applied migration undoes only the phases that ran;
// - every statement runs under lock_timeout (2 s by default): a phase that cannot take
//   its locks in time is rolled back and retried with back-off, so that a migration
//   never queues production queries behind it for long; when it finally gives up, the
//   error names the sessions that held the lock (pid, state, query);
// - an applied migration whose up file changed, is missing or is out of order stops
//   the run with a message that names it and says what to do.
#pragma once

#include <chrono>
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
  std::string applied_at;            // as PostgreSQL prints timestamptz; "" when pending
  std::string file;                  // "matches", "changed", "missing" (applied), "pending"
  std::vector<std::string> changed;  // when "changed": which of its files ("up", "down", "verify")
  bool baselined = false;            // recorded by `migrate baseline`: down never reverts it
  // Set while a migration is half applied: the phases done, and the statements done of
  // the next phase when it runs outside a transaction.
  std::optional<int> statements_done;
  std::optional<int> transactions_done;
  int phases = 1;  // how many phases its up file has (0 when the file is missing)
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
  // How long a statement may wait for a lock before its phase is rolled back and
  // retried (lock_timeout), and how many times it is retried, with back-off.
  std::chrono::milliseconds lock_timeout{2000};
  int lock_retries = 5;
  std::chrono::milliseconds retry_delay{500};  // the first back-off; doubled on each retry, at most 8 s
  // statement_timeout for the migration's statements; unset: the session's setting.
  std::optional<std::chrono::milliseconds> statement_timeout;
  // A libpq connection string for a second session that watches what blocks a phase
  // waiting for a lock, so that the error can name it; empty: the migrator's own
  // connection's database, host, port and user.
  std::string observer;
};

class Migrator {
 public:
  Migrator(pqxx::connection_base& db, std::vector<Migration> migrations);

  // Applies the pending migrations in order; returns how many ran.
  int up(const RunOptions& options = {});
  // Reverts the newest applied migration, or all above `options.to`; returns how many.
  // A migration adopted by baseline is never reverted: a down that would revert one is
  // refused (MigrationRefused) before anything runs.
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
  // before they change anything, saying the values were purged. Tables a down kept
  // (rows written after up) go too, applied or not. Other copies of migrations that
  // are not applied, or not in the directory, are left alone.
  std::vector<RetainedCopy> purge(const RunOptions& options = {});

  static constexpr const char* history_table = "public.schemac_migrations";

 private:
  struct Applied {
    int version = 0;
    std::string name, checksum, applied_at;
    std::optional<std::string> down_checksum, verify_checksum;  // unset in rows written before they were kept
    bool baselined = false;
    std::optional<int> statements_done;
    std::optional<int> transactions_done;
    bool finished() const { return !statements_done && !transactions_done; }
  };
  // Where a half-applied migration stopped: phases done, then statements done of the next.
  struct Progress {
    int phases = 0;
    std::size_t statements = 0;
    bool resumed = false;
  };

  class Lock;
  void ensure_history();
  bool history_exists();
  std::vector<Applied> read_history();
  const Migration* find(int version) const;
  // The files of `m` whose checksum differs from what `a` recorded ("up", "down", "verify").
  std::vector<std::string> changed_files(const Migration& m, const Applied& a);
  // Refuses a changed, missing or reordered history.
  void check_history(const std::vector<Applied>& applied);
  void apply(const Migration& m, const RunOptions& options, Progress resume);
  // Reverts the phases of `m` that ran (all of them unless `a` is half applied).
  void revert(const Migration& m, const Applied& a, const RunOptions& options);
  // Runs `attempt`, retrying it while it fails for want of a lock (see RunOptions).
  void with_lock_retries(const RunOptions& options, const std::string& what, const std::function<void()>& attempt);
  // Records how far `m` got (nullopt, nullopt: finished, with its duration).
  void record(pqxx::transaction_base& tx, const Migration& m, std::optional<int> phases, std::optional<int> statements,
              double seconds = 0);
  // Before a CREATE INDEX CONCURRENTLY: drops an invalid index of that name left by a
  // failed build; returns true when a valid one is there already and `resumed` (in the
  // phase a run resumes: the statement ran before the run stopped could record it, or
  // a down that stopped half way left the index).
  bool prepare_concurrent_index(const std::string& statement, bool resumed, const RunOptions& options);
  std::string observer_conninfo(const RunOptions& options);

  pqxx::connection_base& db_;
  std::vector<Migration> migrations_;
};

// Splits SQL into statements (PostgreSQL's own scanner: quotes, dollar quotes and
// comments respected), for files that run outside a transaction.
std::vector<std::string> split_statements(const std::string& sql);

}  // namespace schemac::runtime
