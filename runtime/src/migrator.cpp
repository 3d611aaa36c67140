#include "schemac/migrator.hpp"

#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

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
  tx.exec(std::string("ALTER TABLE ") + history_table + " ADD COLUMN IF NOT EXISTS transactions_done integer");
  tx.exec(std::string("COMMENT ON TABLE ") + history_table +
          " IS 'Migrations applied by schemac. statements_done is set while a no-transaction migration is half "
          "applied, transactions_done while one in several transactions is.'");
  tx.commit();
}

std::vector<Migrator::Applied> Migrator::read_history() {
  std::vector<Applied> out;
  if (!history_exists()) return out;
  pqxx::nontransaction tx(db_);
  bool has_transactions = !tx.exec(std::string("SELECT 1 FROM pg_attribute WHERE attrelid = '") + history_table +
                                   "'::regclass AND attname = 'transactions_done' AND NOT attisdropped")
                               .empty();
  for (auto row : tx.exec(std::string("SELECT version, name, checksum, applied_at::text, statements_done, ") +
                          (has_transactions ? "transactions_done" : "NULL::integer") + " FROM " + history_table +
                          " ORDER BY version")) {
    Applied a;
    a.version = row[0].as<int>();
    a.name = row[1].as<std::string>();
    a.checksum = row[2].as<std::string>();
    a.applied_at = row[3].as<std::string>();
    if (!row[4].is_null()) a.statements_done = row[4].as<int>();
    if (!row[5].is_null()) a.transactions_done = row[5].as<int>();
    out.push_back(std::move(a));
  }
  return out;
}

std::string Migrator::checksum(const std::string& text) {
  pqxx::nontransaction tx(db_);
  return tx.exec_params("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", text)[0][0].as<std::string>();
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
    if (checksum(m->up) != a.checksum)
      throw MigrationRefused("applied migration " + a.name +
                             " has changed since it ran (its up file's checksum "
                             "differs): restore the file, and plan a new migration for the change");
    if (a.statements_done)
      throw MigrationRefused(
          "migration " + a.name + " is half applied: it runs outside a transaction and stopped after statement " +
          std::to_string(*a.statements_done) + " of " + std::to_string(split_statements(m->up).size()) +
          ". Finish or undo it by hand, then record what you did: UPDATE " + history_table +
          " SET statements_done = NULL WHERE version = " + std::to_string(a.version) + " (finished), or DELETE FROM " +
          history_table + " WHERE version = " + std::to_string(a.version) + " (undone)");
  }
  for (const auto& m : migrations_)
    if (m.version < newest &&
        std::none_of(applied.begin(), applied.end(), [&](const Applied& a) { return a.version == m.version; }))
      throw MigrationRefused("migration " + m.name + " is not applied, but " + applied.back().name +
                             ", after it, is: migrations apply in order; renumber " + m.name +
                             " after the newest applied one");
}

void Migrator::apply_in_transactions(const Migration& m, const std::function<void(const std::string&)>& log,
                                     int resume) {
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::string sum = checksum(m.up);
  auto parts = migration_file::transactions(m.up);
  int n = static_cast<int>(parts.size());
  for (int i = resume; i < n; ++i) {
    bool last = i + 1 == n;
    try {
      pqxx::work tx(db_);
      tx.exec(parts[static_cast<std::size_t>(i)]);
      if (last) {
        tx.exec(m.verify);
        tx.exec_params(std::string("INSERT INTO ") + history_table +
                           " (version, name, checksum, duration) VALUES ($1, $2, $3, make_interval(secs => $4)) "
                           "ON CONFLICT (version) DO UPDATE SET transactions_done = NULL, duration = "
                           "EXCLUDED.duration, applied_at = now()",
                       m.version, m.name, sum, seconds());
      } else {
        tx.exec_params(std::string("INSERT INTO ") + history_table +
                           " (version, name, checksum, transactions_done) VALUES ($1, $2, $3, $4) "
                           "ON CONFLICT (version) DO UPDATE SET transactions_done = EXCLUDED.transactions_done",
                       m.version, m.name, sum, i + 1);
      }
      tx.commit();
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      std::string message = pg_message(e), failed = verify_failure(message);
      std::string what = failed.empty() ? "failed (" + message + ")" : "did not verify (" + failed + ")";
      if (i == 0)
        throw MigrationFailed("migration " + m.name + " " + what + " in its first of " + std::to_string(n) +
                              " transactions, which was rolled back");
      throw MigrationFailed("migration " + m.name + " " + what + " in transaction " + std::to_string(i + 1) + " of " +
                            std::to_string(n) + ", which was rolled back; the " + std::to_string(i) +
                            " before it are committed and recorded. Fix the cause and run `migrate up` again: it "
                            "resumes with transaction " +
                            std::to_string(i + 1));
    }
  }
  log("applied " + m.name + (resume ? " (resumed at transaction " + std::to_string(resume + 1) + ")" : ""));
}

