// Every piece of SQL a schema carries is parsed at compile time by PostgreSQL's own
// parser (libpg_query): defaults, checks, generated columns, index expressions and
// predicates, policy and trigger conditions, view and materialized view queries,
// function bodies (SQL and PL/pgSQL) and data steps. A syntax error is reported at
// its line and column in the .schema file.
//
// From the parse trees of view and materialized view queries and of policies: a
// table or view they name that the schema does not declare is an error there, and
// what a view reads and calls is recorded in the model for the planner's ordering.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "syntax/parser.hpp"

namespace schemac::check {

void check_embedded_sql(const std::vector<syntax::ParsedFile>& files, model::Schema& model, Diagnostics& diags);

// For a model that schemac wrote itself (the planner's snapshot), which needs no
// checking: only what the planner reads of the previous state, the relations each
// view and materialized view reads and the functions it calls (to drop views in
// dependency order). Each view query is parsed once; nothing else is.
void derive_view_names(model::Schema& model);

// What a named query of `model` reads: the relations it names and the columns it
// reads of each (for a model that was not checked, such as the planner's snapshot).
struct QueryReads {
  std::vector<model::QualifiedName> relations;
  std::vector<model::ColumnUse> columns;
};
QueryReads query_reads(const model::Schema& model, const model::Query& query);

// The name PostgreSQL gives an index column on an expression when it names the index
// (FigureIndexColname): a function's name, a column's, ...; "expr" otherwise (and when
// the expression does not parse).
std::string index_expression_name(const std::string& expression);

}  // namespace schemac::check
