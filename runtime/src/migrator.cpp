#include "schemac/migrator.hpp"

#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "schemac/migration_file.hpp"

namespace schemac::runtime {

namespace fs = std::filesystem;

namespace {

// pg_advisory_lock key: "schemac" in ASCII, so that it is recognisable in pg_locks.
constexpr long long lock_key = 0x736368656d6163LL;

std::string first_line(const std::string& s) {
  auto end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

// PostgreSQL's message for an error, without libpqxx's query echo.
std::string pg_message(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("ERROR:  ", 0) == 0) m = m.substr(8);
  return first_line(m);
}

}  // namespace

namespace {
// The message of a verify failure, or "" for another error.
std::string verify_failure(const std::string& message) {
  const auto& prefix = migration_file::verify_error_prefix;
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : "";
}
}  // namespace

// Runs the statements of `sql` one at a time: a Citus coordinator refuses a string of
// several statements when one of them is DDL it propagates to the workers ("cannot
// insert multiple commands into a prepared statement").
static void exec_each(pqxx::transaction_base& tx, const std::string& sql) {
  for (const auto& statement : split_statements(sql)) tx.exec(statement);
}

std::vector<std::string> split_statements(const std::string& sql) {
  PgQuerySplitResult result = pg_query_split_with_scanner(sql.c_str());
  std::vector<std::string> out;
  if (!result.error)
    for (int i = 0; i < result.n_stmts; ++i) {
      std::string statement = sql.substr(static_cast<std::size_t>(result.stmts[i]->stmt_location),
                                         static_cast<std::size_t>(result.stmts[i]->stmt_len));
      if (statement.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(statement);
    }
  std::string error = result.error ? result.error->message : "";
  pg_query_free_split_result(result);
  if (!error.empty()) throw std::runtime_error("cannot split SQL into statements: " + error);
  return out;
}

// The advisory lock, held from construction to destruction (or the session's end).
class Migrator::Lock {
 public:
  explicit Lock(pqxx::connection_base& db) : db_(db) {
    pqxx::nontransaction tx(db_);
    tx.exec("SELECT pg_advisory_lock(" + std::to_string(lock_key) + ")");
  }
  ~Lock() {
    try {
      pqxx::nontransaction tx(db_);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(lock_key) + ")");
    } catch (...) {
      // The session's end releases it anyway.
    }
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  pqxx::connection_base& db_;
};

Migrator::Migrator(pqxx::connection_base& db, std::vector<Migration> migrations)
    : db_(db), migrations_(std::move(migrations)) {}

const Migration* Migrator::find(int version) const {
  for (const auto& m : migrations_)
    if (m.version == version) return &m;
  return nullptr;
}

bool Migrator::history_exists() {
  pqxx::nontransaction tx(db_);
  return !tx.exec(std::string("SELECT to_regclass('") + history_table + "')")[0][0].is_null();
}

void Migrator::ensure_history() {
  pqxx::work tx(db_);
  tx.exec(std::string("CREATE TABLE IF NOT EXISTS ") + history_table +
          " (\n"
          "  version integer PRIMARY KEY,\n"
          "  name text NOT NULL,\n"
          "  checksum text NOT NULL,\n"
          "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
          "  duration interval NOT NULL DEFAULT '0',\n"
          "  statements_done integer\n"
          ")");
  bool had_baselined = !tx.exec(std::string("SELECT 1 FROM pg_attribute WHERE attrelid = '") + history_table +
                                "'::regclass AND attname = 'baselined' AND NOT attisdropped")
                            .empty();
  tx.exec(std::string("ALTER TABLE ") + history_table +
          " ADD COLUMN IF NOT EXISTS transactions_done integer, ADD COLUMN IF NOT EXISTS down_checksum text, "
          "ADD COLUMN IF NOT EXISTS verify_checksum text, ADD COLUMN IF NOT EXISTS baselined boolean NOT NULL "
          "DEFAULT false");
  // A history kept by an older schemac: its baseline rows are the ones without a
  // duration (an applied migration always records one), so down never reverts them.
  if (!had_baselined)
    tx.exec(std::string("UPDATE ") + history_table +
            " SET baselined = true WHERE duration = interval '0' AND statements_done IS NULL AND transactions_done IS "
            "NULL");
  tx.exec(std::string("COMMENT ON TABLE ") + history_table +
          " IS 'Migrations applied by schemac. statements_done is set while a no-transaction migration is half "
          "applied, transactions_done while one in several transactions is; baselined marks a migration adopted "
          "by migrate baseline, which down never reverts.'");
  tx.commit();
}

std::vector<Migrator::Applied> Migrator::read_history() {
  std::vector<Applied> out;
  if (!history_exists()) return out;
  pqxx::nontransaction tx(db_);
  // A history written by an older schemac lacks the later columns (status reads it
  // without adding them).
  std::set<std::string> columns;
  for (auto row : tx.exec(std::string("SELECT attname FROM pg_attribute WHERE attrelid = '") + history_table +
                          "'::regclass AND attnum > 0 AND NOT attisdropped"))
    columns.insert(row[0].as<std::string>());
  auto column = [&](const std::string& name, const char* otherwise) {
    return columns.count(name) ? name : std::string(otherwise);
  };
  for (auto row : tx.exec("SELECT version, name, checksum, applied_at::text, statements_done, " +
                          column("transactions_done", "NULL::integer") + ", " + column("down_checksum", "NULL::text") +
                          ", " + column("verify_checksum", "NULL::text") + ", " + column("baselined", "false") +
                          " FROM " + history_table + " ORDER BY version")) {
    Applied a;
    a.version = row[0].as<int>();
    a.name = row[1].as<std::string>();
    a.checksum = row[2].as<std::string>();
    a.applied_at = row[3].as<std::string>();
    if (!row[4].is_null()) a.statements_done = row[4].as<int>();
    if (!row[5].is_null()) a.transactions_done = row[5].as<int>();
    if (!row[6].is_null()) a.down_checksum = row[6].as<std::string>();
    if (!row[7].is_null()) a.verify_checksum = row[7].as<std::string>();
    a.baselined = row[8].as<bool>();
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> Migrator::changed_files(const Migration& m, const Applied& a) {
  pqxx::nontransaction tx(db_);
  auto sums = tx.exec_params(
      "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex'), encode(sha256(convert_to($2, 'UTF8')), 'hex'), "
      "encode(sha256(convert_to($3, 'UTF8')), 'hex')",
      m.up, m.down, m.verify)[0];
  std::vector<std::string> out;
  if (sums[0].as<std::string>() != a.checksum) out.push_back("up");
  if (a.down_checksum && sums[1].as<std::string>() != *a.down_checksum) out.push_back("down");
  if (a.verify_checksum && sums[2].as<std::string>() != *a.verify_checksum) out.push_back("verify");
  return out;
}

void Migrator::check_history(const std::vector<Applied>& applied) {
  int newest = applied.empty() ? 0 : applied.back().version;
  for (const auto& a : applied) {
    const Migration* m = find(a.version);
    if (!m)
      throw MigrationRefused("applied migration " + a.name + " has no file any more: restore " + a.name +
                             ".up.sql (and its down and verify files) from version control");
    if (m->name != a.name)
      throw MigrationRefused("applied migration " + a.name + " is now named " + m->name +
                             ": migrations that ran must keep their names");
    if (auto changed = changed_files(*m, a); !changed.empty()) {
      std::string files;
      for (std::size_t i = 0; i < changed.size(); ++i)
        files += (i == 0 ? "" : i + 1 == changed.size() ? " and " : ", ") + changed[i];
      throw MigrationRefused("applied migration " + a.name + " has changed since it ran (the checksum of its " + files +
                             " file" + (changed.size() > 1 ? "s" : "") + " differs): restore the file" +
                             (changed.size() > 1 ? "s" : "") +
                             " from version control, and plan a new migration for the change");
    }
  }
  for (const auto& m : migrations_)
    if (m.version < newest &&
        std::none_of(applied.begin(), applied.end(), [&](const Applied& a) { return a.version == m.version; }))
      throw MigrationRefused("migration " + m.name + " is not applied, but " + applied.back().name +
                             ", after it, is: migrations apply in order; renumber " + m.name +
                             " after the newest applied one");
}

namespace {

constexpr const char* lock_not_available = "55P03";

// A phase gave up waiting for a lock after its retries.
struct LockTimeout : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The statement without the comment lines and blank space before it.
std::string_view without_leading_comments(std::string_view s) {
  for (;;) {
    std::size_t start = s.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    s.remove_prefix(start);
    if (s.rfind("--", 0) != 0) return s;
    std::size_t end = s.find('\n');
    if (end == std::string_view::npos) return {};
    s.remove_prefix(end + 1);
  }
}

// An identifier as PostgreSQL stores it: quotes removed, or folded to lower case.
std::string identifier(const std::string& text) {
  if (text.size() >= 2 && text.front() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '"') ++i;  // "" stands for "
    }
    return out;
  }
  std::string out = text;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The schema (empty: the search path's) and name of the index a CREATE INDEX
// CONCURRENTLY statement builds, as schemac writes it; nullopt for other statements.
std::optional<std::pair<std::string, std::string>> concurrent_index(const std::string& statement) {
  static const std::string name = R"(("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))";
  static const std::regex create(R"(^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?)" + name +
                                     R"(\s+ON\s+(?:ONLY\s+)?(?:)" + name + R"(\s*\.\s*)?)",
                                 std::regex::icase);
  std::string_view text = without_leading_comments(statement);
  std::smatch m;
  std::string head(text.substr(0, 1024));
  if (!std::regex_search(head, m, create)) return std::nullopt;
  return std::pair{m[2].matched ? identifier(m[2].str()) : std::string(), identifier(m[1].str())};
}

// CREATE and DROP INDEX CONCURRENTLY wait, through lock waits, for every transaction
// older than them to end; they take no lock that blocks writes, so lock_timeout (meant
// for the locks that do) is lifted for them: a long transaction elsewhere must not
// fail an index build after its scans.
bool waits_for_older_transactions(const std::string& statement) {
  static const std::regex drop(R"(^DROP\s+INDEX\s+CONCURRENTLY\b)", std::regex::icase);
  std::string head(without_leading_comments(statement).substr(0, 64));
  return concurrent_index(statement).has_value() || std::regex_search(head, drop);
}

// Runs one statement outside a transaction (see waits_for_older_transactions).
void run_outside_transaction(pqxx::connection_base& db, const std::string& statement, const RunOptions& options) {
  pqxx::nontransaction tx(db);
  if (!waits_for_older_transactions(statement)) {
    tx.exec(statement);
    return;
  }
  std::string restore = "SET lock_timeout = '" + std::to_string(options.lock_timeout.count()) + "ms'";
  tx.exec("SET lock_timeout = 0");
  try {
    tx.exec(statement);
  } catch (...) {
    try {
      tx.exec(restore);
    } catch (...) {
      // The connection is gone: the statement's own error is what matters.
    }
    throw;
  }
  tx.exec(restore);
}

// A conninfo value, quoted.
std::string conninfo_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Watches, from a second session, which sessions block `pid` while a phase runs;
// connects only if the phase is still running after `delay`.
class BlockerWatch {
 public:
  BlockerWatch(std::string conninfo, int pid, std::chrono::milliseconds delay) {
    if (conninfo.empty()) return;
    thread_ = std::thread([this, conninfo = std::move(conninfo), pid, delay] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, delay, [this] { return done_; })) return;
      try {
        lock.unlock();
        pqxx::connection watcher(conninfo);
        lock.lock();
        while (!done_) {
          lock.unlock();
          std::string seen;
          {
            pqxx::nontransaction tx(watcher);
            for (auto row : tx.exec_params("SELECT a.pid, coalesce(a.state, ''), left(regexp_replace(coalesce(a.query, "
                                           "''), '\\s+', ' ', 'g'), 200) FROM pg_stat_activity a WHERE a.pid = "
                                           "ANY(pg_blocking_pids($1)) ORDER BY a.pid",
                                           pid))
              seen += std::string(seen.empty() ? "" : "; ") + "pid " + row[0].c_str() + " (" + row[1].c_str() +
                      "): " + row[2].c_str();
          }
          lock.lock();
          if (!seen.empty()) seen_ = seen;
          wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; });
        }
      } catch (...) {
        // Watching is best effort: the phase's own error is what matters.
      }
    });
  }
  ~BlockerWatch() { stop(); }
  BlockerWatch(const BlockerWatch&) = delete;
  BlockerWatch& operator=(const BlockerWatch&) = delete;

  // Stops watching; the blocking sessions last seen ("" when none was).
  std::string stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::string seen_;
  std::thread thread_;
};

