// What a verify file checks after up, as values: the planner says which facts must
// hold (a column of a type, a policy, a privilege, an object gone), and this file
// alone knows how the catalogs tell (pg_attribute, pg_policy, aclexplode, ...) and
// how a failure reads. Building a check costs a few names, so `schemac sql`, which
// writes no verify file, never renders one.
#pragma once

#include <string>
#include <vector>

#include "model/schema.hpp"

namespace schemac::emit {

enum class CheckKind {
  extension_exists,    // name: the extension
  schema_exists,       // name: the schema
  schema_gone,         // name: the schema
  type_exists,         // object: the type (enum)
  type_gone,           // object: the type (enum)
  enum_value_exists,   // object: the enum; name: the value
  function_exists,     // name: the signature, as function_signature prints it
  function_gone,       // name: the signature
  relation_exists,     // object: the relation; detail: what it is ("table", "view", ...)
  relation_gone,       // object: the relation; detail: what it was
  column_is,           // object: the table; name: the column; detail: its type; flag: not null
  columns_are,         // object: the table; columns: each one's name, type and nullability
  column_gone,         // object: the table; name: the column
  constraint_exists,   // object: the table; name: the constraint
  policy_exists,       // object: the table; name: the policy
  trigger_exists,      // object: the table; name: the trigger
  row_level_security,  // object: the table; flag: enabled; forced: forced
  privilege,           // object: the table; name: the role; detail: the privilege; flag: held
  function_privilege,  // name: the signature; detail: the role; privilege ("" any); flag: held
  schema_privilege,    // name: the schema; detail: the role; privilege ("" any); flag: held
  default_privilege,   // object: schema ("" every) and kind (r, S, f); name: the role; detail: privilege; flag: held
  distribution,        // object: the table; detail: distributed, reference or local; name: the distribution
                       // column; colocated_with: a table of its colocation group (name "" none)
  assertion,           // name: the assertion; detail: its query (true while it holds)
};

// One column as column_is checks it, for columns_are.
struct ColumnFact {
  std::string name;
  std::string type;
  bool not_null = false;
};

struct Check {
  CheckKind kind = CheckKind::relation_exists;
  model::QualifiedName object;
  std::string name;
  std::string detail;
  bool flag = false;
  bool forced = false;
  std::vector<ColumnFact> columns;
  std::string privilege;
  model::QualifiedName colocated_with;
};

Check extension_exists(const std::string& extension);
Check schema_exists(const std::string& schema);
Check schema_gone(const std::string& schema);
Check type_exists(const model::QualifiedName& type);
// What the migrating role's new objects of `kind` (tables, sequences, functions) in
// `schema` ("" every schema) give `role` by default.
Check default_privilege_is(const std::string& schema, const std::string& kind, const std::string& role,
                           const std::string& privilege, bool held);
Check type_gone(const model::QualifiedName& type);
Check enum_value_exists(const model::QualifiedName& type, const std::string& value);
Check function_exists(const model::Function& f);
Check function_gone(const model::Function& f);
Check relation_exists(const model::QualifiedName& relation, const std::string& what);
Check relation_gone(const model::QualifiedName& relation, const std::string& what);
Check column_is(const model::QualifiedName& table, const model::Column& column);
// Every column of a new table in one query; a failure names each column as column_is does.
Check columns_are(const model::QualifiedName& table, const std::vector<model::Column>& columns);
Check column_gone(const model::QualifiedName& table, const std::string& column);
Check constraint_exists(const model::QualifiedName& table, const std::string& constraint);
Check policy_exists(const model::QualifiedName& table, const std::string& policy);
Check trigger_exists(const model::QualifiedName& table, const std::string& trigger);
// Where a table's rows live on Citus (citus_tables): null `d` means local (on the coordinator).
Check distribution_is(const model::QualifiedName& table, const model::Distribution* d);
Check row_level_security_is(const model::QualifiedName& table, bool enabled, bool forced);
// A role holds (or does not hold) a privilege on a function or a schema; privilege
// "" means any privilege. PostgreSQL's defaults count (PUBLIC may execute a function
// nobody revoked it from).
Check function_privilege_is(const model::Function& f, const std::string& role, const std::string& privilege, bool held);
Check schema_privilege_is(const std::string& schema, const std::string& role, const std::string& privilege, bool held);
Check privilege_is(const model::QualifiedName& table, const std::string& role, const std::string& privilege, bool held);
// An assertion's query returns true (false, null, no row or an error fail it).
Check assertion_holds(const model::Assertion& a);

// The PL/pgSQL statement of a verify block that appends to the text[] variable
// `missing` a message for each part of the fact that does not hold.
std::string check_statement(const Check& c);

}  // namespace schemac::emit
