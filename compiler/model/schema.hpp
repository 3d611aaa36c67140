// The resolved schema: names bound, types known, unnamed constraints and indexes
// given PostgreSQL's default names. The SQL and C++ emitters and the planner read
// only this. Objects are kept sorted by qualified name (so that the model does not
// depend on which file declared what); members keep their declaration order.
//
// `operator==` compares what the database would hold; source positions (Origin)
// always compare equal, so that a reformatted schema gives an equal model.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace schemac::model {

struct Origin {
  int file = -1;
  std::uint32_t offset = 0;
  std::uint32_t end = 0;  // one past the declaration's (or name's) last byte
  bool operator==(const Origin&) const { return true; }
};

struct QualifiedName {
  std::string schema = "public";
  std::string name;
  auto operator<=>(const QualifiedName&) const = default;
  bool operator==(const QualifiedName&) const = default;
  std::string sql() const;      // quoted as needed: public.users, "Order"."Items"
  std::string display() const;  // for messages: schema omitted when public
};

// Names worked out from parse trees (set by check): facts derived from an object's
// text, so they never make two objects differ, and a model read without check (the
// planner's snapshot) may leave them empty.
struct DerivedNames : std::vector<QualifiedName> {
  DerivedNames() = default;
  explicit DerivedNames(std::vector<QualifiedName> names) : std::vector<QualifiedName>(std::move(names)) {}
  DerivedNames& operator=(std::vector<QualifiedName> names) {
    std::vector<QualifiedName>::operator=(std::move(names));
    return *this;
  }
  bool operator==(const DerivedNames&) const { return true; }
};

// What a type name stands for.
enum class TypeKind {
  builtin,      // PostgreSQL's own (model/types.hpp)
  enumeration,  // a declared enum
  domain,       // a declared domain
  composite,    // a declared composite type
  external      // an extension's type, or one declared `extern type`
};

struct Type {
  std::string builtin;                      // canonical name, e.g. "character varying"; "" for a named type
  std::optional<QualifiedName> named_type;  // any other: its name (schema "" when found by search_path)
  std::vector<int> modifiers;
  int array_dims = 0;
  TypeKind kind = TypeKind::builtin;
  bool operator==(const Type&) const = default;
  std::string sql() const;  // as format_type() prints it: "character varying(80)", "public.quest_status[]"
  bool is_enum() const { return kind == TypeKind::enumeration; }
  // The type without modifiers (what a foreign key's columns must agree on).
  std::string base() const;
};

using Doc = std::vector<std::string>;

// A column an expression or query reads: the relation it comes from (table, view or
// materialized view, as the database names it) and the column; "*" stands for
// every column of the relation (a `*`, a whole-row reference, or a reference check
// could not attribute, so that a dependency is never missed).
struct ColumnUse {
  QualifiedName relation;
  std::string column;
  auto operator<=>(const ColumnUse&) const = default;
  bool operator==(const ColumnUse&) const = default;
};

// What an object's expressions or query use, from their parse trees (set by check;
// empty in a model that was not checked). The planner's dependency graph is built
// from these. Derived from the object's text, so it never makes two objects differ.
struct Uses {
  std::vector<ColumnUse> columns;        // sorted, without repeats
  std::vector<QualifiedName> functions;  // called; sorted, without repeats
  std::vector<QualifiedName> types;      // named in casts; sorted, without repeats
  bool operator==(const Uses&) const { return true; }

  bool reads(const QualifiedName& relation, const std::string& column) const;
  bool reads_relation(const QualifiedName& relation) const;
  bool calls(const QualifiedName& function) const;
  bool names_type(const QualifiedName& type) const;
  void add(const Uses& other);  // keeps the vectors sorted and unique
};

struct Column {
  std::string name;
  Type type;
  bool nullable = false;
  std::optional<std::string> default_sql;
  std::optional<std::string> generated_sql;
  bool identity = false;
  bool serial = false;  // serial, bigserial, smallserial: an owned sequence TABLE_COLUMN_seq makes its default
  std::optional<std::string> was;
  Uses uses;  // of the default and the generated expression
  Doc doc;
  Origin origin;
  bool operator==(const Column&) const = default;
};

