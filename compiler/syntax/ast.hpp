// The syntax tree of a .schema file: what was written, with byte spans, nothing
// resolved. The resolver (model/resolve.cpp) turns it into the Schema model; the
// emitters never see it. The formatter prints it back in canonical form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace schemac::ast {

// Byte offsets into the file's text. Set by the grammar's on_success handler.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct Node {
  Span span;
};

// `///` lines attached to the following declaration, column or member.
using Doc = std::vector<std::string>;

struct Ident : Node {
  std::string text;     // the identifier itself, quotes removed and "" unescaped
  bool quoted = false;  // written as "..." in the source
};

// `name` or `schema.name`
struct QName : Node {
  std::optional<Ident> schema;
  Ident name;
};

// A type as written: `varchar(80)`, `double precision`, `quest_status[]`.
struct TypeName : Node {
  QName name;  // builtins are normalised to one word ("double precision")
  std::vector<std::string> modifiers;
  int array_dims = 0;
};

// SQL carried through: an expression group `( ... )` (text without the outer
// parentheses) or a default term (text as written).
struct SqlText : Node {
  std::string text;
};

// `$tag$ ... $tag$`
struct Body : Node {
  std::string tag;
  std::string text;
};

struct Reference : Node {
  QName table;
  std::vector<Ident> columns;
  std::string on_delete;  // "" when not given; else "cascade", "set null", ...
  std::string on_update;
  bool deferrable = false;  // `deferrable [initially deferred | initially immediate]`
  bool initially_deferred = false;
};

struct Column : Node {
  Doc doc;
  Ident name;
  TypeName type;
  bool nullable = false;  // `?`, or SQL's `null`
  bool not_null = false;  // SQL's `not null`, written out of habit: the default
  bool primary_key = false;
  bool unique = false;
  bool identity = false;
  std::optional<SqlText> default_value;
  std::optional<Reference> references;
  std::optional<SqlText> check;
  std::optional<SqlText> generated;
  std::optional<Ident> was;
};

struct PrimaryKey : Node {
  Doc doc;
  std::vector<Ident> columns;
  bool deferrable = false;
  bool initially_deferred = false;
};

struct UniqueConstraint : Node {
  Doc doc;
  std::optional<Ident> name;
  bool nulls_not_distinct = false;
  std::vector<Ident> columns;
  bool deferrable = false;
  bool initially_deferred = false;
};

struct CheckConstraint : Node {
  Doc doc;
  std::optional<Ident> name;
  SqlText expression;
};

struct ForeignKey : Node {
  Doc doc;
  std::optional<Ident> name;
  std::vector<Ident> columns;
  Reference references;
};

struct IndexElement : Node {
  std::optional<Ident> column;        // either a column ...
  std::optional<SqlText> expression;  // ... or an expression group
  std::optional<Ident> collation;     // `collate "C"`
  std::optional<QName> opclass;       // `gin_trgm_ops`
  std::string order;                  // "", "asc", "desc"
  std::string nulls;                  // "", "first", "last"
};

// `ELEMENT with OPERATOR` of an exclusion constraint.
struct ExclusionElement : Node {
  IndexElement element;
  std::string op;  // `=`, `&&`, ...
};

// `exclude [NAME] [using METHOD] (ELEMENT with OP, ...) [where (EXPR)] [deferrable ...]`
struct ExclusionConstraint : Node {
  Doc doc;
  std::optional<Ident> name;
  std::string method;  // "" = btree
  std::vector<ExclusionElement> elements;
  std::optional<SqlText> where;
  bool deferrable = false;
  bool initially_deferred = false;
};

struct Index : Node {
  Doc doc;
  bool unique = false;
  bool nulls_not_distinct = false;  // a unique index's: NULLs count as equal
  std::optional<Ident> name;
  std::vector<IndexElement> elements;
  std::string method;  // "" = btree
  std::vector<Ident> include;
  std::optional<SqlText> where;
};

struct RowLevelSecurity : Node {
  bool force = false;
};

