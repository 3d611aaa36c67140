// AST -> Schema model: binds names across all files of a schema, resolves types,
// names unnamed constraints and indexes as PostgreSQL would, and reports every
// violation of the language's rules (LANGUAGE.md §3) to the diagnostics sink.
#pragma once

#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "syntax/parser.hpp"

namespace schemac::model {

// Returns the model; check diags.has_errors() before using it.
Schema resolve(const std::vector<syntax::ParsedFile>& files, Diagnostics& diags);

}  // namespace schemac::model
