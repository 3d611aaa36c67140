#include "emit/verify.hpp"

#include <fmt/format.h>

#include <cctype>
#include <iterator>

#include "emit/ddl.hpp"
#include "model/names.hpp"

namespace schemac::emit {

using model::QualifiedName;

namespace {
Check fact(CheckKind kind, QualifiedName object, std::string name = {}, std::string detail = {}, bool flag = false,
           bool forced = false) {
  return {kind, std::move(object), std::move(name), std::move(detail), flag, forced, {}, {}, {}};
}
}  // namespace

Check extension_exists(const std::string& extension) { return fact(CheckKind::extension_exists, {}, extension); }
Check schema_exists(const std::string& schema) { return fact(CheckKind::schema_exists, {}, schema); }
Check schema_gone(const std::string& schema) { return fact(CheckKind::schema_gone, {}, schema); }
Check type_exists(const QualifiedName& type) { return fact(CheckKind::type_exists, type); }
Check default_privilege_is(const std::string& schema, const std::string& kind, const std::string& role,
                           const std::string& privilege, bool held) {
  std::string letter = kind == "tables" ? "r" : kind == "sequences" ? "S" : "f";
  return fact(CheckKind::default_privilege, {schema, letter}, role, privilege, held);
}
Check type_gone(const QualifiedName& type) { return fact(CheckKind::type_gone, type); }
Check enum_value_exists(const QualifiedName& type, const std::string& value) {
  return fact(CheckKind::enum_value_exists, type, value);
}
Check function_exists(const model::Function& f) { return fact(CheckKind::function_exists, {}, function_signature(f)); }
Check function_gone(const model::Function& f) { return fact(CheckKind::function_gone, {}, function_signature(f)); }
Check relation_exists(const QualifiedName& relation, const std::string& what) {
  return fact(CheckKind::relation_exists, relation, {}, what);
}
Check relation_gone(const QualifiedName& relation, const std::string& what) {
  return fact(CheckKind::relation_gone, relation, {}, what);
}
namespace {
// An identity column is never null, whatever the schema says.
bool not_null(const model::Column& c) { return !c.nullable || c.identity; }
}  // namespace

Check column_is(const QualifiedName& table, const model::Column& column) {
  return fact(CheckKind::column_is, table, column.name, column.type.sql(), not_null(column));
}
Check columns_are(const QualifiedName& table, const std::vector<model::Column>& columns) {
  Check c = fact(CheckKind::columns_are, table);
  for (const auto& col : columns) c.columns.push_back({col.name, col.type.sql(), not_null(col)});
  return c;
}
Check column_gone(const QualifiedName& table, const std::string& column) {
  return fact(CheckKind::column_gone, table, column);
}
Check constraint_exists(const QualifiedName& table, const std::string& constraint) {
  return fact(CheckKind::constraint_exists, table, constraint);
}
Check policy_exists(const QualifiedName& table, const std::string& policy) {
  return fact(CheckKind::policy_exists, table, policy);
}
Check trigger_exists(const QualifiedName& table, const std::string& trigger) {
  return fact(CheckKind::trigger_exists, table, trigger);
}
Check distribution_is(const QualifiedName& table, const model::Distribution* d) {
  Check c = fact(CheckKind::distribution, table, d && !d->reference ? d->column : "",
                 !d             ? "local"
                 : d->reference ? "reference"
                                : "distributed");
  if (d && d->colocate_with) c.colocated_with = *d->colocate_with;
  return c;
}
Check row_level_security_is(const QualifiedName& table, bool enabled, bool forced) {
  return fact(CheckKind::row_level_security, table, {}, {}, enabled, forced);
}
Check privilege_is(const QualifiedName& table, const std::string& role, const std::string& privilege, bool held) {
  return fact(CheckKind::privilege, table, role, privilege, held);
}
Check function_privilege_is(const model::Function& f, const std::string& role, const std::string& privilege,
                            bool held) {
  Check c = fact(CheckKind::function_privilege, {}, function_signature(f), role, held);
  c.privilege = privilege;
  return c;
}
Check schema_privilege_is(const std::string& schema, const std::string& role, const std::string& privilege, bool held) {
  Check c = fact(CheckKind::schema_privilege, {}, schema, role, held);
  c.privilege = privilege;
  return c;
}

Check assertion_holds(const model::Assertion& a) {
  // Written as a scalar subquery: a statement's closing semicolon would end it early.
  std::string query = a.query;
  while (!query.empty() && (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';'))
    query.pop_back();
  query.erase(0, std::min(query.size(), query.find_first_not_of(" \t\r\n")));
  return fact(CheckKind::assertion, {}, a.name, query);
}

namespace {

std::string check_condition(const Check& c) {
  auto object = [&] { return sql_string(c.object.sql()); };
  auto name = [&] { return sql_string(c.name); };
  switch (c.kind) {
    case CheckKind::extension_exists:
      return "EXISTS (SELECT 1 FROM pg_extension WHERE extname = " + name() + ")";
    case CheckKind::schema_exists:
      return "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = " + name() + ")";
    case CheckKind::schema_gone:
      return "NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = " + name() + ")";
    case CheckKind::type_exists:
      return "to_regtype(" + object() + ") IS NOT NULL";
    case CheckKind::type_gone:
      return "to_regtype(" + object() + ") IS NULL";
    case CheckKind::enum_value_exists:
      return fmt::format("EXISTS (SELECT 1 FROM pg_enum WHERE enumtypid = to_regtype({}) AND enumlabel = {})", object(),
                         name());
    case CheckKind::function_exists:
      return "to_regprocedure(" + name() + ") IS NOT NULL";
    case CheckKind::function_gone:
      return "to_regprocedure(" + name() + ") IS NULL";
    case CheckKind::relation_exists:
      return "to_regclass(" + object() + ") IS NOT NULL";
    case CheckKind::relation_gone:
      return "to_regclass(" + object() + ") IS NULL";
    case CheckKind::column_is:
      // to_regtype() reads the type as written and ignores its modifiers.
      return fmt::format(
          "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND NOT "
          "attisdropped AND atttypid = to_regtype({}) AND attnotnull = {})",
          object(), name(), sql_string(c.detail), c.flag ? "true" : "false");
    case CheckKind::columns_are:
      break;  // check_statement
    case CheckKind::column_gone:
      return fmt::format(
          "NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND NOT "
          "attisdropped)",
          object(), name());
    case CheckKind::constraint_exists:
      return fmt::format("EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass({}) AND conname = {})",
                         object(), name());
    case CheckKind::policy_exists:
      return fmt::format("EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = to_regclass({}) AND polname = {})", object(),
                         name());
    case CheckKind::trigger_exists:
      return fmt::format(
          "EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass({}) AND tgname = {} AND NOT tgisinternal)",
          object(), name());
    case CheckKind::distribution: {
      if (c.detail == "local")
        return "NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = to_regclass(" + object() +
               ") AND citus_table_type IN ('distributed', 'reference'))";
      std::string out = "EXISTS (SELECT 1 FROM citus_tables WHERE table_name = to_regclass(" + object() +
                        ") AND citus_table_type = " + sql_string(c.detail);
      if (c.detail == "distributed") out += " AND distribution_column = " + name();
      if (!c.colocated_with.name.empty())
        out += " AND colocation_id = (SELECT colocation_id FROM citus_tables WHERE table_name = to_regclass(" +
               sql_string(c.colocated_with.sql()) + "))";
      return out + ")";
    }
    case CheckKind::row_level_security:
      return fmt::format(
          "(SELECT relrowsecurity = {} AND relforcerowsecurity = {} FROM pg_class WHERE oid = to_regclass({}))",
          c.flag ? "true" : "false", c.forced ? "true" : "false", object());
    case CheckKind::function_privilege:
    case CheckKind::schema_privilege: {
      // A NULL ACL means the defaults: acldefault spells them out.
      bool function = c.kind == CheckKind::function_privilege;
      std::string grantee = c.detail == "public" ? "0" : "to_regrole(" + sql_string(c.detail) + ")";
      std::string which = c.privilege.empty() ? "" : " AND a.privilege_type = " + sql_string(c.privilege);
      std::string object = function ? "pg_proc o, aclexplode(coalesce(o.proacl, acldefault('f', o.proowner))) a "
                                      "WHERE o.oid = to_regprocedure(" +
                                          name() + ")"
                                    : "pg_namespace o, aclexplode(coalesce(o.nspacl, acldefault('n', o.nspowner))) "
                                      "a WHERE o.nspname = " +
                                          name();
      return fmt::format("{}EXISTS (SELECT 1 FROM {} AND a.grantee = {}{})", c.flag ? "" : "NOT ", object, grantee,
                         which);
    }
    case CheckKind::default_privilege: {
      std::string entry = fmt::format(
          "FROM pg_default_acl d WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND "
          "d.defaclnamespace = {} AND d.defaclobjtype = {}",
          c.object.schema.empty()
              ? std::string("0")
              : "(SELECT oid FROM pg_namespace WHERE nspname = " + sql_string(c.object.schema) + ")",
          sql_string(c.object.name));
      std::string grantee = c.name == "public" ? "0" : "to_regrole(" + name() + ")";
      std::string row = fmt::format(
          "EXISTS (SELECT 1 {} AND EXISTS (SELECT 1 FROM aclexplode(d.defaclacl) a WHERE a.grantee = {} AND "
          "a.privilege_type = {}))",
          entry, grantee, sql_string(c.detail));
      // PUBLIC's EXECUTE on functions is PostgreSQL's own default: held unless an entry leaves it out.
      if (c.name == "public" && c.object.name == "f" && c.object.schema.empty())
        return c.flag ? "(NOT EXISTS (SELECT 1 " + entry + ") OR " + row + ")"
                      : "(EXISTS (SELECT 1 " + entry + ") AND NOT " + row + ")";
      return c.flag ? row : "NOT " + row;
    }
    case CheckKind::assertion:
      // The newline ends a trailing `--` comment of the query.
      return "(" + c.detail + "\n) IS TRUE";
    case CheckKind::privilege: {
      std::string grantee = c.name == "public" ? "0" : "to_regrole(" + name() + ")";
      return fmt::format(
          "{}EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = to_regclass({}) AND "
          "a.grantee = {} AND a.privilege_type = {})",
          c.flag ? "" : "NOT ", object(), grantee, sql_string(c.detail));
    }
  }
  return "true";
}

std::string check_message(const Check& c) {
  switch (c.kind) {
    case CheckKind::extension_exists:
      return "extension " + c.name + " is missing";
    case CheckKind::schema_exists:
      return "schema " + c.name + " is missing";
    case CheckKind::schema_gone:
      return "schema " + c.name + " still exists";
    case CheckKind::type_exists:
      return "enum " + c.object.display() + " is missing";
    case CheckKind::type_gone:
      return "enum " + c.object.display() + " still exists";
    case CheckKind::enum_value_exists:
      return "enum " + c.object.display() + " lacks the value '" + c.name + "'";
    case CheckKind::function_exists:
      return "function " + c.name + " is missing";
    case CheckKind::function_gone:
      return "function " + c.name + " still exists";
    case CheckKind::relation_exists:
      return c.detail + " " + c.object.display() + " is missing";
    case CheckKind::relation_gone:
      return c.detail + " " + c.object.display() + " still exists";
    case CheckKind::column_is:
      return "column " + c.object.display() + "." + c.name + " is missing or is not " + c.detail +
             (c.flag ? " not null" : " (nullable)");
    case CheckKind::columns_are:
      break;  // check_statement
    case CheckKind::column_gone:
      return "column " + c.object.display() + "." + c.name + " still exists";
    case CheckKind::constraint_exists:
      return "constraint " + c.name + " on " + c.object.display() + " is missing";
    case CheckKind::policy_exists:
      return "policy " + c.name + " on " + c.object.display() + " is missing";
    case CheckKind::trigger_exists:
      return "trigger " + c.name + " on " + c.object.display() + " is missing";
    case CheckKind::distribution:
      if (c.detail == "local") return "table " + c.object.display() + " is still distributed";
      return "table " + c.object.display() + " is not " +
             (c.detail == "reference" ? std::string("a reference table") : "distributed by " + c.name) +
             (c.colocated_with.name.empty() ? std::string() : " colocated with " + c.colocated_with.display());
    case CheckKind::row_level_security:
      return "row level security on " + c.object.display() + " is not " +
             (c.flag ? (c.forced ? "forced" : "enabled") : "disabled");
    case CheckKind::privilege:
      return c.name + (c.flag ? " lacks " : " still has ") + c.detail + " on " + c.object.display();
    case CheckKind::default_privilege:
      return c.name + (c.flag ? " lacks " : " still has ") + c.detail + " by default on new " +
             (c.object.name == "r"   ? "tables"
              : c.object.name == "S" ? "sequences"
                                     : "functions") +
             (c.object.schema.empty() ? std::string() : " in schema " + c.object.schema);
    case CheckKind::assertion:
      return "assertion " + c.name + " does not hold";
    case CheckKind::function_privilege:
    case CheckKind::schema_privilege:
      return c.detail + (c.flag ? " lacks " : " still has ") +
             (c.privilege.empty() ? std::string("privileges") : c.privilege) + " on " +
             (c.kind == CheckKind::function_privilege ? "function " : "schema ") + c.name;
  }
  return "";
}

}  // namespace

std::string check_statement(const Check& c) {
  if (c.kind != CheckKind::columns_are)
    return fmt::format("  IF NOT ({}) THEN\n    missing := array_append(missing, {});\n  END IF;\n", check_condition(c),
                       sql_string(check_message(c)));
  // One scan of pg_attribute for the whole table, the columns listed in order.
  std::string values;
  for (std::size_t i = 0; i < c.columns.size(); ++i) {
    const ColumnFact& col = c.columns[i];
    fmt::format_to(std::back_inserter(values), "{}({}, {}, {}, {})", i ? ", " : "", i + 1, sql_string(col.name),
                   sql_string(col.type), col.not_null ? "true" : "false");
  }
  return fmt::format(
      "  missing := missing || ARRAY(SELECT {} || v.name || ' is missing or is not ' || v.type ||\n"
      "      CASE WHEN v.not_null THEN ' not null' ELSE ' (nullable)' END\n"
      "    FROM (VALUES {}) AS v(n, name, type, not_null)\n"
      "    WHERE NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({}) AND attname = v.name AND\n"
      "      NOT attisdropped AND atttypid = to_regtype(v.type) AND attnotnull = v.not_null)\n"
      "    ORDER BY v.n);\n",
      sql_string("column " + c.object.display() + "."), values, sql_string(c.object.sql()));
}

}  // namespace schemac::emit