// lock_timeout (and statement_timeout) for the session, reset when the run ends.
class SessionTimeouts {
 public:
  SessionTimeouts(pqxx::connection_base& db, const RunOptions& options) : db_(db) {
    pqxx::nontransaction tx(db_);
    tx.exec("SET lock_timeout = '" + std::to_string(options.lock_timeout.count()) + "ms'");
    if (options.statement_timeout)
      tx.exec("SET statement_timeout = '" + std::to_string(options.statement_timeout->count()) + "ms'");
  }
  ~SessionTimeouts() {
    try {
      pqxx::nontransaction tx(db_);
      tx.exec("RESET lock_timeout; RESET statement_timeout");
    } catch (...) {
      // The session's end resets them anyway.
    }
  }
  SessionTimeouts(const SessionTimeouts&) = delete;
  SessionTimeouts& operator=(const SessionTimeouts&) = delete;

 private:
  pqxx::connection_base& db_;
};

std::string phase_of(int i, int n) {
  return n == 1 ? std::string() : " in phase " + std::to_string(i + 1) + " of " + std::to_string(n);
}

}  // namespace

std::string Migrator::observer_conninfo(const RunOptions& options) {
  if (!options.observer.empty()) return options.observer;
  std::string out;
  auto add = [&](const char* key, const char* value) {
    if (value && *value) out += std::string(out.empty() ? "" : " ") + key + "=" + conninfo_value(value);
  };
  add("dbname", db_.dbname());
  add("host", db_.hostname());
  add("port", db_.port());
  add("user", db_.username());
  return out;
}