enum class ConstraintKind { primary_key, unique, check, foreign_key, exclusion };

struct IndexElement {
  std::string column;      // either a column ...
  std::string expression;  // ... or an expression (text inside the parentheses)
  std::string order;       // "", "asc", "desc"
  std::string nulls;       // "", "first", "last"
  std::string collation;   // "" = the column's
  std::string opclass;     // "" = the type's default; "gin_trgm_ops" or "schema.name"
  bool operator==(const IndexElement&) const = default;
};

struct Constraint {
  ConstraintKind kind = ConstraintKind::check;
  std::string name;
  bool named = false;                // named in the schema (else PostgreSQL's default name)
  std::vector<std::string> columns;  // key columns (primary, unique, foreign)
  std::string check_sql;
  QualifiedName ref_table;  // foreign key
  std::vector<std::string> ref_columns;
  std::string on_delete;  // "" = no action
  std::string on_update;
  bool deferrable = false;          // primary, unique, foreign
  bool initially_deferred = false;  // (deferrable)
  bool nulls_not_distinct = false;  // unique: NULLs count as equal
  // exclusion: no two rows whose elements all compare true with their operators
  std::string method = "btree";
  std::vector<IndexElement> elements;
  std::vector<std::string> operators;
  std::optional<std::string> where_sql;
  Uses uses;  // of a check's expression, an exclusion's expressions and predicate
  Doc doc;
  Origin origin;
  std::vector<Origin> column_origins, ref_column_origins;  // where each column was named (for errors)
  bool operator==(const Constraint&) const = default;
};

struct Index {
  std::string name;
  bool named = false;  // named in the schema (else PostgreSQL's default name)
  bool unique = false;
  bool nulls_not_distinct = false;  // unique: NULLs count as equal
  std::string method = "btree";
  std::vector<IndexElement> elements;
  std::vector<std::string> include;
  std::optional<std::string> where_sql;
  Uses uses;  // of the expressions and the predicate (plain columns are in `elements`)
  Doc doc;
  Origin origin;
  std::vector<Origin> element_origins, include_origins;  // where each column was named (for errors)
  bool operator==(const Index&) const = default;
};

struct Policy {
  std::string name;
  bool permissive = true;
  std::string command = "all";     // all, select, insert, update, delete
  std::vector<std::string> roles;  // empty = public
  std::optional<std::string> using_sql;
  std::optional<std::string> check_sql;
  DerivedNames calls;  // functions its expressions call
  Uses uses;           // of `using` and `with check`
  Doc doc;
  Origin origin;
  bool operator==(const Policy&) const = default;
};

struct TriggerEvent {
  std::string kind;  // insert, update, delete, truncate
  std::vector<std::string> columns;
  std::vector<Origin> column_origins;
  bool operator==(const TriggerEvent&) const = default;
};

struct Trigger {
  std::string name;
  bool constraint = false;  // a constraint trigger: its firing may be deferred to commit
  std::string timing;       // before, after, instead of
  std::vector<TriggerEvent> events;
  bool deferrable = false;
  bool initially_deferred = false;
  std::optional<std::string> old_table, new_table;  // transition tables the function reads
  bool for_each_row = false;
  std::optional<std::string> when_sql;
  QualifiedName function;
  std::vector<std::string> arguments;
  Uses uses;  // of `when` (new.x and old.x read the table's column x)
  Doc doc;
  Origin origin;
  bool operator==(const Trigger&) const = default;
};

struct Grant {
  std::string role;
  std::vector<std::string> privileges;  // upper case, in PostgreSQL's order; {"ALL"} for all
  bool operator==(const Grant&) const = default;
};

// The privileges of each kind of object, in PostgreSQL's order (what ALL stands for).
const std::vector<std::string>& relation_privileges();  // tables, views, materialized views
const std::vector<std::string>& function_privileges();
const std::vector<std::string>& schema_privileges();
const std::vector<std::string>& sequence_privileges();
// Of the objects default privileges name: "tables", "sequences", "functions".
const std::vector<std::string>& privileges_of_kind(const std::string& kind);

// How a partitioned table divides its rows.
struct PartitionKey {
  std::string method;  // range, list, hash
  std::vector<IndexElement> keys;
  bool operator==(const PartitionKey&) const = default;
};

