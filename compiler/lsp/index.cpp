#include "lsp/index.hpp"

#include <type_traits>

namespace schemac::lsp {

namespace {

std::string qualified(const ast::QName& q) {
  return (q.schema ? q.schema->text : std::string("public")) + "." + q.name.text;
}

std::string display(const ast::QName& q) { return q.schema ? q.schema->text + "." + q.name.text : q.name.text; }

std::string doc_text(const ast::Doc& doc) {
  std::string out;
  for (const auto& line : doc) out += line + "\n";
  return out;
}

class Indexer {
 public:
  Indexer(const std::string& text, FileIndex& out) : text_(text), out_(out) {}

  void declaration(const ast::Declaration& d) {
    std::visit([&](const auto& x) { visit(x); }, d);
  }

 private:
  std::string source(const ast::Span& s) const {
    if (s.end <= s.begin || s.end > text_.size()) return {};
    return text_.substr(s.begin, s.end - s.begin);
  }
  std::string type_text(const ast::TypeName& t) const { return source(t.span); }

  int add(SymbolKind kind, std::string key, std::string name, std::string detail, std::string hover,
          ast::Span name_span, ast::Span span, int parent = -1) {
    out_.symbols.push_back(
        {kind, std::move(key), std::move(name), std::move(detail), std::move(hover), name_span, span, parent});
    return static_cast<int>(out_.symbols.size()) - 1;
  }
  void use(std::string key, ast::Span span) { out_.uses.push_back({std::move(key), span}); }

  void use_type(const ast::TypeName& t) { use("type:" + qualified(t.name), t.name.span); }
  void use_role(const ast::Ident& r) { use("role:" + r.text, r.span); }
  void use_columns(const std::string& table, const std::vector<ast::Ident>& columns) {
    for (const auto& c : columns) use(column_key(table, c.text), c.span);
  }
  void use_reference(const ast::Reference& r) {
    std::string t = table_key(r.table);
    use(t, r.table.span);
    use_columns(t, r.columns);
  }
  void use_elements(const std::string& table, const std::vector<ast::IndexElement>& elements) {
    for (const auto& e : elements)
      if (e.column) use(column_key(table, e.column->text), e.column->span);
  }

  std::string column_detail(const ast::Column& c) const {
    std::string d = type_text(c.type);
    if (c.primary_key) d += " primary key";
    if (c.identity) d += " identity";
    d += c.nullable ? " (nullable)" : " not null";
    if (c.unique) d += " unique";
    if (c.default_value) d += " default " + c.default_value->text;
    if (c.generated) d += " generated (" + c.generated->text + ")";
    if (c.references) {
      d += " references " + display(c.references->table);
      if (!c.references->columns.empty()) {
        d += "(";
        for (std::size_t i = 0; i < c.references->columns.size(); ++i)
          d += (i ? ", " : "") + c.references->columns[i].text;
        d += ")";
      }
    }
    return d;
  }

  void column(const ast::Column& c, const std::string& table, const std::string& shown, int parent) {
    std::string hover = "```schemac\n" + shown + "." + c.name.text + " " + column_detail(c) + "\n```\n";
    if (!c.doc.empty()) hover += "\n" + doc_text(c.doc);
    add(SymbolKind::field, column_key(table, c.name.text), c.name.text, column_detail(c), hover, c.name.span, c.span,
        parent);
    use_type(c.type);
    if (c.references) use_reference(*c.references);
    if (c.was) use(column_key(table, c.was->text), c.was->span);
  }

  // A table's hover: its columns, one per line, and its doc comment.
  std::string table_hover(const char* what, const std::string& shown, const ast::Doc& doc,
                          const std::vector<const ast::Column*>& columns) const {
    std::string h = "```schemac\n" + std::string(what) + " " + shown + " {\n";
    for (const auto* c : columns) h += "  " + c->name.text + " " + column_detail(*c) + "\n";
    h += "}\n```\n";
    if (!doc.empty()) h += "\n" + doc_text(doc);
    return h;
  }

