#include "emit/ddl.hpp"

#include <fmt/format.h>

#include "model/names.hpp"

namespace schemac::emit {

using names::quote;

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A view query as written, without surrounding blank space or a final ';'.
std::string query_text(const std::string& q) {
  std::string t = trim(q);
  while (!t.empty() && t.back() == ';') t = trim(t.substr(0, t.size() - 1));
  return t;
}

std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> q;
  for (const auto& n : names) q.push_back(quote(n));
  return join(q);
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string sql_string(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (std::size_t from = 0;;) {
    std::size_t quote_at = text.find('\'', from);
    if (quote_at == std::string::npos) {
      out.append(text, from);
      break;
    }
    out.append(text, from, quote_at + 1 - from);
    out += '\'';
    from = quote_at + 1;
  }
  out += '\'';
  return out;
}

std::string role_sql(const std::string& role) { return role == "public" ? "PUBLIC" : quote(role); }

std::string doc_text(const model::Doc& doc) { return join(doc, "\n"); }

std::string create_extension(const model::NamedObject& e) {
  return fmt::format("CREATE EXTENSION IF NOT EXISTS {}{};", quote(e.name),
                     e.schema.empty() ? "" : " SCHEMA " + quote(e.schema));
}

std::string create_schema(const model::NamedObject& s) { return fmt::format("CREATE SCHEMA {};", quote(s.name)); }

std::string create_enum(const model::Enum& e) {
  std::vector<std::string> values;
  for (const auto& v : e.values) values.push_back(sql_string(v));
  return fmt::format("CREATE TYPE {} AS ENUM ({});", e.name.sql(), join(values));
}

std::string domain_check(const model::DomainCheck& c) {
  return fmt::format("CONSTRAINT {} CHECK ({})", quote(c.name), c.expression);
}

std::string create_domain(const model::Domain& d) {
  std::string out = fmt::format("CREATE DOMAIN {} AS {}", d.name.sql(), d.base.sql());
  if (d.not_null) out += " NOT NULL";
  if (d.default_sql) out += " DEFAULT " + *d.default_sql;
  for (const auto& c : d.checks) out += "\n  " + domain_check(c);
  return out + ";";
}

std::string create_composite_type(const model::CompositeType& c) {
  std::vector<std::string> fields;
  for (const auto& f : c.fields) fields.push_back("  " + quote(f.name) + " " + f.type.sql());
  return fmt::format("CREATE TYPE {} AS (\n{}\n);", c.name.sql(), join(fields, ",\n"));
}

std::string create_sequence(const model::Sequence& s) {
  std::string out = fmt::format("CREATE SEQUENCE {} AS {}", s.name.sql(), s.type);
  if (s.increment) out += fmt::format(" INCREMENT BY {}", *s.increment);
  if (s.minvalue) out += fmt::format(" MINVALUE {}", *s.minvalue);
  if (s.maxvalue) out += fmt::format(" MAXVALUE {}", *s.maxvalue);
  if (s.start) out += fmt::format(" START WITH {}", *s.start);
  if (s.cache) out += fmt::format(" CACHE {}", *s.cache);
  if (s.cycle) out += " CYCLE";
  return out + ";";
}

std::string alter_sequence(const model::Sequence& s) {
  auto o = s.effective();
  return fmt::format("ALTER SEQUENCE {} AS {} INCREMENT BY {} {} {} START WITH {} CACHE {} {};", s.name.sql(), s.type,
                     o.increment, s.minvalue ? fmt::format("MINVALUE {}", *s.minvalue) : "NO MINVALUE",
                     s.maxvalue ? fmt::format("MAXVALUE {}", *s.maxvalue) : "NO MAXVALUE", o.start, o.cache,
                     s.cycle ? "CYCLE" : "NO CYCLE");
}

std::string sequence_owner(const model::Sequence& s) {
  return fmt::format("ALTER SEQUENCE {} OWNED BY {};", s.name.sql(),
                     s.owned_by ? s.owned_by->first.sql() + "." + quote(s.owned_by->second) : "NONE");
}

std::string default_privileges(const model::DefaultPrivilege& d, bool give) {
  std::string out = "ALTER DEFAULT PRIVILEGES";
  if (!d.schema.empty()) out += " IN SCHEMA " + quote(d.schema);
  std::string what = join(d.privileges) + " ON " + upper(d.kind);
  return out + (give ? " GRANT " + what + " TO " : " REVOKE " + what + " FROM ") + role_sql(d.role) + ";";
}

std::string function_signature(const model::Function& f) {
  return fmt::format("{}({})", f.name.sql(), f.argument_types_sql());
}

std::string create_function(const model::Function& f) {
  std::vector<std::string> params;
  for (const auto& p : f.parameters) {
    std::string s = quote(p.name) + " " + p.type.sql();
    if (p.default_sql) s += " DEFAULT " + *p.default_sql;
    params.push_back(s);
  }
  std::string out =
      f.procedure ? fmt::format("CREATE PROCEDURE {}({})\n  LANGUAGE {}", f.name.sql(), join(params), quote(f.language))
                  : fmt::format("CREATE FUNCTION {}({})\n  RETURNS {}\n  LANGUAGE {}", f.name.sql(), join(params),
                                f.returns, quote(f.language));
  std::vector<std::string> options;
  if (!f.volatility.empty()) options.push_back(upper(f.volatility));
  if (f.strict) options.push_back("STRICT");
  if (!f.parallel.empty()) options.push_back("PARALLEL " + upper(f.parallel));
  if (f.leakproof) options.push_back("LEAKPROOF");
  if (f.cost) options.push_back(fmt::format("COST {}", *f.cost));
  if (f.rows) options.push_back(fmt::format("ROWS {}", *f.rows));
  if (f.security_definer) options.push_back("SECURITY DEFINER");
  if (!options.empty()) out += "\n  " + join(options, " ");
  if (f.search_path)
    out += "\n  SET search_path = " + (f.search_path->empty() ? std::string("''") : quoted_list(*f.search_path));
  std::string tag = "$" + f.body_tag + "$";
  out += "\n  AS " + tag + f.body + tag + ";";
  return out;
}

std::string serial_spelling(const model::Type& t) {
  return t.builtin == "bigint" ? "bigserial" : t.builtin == "smallint" ? "smallserial" : "serial";
}

std::string column_definition(const model::Column& c) {
  // A serial column makes its sequence and its default.
  std::string out = quote(c.name) + " " + (c.serial ? serial_spelling(c.type) : c.type.sql());
  if (c.generated_sql) out += " GENERATED ALWAYS AS (" + *c.generated_sql + ") STORED";
  if (c.identity) out += " GENERATED ALWAYS AS IDENTITY";
  if (!c.nullable && !c.identity) out += " NOT NULL";
  if (c.default_sql) out += " DEFAULT " + *c.default_sql;
  return out;
}

namespace {
std::string index_element(const model::IndexElement& e) {
  std::string s = e.column.empty() ? "(" + e.expression + ")" : quote(e.column);
  if (!e.collation.empty()) s += " COLLATE " + quote(e.collation);
  if (!e.opclass.empty()) {
    auto dot = e.opclass.find('.');
    s += " " + (dot == std::string::npos ? quote(e.opclass)
                                         : quote(e.opclass.substr(0, dot)) + "." + quote(e.opclass.substr(dot + 1)));
  }
  if (!e.order.empty()) s += " " + upper(e.order);
  if (!e.nulls.empty()) s += " NULLS " + upper(e.nulls);
  return s;
}
}  // namespace

std::string constraint_definition(const model::Constraint& c) {
  std::string body;
  switch (c.kind) {
    case model::ConstraintKind::primary_key:
      body = "PRIMARY KEY (" + quoted_list(c.columns) + ")";
      break;
    case model::ConstraintKind::unique:
      body = std::string("UNIQUE ") + (c.nulls_not_distinct ? "NULLS NOT DISTINCT " : "") + "(" +
             quoted_list(c.columns) + ")";
      break;
    case model::ConstraintKind::check:
      body = "CHECK (" + c.check_sql + ")";
      break;
    case model::ConstraintKind::foreign_key:
      body = "FOREIGN KEY (" + quoted_list(c.columns) + ") REFERENCES " + c.ref_table.sql() + " (" +
             quoted_list(c.ref_columns) + ")";
      if (!c.on_delete.empty() && c.on_delete != "no action") body += " ON DELETE " + upper(c.on_delete);
      if (!c.on_update.empty() && c.on_update != "no action") body += " ON UPDATE " + upper(c.on_update);
      break;
    case model::ConstraintKind::exclusion: {
      std::vector<std::string> elements;
      for (std::size_t i = 0; i < c.elements.size(); ++i)
        elements.push_back(index_element(c.elements[i]) + " WITH " + c.operators[i]);
      body = "EXCLUDE USING " + quote(c.method) + " (" + join(elements) + ")";
      if (c.where_sql) body += " WHERE (" + *c.where_sql + ")";
      break;
    }
  }
  if (c.deferrable) body += c.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return "CONSTRAINT " + quote(c.name) + " " + body;
}

std::string create_table(const model::Table& t,
                         const std::function<bool(const model::Constraint&)>& inline_constraint) {
  std::vector<std::string> lines;
  for (const auto& c : t.columns) lines.push_back("  " + column_definition(c));
  for (const auto& c : t.constraints)
    if (inline_constraint(c)) lines.push_back("  " + constraint_definition(c));
  return fmt::format("CREATE {}TABLE {} (\n{}\n){};", t.unlogged ? "UNLOGGED " : "", t.name.sql(), join(lines, ",\n"),
                     t.partition_by ? " PARTITION BY " + partition_key(*t.partition_by) : "");
}

std::string partition_key(const model::PartitionKey& k) {
  std::vector<std::string> keys;
  for (const auto& e : k.keys) keys.push_back(index_element(e));
  return upper(k.method) + " (" + join(keys) + ")";
}

std::string create_partition(const model::Partition& p) {
  return fmt::format("CREATE TABLE {} PARTITION OF {} {};", p.name.sql(), p.parent.sql(), p.bound_sql());
}
std::string attach_partition(const model::Partition& p) {
  return fmt::format("ALTER TABLE {} ATTACH PARTITION {} {};", p.parent.sql(), p.name.sql(), p.bound_sql());
}
std::string detach_partition(const model::Partition& p) {
  return fmt::format("ALTER TABLE {} DETACH PARTITION {};", p.parent.sql(), p.name.sql());
}

std::string add_constraint(const model::Table& t, const model::Constraint& c) {
  return fmt::format("ALTER TABLE {} ADD {};", t.name.sql(), constraint_definition(c));
}

std::string create_index(const model::QualifiedName& relation, const model::Index& ix) {
  std::vector<std::string> elements;
  for (const auto& e : ix.elements) elements.push_back(index_element(e));
  std::string out = fmt::format("CREATE {}INDEX {} ON {}", ix.unique ? "UNIQUE " : "", quote(ix.name), relation.sql());
  if (ix.method != "btree") out += " USING " + quote(ix.method);
  out += " (" + join(elements) + ")";
  if (!ix.include.empty()) out += " INCLUDE (" + quoted_list(ix.include) + ")";
  if (ix.nulls_not_distinct) out += " NULLS NOT DISTINCT";
  if (ix.where_sql) out += " WHERE (" + *ix.where_sql + ")";
  return out + ";";
}

std::string create_view(const model::View& v) {
  return fmt::format("CREATE VIEW {}{} AS\n{};", v.name.sql(),
                     v.security_invoker ? " WITH (security_invoker = true)" : "", query_text(v.query));
}

std::string create_materialized_view(const model::MaterializedView& v) {
  return fmt::format("CREATE MATERIALIZED VIEW {} AS\n{}\nWITH DATA;", v.name.sql(), query_text(v.query));
}

std::string create_trigger(const model::Table& t, const model::Trigger& tr) {
  std::vector<std::string> events;
  for (const auto& e : tr.events) {
    std::string s = upper(e.kind);
    if (!e.columns.empty()) s += " OF " + quoted_list(e.columns);
    events.push_back(s);
  }
  std::string out = fmt::format("CREATE {}TRIGGER {} {} {} ON {}", tr.constraint ? "CONSTRAINT " : "", quote(tr.name),
                                upper(tr.timing), join(events, " OR "), t.name.sql());
  if (tr.deferrable) out += tr.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  if (tr.old_table || tr.new_table) {
    out += " REFERENCING";
    if (tr.old_table) out += " OLD TABLE AS " + quote(*tr.old_table);
    if (tr.new_table) out += " NEW TABLE AS " + quote(*tr.new_table);
  }
  out += tr.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT";
  if (tr.when_sql) out += " WHEN (" + *tr.when_sql + ")";
  out += fmt::format(" EXECUTE FUNCTION {}({});", tr.function.sql(), join(tr.arguments));
  if (t.distribution) out = "SET LOCAL citus.enable_unsafe_triggers = on;\n" + out;
  return out;
}

namespace {
std::string colocate_argument(const model::Distribution& d) {
  return sql_string(d.colocate_with ? d.colocate_with->sql() : "default");
}
}  // namespace

std::string distribute_table(const model::QualifiedName& t, const model::Distribution& d, bool with_triggers) {
  std::string out = with_triggers ? "SET LOCAL citus.enable_unsafe_triggers = on;\n" : "";
  if (d.reference) return out + fmt::format("SELECT create_reference_table({});", sql_string(t.sql()));
  return out + fmt::format("SELECT create_distributed_table({}, {}, colocate_with => {});", sql_string(t.sql()),
                           sql_string(d.column), colocate_argument(d));
}

std::string undistribute_table(const model::QualifiedName& t) {
  return fmt::format("SELECT undistribute_table({});", sql_string(t.sql()));
}

std::string make_local(const model::QualifiedName& t) {
  return fmt::format(
      "DO $schemac$ DECLARE r record; BEGIN IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = "
      "{0}::regclass) THEN FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = {0}::regclass AND contype = 'f' "
      "AND conparentid = 0 "
      "LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', {0}, r.conname); END LOOP; PERFORM "
      "undistribute_table({0}); END IF; END $schemac$;",
      sql_string(t.sql()));
}

std::string alter_distributed_table(const model::QualifiedName& t, const model::Distribution& d) {
  // Into the default group of the column's type, where every table of that type is
  // (a declared colocation target may still be on its old column when this runs).
  return fmt::format("SELECT alter_distributed_table({}, distribution_column => {}, colocate_with => 'default');",
                     sql_string(t.sql()), sql_string(d.column));
}

std::string enable_rls(const model::Table& t) {
  return fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", t.name.sql());
}

std::string force_rls(const model::Table& t) {
  return fmt::format("ALTER TABLE {} FORCE ROW LEVEL SECURITY;", t.name.sql());
}

std::string create_policy(const model::Table& t, const model::Policy& p) {
  std::string out = fmt::format("CREATE POLICY {} ON {} AS {} FOR {}", quote(p.name), t.name.sql(),
                                p.permissive ? "PERMISSIVE" : "RESTRICTIVE", upper(p.command));
  std::vector<std::string> roles;
  for (const auto& r : p.roles) roles.push_back(role_sql(r));
  out += " TO " + (roles.empty() ? std::string("PUBLIC") : join(roles));
  if (p.using_sql) out += "\n  USING (" + *p.using_sql + ")";
  if (p.check_sql) out += "\n  WITH CHECK (" + *p.check_sql + ")";
  return out + ";";
}

std::string grant(const model::QualifiedName& table, const model::Grant& g) {
  return grant_on("TABLE " + table.sql(), g);
}

std::string revoke(const model::QualifiedName& table, const model::Grant& g) {
  return revoke_on("TABLE " + table.sql(), g);
}

std::string function_privilege_target(const model::Function& f) {
  return (f.procedure ? "PROCEDURE " : "FUNCTION ") + function_signature(f);
}
std::string schema_privilege_target(const std::string& schema) { return "SCHEMA " + quote(schema); }

std::string grant_on(const std::string& target, const model::Grant& g) {
  return fmt::format("GRANT {} ON {} TO {};", join(g.privileges), target, role_sql(g.role));
}

std::string revoke_on(const std::string& target, const model::Grant& g) {
  return fmt::format("REVOKE {} ON {} FROM {};", join(g.privileges), target, role_sql(g.role));
}

std::string revoke_all(const std::string& target, const std::string& role) {
  return fmt::format("REVOKE ALL ON {} FROM {};", target, role_sql(role));
}

std::string privileges(const std::string& target, const std::vector<model::Grant>& grants,
                       const std::vector<std::string>& revoked) {
  std::string out;
  for (const auto& r : revoked) out += (out.empty() ? "" : "\n") + revoke_all(target, r);
  for (const auto& g : grants) out += (out.empty() ? "" : "\n") + grant_on(target, g);
  return out;
}

}  // namespace schemac::emit