// Where a table's rows live on a Citus cluster: sharded by a column across the
// workers (`distributed by (COLUMN) [colocate with TABLE]`), or copied whole to
// every node (`reference`). A table without one is local to the coordinator.
struct Distribution {
  bool reference = false;
  std::string column;                          // distributed: the distribution column
  std::optional<QualifiedName> colocate_with;  // distributed: created in this table's colocation group
  Origin origin, column_origin, colocate_origin;
  bool operator==(const Distribution&) const = default;
  bool distributed() const { return !reference; }
};

struct Table {
  QualifiedName name;
  std::optional<std::string> row_type;
  std::optional<QualifiedName> was;
  std::vector<Column> columns;
  std::vector<Constraint> constraints;
  std::vector<Index> indexes;
  bool row_level_security = false;
  bool force_row_level_security = false;
  std::vector<Policy> policies;
  std::vector<Trigger> triggers;
  std::vector<Grant> grants;  // sorted by role
  std::vector<std::string> dropped_columns;
  bool unlogged = false;                     // not written to the WAL: emptied after a crash, not replicated
  std::optional<PartitionKey> partition_by;  // a partitioned table: its rows live in its partitions
  std::optional<Distribution> distribution;  // Citus: distributed or reference
  bool is_extern = false;
  std::optional<std::string> archived_as;  // set by `archive table NAME as NEW`
  Doc doc;
  Origin origin;
  bool operator==(const Table&) const = default;

  const Column* find_column(const std::string& column) const;
  const Constraint* primary_key() const;
  // The name the table has in the database (NEW when archived).
  QualifiedName live_name() const;
};

struct Enum {
  QualifiedName name;
  std::vector<std::string> values;
  Doc doc;
  Origin origin;
  bool operator==(const Enum&) const = default;
};

// `check [NAME] (EXPR)` of a domain.
struct DomainCheck {
  std::string name;  // as declared, or PostgreSQL's default: DOMAIN_check, DOMAIN_check1, ...
  bool named = false;
  std::string expression;
  bool operator==(const DomainCheck&) const = default;
};

struct Domain {
  QualifiedName name;
  Type base;
  bool not_null = false;
  std::optional<std::string> default_sql;
  std::vector<DomainCheck> checks;
  Doc doc;
  Origin origin;
  bool operator==(const Domain&) const = default;
};

struct Field {
  std::string name;
  Type type;
  Doc doc;
  bool operator==(const Field&) const = default;
};

struct CompositeType {
  QualifiedName name;
  std::vector<Field> fields;
  Doc doc;
  Origin origin;
  bool operator==(const CompositeType&) const = default;
};

// A declared sequence. Options not given take PostgreSQL's defaults for the type and
// direction.
struct Sequence {
  QualifiedName name;
  std::string type = "bigint";  // smallint, integer or bigint
  std::optional<std::int64_t> increment, minvalue, maxvalue, start, cache;
  bool cycle = false;
  std::optional<std::pair<QualifiedName, std::string>> owned_by;  // table and column
  std::vector<Grant> grants;                                      // USAGE, SELECT, UPDATE; sorted by role
  Doc doc;
  Origin origin;
  bool operator==(const Sequence&) const = default;

  // The options in force: those given, else PostgreSQL's defaults for the type and
  // the direction of the increment.
  struct Options {
    std::int64_t increment, minvalue, maxvalue, start, cache;
  };
  Options effective() const;
};

// Privileges every object of a kind gets when it is created (ALTER DEFAULT
// PRIVILEGES), in one schema or in all ("" schema). The resolver also adds them to
// the grants of the declared objects they cover, so that those say what the database
// holds.
struct DefaultPrivilege {
  std::string schema;  // "" = every schema
  std::string kind;    // "tables" (views too), "sequences", "functions" (procedures too)
  bool revoke = false;
  std::string role;                     // "public" for PUBLIC
  std::vector<std::string> privileges;  // upper case, in PostgreSQL's order
  Origin origin;
  bool operator==(const DefaultPrivilege&) const = default;
  // What identifies it: schema, kind, grant or revoke, role.
  std::string key() const { return schema + "\n" + kind + "\n" + (revoke ? "-" : "+") + "\n" + role; }
};

