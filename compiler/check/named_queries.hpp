// Named queries (`query NAME(params) returns one|many|exec as $$ SQL $$`): the checks
// that make their C++ functions typed, from the query's parse tree and the model.
//
// - one statement: a SELECT (or VALUES), or an INSERT, UPDATE or DELETE; `one` and
//   `many` need rows (a SELECT, or RETURNING);
// - every $n names a declared parameter, every parameter is used, and where a
//   parameter meets a column, a cast or a target column, their types are compatible;
// - the columns it returns: name, type and nullability (outer joins make a side
//   nullable; count() is never NULL; sum/min/max/avg and scalar subqueries may be;
//   casts, constants, comparisons, CASE, COALESCE, known functions are typed). A
//   column whose type cannot be told is an error at its position asking for a cast:
//   the C++ type is never guessed.
#pragma once

#include <nlohmann/json.hpp>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "syntax/ast.hpp"

namespace schemac::check {

// `tree` is the query's parse tree; `begin` where its text starts in file `file`.
// Sets `out.columns`. `names_ok`: its tables and columns were found (else a column
// whose type cannot be told is not reported again).
void check_named_query(Diagnostics& diags, int file, std::uint32_t begin, const ast::Query& q,
                       const nlohmann::json& tree, const model::Schema& model, model::Query& out, bool names_ok = true);

}  // namespace schemac::check
