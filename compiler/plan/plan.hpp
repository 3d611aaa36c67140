// A migration plan: an ordered list of operations, each carrying its own inverse.
// The up file is the operations in order, the down file their inverses in reverse
// order, and the verify file the checks they leave behind. `schemac sql` is the plan
// from the empty state, so the full state and every migration share one path.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "emit/verify.hpp"
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
  // prepare: dependents that change or go, under their original names (policies
  // before the views they may read); sequences let go of columns that go
  take_default_privileges,  // before anything is created, which would take them
  detach_partition,         // partitions whose bound changes or that go, before new ones take their place
  drop_sequence_owner,
  drop_trigger,
  drop_policy,
  drop_view,
  drop_foreign_key,
  drop_constraint,
  drop_index,
  drop_default,
  drop_generated,
  drop_function_for_change,
  // down only: what a generated column added again in down moved out of the way
  generated_dependents_restored,
  // down only: what the re-creation of an enum type moved out of the way comes back
  // (after it, and before the dependents above come back as they were)
  enum_dependents_restored,
  // enum values, committed with the steps above before anything uses the new values
  enum_value,
  // expand (schemas first: a table, or an extension, may go into a new one)
  schema,
  extension,
  rename,
  enum_type,
  sequence,
  function,
  table,
  partition,          // after the tables: a partition is created of its parent
  distribute,         // Citus: reference tables, then distributed ones (colocation targets first),
                      // before any foreign key or trigger of theirs exists
  row_type_function,  // functions whose signature names a table's row type: after the tables, before the views
  column,
  add_generated,
  sequence_owner,
  constraint,
  index,
  view,
  trigger,
  row_level_security,
  policy,
  grant,
  comment,
  enum_dependents,       // down only: out of the way of an enum type's re-creation
  generated_dependents,  // down only: out of the way of a generated column added again
  // data
  data,
  // contract
  archive,
  late_view,  // views that read a table archived by this migration
  drop_column,
  drop_table,
  drop_partition,  // detached and kept in the retention schema
  drop_sequence,
  drop_function,
  drop_enum,
  drop_schema,
  // online: changes to tables that were there before, made in later phases so that
  // no statement holds a lock that blocks writes for longer than a catalog change
  concurrent_index,   // outside a transaction: CREATE [UNIQUE] INDEX CONCURRENTLY
  data_outside,       // outside a transaction: data steps holding VACUUM, CREATE INDEX CONCURRENTLY, ...
  validate,           // VALIDATE CONSTRAINT of checks, foreign keys and NOT NULL proofs added NOT VALID
  set_not_null,       // SET NOT NULL, proved by a validated check (no scan), which then goes
  attach_constraint,  // unique and primary keys made from the concurrently built indexes
  late_foreign_key,   // foreign keys that reference such a key (NOT VALID on existing tables)
  late_validate,      // the last step (step_count)
};
inline constexpr std::size_t step_count = static_cast<std::size_t>(Step::late_validate) + 1;

// The phases of a migration, in order: each runs in a transaction of its own, except
// `concurrently` (statement by statement outside a transaction). Only phases with
// statements are written. The first two are one transaction unless enum values are
// added: they must be committed before anything uses them.
enum class Phase { enum_values, main, concurrently, validate, attach, late_validate };
Phase phase_of(Step step);
bool in_transaction(Phase phase);
const char* phase_title(Phase phase);

const char* step_title(Step step);

// A fact the verify file checks after up (rendered by emit/verify).
using Check = emit::Check;

// What an operation does, as a value: lint and tests read these, never the SQL.
enum class ChangeKind {
  other,  // comments, grants, row level security, extensions, schemas
  create_table,
  drop_table,
  rename_table,   // subject: the new name; previous_name: the old one
  archive_table,  // subject: the table; detail: its archived name
  unarchive_table,
  add_column,
  drop_column,
  rename_column,   // member: the new name; detail: the old one
  rename_members,  // constraints and indexes of the table renamed, their definitions kept
  alter_column_type,
  alter_column,  // default, nullability, identity, generated expression dropped
  regenerate_column,
  add_constraint,
  drop_constraint,
  create_index,
  drop_index,
  create_trigger,
  drop_trigger,
  create_policy,
  alter_policy,
  drop_policy,
  create_view,
  drop_view,
  create_function,
  replace_function,
  drop_function,
  create_enum,
  add_enum_values,
  remove_enum_values,  // refused: PostgreSQL cannot remove a value
  drop_enum,
  create_sequence,
  alter_sequence,
  drop_sequence,
  create_type,  // a domain or a composite type
  alter_type,   // detail: what changes
  drop_type,
  data_step,
  create_assertion,  // an assertion that the verify file checks from now on (subject: its name)
  alter_assertion,   // its query changes
  drop_assertion,    // no longer checked
  check_assertion,   // checked again: it reads a relation that changes (detail: which)
  distribute_table,  // Citus: detail says how (distributed by c, reference, local)
  moved_aside,       // down only: dependents moved out of the way of a change and back
};