struct Policy : Node {
  Doc doc;
  Ident name;
  std::string mode;     // "", "permissive", "restrictive"
  std::string command;  // "all", "select", "insert", "update", "delete"
  std::vector<Ident> roles;
  std::optional<SqlText> using_expr;
  std::optional<SqlText> check_expr;
};

struct TriggerEvent : Node {
  std::string kind;            // "insert", "update", "delete", "truncate"
  std::vector<Ident> columns;  // update of ...
};

struct Trigger : Node {
  Doc doc;
  bool constraint = false;  // `constraint trigger`: deferrable, after, for each row
  Ident name;
  std::string timing;  // "before", "after", "instead of"
  std::vector<TriggerEvent> events;
  bool deferrable = false;  // a constraint trigger's
  bool initially_deferred = false;
  std::optional<Ident> old_table, new_table;  // `referencing old table as X new table as Y`
  std::string level;                          // "", "row", "statement"
  std::optional<SqlText> when;
  QName function;
  std::vector<SqlText> arguments;
};

struct Grant : Node {
  std::vector<std::string> privileges;  // lower case; "all" alone for all
  std::vector<Ident> roles;
};

struct DropColumn : Node {
  Ident name;
};

using TableMember = std::variant<Column, PrimaryKey, UniqueConstraint, CheckConstraint, ForeignKey, Index,
                                 RowLevelSecurity, Policy, Trigger, Grant, DropColumn, ExclusionConstraint>;

// `partition by range|list|hash (KEY, ...)` of a table.
struct PartitionBy : Node {
  std::string method;
  std::vector<IndexElement> keys;  // columns or (expressions), with collation and operator class
};

// `distributed by (COLUMN) [colocate with TABLE]` or `reference` of a table (Citus).
struct Distribution : Node {
  bool reference = false;       // a full copy on every node
  std::optional<Ident> column;  // the distribution column of a distributed table
  std::optional<QName> colocate_with;
};

struct Table : Node {
  Doc doc;
  bool unlogged = false;  // `unlogged table`
  QName name;
  std::optional<Ident> row_type;
  std::optional<QName> was;
  std::optional<PartitionBy> partition_by;
  std::optional<Distribution> distribution;
  std::vector<TableMember> members;
};

// `partition NAME of PARENT for values from (..) to (..) | in (..) | with (modulus N,
// remainder M)` or `partition NAME of PARENT default`.
struct Partition : Node {
  Doc doc;
  QName name;
  QName parent;
  bool is_default = false;
  std::optional<SqlText> from, to, in;
  std::optional<std::string> modulus, remainder;
};

struct ExternTable : Node {
  Doc doc;
  QName name;
  std::vector<Column> columns;
};

struct Extension : Node {
  Doc doc;
  Ident name;
  std::optional<Ident> schema;  // `with schema NAME`: where its objects go (default: the search path's first)
};

struct SchemaDecl : Node {
  Doc doc;
  Ident name;
};

struct Role : Node {
  Doc doc;
  Ident name;
};

struct EnumValue : Node {
  Doc doc;
  std::string text;
  bool quoted = false;  // written as a string literal
};

struct Enum : Node {
  Doc doc;
  QName name;
  std::vector<EnumValue> values;
};

// `sequence NAME [as TYPE] [increment [by] N] [minvalue N | no minvalue]
// [maxvalue N | no maxvalue] [start [with] N] [cache N] [[no] cycle] [owned by T.C]`
struct Sequence : Node {
  Doc doc;
  QName name;
  std::optional<TypeName> type;
  std::optional<std::string> increment, minvalue, maxvalue, start, cache;  // numbers as written
  bool cycle = false;
  std::vector<Ident> owned_by;  // table (maybe schema-qualified) and column; empty: none
};

// `extern type NAME`: a type the database has that nothing here creates (an
// extension's the compiler does not know, a platform's).
struct ExternType : Node {
  Doc doc;
  QName name;
};

// `check [NAME] (EXPR)` of a domain; EXPR names the value `value`.
struct DomainCheck : Node {
  std::optional<Ident> name;
  SqlText expression;
};