// A partition of a partitioned table: a table with the parent's columns, keys and
// indexes that holds the rows its bound admits.
struct Partition {
  QualifiedName name;
  QualifiedName parent;
  bool is_default = false;
  std::optional<std::string> from, to, in;  // the bound's values as written (inside the parentheses)
  std::optional<int> modulus, remainder;
  Doc doc;
  Origin origin;
  bool operator==(const Partition&) const = default;
  std::string bound_sql() const;  // DEFAULT, FOR VALUES FROM (..) TO (..), IN (..), WITH (MODULUS n, REMAINDER m)
};

// A type the database has that no declaration creates (`extern type`).
struct ExternType {
  QualifiedName name;  // schema "" when written without one (found through search_path)
  Doc doc;
  Origin origin;
  bool operator==(const ExternType&) const = default;
};

struct Parameter {
  std::string name;
  Type type;
  std::optional<std::string> default_sql;
  bool operator==(const Parameter&) const = default;
};

struct ResultColumn {
  std::string name;
  Type type;
  bool operator==(const ResultColumn&) const = default;
};

// What identifies a function or procedure: its name and its parameter types
// (PostgreSQL's overloads are distinct objects).
struct FunctionId {
  QualifiedName name;
  std::string arguments;  // "uuid, character varying": the types without modifiers
  auto operator<=>(const FunctionId&) const = default;
  bool operator==(const FunctionId&) const = default;
  std::string display() const;  // "f(uuid, integer)"
};

struct Function {
  QualifiedName name;
  bool procedure = false;  // CREATE PROCEDURE: no result, called with CALL, may commit
  std::vector<Parameter> parameters;
  std::string returns;  // SQL of the return type: "trigger", "void", "uuid", "SETOF x", "TABLE(...)"
  bool returns_trigger = false;
  std::vector<ResultColumn> returns_table;
  std::optional<Type> return_type;
  bool returns_setof = false;
  std::string language = "sql";
  std::string volatility;  // "" = volatile (PostgreSQL's default)
  bool strict = false;
  bool security_definer = false;
  std::string parallel;  // "" = unsafe (PostgreSQL's default), "safe", "restricted"
  bool leakproof = false;
  std::optional<double> cost, rows;  // the planner's estimates; nullopt: PostgreSQL's defaults
  std::optional<std::vector<std::string>> search_path;
  std::string body;
  std::string body_tag;
  // Relations its body names, where the parse trees show them (set by check): SQL
  // bodies and the SQL statements of PL/pgSQL bodies; dynamic SQL is not seen.
  DerivedNames reads;
  bool is_extern = false;
  // Privileges: EXECUTE granted to roles (sorted by role), and the roles whose EXECUTE
  // is revoked ("public": PostgreSQL grants it to every role when the function is
  // created). Declared by top-level `grant`/`revoke ... on function` lines.
  std::vector<Grant> grants;
  std::vector<std::string> revoked;  // sorted
  Doc doc;
  Origin origin;
  bool operator==(const Function&) const = default;
  std::string argument_types_sql() const;  // "uuid, character varying(80)": as declared
  // Name and parameter types without modifiers: PostgreSQL ignores a parameter's
  // modifiers, so f(varchar(10)) and f(varchar(80)) are one function.
  FunctionId id() const;
};

struct View {
  QualifiedName name;
  bool security_invoker = false;
  std::string query;
  std::string query_tag;
  // From the query's parse tree (set by check): the relations it reads and the
  // functions it calls, for ordering and for re-creating it when they change.
  DerivedNames reads, calls;
  Uses uses;  // column by column
  // The names of the columns its query produces, when they can be told (set by
  // check): a `*` over a table that gains a column changes them, and PostgreSQL,
  // which expands `*` when the view is created, needs the view created again.
  std::optional<std::vector<std::string>> columns;
  std::vector<Grant> grants;  // sorted by role
  Doc doc;
  Origin origin;
  bool operator==(const View&) const = default;
};