const char* change_name(ChangeKind kind);

struct Change {
  ChangeKind kind = ChangeKind::other;
  model::QualifiedName subject;                       // the table, view, function or enum
  std::string member;                                 // the column, constraint, index, trigger or policy
  std::string detail;                                 // rename_column: the old name; archive: the new one
  std::optional<model::QualifiedName> previous_name;  // rename_table
  model::Origin origin;                               // where the schema asks for it (for findings)
  // Shared, not held: a plan has an operation per statement, most of them without these.
  std::shared_ptr<const model::Type> from_type, to_type;  // alter_column_type
  std::shared_ptr<const model::Column> column;            // add_column: the new column
  bool on_existing_table = false;  // add_column, create_index, add_constraint: the table was there before
  // create_index, add_constraint, alter_column (SET NOT NULL) on an existing table: made
  // without blocking writes (built concurrently; added NOT VALID and validated later).
  bool online = false;
  bool scans_table = false;         // alter_column: SET NOT NULL that scans the table under its lock
  std::vector<std::string> values;  // add_enum_values, remove_enum_values
};

// The table locks PostgreSQL takes, weakest first (those the planner's statements take).
enum class LockMode { share_update_exclusive, share, share_row_exclusive, access_exclusive };
const char* lock_name(LockMode mode);
// Whether other sessions' INSERT, UPDATE and DELETE wait while the lock is held.
inline bool blocks_writes(LockMode mode) { return mode >= LockMode::share; }

// The lock an operation holds on a table that existed before the migration, and what
// it does under it: `brief` (a catalog change), or it reads every row (`scans`) or
// writes them all again (`rewrites`), for as long as the table is large.
struct TableLock {
  enum class Effect { brief, scans, rewrites };
  model::QualifiedName table;
  LockMode mode = LockMode::access_exclusive;
  Effect effect = Effect::brief;
  std::string what;  // what scans or rewrites ("index items_code_idx", "column qty: int -> bigint")
};

struct Op {
  Step step = Step::table;
  std::string up;    // empty when an earlier statement does it (e.g. DROP TABLE drops its indexes)
  std::string down;  // the exact inverse; empty when a later inverse does it
  std::vector<Check> verify;
  Change change;
  std::optional<TableLock> lock;  // none: it touches no table that existed before
  // Its up or down calls pg_temp.schemac_retain (emit::retain_table): the phase it
  // runs in defines the function first.
  bool up_retains = false, down_retains = false;
};

struct Plan {
  std::vector<Op> ops;             // in up order
  std::vector<Change> refused;     // changes the planner will not make (each also an error)
  std::vector<std::string> notes;  // what a reviewer must know (e.g. a down that re-creates a table empty)
  // Citus: a state before or after has distributed or reference tables. Each
  // transaction then runs its shard commands one connection at a time (Citus refuses
  // DDL on tables linked by foreign keys after a parallel operation on them).
  bool citus = false;
  bool empty() const { return ops.empty(); }
  // Enum values are added and committed (with the drops before them) before the
  // rest runs, in another transaction.
  bool commits_enum_values_first() const;
  // The phases the migration runs in, with their operations in up order.
  struct PhaseOps {
    Phase phase;
    std::vector<const Op*> ops;
  };
  std::vector<PhaseOps> phases() const;
};

// The migration from `previous` to `desired` (both resolved models). Removals that
// are not confirmed by a directive, and narrowing type changes, are errors in diags
// (and in Plan::refused); the plan is only meant to be written when diags has none.
// `migration` names the migration (its retained data is named after it).
Plan plan_migration(const model::Schema& previous, const model::Schema& desired, Diagnostics& diags,
                    const std::string& migration = "");

// `schemac sql`: the up file of the plan from the empty state.
std::string full_state_sql(model::Schema desired);

}  // namespace schemac::plan
