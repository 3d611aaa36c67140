#include "plan/snapshot.hpp"

#include <fmt/format.h>

#include <map>

#include "emit/ddl.hpp"
#include "emit/format.hpp"
#include "model/types.hpp"

namespace schemac::plan {
namespace {

ast::Ident ident(const std::string& text) {
  ast::Ident i;
  i.text = text;
  return i;
}

std::vector<ast::Ident> idents(const std::vector<std::string>& names) {
  std::vector<ast::Ident> out;
  for (const auto& n : names) out.push_back(ident(n));
  return out;
}

ast::QName qname(const model::QualifiedName& n) {
  ast::QName q;
  if (n.schema != "public" && !n.schema.empty()) q.schema = ident(n.schema);
  q.name = ident(n.name);
  return q;
}

ast::TypeName type_name(const model::Type& t) {
  ast::TypeName out;
  if (t.named_type) {
    out.name = qname(*t.named_type);
  } else {
    out.name.name = ident(model::short_spelling(t.builtin));
  }
  for (int m : t.modifiers) out.modifiers.push_back(std::to_string(m));
  out.array_dims = t.array_dims;
  return out;
}

ast::SqlText sql(const std::string& text) {
  ast::SqlText s;
  s.text = text;
  return s;
}

ast::Body body(const std::string& text, const std::string& tag) {
  ast::Body b;
  b.text = text;
  b.tag = tag;
  return b;
}

std::string lower(std::string s);

ast::Grant grant(const model::Grant& g) {
  ast::Grant out;
  for (const auto& p : g.privileges) out.privileges.push_back(lower(p));
  out.roles = {ident(g.role)};
  return out;
}

// A function's or a schema's privileges as top-level `grant` and `revoke` lines.
template <typename Add>
void object_privileges(const std::string& kind, const ast::QName& object, const std::vector<ast::TypeName>& arguments,
                       const std::vector<model::Grant>& grants, const std::vector<std::string>& revoked, Add& add) {
  for (const auto& g : grants) {
    ast::ObjectPrivilege x;
    x.kind = kind;
    x.object = object;
    x.argument_types = arguments;
    x.privileges = grant(g).privileges;
    x.roles = {ident(g.role)};
    add(std::move(x));
  }
  if (!revoked.empty()) {
    ast::ObjectPrivilege x;
    x.revoke = true;
    x.kind = kind;
    x.object = object;
    x.argument_types = arguments;
    x.privileges = {kind == "function" ? "execute" : "all"};
    x.roles = idents(revoked);
    add(std::move(x));
  }
}

ast::Reference reference(const model::Constraint& c) {
  ast::Reference r;
  r.table = qname(c.ref_table);
  r.columns = idents(c.ref_columns);
  r.on_delete = c.on_delete;
  r.on_update = c.on_update;
  r.deferrable = c.deferrable;
  r.initially_deferred = c.initially_deferred;
  return r;
}

ast::IndexElement index_element(const model::IndexElement& e) {
  ast::IndexElement el;
  if (e.column.empty())
    el.expression = sql(e.expression);
  else
    el.column = ident(e.column);
  if (!e.collation.empty()) el.collation = ident(e.collation);
  if (!e.opclass.empty()) {
    auto dot = e.opclass.find('.');
    el.opclass = ast::QName{};
    if (dot != std::string::npos) el.opclass->schema = ident(e.opclass.substr(0, dot));
    el.opclass->name = ident(dot == std::string::npos ? e.opclass : e.opclass.substr(dot + 1));
  }
  el.order = e.order;
  el.nulls = e.nulls;
  return el;
}

ast::Index index(const model::Index& ix) {
  ast::Index out;
  out.doc = ix.doc;
  out.unique = ix.unique;
  out.nulls_not_distinct = ix.nulls_not_distinct;
  if (!ix.name.empty()) out.name = ident(ix.name);
  for (const auto& e : ix.elements) out.elements.push_back(index_element(e));
  if (ix.method != "btree") out.method = ix.method;
  out.include = idents(ix.include);
  if (ix.where_sql) out.where = sql(*ix.where_sql);
  return out;
}

ast::Column column(const model::Column& c) {
  ast::Column out;
  out.doc = c.doc;
  out.name = ident(c.name);
  out.type = type_name(c.type);
  if (c.serial) out.type.name.name = ident(emit::serial_spelling(c.type));
  out.nullable = c.nullable;
  out.identity = c.identity;
  if (c.default_sql) out.default_value = sql(*c.default_sql);
  if (c.generated_sql) out.generated = sql(*c.generated_sql);
  return out;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

ast::Table table(const model::Table& t, bool directives) {
  ast::Table out;
  out.doc = t.doc;
  out.unlogged = t.unlogged;
  out.name = qname(t.name);
  if (t.row_type) out.row_type = ident(*t.row_type);
  if (directives && t.was) out.was = qname(*t.was);
  if (t.partition_by) {
    ast::PartitionBy by;
    by.method = t.partition_by->method;
    for (const auto& k : t.partition_by->keys) by.keys.push_back(index_element(k));
    out.partition_by = std::move(by);
  }
  if (t.distribution) {
    ast::Distribution d;
    d.reference = t.distribution->reference;
    if (!d.reference) d.column = ident(t.distribution->column);
    if (t.distribution->colocate_with) d.colocate_with = qname(*t.distribution->colocate_with);
    out.distribution = std::move(d);
  }
  for (const auto& c : t.columns) {
    ast::Column col = column(c);
    if (directives && c.was) col.was = ident(*c.was);
    out.members.push_back(std::move(col));
  }
  for (const auto& c : t.constraints) {
    switch (c.kind) {
      case model::ConstraintKind::primary_key: {
        ast::PrimaryKey pk;  // always PostgreSQL's default name: the syntax has no other
        pk.doc = c.doc;
        pk.columns = idents(c.columns);
        pk.deferrable = c.deferrable;
        pk.initially_deferred = c.initially_deferred;
        out.members.push_back(std::move(pk));
        break;
      }
      case model::ConstraintKind::unique: {
        ast::UniqueConstraint u;
        u.doc = c.doc;
        if (!c.name.empty()) u.name = ident(c.name);
        u.nulls_not_distinct = c.nulls_not_distinct;
        u.columns = idents(c.columns);
        u.deferrable = c.deferrable;
        u.initially_deferred = c.initially_deferred;
        out.members.push_back(std::move(u));
        break;
      }
      case model::ConstraintKind::check: {
        ast::CheckConstraint ck;
        ck.doc = c.doc;
        if (!c.name.empty()) ck.name = ident(c.name);
        ck.expression = sql(c.check_sql);
        out.members.push_back(std::move(ck));
        break;
      }
      case model::ConstraintKind::foreign_key: {
        ast::ForeignKey fk;
        fk.doc = c.doc;
        if (!c.name.empty()) fk.name = ident(c.name);
        fk.columns = idents(c.columns);
        fk.references = reference(c);
        out.members.push_back(std::move(fk));
        break;
      }
      case model::ConstraintKind::exclusion: {
        ast::ExclusionConstraint x;
        x.doc = c.doc;
        if (!c.name.empty()) x.name = ident(c.name);
        if (c.method != "btree") x.method = c.method;
        for (std::size_t i = 0; i < c.elements.size(); ++i) {
          ast::ExclusionElement e;
          e.element = index_element(c.elements[i]);
          e.op = c.operators[i];
          x.elements.push_back(std::move(e));
        }
        if (c.where_sql) x.where = sql(*c.where_sql);
        x.deferrable = c.deferrable;
        x.initially_deferred = c.initially_deferred;
        out.members.push_back(std::move(x));
        break;
      }
    }
  }
  for (const auto& ix : t.indexes) out.members.push_back(index(ix));
  if (t.row_level_security) {
    ast::RowLevelSecurity r;
    r.force = t.force_row_level_security;
    out.members.push_back(r);
  }
  for (const auto& p : t.policies) {
    ast::Policy pol;
    pol.doc = p.doc;
    pol.name = ident(p.name);
    pol.mode = p.permissive ? "" : "restrictive";
    pol.command = p.command;
    pol.roles = idents(p.roles);
    if (p.using_sql) pol.using_expr = sql(*p.using_sql);
    if (p.check_sql) pol.check_expr = sql(*p.check_sql);
    out.members.push_back(std::move(pol));
  }
  for (const auto& tr : t.triggers) {
    ast::Trigger trig;
    trig.doc = tr.doc;
    trig.name = ident(tr.name);
    trig.timing = tr.timing;
    for (const auto& e : tr.events) {
      ast::TriggerEvent ev;
      ev.kind = e.kind;
      ev.columns = idents(e.columns);
      trig.events.push_back(std::move(ev));
    }
    trig.level = tr.for_each_row ? "row" : "statement";
    trig.constraint = tr.constraint;
    trig.deferrable = tr.deferrable;
    trig.initially_deferred = tr.initially_deferred;
    if (tr.old_table) trig.old_table = ident(*tr.old_table);
    if (tr.new_table) trig.new_table = ident(*tr.new_table);
    if (tr.when_sql) trig.when = sql(*tr.when_sql);
    trig.function = qname(tr.function);
    for (const auto& a : tr.arguments) trig.arguments.push_back(sql(a));
    out.members.push_back(std::move(trig));
  }
  for (const auto& g : t.grants) out.members.push_back(grant(g));
  if (directives)
    for (const auto& d : t.dropped_columns) {
      ast::DropColumn drop;
      drop.name = ident(d);
      out.members.push_back(std::move(drop));
    }
  return out;
}

ast::ExternTable extern_table(const model::Table& t) {
  ast::ExternTable out;
  out.doc = t.doc;
  out.name = qname(t.name);
  for (const auto& c : t.columns) {
    ast::Column col = column(c);
    for (const auto& k : t.constraints)
      if (k.columns == std::vector<std::string>{c.name}) {
        if (k.kind == model::ConstraintKind::primary_key) col.primary_key = true;
        if (k.kind == model::ConstraintKind::unique) col.unique = true;
      }
    out.columns.push_back(std::move(col));
  }
  return out;
}

ast::Function function(const model::Function& f) {
  ast::Function out;
  out.doc = f.doc;
  out.is_extern = f.is_extern;
  out.name = qname(f.name);
  for (const auto& p : f.parameters) {
    ast::Parameter param;
    param.name = ident(p.name);
    param.type = type_name(p.type);
    if (p.default_sql) param.default_value = sql(*p.default_sql);
    out.parameters.push_back(std::move(param));
  }
  for (const auto& r : f.returns_table) {
    ast::ReturnColumn rc;
    rc.name = ident(r.name);
    rc.type = type_name(r.type);
    out.returns_table.push_back(std::move(rc));
  }
  if (f.return_type) out.returns = type_name(*f.return_type);  // trigger, void, record print as they are
  out.returns_setof = f.returns_setof;
  out.language = f.language;
  out.volatility = f.volatility;
  out.procedure = f.procedure;
  out.parallel = f.parallel;
  out.leakproof = f.leakproof;
  // The shortest decimal that reads back as the same number, without an exponent
  // (the grammar has none): 0.0000004, 10000000000000000.
  auto number = [](const std::optional<double>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    std::string s = fmt::format("{}", *v);
    if (s.find_first_of("eE") == std::string::npos) return s;
    s = fmt::format("{:.40f}", *v);
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
      bool dot = s.back() == '.';
      s.pop_back();
      if (dot) break;
    }
    return s;
  };
  out.cost = number(f.cost);
  out.rows = number(f.rows);
  out.strict = f.strict;
  if (f.security_definer) out.security = "definer";
  if (f.search_path) {
    out.has_search_path = true;
    out.search_path = idents(*f.search_path);
  }
  if (!f.is_extern || !f.body.empty()) out.body = body(f.body, f.body_tag);
  return out;
}

// Every declaration of the schema's syntax, in the order a file lists them, to `add`.
template <typename Add>
void declarations(const model::Schema& s, bool directives, Add&& add) {
  for (const auto& e : s.extensions) {
    ast::Extension x;
    x.doc = e.doc;
    x.name = ident(e.name);
    if (!e.schema.empty()) x.schema = ident(e.schema);
    add(std::move(x));
  }
  for (const auto& e : s.schemas) {
    ast::SchemaDecl x;
    x.doc = e.doc;
    x.name = ident(e.name);
    add(std::move(x));
  }
  for (const auto& e : s.roles) {
    ast::Role x;
    x.doc = e.doc;
    x.name = ident(e.name);
    add(std::move(x));
  }
  for (const auto& e : s.enums) {
    ast::Enum x;
    x.doc = e.doc;
    x.name = qname(e.name);
    for (const auto& v : e.values) {
      ast::EnumValue ev;
      ev.text = v;
      x.values.push_back(std::move(ev));
    }
    add(std::move(x));
  }
  for (const auto& q : s.sequences) {
    ast::Sequence x;
    x.doc = q.doc;
    x.name = qname(q.name);
    if (q.type != "bigint") x.type = type_name(model::Type{q.type, std::nullopt, {}, 0});
    auto number = [](const std::optional<std::int64_t>& v) {
      return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
    };
    x.increment = number(q.increment);
    x.minvalue = number(q.minvalue);
    x.maxvalue = number(q.maxvalue);
    x.start = number(q.start);
    x.cache = number(q.cache);
    x.cycle = q.cycle;
    if (q.owned_by) {
      if (q.owned_by->first.schema != "public") x.owned_by.push_back(ident(q.owned_by->first.schema));
      x.owned_by.push_back(ident(q.owned_by->first.name));
      x.owned_by.push_back(ident(q.owned_by->second));
    }
    add(std::move(x));
    object_privileges("sequence", qname(q.name), {}, q.grants, {}, add);
  }
  for (const auto& p : s.partitions) {
    ast::Partition x;
    x.doc = p.doc;
    x.name = qname(p.name);
    x.parent = qname(p.parent);
    x.is_default = p.is_default;
    if (p.from) x.from = sql(*p.from);
    if (p.to) x.to = sql(*p.to);
    if (p.in) x.in = sql(*p.in);
    if (p.modulus) x.modulus = std::to_string(*p.modulus);
    if (p.remainder) x.remainder = std::to_string(*p.remainder);
    add(std::move(x));
  }
  for (const auto& d : s.default_privileges) {
    ast::DefaultPrivilege x;
    if (!d.schema.empty()) x.schema = ident(d.schema);
    x.revoke = d.revoke;
    for (const auto& p : d.privileges) x.privileges.push_back(lower(p));
    x.kind = d.kind;
    x.roles = {ident(d.role)};
    add(std::move(x));
  }
  for (const auto& e : s.extern_types) {
    ast::ExternType x;
    x.doc = e.doc;
    x.name = qname(e.name);
    add(std::move(x));
  }
  for (const auto& d : s.domains) {
    ast::Domain x;
    x.doc = d.doc;
    x.name = qname(d.name);
    x.base = type_name(d.base);
    x.not_null = d.not_null;
    if (d.default_sql) x.default_value = sql(*d.default_sql);
    for (const auto& c : d.checks) {
      ast::DomainCheck check;
      if (c.named) check.name = ident(c.name);
      check.expression = sql(c.expression);
      x.checks.push_back(std::move(check));
    }
    add(std::move(x));
  }
  for (const auto& c : s.composite_types) {
    ast::CompositeType x;
    x.doc = c.doc;
    x.name = qname(c.name);
    for (const auto& f : c.fields) {
      ast::Field field;
      field.doc = f.doc;
      field.name = ident(f.name);
      field.type = type_name(f.type);
      x.fields.push_back(std::move(field));
    }
    add(std::move(x));
  }
  for (const auto& e : s.schemas) {
    ast::QName name;
    name.name = ident(e.name);
    object_privileges("schema", name, {}, e.grants, e.revoked, add);
  }
  for (const auto& f : s.functions) {
    add(function(f));
    std::vector<ast::TypeName> arguments;
    for (const auto& p : f.parameters) arguments.push_back(type_name(p.type));
    object_privileges(f.procedure ? "procedure" : "function", qname(f.name), arguments, f.grants, f.revoked, add);
  }
  for (const auto& t : s.tables) {
    if (t.is_extern) {
      add(extern_table(t));
      continue;
    }
    add(table(t, directives));
    if (t.archived_as) {
      ast::Archive a;
      a.old_name = qname(t.name);
      a.new_name = ident(*t.archived_as);
      add(std::move(a));
    }
  }
  for (const auto& v : s.views) {
    ast::View x;
    x.doc = v.doc;
    x.name = qname(v.name);
    x.security_invoker = v.security_invoker;
    x.query = body(v.query, v.query_tag);
    for (const auto& g : v.grants) x.grants.push_back(grant(g));
    add(std::move(x));
  }
  for (const auto& v : s.materialized_views) {
    ast::MaterializedView x;
    x.doc = v.doc;
    x.name = qname(v.name);
    x.query = body(v.query, v.query_tag);
    for (const auto& ix : v.indexes) x.indexes.push_back(index(ix));
    for (const auto& g : v.grants) x.grants.push_back(grant(g));
    add(std::move(x));
  }
  if (directives)
    for (const auto& d : s.dropped_tables) {
      ast::DropTable x;
      x.name = qname(d.name);
      add(std::move(x));
    }
  for (const auto& d : s.data_steps) {
    ast::DataStep x;
    x.doc = d.doc;
    x.name = ident(d.name);
    for (const auto& n : d.retain) x.retain.push_back(qname(n));
    x.up = body(d.up, d.up_tag);
    if (d.down) x.down = body(*d.down, d.down_tag);
    add(std::move(x));
  }
  for (const auto& a : s.assertions) {
    ast::Assertion x;
    x.doc = a.doc;
    x.name = ident(a.name);
    x.query = body(a.query, a.query_tag);
    add(std::move(x));
  }
  for (const auto& q : s.queries) {
    ast::Query x;
    x.doc = q.doc;
    x.name = ident(q.name);
    for (const auto& p : q.parameters) {
      ast::Parameter param;
      param.name = ident(p.name);
      param.type = type_name(p.type);
      x.parameters.push_back(std::move(param));
    }
    x.returns = q.returns;
    x.query = body(q.query, q.query_tag);
    add(std::move(x));
  }
}

}  // namespace

ast::File to_syntax(const model::Schema& s, bool directives) {
  ast::File out;
  declarations(s, directives, [&](ast::Declaration&& d) { out.declarations.push_back(std::move(d)); });
  return out;
}

model::Schema state_of(model::Schema s) {
  s.dropped_tables.clear();
  for (auto& t : s.tables) {
    t.was.reset();
    t.dropped_columns.clear();
    for (auto& c : t.columns) c.was.reset();
    for (auto& c : t.constraints) c.named = false;
    for (auto& ix : t.indexes) ix.named = false;
  }
  for (auto& v : s.materialized_views)
    for (auto& ix : v.indexes) ix.named = false;
  return s;
}

std::string snapshot_text(const model::Schema& schema) {
  std::string out =
      "// schemac snapshot: the state after the newest migration. Written by `schemac plan`; do not edit.\n\n";
  // Printed a batch of declarations at a time, so that the syntax of a large schema is
  // never held at once. A batch ends before a table: the printer separates a table
  // from what precedes it by one blank line, so the batches join with one.
  ast::File batch;
  bool printed = false;
  auto flush = [&] {
    if (batch.declarations.empty()) return;
    if (printed) out += "\n";
    out += emit::format_file(batch, "");
    printed = true;
    batch.declarations.clear();
  };
  declarations(schema, false, [&](ast::Declaration&& d) {
    if (batch.declarations.size() >= 64 && std::holds_alternative<ast::Table>(d)) flush();
    batch.declarations.push_back(std::move(d));
  });
  flush();
  return out;
}

}  // namespace schemac::plan
