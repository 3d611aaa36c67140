// Introspection: a live PostgreSQL 15 database's catalogs read into the model the
// front end produces (`schemac pull`). Linked by the database commands only, never
// by the runtime.
//
// Expressions come back as PostgreSQL prints them (pg_get_expr, pg_get_viewdef):
// equal in meaning to what was declared, not always in spelling. Names are kept as
// the catalog has them (every constraint and index named). What the language cannot
// express is listed in `skipped`, never left out silently.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "model/schema.hpp"

namespace schemac::introspect {

struct Options {
  std::vector<std::string> schemas;  // empty: every schema but the system's and schemac's own
  bool missing_schemas_ok = false;   // a schema of `schemas` the database lacks is read as empty
};

// An object, or a property of one, that the language cannot express.
struct Skipped {
  std::string kind;    // "rule", "foreign table", "column collation", ...
  std::string name;    // what it is on: "public.t", "public.t.c"
  std::string reason;  // what is left out, or how it was pulled instead
};

struct Catalog {
  model::Schema schema;
  std::vector<Skipped> skipped;
};

// Reads the catalog in one read-only, repeatable-read transaction. Throws
// pqxx::sql_error (missing privileges) and pqxx::broken_connection as libpqxx does.
Catalog read(pqxx::connection& db, const Options& options = {});
// The same inside a transaction of the caller's (e.g. one that built the schema and
// will be rolled back).
Catalog read(pqxx::transaction_base& tx, const Options& options = {});

}  // namespace schemac::introspect
