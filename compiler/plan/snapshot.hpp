// The snapshot: the whole state after the newest migration, as one .schema file in
// canonical form. It is the model turned back into syntax and printed by the same
// printer as `fmt`, so the previous state is read back with the same parser.
// Every constraint and index is written with its name, so that the names the
// database holds are recorded exactly. Directives (was, drop) are not state and
// are left out; data steps are kept, which records that they ran.
#pragma once

#include <string>

#include "model/schema.hpp"
#include "syntax/ast.hpp"

namespace schemac::plan {

// `directives`: also write rename hints (was), drop confirmations and drop table,
// for a schema directory rather than a snapshot. Constraints and indexes without a
// name are written without one (PostgreSQL's default name is chosen on reading).
ast::File to_syntax(const model::Schema& schema, bool directives = false);

// The state a schema describes, without its directives: no rename hints, no drop
// confirmations, and no record of which names were written out (the names stay).
// Two schemas with equal states need no migration between them.
model::Schema state_of(model::Schema schema);
std::string snapshot_text(const model::Schema& schema);

}  // namespace schemac::plan