void Migrator::with_lock_retries(const RunOptions& options, const std::string& what,
                                 const std::function<void()>& attempt) {
  std::string conninfo = observer_conninfo(options);
  auto delay = options.retry_delay;
  for (int tries = 1;; ++tries) {
    BlockerWatch watch(conninfo, db_.backendpid(), options.lock_timeout / 2);
    try {
      attempt();
      return;
    } catch (const pqxx::sql_error& e) {
      std::string blockers = watch.stop();
      if (e.sqlstate() != lock_not_available) throw;
      std::string held = blockers.empty() ? "" : "; the lock is held by " + blockers;
      if (tries > options.lock_retries)
        throw LockTimeout(what + " could not take its locks within " + std::to_string(options.lock_timeout.count()) +
                          " ms in " + std::to_string(tries) + " attempts" + held);
      options.log("waiting for a lock " + what + " (attempt " + std::to_string(tries) + " of " +
                  std::to_string(options.lock_retries + 1) + " timed out after " +
                  std::to_string(options.lock_timeout.count()) + " ms" + held + "); retrying in " +
                  std::to_string(delay.count()) + " ms");
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(8000));
    }
  }
}

void Migrator::record(pqxx::transaction_base& tx, const Migration& m, std::optional<int> phases,
                      std::optional<int> statements, double seconds) {
  tx.exec_params(std::string("INSERT INTO ") + history_table +
                     " (version, name, checksum, down_checksum, verify_checksum, transactions_done, statements_done, "
                     "duration) VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'), "
                     "encode(sha256(convert_to($7, 'UTF8')), 'hex'), encode(sha256(convert_to($8, 'UTF8')), 'hex'), "
                     "$4, $5, make_interval(secs => $6)) ON CONFLICT (version) DO UPDATE SET transactions_done = "
                     "EXCLUDED.transactions_done, statements_done = EXCLUDED.statements_done" +
                     (phases || statements ? "" : ", duration = EXCLUDED.duration, applied_at = now()"),
                 m.version, m.name, m.up, phases, statements, seconds, m.down, m.verify);
}

