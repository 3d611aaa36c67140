#include "model/schema.hpp"

#include <algorithm>
#include <iterator>

#include "model/names.hpp"
#include "model/types.hpp"

namespace schemac::model {

std::string QualifiedName::sql() const {
  if (schema.empty()) return names::quote(name);  // found through search_path
  std::string out = names::quote(schema);
  out += '.';
  out += names::quote(name);
  return out;
}

std::string QualifiedName::display() const { return schema == "public" || schema.empty() ? name : schema + "." + name; }

std::string Type::base() const {
  std::string s = named_type ? named_type->sql() : builtin;
  for (int i = 0; i < array_dims; ++i) s += "[]";
  return s;
}

std::string Type::sql() const { return type_sql(*this); }

bool Uses::reads(const QualifiedName& relation, const std::string& column) const {
  return std::binary_search(columns.begin(), columns.end(), ColumnUse{relation, column}) ||
         std::binary_search(columns.begin(), columns.end(), ColumnUse{relation, "*"});
}

bool Uses::reads_relation(const QualifiedName& relation) const {
  auto it = std::lower_bound(columns.begin(), columns.end(), ColumnUse{relation, ""});
  return it != columns.end() && it->relation == relation;
}

bool Uses::calls(const QualifiedName& function) const {
  return std::binary_search(functions.begin(), functions.end(), function);
}

bool Uses::names_type(const QualifiedName& type) const { return std::binary_search(types.begin(), types.end(), type); }

namespace {
template <typename T>
void merge_sorted(std::vector<T>& into, const std::vector<T>& from) {
  std::vector<T> out;
  out.reserve(into.size() + from.size());
  std::set_union(into.begin(), into.end(), from.begin(), from.end(), std::back_inserter(out));
  into = std::move(out);
}
}  // namespace

void Uses::add(const Uses& other) {
  merge_sorted(columns, other.columns);
  merge_sorted(functions, other.functions);
  merge_sorted(types, other.types);
}

const Column* Table::find_column(const std::string& column) const {
  for (const auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

const Constraint* Table::primary_key() const {
  for (const auto& c : constraints)
    if (c.kind == ConstraintKind::primary_key) return &c;
  return nullptr;
}

QualifiedName Table::live_name() const {
  if (!archived_as) return name;
  return {name.schema, *archived_as};
}

const std::vector<std::string>& relation_privileges() {
  static const std::vector<std::string> all = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                               "TRUNCATE", "REFERENCES", "TRIGGER"};
  return all;
}
const std::vector<std::string>& function_privileges() {
  static const std::vector<std::string> all = {"EXECUTE"};
  return all;
}
const std::vector<std::string>& sequence_privileges() {
  static const std::vector<std::string> all = {"SELECT", "UPDATE", "USAGE"};
  return all;
}
const std::vector<std::string>& privileges_of_kind(const std::string& kind) {
  return kind == "tables" ? relation_privileges() : kind == "sequences" ? sequence_privileges() : function_privileges();
}
const std::vector<std::string>& schema_privileges() {
  static const std::vector<std::string> all = {"USAGE", "CREATE"};
  return all;
}

std::string Partition::bound_sql() const {
  if (is_default) return "DEFAULT";
  if (in) return "FOR VALUES IN (" + *in + ")";
  if (modulus)
    return "FOR VALUES WITH (MODULUS " + std::to_string(*modulus) + ", REMAINDER " +
           std::to_string(remainder.value_or(0)) + ")";
  return "FOR VALUES FROM (" + from.value_or("") + ") TO (" + to.value_or("") + ")";
}

Sequence::Options Sequence::effective() const {
  Options o;
  o.increment = increment.value_or(1);
  std::int64_t type_max = type == "smallint" ? 32767 : type == "integer" ? 2147483647 : INT64_MAX;
  std::int64_t type_min = type == "smallint" ? -32768 : type == "integer" ? -2147483648LL : INT64_MIN;
  o.minvalue = minvalue.value_or(o.increment > 0 ? 1 : type_min);
  o.maxvalue = maxvalue.value_or(o.increment > 0 ? type_max : -1);
  o.start = start.value_or(o.increment > 0 ? o.minvalue : o.maxvalue);
  o.cache = cache.value_or(1);
  return o;
}

std::string Function::argument_types_sql() const {
  std::string s;
  for (std::size_t i = 0; i < parameters.size(); ++i) s += (i ? ", " : "") + parameters[i].type.sql();
  return s;
}

template <typename T>
static const T* find_by_name(const std::vector<T>& v, const QualifiedName& name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
  return it == v.end() ? nullptr : &*it;
}

const Table* Schema::find_table(const QualifiedName& name) const { return find_by_name(tables, name); }
const Function* Schema::find_function(const FunctionId& id) const {
  auto it = std::find_if(functions.begin(), functions.end(), [&](const Function& f) { return f.id() == id; });
  return it == functions.end() ? nullptr : &*it;
}
std::vector<const Function*> Schema::overloads(const QualifiedName& name) const {
  std::vector<const Function*> out;
  for (const auto& f : functions)
    if (f.name == name) out.push_back(&f);
  return out;
}
FunctionId Function::id() const {
  std::string s;
  for (std::size_t i = 0; i < parameters.size(); ++i) s += (i ? ", " : "") + parameters[i].type.base();
  return {name, s};
}
std::string FunctionId::display() const { return name.display() + "(" + arguments + ")"; }
const Enum* Schema::find_enum(const QualifiedName& name) const { return find_by_name(enums, name); }
const Domain* Schema::find_domain(const QualifiedName& name) const { return find_by_name(domains, name); }
const CompositeType* Schema::find_composite_type(const QualifiedName& name) const {
  return find_by_name(composite_types, name);
}

}  // namespace schemac::model
