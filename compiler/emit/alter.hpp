// The statements that change or remove what exists: renames, drops, column
// alterations, comments. Each statement form is written here once; the planner
// decides which to run and in what order, never how they are spelled. (Creation
// statements are in ddl.hpp, verify checks in verify.hpp.)
#pragma once

#include <string>
#include <vector>

#include "model/schema.hpp"
#include "schemac/migration_file.hpp"

namespace schemac::emit {

// ---- renames and moves
std::string rename_table(const model::QualifiedName& table, const std::string& to);
std::string set_table_schema(const model::QualifiedName& table, const std::string& schema);
// ALTER TABLE ... SET LOGGED / SET UNLOGGED (rewrites the table).
std::string set_logged(const model::QualifiedName& table, bool logged);
std::string rename_column(const model::QualifiedName& table, const std::string& from, const std::string& to);
std::string rename_constraint(const model::QualifiedName& table, const std::string& from, const std::string& to);
std::string rename_index(const model::QualifiedName& index, const std::string& to);
// IF EXISTS: a sequence follows its column's name only when PostgreSQL named it.
std::string rename_sequence_if_exists(const model::QualifiedName& sequence, const std::string& to);
std::string rename_type(const model::QualifiedName& type, const std::string& to);

// ---- drops
std::string drop_schema(const std::string& schema);
std::string drop_type(const model::QualifiedName& type);
std::string drop_domain(const model::QualifiedName& domain);
std::string drop_sequence(const model::QualifiedName& sequence);
// ALTER DOMAIN name CLAUSE;
std::string alter_domain(const model::QualifiedName& domain, const std::string& clause);
// ALTER TYPE name CLAUSE; (a composite type's attributes)
std::string alter_type(const model::QualifiedName& type, const std::string& clause);
std::string drop_table(const model::QualifiedName& table);
std::string drop_view(const model::QualifiedName& view, bool materialized);
std::string drop_index(const model::QualifiedName& index);
std::string drop_constraint(const model::QualifiedName& table, const std::string& constraint);
std::string drop_policy(const model::QualifiedName& table, const std::string& policy);
std::string drop_trigger(const model::QualifiedName& table, const std::string& trigger);
std::string drop_function(const model::Function& f);

// ---- columns
std::string add_column(const model::QualifiedName& table, const model::Column& column);
std::string drop_column(const model::QualifiedName& table, const std::string& column);
// ALTER COLUMN ... TYPE, converting each value by a cast (through text: from an enum
// to an enum of the same labels).
std::string alter_column_type(const model::QualifiedName& table, const std::string& column, const model::Type& type,
                              bool through_text = false);
std::string set_column_default(const model::QualifiedName& table, const std::string& column,
                               const std::string& expression);
std::string drop_column_default(const model::QualifiedName& table, const std::string& column);
std::string set_column_not_null(const model::QualifiedName& table, const std::string& column, bool not_null);
std::string drop_column_expression(const model::QualifiedName& table, const std::string& column);
std::string add_column_identity(const model::QualifiedName& table, const std::string& column);
std::string drop_column_identity(const model::QualifiedName& table, const std::string& column);

// ---- retained data: a confirmed drop keeps the values for its down
inline const std::string retention_schema(migration_file::retention_schema);

// Where a dropped column's values are kept: `copy`, by the table's primary key.
struct Retention {
  model::QualifiedName copy;              // in retention_schema
  model::QualifiedName table;             // the table, as named when the column goes and comes back
  std::vector<const model::Column*> key;  // the primary key's columns
  bool forced_row_security = false;       // FORCE ROW LEVEL SECURITY: lifted while copying and restoring
};
// Up: the column's values copied with the key into the copy (created with its schema)
// before the column is dropped; `note` is the copy's comment. Values of a type the
// schema declares (an enum) are kept as text, so that the copy depends on no type a
// later migration may re-create or drop; builtin types are kept as they are.
std::string retain_column(const Retention& r, const model::Column& column, const std::string& note);
// Down: the column added back, its values restored by key with the table's triggers
// off, then NOT NULL and identity as they were; the copy is deleted. Rows written
// after up get the default, or null (NOT NULL then fails), but an identity column
// numbers them after the restored values, and its sequence continues after all.
std::string restore_column(const Retention& r, const model::Column& column);

// A whole table kept (a confirmed drop, or a down that would drop a table holding
// rows): moved into the retention schema under `kept`, after what ties it to other
// objects went (foreign keys, checks, triggers, policies, grants, row level
// security, column defaults and generation expressions, indexes that back no
// constraint), with values of the schema's own types (enums, domains, composites)
// turned into text, so that it never stands in the way of a later drop. Its key and
// unique indexes and owned sequences move along under hashed names (each commented
// with the name it had). The work is done by a session-local function the phase
// defines first (retain_table_function), so that each call reads as one line.
std::string retain_table_function();
// `only_with_rows`: an empty table is dropped instead, and the name is made free
// (kept, kept_2, ...) when a kept table has it already.
std::string retain_table(const model::QualifiedName& table, const model::QualifiedName& kept, const std::string& note,
                         bool only_with_rows);
// Down of a confirmed drop: the kept table moved back under its name, its index and
// sequence names restored, its columns' types, generation expressions, defaults and
// checks as `t` declares them (the planner restores the rest: foreign keys, indexes,
// triggers, policies, grants, comments). A purged copy stops the down first.
// `serial_owner`: the table whose serial sequences the defaults name (a partition's
// are its table's), when not `t`.
std::string restore_table(const model::Table& t, const model::QualifiedName& kept,
                          const model::QualifiedName* serial_owner = nullptr);
// The statement that stops a down before it changes anything when `kept` (in the
// retention schema) is gone (purged), raising `message`.
std::string purged_guard(const model::QualifiedName& kept, const std::string& message);
// nextval() of the sequence PostgreSQL makes for a serial column: the column's default.
std::string serial_default(const model::QualifiedName& table, const std::string& column);

// The rows a data step deletes from a table, kept (`retain T` on the step): while the
// step runs, a statement trigger on the table and each of its partitions copies the
// rows every DELETE removes (as text, column by column) into `kept`, created empty
// first, commented `note`. Start defines a session-local trigger function; stop drops
// the triggers. Restore (down, after the step's own down): the rows inserted back,
// each value cast to its column's type, with the table's user triggers off and its
// FORCE ROW LEVEL SECURITY lifted meanwhile; then the copy goes. A purged copy stops
// the down with `purged`.
std::string keep_deleted_rows_start(const model::QualifiedName& table, const model::QualifiedName& kept,
                                    const std::string& note);
std::string keep_deleted_rows_stop(const model::QualifiedName& table);
std::string restore_deleted_rows(const model::QualifiedName& table, const model::QualifiedName& kept,
                                 const std::string& purged);

// ---- other changes
// The new value after `after`, else before `before`, else last (null: not given).
std::string add_enum_value(const model::QualifiedName& type, const std::string& value, const std::string* after,
                           const std::string* before);
// ENABLE, DISABLE, FORCE or NO FORCE.
std::string row_level_security(const model::QualifiedName& table, const char* what);
std::string alter_policy(const model::QualifiedName& table, const model::Policy& from, const model::Policy& to);
std::string replace_function(const model::Function& f);  // CREATE OR REPLACE

// ---- comments: `target` as COMMENT ON takes it ("COLUMN public.t.c")
std::string comment_on(const std::string& target, const model::Doc& doc);  // IS NULL when empty
std::string comment_on_text(const std::string& target, const std::string& text);
std::string schema_target(const std::string& schema);
std::string type_target(const model::QualifiedName& type);
std::string domain_target(const model::QualifiedName& domain);
std::string sequence_target(const model::QualifiedName& sequence);
std::string table_target(const model::QualifiedName& table);
std::string view_target(const model::QualifiedName& view, bool materialized);
std::string function_target(const model::Function& f);
std::string column_target(const model::QualifiedName& table, const std::string& column);
std::string constraint_target(const model::QualifiedName& table, const std::string& constraint);
std::string index_target(const model::QualifiedName& table, const std::string& index);
std::string policy_target(const model::QualifiedName& table, const std::string& policy);
std::string trigger_target(const model::QualifiedName& table, const std::string& trigger);

}  // namespace schemac::emit