bool Migrator::prepare_concurrent_index(const std::string& statement, bool resumed, const RunOptions& options) {
  auto index = concurrent_index(statement);
  if (!index) return false;
  pqxx::result found;
  {
    pqxx::nontransaction tx(db_);
    found = tx.exec_params(
        "SELECT i.indisvalid, format('%I.%I', n.nspname, c.relname) FROM pg_index i JOIN pg_class c ON c.oid = "
        "i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $2 AND n.nspname = "
        "coalesce(nullif($1, ''), current_schema())",
        index->first, index->second);
  }
  if (found.empty()) return false;
  std::string name = found[0][1].as<std::string>();
  if (!found[0][0].as<bool>()) {
    options.log("dropping invalid index " + name + " (left by a concurrent build that failed) to build it again");
    run_outside_transaction(db_, "DROP INDEX CONCURRENTLY " + name, options);
    return false;
  }
  if (!resumed) return false;  // the statement fails with PostgreSQL's own message
  options.log("index " + name + " is built already (its statement ran before the run stopped)");
  return true;
}

void Migrator::apply(const Migration& m, const RunOptions& options, Progress resume) {
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  auto phases = migration_file::phases(m.up);
  int n = static_cast<int>(phases.size());
  bool outside = false;
  for (int i = resume.phases; i < n; ++i) {
    const auto& phase = phases[static_cast<std::size_t>(i)];
    bool last = i + 1 == n;
    std::string where = phase_of(i, n);
    std::string before = i == 0 ? ""
                                : "; the " + std::to_string(i) + " phase" + (i == 1 ? "" : "s") +
                                      " before it are committed and recorded, and `migrate up` resumes "
                                      "with phase " +
                                      std::to_string(i + 1) + " once the cause is fixed";
    if (phase.transaction) {
      try {
        with_lock_retries(options, "in " + m.name + where, [&] {
          pqxx::work tx(db_);
          exec_each(tx, phase.sql);
          if (last) exec_each(tx, m.verify);
          record(tx, m, last ? std::nullopt : std::optional<int>(i + 1), std::nullopt, seconds());
          tx.commit();
        });
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const LockTimeout& e) {
        throw MigrationFailed("migration " + m.name + ": " + e.what() + "; the phase was rolled back" + before);
      } catch (const pqxx::sql_error& e) {
        std::string message = pg_message(e), failed = verify_failure(message);
        if (n == 1)
          throw MigrationFailed("migration " + m.name +
                                (failed.empty() ? " failed and was rolled back: " + message
                                                : " did not verify (" + failed + "); it was rolled back"));
        std::string what = failed.empty() ? "failed (" + message + ")" : "did not verify (" + failed + ")";
        throw MigrationFailed("migration " + m.name + " " + what + where + ", which was rolled back" + before);
      }
      continue;
    }
    // Outside a transaction: statement by statement, each recorded when done.
    outside = true;
    auto statements = split_statements(phase.sql);
    std::size_t from = i == resume.phases ? resume.statements : 0;
    {
      pqxx::nontransaction tx(db_);
      record(tx, m, i, static_cast<int>(from));
    }
    for (std::size_t j = from; j < statements.size(); ++j) {
      // In the phase a run resumes, an index of the phase may be built already: the
      // statement ran before the run stopped, or a down that stopped half way left it.
      bool resumed = resume.resumed && i == resume.phases;
      bool index = concurrent_index(statements[j]).has_value();
      std::string statement =
          " statement " + std::to_string(j + 1) + " of " + std::to_string(statements.size()) + where;
      try {
        with_lock_retries(options, "in " + m.name + " at" + statement, [&] {
          if (prepare_concurrent_index(statements[j], resumed, options)) return;
          run_outside_transaction(db_, statements[j], options);
        });
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const std::exception& e) {
        bool lock = dynamic_cast<const LockTimeout*>(&e) != nullptr;
        std::string message = lock ? e.what() : pg_message(e);
        throw MigrationFailed("migration " + m.name + " stopped at" + statement +
                              ", outside a transaction: " + message +
                              ". The statements before it are done and recorded; `migrate up` resumes "
                              "with this one once the cause is fixed" +
                              (index ? " (the invalid index a failed build leaves is dropped and built again)" : "") +
                              ", and `migrate down` undoes what ran");
      }
      pqxx::nontransaction tx(db_);
      record(tx, m, i, static_cast<int>(j + 1));
    }
    try {
      pqxx::work tx(db_);
      if (last) exec_each(tx, m.verify);
      record(tx, m, last ? std::nullopt : std::optional<int>(i + 1), std::nullopt, seconds());
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      std::string message = pg_message(e), failed = verify_failure(message);
      throw MigrationFailed("migration " + m.name + " ran but did not verify (" + (failed.empty() ? message : failed) +
                            "); it is recorded as half applied: `migrate down` undoes it");
    }
  }
  std::string how;
  if (resume.resumed)
    how = " (resumed at phase " + std::to_string(resume.phases + 1) +
          (resume.statements ? ", statement " + std::to_string(resume.statements + 1) : "") + ")";
  else if (outside && n == 1)
    how = " (outside a transaction)";
  else if (n > 1)
    how = " (in " + std::to_string(n) + " phases" + (outside ? ", partly outside a transaction" : "") + ")";
  options.log("applied " + m.name + how);
}

