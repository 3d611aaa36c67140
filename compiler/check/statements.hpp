// What kind of statements a piece of SQL holds, read from PostgreSQL's parse tree
// (libpg_query): those PostgreSQL refuses to run inside a transaction block, and
// those that control transactions. A data step holding the first runs outside a
// transaction, statement by statement; the second are refused (the runner owns the
// transactions).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace schemac::check {

struct StatementKind {
  std::string what;          // "VACUUM", "CREATE INDEX CONCURRENTLY", "COMMIT", ...
  std::size_t location = 0;  // byte offset of the statement in the SQL
};

// A table a TRUNCATE names, as written (schema empty when not qualified).
struct Truncated {
  std::string schema, name;
  std::size_t location = 0;  // byte offset of the name in the SQL
};

struct Statements {
  std::vector<StatementKind> outside_transaction;  // cannot run in a transaction block
  std::vector<StatementKind> transaction_control;  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...
  std::vector<Truncated> truncated;                // empties tables without a DELETE trigger firing
};

// Empty when the SQL does not parse (the syntax error is reported where it is checked).
Statements classify_statements(const std::string& sql);

}  // namespace schemac::check
