#include "introspect/pull.hpp"

#include <set>

#include "emit/format.hpp"
#include "plan/snapshot.hpp"

namespace schemac::introspect {
namespace {

// The objects of one database schema.
model::Schema part(const model::Schema& s, const std::string& schema) {
  model::Schema out;
  auto in = [&](const model::QualifiedName& n) { return n.schema == schema; };
  for (const auto& x : s.enums)
    if (in(x.name)) out.enums.push_back(x);
  for (const auto& x : s.domains)
    if (in(x.name)) out.domains.push_back(x);
  for (const auto& x : s.composite_types)
    if (in(x.name)) out.composite_types.push_back(x);
  for (const auto& x : s.sequences)
    if (in(x.name)) out.sequences.push_back(x);
  for (const auto& x : s.default_privileges)
    if (x.schema == schema) out.default_privileges.push_back(x);
  for (const auto& x : s.partitions)
    if (in(x.name)) out.partitions.push_back(x);
  for (const auto& x : s.tables)
    if (in(x.name) && !x.is_extern) out.tables.push_back(x);
  for (const auto& x : s.functions)
    if (in(x.name) && !x.is_extern) out.functions.push_back(x);
  for (const auto& x : s.views)
    if (in(x.name)) out.views.push_back(x);
  for (const auto& x : s.materialized_views)
    if (in(x.name)) out.materialized_views.push_back(x);
  return out;
}

std::string print(const model::Schema& s, const std::string& heading) {
  ast::File file = plan::to_syntax(s, true);
  if (file.declarations.empty()) return "";
  return heading + emit::format_file(file, "");
}

}  // namespace

std::vector<std::pair<std::string, std::string>> pull_files(const model::Schema& s) {
  std::vector<std::pair<std::string, std::string>> out;
  model::Schema database;
  database.extensions = s.extensions;
  database.roles = s.roles;
  database.schemas = s.schemas;
  database.extern_types = s.extern_types;
  for (const auto& t : s.tables)  // of schemas not pulled that pulled objects use
    if (t.is_extern) database.tables.push_back(t);
  for (const auto& f : s.functions)
    if (f.is_extern) database.functions.push_back(f);
  for (const auto& d : s.default_privileges)
    if (d.schema.empty()) database.default_privileges.push_back(d);
  std::string text = print(database, "// Pulled by schemac from a database: roles, extensions, schemas.\n");
  if (!text.empty()) out.push_back({"database.schema", text});
  std::set<std::string> schemas = {"public"};
  for (const auto& x : s.schemas) schemas.insert(x.name);
  for (const auto& name : schemas) {
    text = print(part(s, name), "// Pulled by schemac from a database: schema " + name + ".\n");
    if (!text.empty()) out.push_back({name + ".schema", text});
  }
  return out;
}

}  // namespace schemac::introspect