void Migrator::revert(const Migration& m, const Applied& a, const RunOptions& options) {
  auto ups = migration_file::phases(m.up), downs = migration_file::phases(m.down);
  if (m.no_transaction()) downs = {migration_file::Phase{false, m.down}};  // written by hand, as its up file
  int n = static_cast<int>(ups.size());
  if (downs.size() != ups.size() && !a.finished())
    throw MigrationRefused("migration " + m.name +
                           " is half applied, and its down file does not have a phase for "
                           "each phase of its up file: undo its committed part by hand and DELETE FROM " +
                           std::string(history_table) + " WHERE version = " + std::to_string(m.version));
  // The up phases that ran, newest first, each with the down phase that undoes it.
  std::vector<std::pair<int, const migration_file::Phase*>> undo;
  if (downs.size() != ups.size()) {
    for (std::size_t i = 0; i < downs.size(); ++i) undo.emplace_back(static_cast<int>(downs.size() - 1 - i), &downs[i]);
  } else {
    int top = a.finished() ? n - 1 : a.transactions_done.value_or(0) - (a.statements_done ? 0 : 1);
    for (int j = top; j >= 0; --j) undo.emplace_back(j, &downs[static_cast<std::size_t>(n - 1 - j)]);
  }
  for (const auto& step : undo) {
    int j = step.first;  // (not a structured binding: lambdas below capture it)
    const migration_file::Phase* phase = step.second;
    std::string where = downs.size() == 1 ? "" : " (undoing phase " + std::to_string(j + 1) + ")";
    // With a phase per up phase, each step is recorded (so that up or down can go on
    // from it); otherwise the row stays as it is until the last.
    bool phased = downs.size() == ups.size();
    bool final_step = &step == &undo.back();
    auto done = [&](pqxx::transaction_base& tx) {
      if (!phased) {
        if (final_step) tx.exec_params(std::string("DELETE FROM ") + history_table + " WHERE version = $1", m.version);
      } else if (j == 0)
        tx.exec_params(std::string("DELETE FROM ") + history_table + " WHERE version = $1", m.version);
      else
        record(tx, m, j, std::nullopt);
    };
    try {
      if (phase->transaction) {
        with_lock_retries(options, "reverting " + m.name + where, [&] {
          pqxx::work tx(db_);
          exec_each(tx, phase->sql);
          done(tx);
          tx.commit();
        });
      } else {
        if (phased) {
          pqxx::nontransaction tx(db_);
          record(tx, m, j, 0);  // part of phase j may be undone from here on
        }
        for (const auto& statement : split_statements(phase->sql))
          with_lock_retries(options, "reverting " + m.name + where,
                            [&] { run_outside_transaction(db_, statement, options); });
        pqxx::work tx(db_);
        done(tx);
        tx.commit();
      }
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const LockTimeout& e) {
      throw MigrationFailed("reverting " + m.name + where + ": " + e.what() + "; what was reverted before is recorded");
    } catch (const pqxx::sql_error& e) {
      throw MigrationFailed("reverting " + m.name + where + " failed" +
                            (phase->transaction ? " and was rolled back" : "") + ": " + pg_message(e) +
                            "; what was reverted before it is recorded");
    }
  }
  options.log("reverted " + m.name + (a.finished() ? "" : " (the phases that ran)"));
}

