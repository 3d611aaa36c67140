// Column-level reading of a query's parse tree (libpg_query's JSON): which columns a
// view, materialized view or policy names, checked against the relations in scope,
// and which columns a query produces.
//
// The check is sound in one direction only: it reports a column as missing when it
// can tell (every relation the name could come from has known columns and none has
// it), and stays silent otherwise (a subquery, a function in FROM, a CTE, a relation
// whose columns are unknown). PostgreSQL itself remains the final judge.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/schema.hpp"

namespace schemac::check {

// The columns of a relation, shared rather than copied into every scope that names it.
using ColumnList = std::shared_ptr<const std::vector<std::string>>;

// The columns of a relation the schema declares, or null when unknown.
using ColumnLookup = std::function<ColumnList(const model::QualifiedName&)>;

struct ColumnProblem {
  std::size_t location = 0;  // byte offset in the parsed text
  std::string message;
};

// The relation an expression is evaluated against (a policy's table).
struct RootRelation {
  std::string alias;
  ColumnList columns;                        // never null
  std::optional<model::QualifiedName> name;  // the table (for column uses)
};

// One walk over the statements in `tree`: every column reference that cannot
// resolve (problems), and the columns read, as column_uses below returns them.
struct ColumnReading {
  std::vector<ColumnProblem> problems;
  std::vector<model::ColumnUse> uses;
};
// With `writes`, INSERT, UPDATE and DELETE are read as well (their target table in
// scope, the columns they write checked and recorded).
ColumnReading read_columns(const nlohmann::json& tree, const ColumnLookup& lookup,
                           const std::vector<RootRelation>& roots, bool writes = false);

// The columns the statements in `tree` read, each attributed to its relation (see
// model::ColumnUse), sorted and without repeats. `roots` are in scope throughout: a
// table's expressions name its columns bare, a trigger's `when` as new.x and old.x.
std::vector<model::ColumnUse> column_uses(const nlohmann::json& tree, const ColumnLookup& lookup,
                                          const std::vector<RootRelation>& roots);

// The name PostgreSQL gives the output column a target expression (a ResTarget's
// `val`) computes when it has no alias: the column's, the function's, a cast's
// argument or type, "case", "?column?"; nullopt when it cannot be told.
std::optional<std::string> column_name(const nlohmann::json& val);

// The names of the columns the first statement of `tree` produces, in order, when
// they can be told (as PostgreSQL names them: alias, else column, else function).
std::optional<std::vector<std::string>> output_columns(const nlohmann::json& tree, const ColumnLookup& lookup);

}  // namespace schemac::check