  void visit(const ast::Table& t) {
    std::string key = table_key(t.name), shown = display(t.name);
    std::vector<const ast::Column*> columns;
    for (const auto& m : t.members)
      if (const auto* c = std::get_if<ast::Column>(&m)) columns.push_back(c);
    int self = add(SymbolKind::class_, key, shown, t.partition_by ? "partitioned table" : "table",
                   table_hover("table", shown, t.doc, columns), t.name.span, t.span);
    if (t.was) use(table_key(*t.was), t.was->span);
    if (t.partition_by) use_elements(key, t.partition_by->keys);
    if (t.distribution) {
      if (t.distribution->column) use(column_key(key, t.distribution->column->text), t.distribution->column->span);
      if (t.distribution->colocate_with)
        use(table_key(*t.distribution->colocate_with), t.distribution->colocate_with->span);
    }
    for (const auto& m : t.members) std::visit([&](const auto& x) { member(x, key, shown, self); }, m);
  }

  void member(const ast::Column& c, const std::string& table, const std::string& shown, int self) {
    column(c, table, shown, self);
  }
  void member(const ast::PrimaryKey& k, const std::string& table, const std::string&, int self) {
    add(SymbolKind::key, "", "primary key", source(k.span), "", k.span, k.span, self);
    use_columns(table, k.columns);
  }
  void member(const ast::UniqueConstraint& u, const std::string& table, const std::string&, int self) {
    add(SymbolKind::key, "", u.name ? u.name->text : "unique", source(u.span), "", u.name ? u.name->span : u.span,
        u.span, self);
    use_columns(table, u.columns);
  }
  void member(const ast::CheckConstraint& c, const std::string&, const std::string&, int self) {
    add(SymbolKind::property, "", c.name ? c.name->text : "check", "check (" + c.expression.text + ")", "",
        c.name ? c.name->span : c.span, c.span, self);
  }
  void member(const ast::ForeignKey& f, const std::string& table, const std::string&, int self) {
    add(SymbolKind::key, "", f.name ? f.name->text : "foreign key", source(f.span), "", f.name ? f.name->span : f.span,
        f.span, self);
    use_columns(table, f.columns);
    use_reference(f.references);
  }
  void member(const ast::Index& ix, const std::string& table, const std::string&, int self) {
    add(SymbolKind::key, "", ix.name ? ix.name->text : (ix.unique ? "unique index" : "index"), source(ix.span), "",
        ix.name ? ix.name->span : ix.span, ix.span, self);
    use_elements(table, ix.elements);
    use_columns(table, ix.include);
  }
  void member(const ast::ExclusionConstraint& x, const std::string& table, const std::string&, int self) {
    add(SymbolKind::key, "", x.name ? x.name->text : "exclude", source(x.span), "", x.name ? x.name->span : x.span,
        x.span, self);
    for (const auto& e : x.elements)
      if (e.element.column) use(column_key(table, e.element.column->text), e.element.column->span);
  }
  void member(const ast::RowLevelSecurity&, const std::string&, const std::string&, int) {}
  void member(const ast::Policy& p, const std::string&, const std::string&, int self) {
    add(SymbolKind::property, "", p.name.text, "policy for " + p.command, "", p.name.span, p.span, self);
    for (const auto& r : p.roles) use_role(r);
  }
  void member(const ast::Trigger& t, const std::string& table, const std::string&, int self) {
    add(SymbolKind::event, "", t.name.text, "trigger " + t.timing, "", t.name.span, t.span, self);
    for (const auto& e : t.events) use_columns(table, e.columns);
    use("function:" + qualified(t.function), t.function.span);
  }
  void member(const ast::Grant& g, const std::string&, const std::string&, int) {
    for (const auto& r : g.roles) use_role(r);
  }
  void member(const ast::DropColumn& d, const std::string& table, const std::string&, int) {
    use(column_key(table, d.name.text), d.name.span);
  }