int Migrator::up(const RunOptions& options) {
  if (options.dry_run) {
    auto applied = read_history();
    check_history(applied);
    int newest = applied.empty() ? 0 : applied.back().version;
    int count = 0;
    for (const auto& m : migrations_)
      if (m.version > newest && (!options.to || m.version <= *options.to)) {
        options.log("would apply " + m.name + (m.no_transaction() ? " (outside a transaction)" : "") + ":\n" + m.up +
                    "\n-- then its verify file:\n" + m.verify);
        ++count;
      }
    return count;
  }
  Lock lock(db_);
  ensure_history();
  SessionTimeouts timeouts(db_, options);
  auto applied = read_history();  // read under the lock: another deploy may just have run
  check_history(applied);
  int newest = applied.empty() ? 0 : applied.back().version;
  int count = 0;
  if (!applied.empty() && !applied.back().finished()) {  // a run stopped half way: finish it first
    const Applied& a = applied.back();
    apply(*find(newest), options,
          Progress{a.transactions_done.value_or(0), static_cast<std::size_t>(a.statements_done.value_or(0)), true});
    ++count;
  }
  for (const auto& m : migrations_) {
    if (m.version <= newest || (options.to && m.version > *options.to)) continue;
    apply(m, options, Progress{});
    ++count;
  }
  return count;
}