void Migrator::apply(const Migration& m, const std::function<void(const std::string&)>& log, int resume) {
  if (!m.no_transaction() && migration_file::transactions(m.up).size() > 1)
    return apply_in_transactions(m, log, resume);
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::string sum = checksum(m.up);
  if (!m.no_transaction()) {
    try {
      pqxx::work tx(db_);
      tx.exec(m.up);
      tx.exec(m.verify);
      tx.exec_params(std::string("INSERT INTO ") + history_table +
                         " (version, name, checksum, duration) VALUES ($1, $2, $3, make_interval(secs => $4))",
                     m.version, m.name, sum, seconds());
      tx.commit();
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      std::string message = pg_message(e);
      if (std::string failed = verify_failure(message); !failed.empty())
        throw MigrationFailed("migration " + m.name + " did not verify (" + failed + "); it was rolled back");
      throw MigrationFailed("migration " + m.name + " failed and was rolled back: " + message);
    }
    log("applied " + m.name);
    return;
  }
  // Outside a transaction: statement by statement, recording how far it got.
  auto statements = split_statements(m.up);
  {
    pqxx::nontransaction tx(db_);
    tx.exec_params(std::string("INSERT INTO ") + history_table +
                       " (version, name, checksum, statements_done) VALUES ($1, $2, $3, 0)",
                   m.version, m.name, sum);
  }
  for (std::size_t i = 0; i < statements.size(); ++i) {
    pqxx::nontransaction tx(db_);
    try {
      tx.exec(statements[i]);
    } catch (const pqxx::sql_error& e) {
      throw MigrationFailed("migration " + m.name + " stopped at statement " + std::to_string(i + 1) + " of " +
                            std::to_string(statements.size()) + ", outside a transaction: " + pg_message(e) +
                            ". It is recorded as half applied; `migrate status` says how to resolve it");
    }
    tx.exec_params(std::string("UPDATE ") + history_table + " SET statements_done = $2 WHERE version = $1", m.version,
                   static_cast<int>(i + 1));
  }
  try {
    pqxx::work tx(db_);
    tx.exec(m.verify);
    tx.exec_params(std::string("UPDATE ") + history_table +
                       " SET statements_done = NULL, duration = make_interval(secs => $2) WHERE version = $1",
                   m.version, seconds());
    tx.commit();
  } catch (const pqxx::sql_error& e) {
    throw MigrationFailed("migration " + m.name + " ran outside a transaction but did not verify: " + pg_message(e) +
                          ". It is recorded as half applied");
  }
  log("applied " + m.name + " (outside a transaction)");
}

void Migrator::revert(const Migration& m, const std::function<void(const std::string&)>& log) {
  try {
    if (m.no_transaction()) {
      for (const auto& statement : split_statements(m.down)) {
        pqxx::nontransaction tx(db_);
        tx.exec(statement);
      }
      pqxx::nontransaction tx(db_);
      tx.exec_params(std::string("DELETE FROM ") + history_table + " WHERE version = $1", m.version);
    } else {
      pqxx::work tx(db_);
      tx.exec(m.down);
      tx.exec_params(std::string("DELETE FROM ") + history_table + " WHERE version = $1", m.version);
      tx.commit();
    }
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    throw MigrationFailed("reverting " + m.name + " failed" + (m.no_transaction() ? "" : " and was rolled back") +
                          ": " + pg_message(e));
  }
  log("reverted " + m.name);
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
  auto applied = read_history();  // read under the lock: another deploy may just have run
  check_history(applied);
  int newest = applied.empty() ? 0 : applied.back().version;
  int count = 0;
  if (!applied.empty() && applied.back().transactions_done) {  // a run stopped half way: finish it first
    apply(*find(newest), options.log, *applied.back().transactions_done);
    ++count;
  }
  for (const auto& m : migrations_) {
    if (m.version <= newest || (options.to && m.version > *options.to)) continue;
    apply(m, options.log);
    ++count;
  }
  return count;
}

int Migrator::down(const RunOptions& options) {
  auto plan = [&](const std::vector<Applied>& applied) {
    std::vector<const Migration*> out;
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
      if (options.to ? it->version <= *options.to : !out.empty()) break;
      out.push_back(find(it->version));
    }
    return out;
  };
  if (options.dry_run) {
    auto applied = read_history();
    check_history(applied);
    auto targets = plan(applied);
    for (const auto* m : targets) options.log("would revert " + m->name + ":\n" + m->down);
    return static_cast<int>(targets.size());
  }
  Lock lock(db_);
  ensure_history();
  auto applied = read_history();
  check_history(applied);
  if (!applied.empty() && applied.back().transactions_done)
    throw MigrationRefused(
        "migration " + applied.back().name + " is half applied (" + std::to_string(*applied.back().transactions_done) +
        " of its transactions are committed); its down file undoes the whole migration: finish "
        "it with `migrate up` first (or, if it can never finish, undo its committed part by hand "
        "and DELETE FROM " +
        std::string(history_table) + " WHERE version = " + std::to_string(applied.back().version) + ")");
  auto targets = plan(applied);
  for (const auto* m : targets) revert(*m, options.log);
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
    const Migration* m = find(a.version);
    s.file = !m || m->name != a.name ? "missing" : checksum(m->up) == a.checksum ? "matches" : "changed";
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
    if (!is_applied || (options.to && m->version > *options.to)) continue;
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
      tx.exec(m->verify);
    } catch (const pqxx::sql_error& e) {
      std::string message = pg_message(e);
      if (std::string failed = verify_failure(message); !failed.empty()) message = failed;
      differences.push_back(m->name + ": " + message);
    }
  }
  if (!differences.empty()) {
    std::string text =
        "the database does not match the migrations through version " + std::to_string(to) + "; nothing was recorded:";
    for (const auto& d : differences) text += "\n  " + d;
    throw MigrationRefused(text);
  }
  pqxx::work tx(db_);
  for (const auto* m : adopted) {
    tx.exec_params(
        std::string("INSERT INTO ") + history_table + " (version, name, checksum) VALUES ($1, $2, $3)", m->version,
        m->name, tx.exec_params("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", m->up)[0][0].as<std::string>());
    log("recorded " + m->name + " as applied (its verify file holds)");
  }
  tx.commit();
}

}  // namespace schemac::runtime
