// Compares a live PostgreSQL catalog with the schema model, object by object.
//
// Structure (names, kinds, columns, actions, roles, flags, grants, comments) is read
// from the catalog and compared with the model directly. Expressions (defaults,
// checks, generated columns, index definitions, policy clauses, trigger WHEN, view
// queries, function signatures) are rebuilt from the model's text on scratch
// objects inside a transaction that is rolled back, and PostgreSQL's deparse of both
// is compared: equal text means PostgreSQL understood the same thing.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "model/schema.hpp"

namespace schemac::test {

// Every difference found, one line each; empty when the catalog matches the model.
std::vector<std::string> compare_catalog(pqxx::connection& db, const model::Schema& schema);

}  // namespace schemac::test