int Migrator::down(const RunOptions& options) {
  // The migrations to revert, newest first. One adopted by baseline stops the down
  // before anything runs: schemac did not create what it describes.
  auto plan = [&](const std::vector<Applied>& applied) {
    std::vector<std::pair<const Migration*, const Applied*>> out;
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
      if (options.to ? it->version <= *options.to : !out.empty()) break;
      if (it->baselined) {
        std::string reverted;
        for (const auto& [m, a] : out) reverted += (reverted.empty() ? "" : ", ") + m->name;
        throw MigrationRefused(
            "migration " + it->name +
            " was adopted by `migrate baseline`: the database held its objects before schemac, so down never "
            "reverts it or any migration before it" +
            (options.to ? "; the lowest version `down --to` can reach is " + std::to_string(it->version) +
                              (reverted.empty() ? "" : " (reverting " + reverted + ")")
                        : std::string()) +
            ". Nothing was reverted");
      }
      out.emplace_back(find(it->version), &*it);
    }
    return out;
  };
  if (options.dry_run) {
    auto applied = read_history();
    check_history(applied);
    auto targets = plan(applied);
    for (const auto& [m, a] : targets) options.log("would revert " + m->name + ":\n" + m->down);
    return static_cast<int>(targets.size());
  }
  Lock lock(db_);
  ensure_history();
  SessionTimeouts timeouts(db_, options);
  auto applied = read_history();
  check_history(applied);
  auto targets = plan(applied);
  for (const auto& [m, a] : targets) revert(*m, *a, options);
  return static_cast<int>(targets.size());
}

std::vector<MigrationStatus> Migrator::status() {
  auto applied = read_history();
  std::vector<MigrationStatus> out;
  for (const auto& a : applied) {
    MigrationStatus s;
    s.version = a.version;
    s.name = a.name;
    s.applied = true;
    s.applied_at = a.applied_at;
    s.statements_done = a.statements_done;
    s.transactions_done = a.transactions_done;
    s.baselined = a.baselined;
    const Migration* m = find(a.version);
    if (m && m->name == a.name) s.changed = changed_files(*m, a);
    s.file = !m || m->name != a.name ? "missing" : s.changed.empty() ? "matches" : "changed";
    s.phases = m ? static_cast<int>(migration_file::phases(m->up).size()) : 0;
    out.push_back(std::move(s));
  }
  for (const auto& m : migrations_)
    if (std::none_of(applied.begin(), applied.end(), [&](const Applied& a) { return a.version == m.version; })) {
      MigrationStatus s;
      s.version = m.version;
      s.name = m.name;
      s.file = "pending";
      out.push_back(std::move(s));
    }
  std::sort(out.begin(), out.end(),
            [](const MigrationStatus& a, const MigrationStatus& b) { return a.version < b.version; });
  return out;
}