// `domain NAME TYPE [not null] [default TERM] [check [NAME] (EXPR)]...`
struct Domain : Node {
  Doc doc;
  QName name;
  TypeName base;
  bool not_null = false;
  std::optional<SqlText> default_value;
  std::vector<DomainCheck> checks;
};

// A field of a composite type: `name type` (always nullable).
struct Field : Node {
  Doc doc;
  Ident name;
  TypeName type;
};

// `type NAME { FIELD... }`: a composite type.
struct CompositeType : Node {
  Doc doc;
  QName name;
  std::vector<Field> fields;
};

struct Parameter : Node {
  Ident name;
  TypeName type;
  std::optional<SqlText> default_value;
};

struct ReturnColumn : Node {
  Ident name;
  TypeName type;
};

struct Function : Node {
  Doc doc;
  bool is_extern = false;
  bool procedure = false;  // `procedure NAME(...)`: no result, called with CALL
  QName name;
  std::vector<Parameter> parameters;
  bool returns_setof = false;
  std::optional<TypeName> returns;          // returns TYPE / setof TYPE
  std::vector<ReturnColumn> returns_table;  // returns table (...)
  std::string language;                     // "" when not given
  std::string volatility;                   // "", "immutable", "stable", "volatile"
  bool strict = false;
  std::string security;  // "", "definer", "invoker"
  std::string parallel;  // "", "safe", "restricted", "unsafe"
  bool leakproof = false;
  std::optional<std::string> cost, rows;  // numbers as written
  std::vector<Ident> search_path;
  bool has_search_path = false;
  std::optional<Body> body;
};

struct View : Node {
  Doc doc;
  QName name;
  bool security_invoker = false;
  Body query;
  std::vector<Grant> grants;  // `{ grant select to anon }`
};

struct MaterializedView : Node {
  Doc doc;
  QName name;
  Body query;
  std::vector<Index> indexes;
  std::vector<Grant> grants;
};

// `grant PRIVILEGES on function NAME(TYPES) to ROLES`, `revoke ... from ROLES`; also
// `on schema NAME`.
struct ObjectPrivilege : Node {
  Doc doc;
  bool revoke = false;
  std::vector<std::string> privileges;  // lower case; "all" for all
  std::string kind;                     // "function", "schema"
  QName object;
  std::vector<TypeName> argument_types;  // a function's, which identify it
  std::vector<Ident> roles;
};

// `default privileges [in schema S] grant PRIVS on tables|sequences|functions to ROLES`
// and `default privileges revoke PRIVS on KIND from ROLES` (a revoke is global only).
struct DefaultPrivilege : Node {
  Doc doc;
  std::optional<Ident> schema;
  bool revoke = false;
  std::vector<std::string> privileges;  // lower case; "all" for all
  std::string kind;                     // "tables", "sequences", "functions"
  std::vector<Ident> roles;
};

struct Archive : Node {
  Doc doc;
  QName old_name;
  Ident new_name;
};

struct DropTable : Node {
  Doc doc;
  QName name;
};

struct DataStep : Node {
  Doc doc;
  Ident name;
  std::vector<QName> retain;  // `retain T, U`: the rows its up deletes from them are kept
  Body up;
  std::optional<Body> down;
};

// `assert NAME $$ SELECT <boolean> $$`: an invariant of the data, which the verify
// files of the migrations that could break it check.
struct Assertion : Node {
  Doc doc;
  Ident name;
  Body query;
};

// `query NAME(param TYPE, ...) returns one|many|exec as $$ SQL $$`: a named query,
// a typed C++ function whose SQL is checked against the schema.
struct Query : Node {
  Doc doc;
  Ident name;
  std::vector<Parameter> parameters;
  std::string returns;  // "one", "many" or "exec"
  Body query;
};

using Declaration = std::variant<Extension, SchemaDecl, Role, Enum, ExternTable, Function, Table, View,
                                 MaterializedView, Archive, DropTable, DataStep, ObjectPrivilege, ExternType, Domain,
                                 CompositeType, Sequence, DefaultPrivilege, Partition, Assertion, Query>;

struct File {
  std::vector<Declaration> declarations;
};

}  // namespace schemac::ast