  void visit(const ast::Partition& p) {
    std::string key = table_key(p.name);
    add(SymbolKind::class_, key, display(p.name), "partition of " + display(p.parent),
        "```schemac\n" + source(p.span) + "\n```\n" + (p.doc.empty() ? "" : "\n" + doc_text(p.doc)), p.name.span,
        p.span);
    use(table_key(p.parent), p.parent.span);
  }
  void visit(const ast::ExternTable& t) {
    std::string key = table_key(t.name), shown = display(t.name);
    std::vector<const ast::Column*> columns;
    for (const auto& c : t.columns) columns.push_back(&c);
    int self = add(SymbolKind::class_, key, shown, "extern table", table_hover("extern table", shown, t.doc, columns),
                   t.name.span, t.span);
    for (const auto& c : t.columns) column(c, key, shown, self);
  }
  void visit(const ast::Extension& e) {
    add(SymbolKind::namespace_, "extension:" + e.name.text, e.name.text, "extension",
        "```schemac\nextension " + e.name.text + "\n```\n" + doc_text(e.doc), e.name.span, e.span);
  }
  void visit(const ast::SchemaDecl& s) {
    add(SymbolKind::namespace_, "schema:" + s.name.text, s.name.text, "schema",
        "```schemac\nschema " + s.name.text + "\n```\n" + doc_text(s.doc), s.name.span, s.span);
  }
  void visit(const ast::Role& r) {
    add(SymbolKind::variable, "role:" + r.name.text, r.name.text, "role",
        "```schemac\nrole " + r.name.text + "\n```\n" + doc_text(r.doc), r.name.span, r.span);
  }
  void visit(const ast::Enum& e) {
    std::string values;
    for (const auto& v : e.values) values += (values.empty() ? "" : ", ") + v.text;
    int self = add(SymbolKind::enum_, "type:" + qualified(e.name), display(e.name), "enum",
                   "```schemac\nenum " + display(e.name) + " { " + values + " }\n```\n" + doc_text(e.doc), e.name.span,
                   e.span);
    for (const auto& v : e.values) add(SymbolKind::enum_member, "", v.text, "", "", v.span, v.span, self);
  }
  void visit(const ast::ExternType& t) {
    // The resolver finds an extern type by its name alone: so does the index.
    add(SymbolKind::struct_, "type:extern." + t.name.name.text, display(t.name), "extern type",
        "```schemac\nextern type " + display(t.name) + "\n```\n" + doc_text(t.doc), t.name.span, t.span);
  }
  void visit(const ast::Domain& d) {
    add(SymbolKind::struct_, "type:" + qualified(d.name), display(d.name), "domain over " + type_text(d.base),
        "```schemac\n" + source(d.span) + "\n```\n" + doc_text(d.doc), d.name.span, d.span);
    use_type(d.base);
  }
  void visit(const ast::CompositeType& t) {
    std::string fields;
    for (const auto& f : t.fields) fields += "  " + f.name.text + " " + type_text(f.type) + "\n";
    int self = add(SymbolKind::struct_, "type:" + qualified(t.name), display(t.name), "composite type",
                   "```schemac\ntype " + display(t.name) + " {\n" + fields + "}\n```\n" + doc_text(t.doc), t.name.span,
                   t.span);
    for (const auto& f : t.fields) {
      add(SymbolKind::field, "", f.name.text, type_text(f.type), "", f.name.span, f.span, self);
      use_type(f.type);
    }
  }
  void visit(const ast::Sequence& s) {
    add(SymbolKind::variable, "sequence:" + qualified(s.name), display(s.name), "sequence",
        "```schemac\n" + source(s.span) + "\n```\n" + doc_text(s.doc), s.name.span, s.span);
    if (s.type) use_type(*s.type);
    if (s.owned_by.size() >= 2) {
      // `owned by [schema.]table.column`
      const auto& col = s.owned_by.back();
      std::string table =
          s.owned_by.size() == 3 ? s.owned_by[0].text + "." + s.owned_by[1].text : "public." + s.owned_by[0].text;
      use("table:" + table, s.owned_by[s.owned_by.size() - 2].span);
      use(column_key("table:" + table, col.text), col.span);
    }
  }
  std::string signature(const ast::Function& f) const {
    std::string s = (f.procedure ? "procedure " : "function ") + display(f.name) + "(";
    for (std::size_t i = 0; i < f.parameters.size(); ++i) {
      const auto& p = f.parameters[i];
      s += (i ? ", " : "") + (p.name.text.empty() ? "" : p.name.text + " ") + type_text(p.type);
      if (p.default_value) s += " default " + p.default_value->text;
    }
    s += ")";
    if (f.returns) s += std::string(" returns ") + (f.returns_setof ? "setof " : "") + type_text(*f.returns);
    if (!f.returns_table.empty()) {
      s += " returns table (";
      for (std::size_t i = 0; i < f.returns_table.size(); ++i)
        s += (i ? ", " : "") + f.returns_table[i].name.text + " " + type_text(f.returns_table[i].type);
      s += ")";
    }
    if (!f.language.empty()) s += " language " + f.language;
    if (!f.volatility.empty()) s += " " + f.volatility;
    if (f.security == "definer") s += " security definer";
    return s;
  }
  void visit(const ast::Function& f) {
    std::string sig = signature(f);
    add(SymbolKind::function, "function:" + qualified(f.name), display(f.name), sig,
        "```schemac\n" + std::string(f.is_extern ? "extern " : "") + sig + "\n```\n" + doc_text(f.doc), f.name.span,
        f.span);
    for (const auto& p : f.parameters) use_type(p.type);
    if (f.returns) use_type(*f.returns);
    for (const auto& c : f.returns_table) use_type(c.type);
  }
  void visit(const ast::View& v) {
    add(SymbolKind::class_, table_key(v.name), display(v.name), "view",
        "```schemac\nview " + display(v.name) + "\n```\n" + doc_text(v.doc), v.name.span, v.span);
    for (const auto& g : v.grants)
      for (const auto& r : g.roles) use_role(r);
  }
  void visit(const ast::MaterializedView& v) {
    add(SymbolKind::class_, table_key(v.name), display(v.name), "materialized view",
        "```schemac\nmaterialized view " + display(v.name) + "\n```\n" + doc_text(v.doc), v.name.span, v.span);
    for (const auto& g : v.grants)
      for (const auto& r : g.roles) use_role(r);
  }
  void visit(const ast::Archive& a) { use(table_key(a.old_name), a.old_name.span); }
  void visit(const ast::DropTable& d) { use(table_key(d.name), d.name.span); }
  void visit(const ast::DataStep& d) { add(SymbolKind::event, "", d.name.text, "data step", "", d.name.span, d.span); }
  void visit(const ast::Assertion& a) {
    add(SymbolKind::boolean, "assertion:" + a.name.text, a.name.text, "assertion",
        "```schemac\nassert " + a.name.text + "\n```\n" + doc_text(a.doc), a.name.span, a.span);
  }
  void visit(const ast::Query& q) {
    std::string signature = "query " + q.name.text + "(";
    for (std::size_t i = 0; i < q.parameters.size(); ++i)
      signature += (i ? ", " : "") + q.parameters[i].name.text + " " + type_text(q.parameters[i].type);
    signature += ") returns " + q.returns;
    add(SymbolKind::function, "query:" + q.name.text, q.name.text, "named query",
        "```schemac\n" + signature + "\n```\n" + doc_text(q.doc), q.name.span, q.span);
    for (const auto& p : q.parameters) use_type(p.type);
  }
  void visit(const ast::ObjectPrivilege& p) {
    if (p.kind == "function" || p.kind == "procedure") {
      use("function:" + qualified(p.object), p.object.span);
      for (const auto& t : p.argument_types) use_type(t);
    } else if (p.kind == "schema") {
      use("schema:" + p.object.name.text, p.object.span);
    }
    for (const auto& r : p.roles) use_role(r);
  }
  void visit(const ast::DefaultPrivilege& p) {
    if (p.schema) use("schema:" + p.schema->text, p.schema->span);
    for (const auto& r : p.roles) use_role(r);
  }

  const std::string& text_;
  FileIndex& out_;
};

}  // namespace

std::string table_key(const ast::QName& name) { return "table:" + qualified(name); }

std::string column_key(const std::string& table_key, const std::string& column) {
  return "column:" + table_key.substr(6) + "." + column;
}

FileIndex index_file(const ast::File& file, const std::string& text) {
  FileIndex out;
  Indexer indexer(text, out);
  for (const auto& d : file.declarations) indexer.declaration(d);
  return out;
}

}  // namespace schemac::lsp