std::vector<RetainedCopy> Migrator::retained() {
  std::vector<RetainedCopy> out;
  pqxx::nontransaction tx(db_);
  std::string schema(migration_file::retention_schema);
  for (auto row : tx.exec("SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''), "
                          "pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                          "c.relnamespace WHERE n.nspname = " +
                          tx.quote(schema) + " AND c.relkind = 'r' ORDER BY c.relname")) {
    RetainedCopy copy;
    copy.table = row[0].as<std::string>();
    copy.note = row[1].as<std::string>();
    copy.bytes = row[2].as<long long>();
    for (const auto& m : migrations_)
      if (copy.table.rfind("m" + m.name + "_", 0) == 0) copy.migration = m.name;
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<RetainedCopy> Migrator::purge(const RunOptions& options) {
  Lock lock(db_);
  auto applied = read_history();
  std::vector<RetainedCopy> out;
  for (auto& copy : retained()) {
    const Migration* m = nullptr;
    for (const auto& x : migrations_)
      if (x.name == copy.migration) m = &x;
    bool is_applied = m && std::any_of(applied.begin(), applied.end(),
                                       [&](const Applied& a) { return a.version == m->version && a.name == m->name; });
    // What a down kept (rows written after up into a table it dropped) no migration
    // restores: it goes whether its migration is applied or not.
    bool kept_by_down = copy.note.rfind(migration_file::kept_by_down_note, 0) == 0;
    if (!(is_applied || kept_by_down) || (options.to && (!m || m->version > *options.to))) continue;
    if (!options.dry_run) {
      pqxx::work tx(db_);
      tx.exec0("DROP TABLE " + tx.quote_name(std::string(migration_file::retention_schema)) + "." +
               tx.quote_name(copy.table));
      tx.commit();
    }
    options.log((options.dry_run ? "would purge " : "purged ") + std::string(migration_file::retention_schema) + "." +
                copy.table + " (" + std::to_string(copy.bytes) + " bytes): " + copy.note);
    out.push_back(std::move(copy));
  }
  return out;
}

namespace {

// The checks of a verify file that name one object each, by the message each adds
// when it fails (`missing := array_append(missing, '...')`, emit/verify.cpp).
std::vector<std::string> named_checks(const std::string& verify) {
  static const std::regex check(R"(missing := array_append\(missing, '((?:[^']|'')*)'\);)");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(verify.begin(), verify.end(), check); it != std::sregex_iterator(); ++it)
    out.push_back(std::regex_replace((*it)[1].str(), std::regex("''"), "'"));
  return out;
}

// What of the migration after the adopted ones the database holds already (a table
// created, a column added by hand with the guide's IF NOT EXISTS scripts): `up` would
// fail on it. "" when none of it is there.
std::string ahead_of_baseline(pqxx::connection_base& db, const Migration& next, int to) {
  std::string failed;
  try {
    pqxx::work tx(db);  // never committed: verify only reads
    exec_each(tx, next.verify);
  } catch (const pqxx::sql_error& e) {
    failed = verify_failure(pg_message(e));
    if (failed.empty()) return "";  // not a verify failure: the next migration's checks cannot run here
  }
  std::vector<std::string> missing;  // in the verify file's order
  for (std::size_t start = 0; !failed.empty() && start <= failed.size();) {
    auto end = failed.find("; ", start);
    missing.push_back(failed.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  std::vector<std::string> present;
  for (const auto& c : named_checks(next.verify))
    if (std::find(missing.begin(), missing.end(), c) == missing.end()) present.push_back(c);
  std::string version = std::to_string(next.version), before = std::to_string(to);
  if (failed.empty())
    return next.name + " is in the database already (its verify file holds): `migrate up` would fail creating " +
           "it again; adopt it too with `migrate baseline --to " + version + "`";
  if (present.empty()) return "";
  std::string there;
  for (const auto& p : present) {
    std::string what = p;
    for (const char* suffix : {" is missing or is not ", " is missing"})
      if (auto at = what.find(suffix); at != std::string::npos) {
        what = what.substr(0, at);
        break;
      }
    there += (there.empty() ? "" : ", ") + what;
  }
  std::string absent;
  for (const auto& m : missing) absent += (absent.empty() ? "" : "; ") + m;
  return next.name + " is partly in the database already: " + there + " (already as the migration makes them); still " +
         "missing: " + absent + ". `migrate up` would fail creating what exists. Either complete it by hand " +
         "(what is missing, as its up file makes it) and run `migrate baseline --to " + version +
         "`, or remove what exists of it and run `migrate baseline --to " + before + "`, then `migrate up`";
}

}  // namespace

void Migrator::baseline(int to, const std::function<void(const std::string&)>& log) {
  Lock lock(db_);
  ensure_history();
  auto applied = read_history();
  if (!applied.empty())
    throw MigrationRefused("baseline adopts a database that has no migration history, but " +
                           std::string(history_table) + " already records " + applied.back().name);
  std::vector<const Migration*> adopted;
  for (const auto& m : migrations_)
    if (m.version <= to) adopted.push_back(&m);
  if (adopted.empty() || adopted.back()->version != to)
    throw MigrationRefused("there is no migration with version " + std::to_string(to));
  std::vector<std::string> differences;
  for (const auto* m : adopted) {
    try {
      pqxx::work tx(db_);  // never committed: verify only reads
      exec_each(tx, m->verify);
    } catch (const pqxx::sql_error& e) {
      std::string message = pg_message(e);
      if (std::string failed = verify_failure(message); !failed.empty()) message = failed;
      differences.push_back(m->name + ": " + message);
    }
  }
  // The migration after the adopted ones must not be there, even in part: `up` runs it next.
  std::string ahead;
  for (const auto& m : migrations_)
    if (m.version > to) {
      ahead = ahead_of_baseline(db_, m, to);
      break;
    }
  if (!differences.empty()) {
    std::string text =
        "the database does not match the migrations through version " + std::to_string(to) + "; nothing was recorded:";
    for (const auto& d : differences) text += "\n  " + d;
    if (!ahead.empty()) text += "\n  " + ahead;
    throw MigrationRefused(text);
  }
  if (!ahead.empty())
    throw MigrationRefused("the database holds the migrations through version " + std::to_string(to) +
                           " and more; nothing was recorded:\n  " + ahead);
  pqxx::work tx(db_);
  for (const auto* m : adopted) {
    tx.exec_params(std::string("INSERT INTO ") + history_table +
                       " (version, name, checksum, down_checksum, verify_checksum, baselined) VALUES ($1, $2, "
                       "encode(sha256(convert_to($3, 'UTF8')), 'hex'), encode(sha256(convert_to($4, 'UTF8')), 'hex'), "
                       "encode(sha256(convert_to($5, 'UTF8')), 'hex'), true)",
                   m->version, m->name, m->up, m->down, m->verify);
    log("recorded " + m->name + " as applied (its verify file holds); down will never revert it");
  }
  tx.commit();
}

}  // namespace schemac::runtime
