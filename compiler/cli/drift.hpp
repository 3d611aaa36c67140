// A live database compared with a schema (`schemac diff`, and the drift `migrate
// status` and `migrate baseline` check): both read back through introspection, the
// schema from a shadow database, so that they compare by meaning, not spelling.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "plan/plan.hpp"

namespace schemac::cli {

std::string first_line(const std::string& s);
// Throws std::runtime_error("cannot connect to the database: ...").
std::unique_ptr<pqxx::connection> connect(const std::string& db);

// The plan that takes the live database (at `db`, connected as `live`) to `desired`:
// no operations when they are equal. The schema is built in `shadow_db` (an empty
// database), or in one created on the same server and dropped after. A table or
// column only the database has is planned as a (retained) drop.
plan::Plan plan_from_database(pqxx::connection& live, const std::string& db, const std::string& shadow_db,
                              const model::Schema& desired, Diagnostics& diags, bool warn_unexpressible);

// "kind subject[.member]" per change of the plan, without repeats.
std::vector<std::string> change_lines(const plan::Plan& p);

}  // namespace schemac::cli
