// Assertions in a migration: which ones its verify file runs. An assertion runs in
// the migration that adds it or changes its query, and again in every later one that
// changes a relation it reads (or a table under a view it reads): a column, a key, an
// index, a rename or an archive, a data step that names it. A removed assertion is
// listed among the changes; since the database holds nothing of it, its removal alone
// makes no migration.
#pragma once

#include "model/schema.hpp"
#include "plan/plan.hpp"

namespace schemac::plan {

// Appends the assertion operations (verify checks only, no SQL) to `plan`, whose
// other operations are planned.
void plan_assertions(const model::Schema& previous, const model::Schema& desired, Plan& plan);

}  // namespace schemac::plan