struct MaterializedView {
  QualifiedName name;
  std::string query;
  std::string query_tag;
  DerivedNames reads, calls;  // as for View
  Uses uses;
  std::optional<std::vector<std::string>> columns;
  std::vector<Index> indexes;
  std::vector<Grant> grants;  // sorted by role
  Doc doc;
  Origin origin;
  bool operator==(const MaterializedView&) const = default;
};

struct NamedObject {
  std::string name;
  Doc doc;
  Origin origin;
  std::vector<Grant> grants;         // a schema's (USAGE, CREATE), sorted by role
  std::vector<std::string> revoked;  // a schema's: roles whose privileges are revoked, sorted
  std::string schema;                // an extension's: where its objects are ("": the search path's first)
  bool operator==(const NamedObject&) const = default;
};

struct DropTable {
  QualifiedName name;
  Origin origin;
  bool operator==(const DropTable&) const = default;
};

struct DataStep {
  std::string name;
  // `retain T, ...`: the rows its up deletes from these tables are kept in the
  // retention schema and put back by the down of its migration.
  std::vector<QualifiedName> retain;
  std::vector<Origin> retain_origins;
  std::string up;
  std::string up_tag;
  std::optional<std::string> down;
  std::string down_tag;
  Doc doc;
  Origin origin;
  // The relations its statements name (read or write) and the functions they call
  // (set by check): which assertions its migration checks again.
  DerivedNames names, calls;
  bool operator==(const DataStep&) const = default;
};

// `assert NAME $$ SELECT ... $$`: a query that returns true while the data holds an
// invariant. Not a database object: the verify file of each migration that adds or
// changes it, or changes what it reads, runs it.
struct Assertion {
  std::string name;
  std::string query;
  std::string query_tag;
  // The relations its query reads (set by check; empty in the planner's snapshot).
  DerivedNames reads;
  Doc doc;
  Origin origin;
  bool operator==(const Assertion&) const = default;
};

// A column a named query returns: its name as PostgreSQL gives it, its type and
// whether it may be NULL (worked out by check from the parse tree and the model).
struct QueryColumn {
  std::string name;
  Type type;
  bool nullable = true;
  bool operator==(const QueryColumn&) const = default;
};

// `query NAME(param TYPE, ...) returns one|many|exec as $$ SQL $$`: SQL of the
// application's own, checked against the schema, which `gen cpp` makes a typed
// function. Not a database object: migrations never see it; lint checks that a
// migration does not break what it reads.
struct Query {
  std::string name;
  std::vector<Parameter> parameters;
  std::string returns;  // "one", "many" or "exec"
  std::string query;
  std::string query_tag;
  // Set by check (empty in the planner's snapshot): the columns it returns, in order,
  // and the columns it reads.
  std::vector<QueryColumn> columns;
  Uses uses;
  Doc doc;
  Origin origin;
  bool operator==(const Query&) const = default;
};

struct Schema {
  std::vector<NamedObject> extensions;
  std::vector<NamedObject> schemas;
  std::vector<NamedObject> roles;
  std::vector<Enum> enums;
  std::vector<Domain> domains;
  std::vector<CompositeType> composite_types;
  std::vector<ExternType> extern_types;
  std::vector<Sequence> sequences;
  std::vector<DefaultPrivilege> default_privileges;  // sorted
  std::vector<Partition> partitions;                 // sorted by name
  std::vector<Table> tables;                         // extern tables included (is_extern)
  std::vector<Function> functions;                   // extern functions included (is_extern)
  std::vector<View> views;
  std::vector<MaterializedView> materialized_views;
  std::vector<DropTable> dropped_tables;
  std::vector<DataStep> data_steps;
  std::vector<Assertion> assertions;  // sorted by name
  std::vector<Query> queries;         // sorted by name
  bool operator==(const Schema&) const = default;

  const Table* find_table(const QualifiedName& name) const;
  const Function* find_function(const FunctionId& id) const;
  // Every overload of a name, in the model's order.
  std::vector<const Function*> overloads(const QualifiedName& name) const;
  const Enum* find_enum(const QualifiedName& name) const;
  const Domain* find_domain(const QualifiedName& name) const;
  const CompositeType* find_composite_type(const QualifiedName& name) const;
};

}  // namespace schemac::model
