// A migration plan: an ordered list of operations, each carrying its own inverse.
// The up file is the operations in order, the down file their inverses in reverse
// order, and the verify file the checks they leave behind. `schemac sql` is the plan
// from the empty state, so the full state and every migration share one path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"

namespace schemac::plan {

// Where an operation runs. Up runs in this order (a stable sort keeps the order the
// planner chose within one step: foreign-key order, view dependency order, ...):
// first the removal of dependents that change or go (dependents first, under the
// names the database has before the migration), then the renames (every later
// statement uses the new names), then expansions, then data steps, then
// contractions. Down runs the inverses in reverse, so renames are undone before the
// old dependents come back.
enum class Step {
  // down only: what the re-creation of an enum type moved out of the way comes back
  enum_dependents_restored,
  // in a transaction of its own, committed before anything uses the new values
  enum_value,
  // prepare: dependents that change or go, under their original names
  drop_view,
  drop_trigger,
  drop_policy,
  drop_foreign_key,
  drop_constraint,
  drop_index,
  drop_default,
  drop_generated,
  drop_function_for_change,
  // expand (schemas first: a table may move into a new one)
  extension,
  schema,
  rename,
  enum_type,
  function,
  table,
  column,
  add_generated,
  constraint,
  index,
  view,
  trigger,
  row_level_security,
  policy,
  grant,
  comment,
  enum_dependents,  // down only: out of the way of an enum type's re-creation
  // data
  data,
  // contract
  archive,
  late_view,  // views that read a table archived by this migration
  drop_column,
  drop_table,
  drop_function,
  drop_enum,
  drop_schema,
};

const char* step_title(Step step);

// A condition the verify file checks after up, with the message it raises.
struct Check {
  std::string condition;
  std::string message;
};

struct Op {
  Step step = Step::table;
  std::string up;    // empty when an earlier statement does it (e.g. DROP TABLE drops its indexes)
  std::string down;  // the exact inverse; empty when a later inverse does it
  std::vector<Check> verify;
  bool no_transaction = false;  // cannot run inside a transaction block
};

struct Plan {
  std::vector<Op> ops;             // in up order
  std::vector<std::string> notes;  // what a reviewer must know (e.g. a down that re-creates a table empty)
  bool empty() const { return ops.empty(); }
  bool no_transaction() const;
  // Enum values are added and committed before the rest runs (another transaction).
  bool commits_enum_values_first() const;
};

// The migration from `previous` to `desired` (both resolved models). Removals that
// are not confirmed by a directive, and narrowing type changes, are errors in diags.
Plan plan_migration(const model::Schema& previous, const model::Schema& desired, Diagnostics& diags);

// Why converting a column from `from` to `to` can lose data or fail on existing
// rows ("narrows the integer type", ...), or nullopt when every value converts.
std::optional<std::string> narrowing(const model::Type& from, const model::Type& to);

// `schemac sql`: the up file of the plan from the empty state.
std::string full_state_sql(const model::Schema& desired);

}  // namespace schemac::plan
