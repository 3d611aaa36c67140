#include "model/resolve.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "check/embedded_sql.hpp"
#include "model/names.hpp"
#include "model/opclasses.hpp"
#include "model/types.hpp"

namespace schemac::model {
namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Declared {
  std::string kind;  // "table", "view", ... for messages
  Location where;
};

class Resolver {
 public:
  Resolver(const std::vector<syntax::ParsedFile>& files, Diagnostics& diags) : files_(files), diags_(diags) {}

  Schema run() {
    for (const auto& f : files_) {
      file_ = f.file_id;
      for (const auto& d : f.ast.declarations) std::visit([&](const auto& x) { declare(x); }, d);
    }
    for (const auto& f : files_) {
      file_ = f.file_id;
      for (const auto& d : f.ast.declarations) std::visit([&](const auto& x) { build(x); }, d);
    }
    apply_archives();
    sort_objects();
    apply_object_privileges();
    apply_default_privileges();
    check_references();
    check_partitions();
    check_retained_rows();
    check_type_cycles();
    name_constraints_and_indexes();
    check_distribution();
    return std::move(schema_);
  }

 private:
  // ---- helpers ----------------------------------------------------------------

  Location at(const ast::Node& n) const { return {file_, n.span.begin, n.span.end}; }
  Origin origin(const ast::Node& n) const { return {file_, n.span.begin, n.span.end}; }

  // At most `bytes` bytes of `s`, not cutting a UTF-8 character.
  static std::string utf8_prefix(const std::string& s, std::size_t bytes) {
    if (s.size() <= bytes) return s;
    while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
    return s.substr(0, bytes);
  }

  void check_length(const ast::Ident& id) {
    if (id.text.size() > names::max_identifier_bytes)
      diags_.error(at(id), "identifier '" + utf8_prefix(id.text, 20) + "...' is " + std::to_string(id.text.size()) +
                               " bytes long; PostgreSQL allows at most 63 (it would silently truncate it)");
  }
  std::string name_of(const ast::Ident& id) {
    check_length(id);
    return id.text;
  }
  QualifiedName qualified(const ast::QName& q) {
    QualifiedName n;
    if (q.schema) n.schema = name_of(*q.schema);
    n.name = name_of(q.name);
    return n;
  }
  std::vector<std::string> names_of(const std::vector<ast::Ident>& ids) {
    std::vector<std::string> out;
    for (const auto& i : ids) out.push_back(name_of(i));
    return out;
  }
  std::vector<Origin> origins_of(const std::vector<ast::Ident>& ids) const {
    std::vector<Origin> out;
    for (const auto& i : ids) out.push_back(origin(i));
    return out;
  }
  static Location loc(Origin o) { return {o.file, o.offset, o.end}; }

  // Registers `key` in a namespace; reports a duplicate with both places.
  bool register_name(std::map<std::string, Declared>& space, const std::string& key, const std::string& kind,
                     const std::string& shown, Location where) {
    auto [it, inserted] = space.emplace(key, Declared{kind, where});
    if (inserted) return true;
    auto& d = diags_.error(where, "duplicate name '" + shown + "': already declared as " + it->second.kind);
    Diagnostics::note(d, it->second.where, "first declared here");
    return false;
  }
  static std::string key(const QualifiedName& n) { return n.schema + "." + n.name; }

  void require_schema(const QualifiedName& n, Location where, bool is_extern) {
    if (n.schema == "public" || is_extern) return;
    pending_schema_checks_.push_back({n.schema, where});
  }

  // ---- pass 1: names ------------------------------------------------------------

  void declare(const ast::Extension& e) {
    register_name(extensions_, name_of(e.name), "an extension", e.name.text, at(e.name));
    if (e.schema && e.schema->text != "public") extension_schemas_[e.name.text] = e.schema->text;
  }
  // The schema a declared extension's objects are in ("": the search path's first).
  std::string extension_schema(const std::string& extension) const {
    auto it = extension_schemas_.find(extension);
    return it == extension_schemas_.end() ? "" : it->second;
  }
  void declare(const ast::SchemaDecl& s) {
    register_name(schemas_, name_of(s.name), "a schema", s.name.text, at(s.name));
  }
  void declare(const ast::Role& r) { register_name(roles_, name_of(r.name), "a role", r.name.text, at(r.name)); }
  void declare(const ast::Enum& e) {
    auto n = qualified(e.name);
    if (register_name(types_, key(n), "an enum", n.display(), at(e.name.name)))
      type_kinds_[key(n)] = TypeKind::enumeration;
  }
  void declare(const ast::Domain& d) {
    auto n = qualified(d.name);
    if (register_name(types_, key(n), "a domain", n.display(), at(d.name.name))) type_kinds_[key(n)] = TypeKind::domain;
  }
  void declare(const ast::CompositeType& c) {
    auto n = qualified(c.name);
    if (register_name(types_, key(n), "a composite type", n.display(), at(c.name.name)))
      type_kinds_[key(n)] = TypeKind::composite;
  }
  void declare(const ast::ExternType& e) {
    // Written without a schema, it is found through search_path (as a platform's
    // types are); used by its name alone either way.
    QualifiedName n{e.name.schema ? name_of(*e.name.schema) : "", name_of(e.name.name)};
    if (!register_name(types_, "extern." + n.name, "an extern type", n.name, at(e.name.name))) return;
    if (builtin_by_spelling(n.name))
      diags_.error(at(e.name.name), "'" + n.name + "' is a PostgreSQL type: it needs no 'extern type'");
    extern_types_by_name_[n.name] = n;
  }
  void declare(const ast::ExternTable& t) {
    auto n = qualified(t.name);
    register_name(relations_, key(n), "an extern table", n.display(), at(t.name.name));
  }
  // A function is identified by its name and parameter types (overloads are distinct
  // objects): it is registered when its types are resolved (build).
  void declare(const ast::Function&) {}
  void declare(const ast::Table& t) {
    auto n = qualified(t.name);
    register_name(relations_, key(n), "a table", n.display(), at(t.name.name));
  }
  void declare(const ast::View& v) {
    auto n = qualified(v.name);
    register_name(relations_, key(n), "a view", n.display(), at(v.name.name));
  }
  void declare(const ast::MaterializedView& v) {
    auto n = qualified(v.name);
    register_name(relations_, key(n), "a materialized view", n.display(), at(v.name.name));
  }
  void declare(const ast::Archive& a) {
    auto n = qualified(a.old_name);
    register_name(archives_, key(n), "an archive", n.display(), at(a.old_name.name));
    check_length(a.new_name);
  }
  void declare(const ast::DropTable& d) {
    auto n = qualified(d.name);
    register_name(drops_, key(n), "a drop table", n.display(), at(d.name.name));
  }
  void declare(const ast::DataStep& d) {
    register_name(data_steps_, name_of(d.name), "a data step", d.name.text, at(d.name));
  }
  void declare(const ast::Assertion& a) {
    register_name(assertions_, name_of(a.name), "an assertion", a.name.text, at(a.name));
  }
  void declare(const ast::Query& q) { register_name(queries_, name_of(q.name), "a query", q.name.text, at(q.name)); }
  void declare(const ast::ObjectPrivilege&) {}
  void declare(const ast::Sequence& s) {
    auto n = qualified(s.name);
    register_name(relations_, key(n), "a sequence", n.display(), at(s.name.name));
  }

  // ---- pass 2: build ------------------------------------------------------------

  // The integer type of serial, bigserial or smallserial (serial4, serial8, serial2),
  // or null.
  static const char* serial_type(const ast::TypeName& t) {
    if (t.name.schema || t.name.name.quoted) return nullptr;
    const std::string& w = t.name.name.text;
    if (w == "serial" || w == "serial4") return "integer";
    if (w == "bigserial" || w == "serial8") return "bigint";
    if (w == "smallserial" || w == "serial2") return "smallint";
    return nullptr;
  }

  // A type name: PostgreSQL's own, then a declared enum, domain or composite type,
  // then an extension's (its extension declared) or an extern type.
  std::optional<Type> resolve_type(const ast::TypeName& t, bool allow_pseudo = false) {
    Type out;
    out.array_dims = t.array_dims;
    const std::string& word = t.name.name.text;
    if (serial_type(t)) {
      diags_.error(at(t), "'" + word + "' makes a column with a sequence of its own: it is a column's type only");
      return std::nullopt;
    }
    if (!t.name.schema || t.name.schema->text == "pg_catalog") {
      if (const BuiltinType* b = builtin_by_spelling(word)) out.builtin = b->name;
      if (allow_pseudo && (word == "trigger" || word == "void" || word == "record")) out.builtin = word;
    }
    if (out.builtin.empty()) {
      QualifiedName n;
      if (t.name.schema) n.schema = t.name.schema->text;
      n.name = word;
      if (auto it = type_kinds_.find(key(n)); it != type_kinds_.end()) {
        out.named_type = n;
        out.kind = it->second;
      } else if (auto rel = relations_.find(key(n)); rel != relations_.end() && rel->second.kind == "a table") {
        if (!in_signature_) {
          diags_.error(at(t), "the row type of table '" + n.display() +
                                  "' may type a function's parameters and result only: declare a composite type");
          return std::nullopt;
        }
        out.named_type = n;  // a table's row type
        out.kind = TypeKind::composite;
      } else if (auto ext = extern_types_by_name_.find(word);
                 ext != extern_types_by_name_.end() && (!t.name.schema || ext->second.schema == n.schema)) {
        out.named_type = ext->second;
        out.kind = TypeKind::external;
      } else if (const ExtensionType* x = extension_type(word)) {
        if (!extensions_.count(std::string(x->extension))) {
          diags_.error(at(t), "type '" + word + "' comes with the extension " + std::string(x->extension) +
                                  ": declare 'extension " + std::string(x->extension) + "'");
          return std::nullopt;
        }
        // Qualified with its extension's schema when that is declared elsewhere than public.
        out.named_type = QualifiedName{t.name.schema ? n.schema : extension_schema(std::string(x->extension)), word};
        out.kind = TypeKind::external;
      } else {
        std::vector<std::string> known;
        for (const auto& b : builtin_types())
          for (auto s : b.spellings) known.emplace_back(s);
        for (const auto& [k, kind] : type_kinds_) known.push_back(k.rfind("public.", 0) == 0 ? k.substr(7) : k);
        for (const auto& [name, q] : extern_types_by_name_) known.push_back(name);
        std::string hint = did_you_mean(t.name.schema ? n.display() : word, known);
        if (!hint.empty())
          diags_.error(at(t), "unknown type '" + n.display() + "'" + hint);
        else
          diags_.error(at(t),
                       "unknown type '" + n.display() +
                           "': not a PostgreSQL type, a declared enum, domain or composite type, nor a type of a "
                           "declared extension (declare it with 'extern type' if the database has it)");
        return std::nullopt;
      }
    }
    for (const auto& m : t.modifiers) out.modifiers.push_back(std::stoi(m.size() > 9 ? std::string("999999999") : m));
    const BuiltinType* builtin = out.named_type ? nullptr : builtin_by_name(out.builtin);
    // An extern type takes what the database says it takes.
    std::size_t allowed = builtin ? static_cast<std::size_t>(builtin->max_modifiers)
                          : out.kind == TypeKind::external && extern_types_by_name_.count(word) ? t.modifiers.size()
                                                                                                : 0;
    if (t.modifiers.size() > allowed) {
      diags_.error(at(t),
                   "type '" + (out.named_type ? out.named_type->display() : out.builtin) + "' takes " +
                       (allowed == 0 ? std::string("no modifiers")
                                     : "at most " + std::to_string(allowed) + " modifier" + (allowed > 1 ? "s" : "")));
      return std::nullopt;
    }
    if (builtin)
      if (auto why = modifier_error(*builtin, out.modifiers)) {
        diags_.error(at(t), *why);
        return std::nullopt;
      }
    if (!builtin)
      for (int m : out.modifiers)
        if (m < 0) {
          diags_.error(at(t), "a type modifier cannot be negative");
          return std::nullopt;
        }
    return out;
  }

  // A column is one line: a name whose type is on a later line is a word the user
  // meant as a modifier of the column above (`timestamptz nul`), or a column without
  // its type. Said at the word, not as an unknown type on the next line.
  bool type_on_another_line(const ast::Column& c) {
    const std::string& text = diags_.file(file_).text();
    if (c.type.span.begin <= c.name.span.end || c.type.span.begin > text.size()) return false;
    if (text.find('\n', c.name.span.end) >= c.type.span.begin) return false;
    static const std::vector<std::string> modifiers = {"null",  "not",     "default",   "unique",   "references",
                                                       "check", "primary", "generated", "identity", "was"};
    std::string near = closest(c.name.text, modifiers);
    diags_.error(at(c.name), near.empty() ? "column '" + c.name.text +
                                                "' has no type on its line: a column's type follows its name on "
                                                "the same line"
                                          : "'" + c.name.text +
                                                "' is read as a new column, with its type on the next line; did you "
                                                "mean '" +
                                                near + "', on the line of the column above?");
    return true;
  }

  Column build_column(const ast::Column& c, Table& table) {
    Column col;
    col.name = name_of(c.name);
    if (type_on_another_line(c)) {
    } else if (const char* integer = serial_type(c.type)) {
      col.type.builtin = integer;
      col.serial = true;
      if (!c.type.modifiers.empty() || c.type.array_dims)
        diags_.error(at(c.type), "'" + c.type.name.name.text + "' takes no modifiers and makes no array");
      if (c.nullable) diags_.error(at(c.name), "a serial column cannot be nullable");
      if (c.identity) diags_.error(at(c.type), "a column cannot be both serial and identity");
      if (c.generated) diags_.error(at(*c.generated), "a serial column cannot be generated");
      if (c.default_value)
        diags_.error(at(*c.default_value),
                     "a serial column's default is its sequence's next value: remove the default");
    } else if (auto t = resolve_type(c.type)) {
      col.type = *t;
    }
    col.nullable = c.nullable;
    if (c.default_value) col.default_sql = c.default_value->text;
    if (c.generated) col.generated_sql = c.generated->text;
    col.identity = c.identity;
    if (c.was) col.was = name_of(*c.was);
    col.doc = c.doc;
    col.origin = origin(c.name);
    const BuiltinType* builtin = col.type.named_type ? nullptr : builtin_by_name(col.type.builtin);
    if (col.identity && col.type.named_type == std::nullopt && col.type.array_dims == 0 &&
        !(builtin && builtin->integer_rank > 0))
      diags_.error(at(c.type), "an identity column must be smallint, integer or bigint");
    if (col.identity && col.default_sql) diags_.error(at(*c.default_value), "an identity column cannot have a default");
    if (col.generated_sql && col.default_sql)
      diags_.error(at(*c.default_value), "a generated column cannot have a default");
    if (col.identity && col.generated_sql)
      diags_.error(at(*c.generated), "a column cannot be both identity and generated");
    if (col.identity && col.nullable) diags_.error(at(c.name), "an identity column cannot be nullable");
    if (c.nullable && c.not_null)
      diags_.error(at(c.name), "column '" + col.name +
                                   "' is both nullable ('?' or 'null') and 'not null': a column is NOT NULL unless "
                                   "its type is followed by '?'");
    if (c.primary_key) {
      Constraint pk;
      pk.kind = ConstraintKind::primary_key;
      pk.columns = {col.name};
      pk.column_origins = {col.origin};
      pk.origin = origin(c);
      add_constraint(table, std::move(pk), at(c));
    }
    if (c.unique) {
      Constraint u;
      u.kind = ConstraintKind::unique;
      u.columns = {col.name};
      u.column_origins = {col.origin};
      u.origin = origin(c);
      add_constraint(table, std::move(u), at(c));
    }
    if (c.check) {
      Constraint ck;
      ck.kind = ConstraintKind::check;
      ck.check_sql = c.check->text;
      ck.origin = origin(*c.check);
      add_constraint(table, std::move(ck), at(*c.check));
    }
    if (c.references) {
      Constraint fk;
      fk.kind = ConstraintKind::foreign_key;
      fk.columns = {col.name};
      fk.column_origins = {col.origin};
      fill_reference(fk, *c.references);
      fk.origin = origin(*c.references);
      add_constraint(table, std::move(fk), at(*c.references));
    }
    return col;
  }

  void fill_reference(Constraint& fk, const ast::Reference& r) {
    fk.ref_table = qualified(r.table);
    fk.ref_columns = names_of(r.columns);
    fk.ref_column_origins = origins_of(r.columns);
    fk.on_delete = r.on_delete;
    fk.on_update = r.on_update;
    fk.deferrable = r.deferrable;
    fk.initially_deferred = r.initially_deferred;
  }

  void add_constraint(Table& table, Constraint c, Location where) {
    if (c.kind == ConstraintKind::primary_key && table.primary_key()) {
      auto& d = diags_.error(where, "table '" + table.name.display() + "' has more than one primary key");
      Diagnostics::note(d, loc(table.primary_key()->origin), "first primary key here");
      return;
    }
    constraint_locations_[&table].push_back(where);
    table.constraints.push_back(std::move(c));
  }

  // An operator class PostgreSQL or a declared extension provides, for the index's
  // method. A schema-qualified one is taken as the user's own (not checked). Returns
  // the schema of the extension that provides it ("" for PostgreSQL's, or the search
  // path's first).
  std::string check_operator_class(const ast::QName& opclass, const std::string& method) {
    if (opclass.schema) return "";
    const std::string& name = opclass.name.text;
    auto found = operator_classes_named(name);
    if (found.empty()) {
      // An extension outside the table (pgvector, PostGIS, ...) may provide it.
      std::set<std::string> known;
      for (const auto& c : operator_classes()) known.insert(c.extension);
      for (const auto& e : schema_.extensions)
        if (!known.count(e.name)) return "";
      diags_.error(at(opclass), "unknown operator class '" + name +
                                    "': not PostgreSQL's nor a known extension's (qualify it with its schema if "
                                    "the database has it)");
      return "";
    }
    std::string lower_method = method;
    for (auto& ch : lower_method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it =
        std::find_if(found.begin(), found.end(), [&](const OperatorClass* c) { return c->method == lower_method; });
    if (it == found.end()) {
      std::string methods;
      for (const auto* c : found) methods += (methods.empty() ? "" : ", ") + std::string(c->method);
      diags_.error(at(opclass), "operator class '" + name + "' is for " + methods + " indexes, not " + method +
                                    ": add 'using " + found.front()->method + "'");
      return "";
    }
    std::string extension = (*it)->extension;
    if (!extension.empty() && !extensions_.count(extension))
      diags_.error(at(opclass), "operator class '" + name + "' comes with the extension " + extension +
                                    ": declare 'extension " + extension + "'");
    return extension.empty() ? "" : extension_schema(extension);
  }

  // An index method of PostgreSQL (or bloom, with its extension); an extension
  // outside the operator class table (pgvector: hnsw, ivfflat) may provide others.
  std::string index_method(const std::string& written, Location where) {
    std::string m = written;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const std::set<std::string> builtin = {"btree", "hash", "gist", "spgist", "gin", "brin"};
    if (builtin.count(m)) return m;
    if (m == "bloom") {
      if (!extensions_.count("bloom"))
        diags_.error(where,
                     "index method 'bloom' comes with the extension bloom: "
                     "declare 'extension bloom'");
      return m;
    }
    std::set<std::string> known;
    for (const auto& c : operator_classes()) known.insert(c.extension);
    for (const auto& e : schema_.extensions)
      if (!known.count(e.name) && e.name != "bloom") return m;
    diags_.error(where,
                 "unknown index method '" + written + "': PostgreSQL has btree, hash, gist, spgist, gin and brin");
    return m;
  }

  IndexElement build_index_element(const ast::IndexElement& e, const std::string& method) {
    IndexElement el;
    if (e.column) el.column = name_of(*e.column);
    if (e.expression) el.expression = e.expression->text;
    if (e.collation) el.collation = e.collation->text;
    if (e.opclass) {
      el.opclass = e.opclass->schema ? e.opclass->schema->text + "." + e.opclass->name.text : e.opclass->name.text;
      // An extension's operator class outside the search path is qualified with its schema.
      if (std::string schema = check_operator_class(*e.opclass, method); !schema.empty())
        el.opclass = schema + "." + el.opclass;
    }
    el.order = e.order;
    el.nulls = e.nulls;
    return el;
  }

  Constraint build_exclusion(const ast::ExclusionConstraint& x) {
    Constraint c;
    c.kind = ConstraintKind::exclusion;
    if (x.name) c.name = name_of(*x.name), c.named = true;
    if (!x.method.empty()) c.method = index_method(x.method, at(x));
    if (c.method == "gin" || c.method == "brin" || c.method == "bloom")
      diags_.error(at(x), "a " + c.method +
                              " index cannot enforce an exclusion constraint: use gist, spgist, hash or "
                              "btree");
    for (const auto& e : x.elements) {
      c.elements.push_back(build_index_element(e.element, c.method));
      c.operators.push_back(e.op);
      if (e.element.column) {
        c.columns.push_back(e.element.column->text);
        c.column_origins.push_back(origin(*e.element.column));
      }
    }
    if (x.where) c.where_sql = x.where->text;
    c.deferrable = x.deferrable;
    c.initially_deferred = x.initially_deferred;
    c.doc = x.doc;
    c.origin = origin(x);
    return c;
  }

  Index build_index(const ast::Index& ix) {
    Index out;
    if (ix.name) out.name = name_of(*ix.name), out.named = true;
    out.unique = ix.unique;
    out.nulls_not_distinct = ix.nulls_not_distinct;
    if (!ix.method.empty()) out.method = index_method(ix.method, at(ix));
    if (out.unique && out.method != "btree")
      diags_.error(at(ix), "only btree indexes can be unique (this one uses " + out.method + ")");
    if (out.nulls_not_distinct && !out.unique)
      diags_.error(at(ix), "'nulls not distinct' is for a unique index: write 'unique index'");
    for (const auto& e : ix.elements) {
      out.element_origins.push_back(e.column ? origin(*e.column) : origin(e));
      out.elements.push_back(build_index_element(e, out.method));
    }
    out.include = names_of(ix.include);
    out.include_origins = origins_of(ix.include);
    if (ix.where) out.where_sql = ix.where->text;
    out.doc = ix.doc;
    out.origin = origin(ix);
    return out;
  }

  void build(const ast::Extension& e) {
    // A schema that is not declared is the platform's (Supabase's `extensions`), like
    // the schemas of extern objects.
    std::string schema = e.schema ? e.schema->text : "";
    schema_.extensions.push_back({e.name.text, e.doc, origin(e.name), {}, {}, schema});
  }
  void build(const ast::SchemaDecl& s) { schema_.schemas.push_back({s.name.text, s.doc, origin(s.name), {}, {}, ""}); }
  void build(const ast::Role& r) { schema_.roles.push_back({r.name.text, r.doc, origin(r.name), {}, {}, ""}); }

  void build(const ast::ExternType& e) {
    QualifiedName n{e.name.schema ? e.name.schema->text : "", e.name.name.text};
    schema_.extern_types.push_back({n, e.doc, origin(e.name.name)});
  }

  void build(const ast::Domain& d) {
    Domain out;
    out.name = qualified(d.name);
    require_schema(out.name, at(d.name), false);
    if (auto t = resolve_type(d.base)) out.base = *t;
    if (out.base.kind == TypeKind::domain && out.base.named_type == out.name)
      diags_.error(at(d.base), "domain '" + out.name.display() + "' cannot be over itself");
    out.not_null = d.not_null;
    if (d.default_value) out.default_sql = d.default_value->text;
    for (const auto& c : d.checks) {
      DomainCheck check;
      if (c.name) check.name = name_of(*c.name), check.named = true;
      check.expression = c.expression.text;
      out.checks.push_back(std::move(check));
    }
    // Unnamed checks get PostgreSQL's names: DOMAIN_check, then DOMAIN_check1, ...
    std::set<std::string> taken;
    for (std::size_t i = 0; i < out.checks.size(); ++i) {
      const auto& c = out.checks[i];
      if (c.named && !taken.insert(c.name).second)
        diags_.error(at(*d.checks[i].name),
                     "domain '" + out.name.display() + "' has two checks named '" + c.name + "'");
    }
    for (auto& c : out.checks)
      if (!c.named) {
        std::string base = names::make_object_name(out.name.name, "", "check");
        c.name = base;
        for (int n = 1; taken.count(c.name); ++n)
          c.name = names::make_object_name(out.name.name, "", "check" + std::to_string(n));
        taken.insert(c.name);
      }
    out.doc = d.doc;
    out.origin = origin(d.name.name);
    schema_.domains.push_back(std::move(out));
  }

  void build(const ast::CompositeType& c) {
    CompositeType out;
    out.name = qualified(c.name);
    require_schema(out.name, at(c.name), false);
    std::map<std::string, Location> seen;
    for (const auto& f : c.fields) {
      Field field;
      field.name = name_of(f.name);
      if (auto t = resolve_type(f.type)) field.type = *t;
      if (field.type.named_type == out.name)
        diags_.error(at(f.type), "composite type '" + out.name.display() + "' cannot contain itself");
      field.doc = f.doc;
      auto [it, inserted] = seen.emplace(field.name, at(f.name));
      if (!inserted) {
        auto& d = diags_.error(at(f.name), "duplicate field '" + field.name + "' in type '" + out.name.display() + "'");
        Diagnostics::note(d, it->second, "first declared here");
      }
      out.fields.push_back(std::move(field));
    }
    if (c.fields.empty()) diags_.error(at(c.name.name), "composite type '" + out.name.display() + "' has no fields");
    out.doc = c.doc;
    out.origin = origin(c.name.name);
    schema_.composite_types.push_back(std::move(out));
  }

  void build(const ast::Enum& e) {
    Enum out;
    out.name = qualified(e.name);
    require_schema(out.name, at(e.name), false);
    std::map<std::string, Location> seen;
    for (const auto& v : e.values) {
      if (v.text.empty()) diags_.error(at(v), "enum value cannot be empty");
      if (v.text.size() > names::max_identifier_bytes)
        diags_.error(at(v),
                     "enum value is " + std::to_string(v.text.size()) + " bytes long; PostgreSQL allows at most 63");
      auto [it, inserted] = seen.emplace(v.text, at(v));
      if (!inserted) {
        auto& d = diags_.error(at(v), "duplicate enum value '" + v.text + "'");
        Diagnostics::note(d, it->second, "first declared here");
      }
      out.values.push_back(v.text);
    }
    out.doc = e.doc;
    out.origin = origin(e.name);
    schema_.enums.push_back(std::move(out));
  }

  void build(const ast::ExternTable& t) {
    schema_.tables.emplace_back();
    Table& out = schema_.tables.back();
    out.name = qualified(t.name);
    out.is_extern = true;
    out.doc = t.doc;
    out.origin = origin(t.name);
    extern_asts_.push_back({&t, file_});
  }

  void build_extern_columns(Table& out, const ast::ExternTable& t) {
    std::map<std::string, Location> seen;
    for (const auto& c : t.columns) {
      if (!unique_member(seen, c.name.text, at(c.name), "column")) continue;
      out.columns.push_back(build_column(c, out));
    }
  }

  bool unique_member(std::map<std::string, Location>& seen, const std::string& name, Location where,
                     const std::string& what) {
    auto [it, inserted] = seen.emplace(name, where);
    if (inserted) return true;
    auto& d = diags_.error(where, "duplicate " + what + " '" + name + "'");
    Diagnostics::note(d, it->second, "first declared here");
    return false;
  }

  void build(const ast::Function& f) {
    Function out;
    out.name = qualified(f.name);
    require_schema(out.name, at(f.name), f.is_extern);
    out.is_extern = f.is_extern;
    in_signature_ = true;
    std::map<std::string, Location> seen;
    bool typed = true;
    for (const auto& p : f.parameters) {
      unique_member(seen, p.name.text, at(p.name), "parameter");
      Parameter param;
      param.name = name_of(p.name);
      if (auto t = resolve_type(p.type))
        param.type = *t;
      else
        typed = false;
      if (p.default_value) param.default_sql = p.default_value->text;
      out.parameters.push_back(std::move(param));
    }
    // Functions and procedures share one namespace of signatures, as in PostgreSQL.
    if (typed)
      register_name(functions_, key(out.name) + "(" + out.id().arguments + ")",
                    f.is_extern   ? "an extern function"
                    : f.procedure ? "a procedure"
                                  : "a function",
                    out.id().display(), at(f.name.name));
    if (!f.returns_table.empty()) {
      std::string cols;
      for (const auto& rc : f.returns_table) {
        ResultColumn r;
        r.name = name_of(rc.name);
        if (auto t = resolve_type(rc.type)) r.type = *t;
        cols += (cols.empty() ? "" : ", ") + names::quote(r.name) + " " + r.type.sql();
        out.returns_table.push_back(std::move(r));
      }
      out.returns = "TABLE(" + cols + ")";
    } else if (f.returns) {
      if (auto t = resolve_type(*f.returns, true)) {
        out.return_type = *t;
        out.returns_setof = f.returns_setof;
        out.returns = (f.returns_setof ? "SETOF " : "") + t->sql();
        out.returns_trigger = t->builtin == "trigger" && !f.returns_setof && t->array_dims == 0;
      }
    }
    in_signature_ = false;
    if (!f.language.empty()) out.language = f.language;
    out.volatility = f.volatility;
    out.strict = f.strict;
    out.security_definer = f.security == "definer";
    out.procedure = f.procedure;
    if (f.parallel != "unsafe") out.parallel = f.parallel;  // unsafe: the default
    out.leakproof = f.leakproof;
    auto estimate = [&](const std::optional<std::string>& text, const char* what) -> std::optional<double> {
      if (!text) return std::nullopt;
      double v = std::strtod(text->c_str(), nullptr);
      if (!(v > 0)) diags_.error(at(f.name), std::string(what) + " must be positive");
      return v;
    };
    out.cost = estimate(f.cost, "cost");
    out.rows = estimate(f.rows, "rows");
    if (f.rows && !f.returns_setof && f.returns_table.empty() && !f.procedure)
      diags_.error(at(f.name), "'rows' estimates the rows of a function that returns a set (setof or table)");
    if (f.procedure && (!f.volatility.empty() || f.strict || !f.parallel.empty() || f.leakproof || f.cost || f.rows))
      diags_.error(at(f.name),
                   "a procedure takes language, security and search_path; volatility, strict, "
                   "parallel, leakproof, cost and rows are a function's");
    if (f.has_search_path) out.search_path = names_of(f.search_path);  // empty: search_path = ''
    if (f.body) {
      out.body = f.body->text;
      out.body_tag = f.body->tag;
    } else if (!f.is_extern) {
      diags_.error(at(f.name), "function '" + out.name.display() + "' needs a body: as $$ ... $$");
    }
    out.doc = f.doc;
    out.origin = origin(f.name);
    schema_.functions.push_back(std::move(out));
  }

  void build(const ast::Table& t) {
    schema_.tables.emplace_back();
    Table& out = schema_.tables.back();
    out.name = qualified(t.name);
    require_schema(out.name, at(t.name), false);
    if (t.row_type) out.row_type = name_of(*t.row_type);
    if (t.was) out.was = qualified(*t.was);
    out.unlogged = t.unlogged;
    if (t.partition_by) {
      PartitionKey key;
      key.method = t.partition_by->method;
      for (const auto& e : t.partition_by->keys) {
        key.keys.push_back(build_index_element(e, key.method == "hash" ? "hash" : "btree"));
        if (!e.order.empty() || !e.nulls.empty())
          diags_.error(at(e), "a partition key has no order: leave out asc, desc and nulls first/last");
      }
      if (t.unlogged) diags_.error(at(t.name), "a partitioned table cannot be unlogged (its partitions may be)");
      out.partition_by = std::move(key);
    }
    if (t.distribution) {
      Distribution d;
      d.reference = t.distribution->reference;
      d.origin = origin(*t.distribution);
      if (t.distribution->column) {
        d.column = name_of(*t.distribution->column);
        d.column_origin = origin(*t.distribution->column);
      }
      if (t.distribution->colocate_with) {
        d.colocate_with = qualified(*t.distribution->colocate_with);
        d.colocate_origin = origin(*t.distribution->colocate_with);
      }
      out.distribution = std::move(d);
    }
    out.doc = t.doc;
    out.origin = origin(t.name);
    table_files_.push_back(file_);
    table_asts_.push_back(&t);
  }

  void build_table_members(Table& out, const ast::Table& t) {
    std::map<std::string, Location> columns, constraint_names, policies, triggers, drops;
    std::optional<Location> rls_at;
    for (const auto& m : t.members) {
      if (auto* c = std::get_if<ast::Column>(&m)) {
        if (!unique_member(columns, c->name.text, at(c->name), "column")) continue;
        out.columns.push_back(build_column(*c, out));
      } else if (auto* pk = std::get_if<ast::PrimaryKey>(&m)) {
        Constraint c;
        c.kind = ConstraintKind::primary_key;
        c.columns = names_of(pk->columns);
        c.column_origins = origins_of(pk->columns);
        c.deferrable = pk->deferrable;
        c.initially_deferred = pk->initially_deferred;
        c.doc = pk->doc;
        c.origin = origin(*pk);
        add_constraint(out, std::move(c), at(*pk));
      } else if (auto* u = std::get_if<ast::UniqueConstraint>(&m)) {
        Constraint c;
        c.kind = ConstraintKind::unique;
        if (u->name) c.name = name_of(*u->name), c.named = true;
        c.columns = names_of(u->columns);
        c.column_origins = origins_of(u->columns);
        c.nulls_not_distinct = u->nulls_not_distinct;
        c.deferrable = u->deferrable;
        c.initially_deferred = u->initially_deferred;
        c.doc = u->doc;
        c.origin = origin(*u);
        add_constraint(out, std::move(c), at(*u));
      } else if (auto* ck = std::get_if<ast::CheckConstraint>(&m)) {
        Constraint c;
        c.kind = ConstraintKind::check;
        if (ck->name) c.name = name_of(*ck->name), c.named = true;
        c.check_sql = ck->expression.text;
        c.doc = ck->doc;
        c.origin = origin(*ck);
        add_constraint(out, std::move(c), at(*ck));
      } else if (auto* fk = std::get_if<ast::ForeignKey>(&m)) {
        Constraint c;
        c.kind = ConstraintKind::foreign_key;
        if (fk->name) c.name = name_of(*fk->name), c.named = true;
        c.columns = names_of(fk->columns);
        c.column_origins = origins_of(fk->columns);
        fill_reference(c, fk->references);
        c.doc = fk->doc;
        c.origin = origin(*fk);
        add_constraint(out, std::move(c), at(*fk));
      } else if (auto* ix = std::get_if<ast::Index>(&m)) {
        out.indexes.push_back(build_index(*ix));
      } else if (auto* x = std::get_if<ast::ExclusionConstraint>(&m)) {
        add_constraint(out, build_exclusion(*x), at(*x));
      } else if (auto* r = std::get_if<ast::RowLevelSecurity>(&m)) {
        if (rls_at) {
          auto& d = diags_.error(at(*r), "row level security is declared twice");
          Diagnostics::note(d, *rls_at, "first declared here");
        }
        rls_at = at(*r);
        out.row_level_security = true;
        out.force_row_level_security = r->force;
      } else if (auto* p = std::get_if<ast::Policy>(&m)) {
        if (!unique_member(policies, p->name.text, at(p->name), "policy")) continue;
        Policy pol;
        pol.name = name_of(p->name);
        pol.permissive = p->mode != "restrictive";
        pol.command = p->command;
        pol.roles = names_of(p->roles);
        if (p->using_expr) pol.using_sql = p->using_expr->text;
        if (p->check_expr) pol.check_sql = p->check_expr->text;
        if (pol.command == "insert" && pol.using_sql)
          diags_.error(at(*p->using_expr), "a policy for insert can only have 'with check', not 'using'");
        if ((pol.command == "select" || pol.command == "delete") && pol.check_sql)
          diags_.error(at(*p->check_expr), "a policy for " + pol.command + " can only have 'using', not 'with check'");
        pol.doc = p->doc;
        pol.origin = origin(*p);
        out.policies.push_back(std::move(pol));
      } else if (auto* tr = std::get_if<ast::Trigger>(&m)) {
        if (!unique_member(triggers, tr->name.text, at(tr->name), "trigger")) continue;
        Trigger trig;
        trig.name = name_of(tr->name);
        trig.timing = tr->timing;
        for (const auto& e : tr->events) trig.events.push_back({e.kind, names_of(e.columns), origins_of(e.columns)});
        trig.for_each_row = tr->level == "row" || (tr->constraint && tr->level.empty());
        trig.constraint = tr->constraint;
        trig.deferrable = tr->deferrable;
        trig.initially_deferred = tr->initially_deferred;
        if (tr->old_table) trig.old_table = name_of(*tr->old_table);
        if (tr->new_table) trig.new_table = name_of(*tr->new_table);
        check_trigger_form(*tr);
        if (tr->when) trig.when_sql = tr->when->text;
        trig.function = qualified(tr->function);
        for (const auto& a : tr->arguments) trig.arguments.push_back(a.text);
        trig.doc = tr->doc;
        trig.origin = origin(*tr);
        trigger_function_spans_.push_back({&tr->function, file_});
        out.triggers.push_back(std::move(trig));
      } else if (auto* g = std::get_if<ast::Grant>(&m)) {
        add_grant(out.grants, g->roles, g->privileges);
      } else if (auto* d = std::get_if<ast::DropColumn>(&m)) {
        if (!unique_member(drops, d->name.text, at(d->name), "drop column")) continue;
        out.dropped_columns.push_back(name_of(d->name));
        drop_column_spans_.push_back({&d->name, file_});
      }
    }
    order_grants(out.grants, relation_privileges());
  }

  // Domains and composite types made of each other in a circle cannot be created.
  void check_type_cycles() {
    std::map<QualifiedName, std::vector<QualifiedName>> parts;
    std::map<QualifiedName, Origin> where;
    for (const auto& d : schema_.domains) {
      if (d.base.named_type) parts[d.name].push_back(*d.base.named_type);
      where[d.name] = d.origin;
    }
    for (const auto& c : schema_.composite_types) {
      for (const auto& f : c.fields)
        if (f.type.named_type) parts[c.name].push_back(*f.type.named_type);
      where[c.name] = c.origin;
    }
    std::map<QualifiedName, int> state;  // 1 visiting, 2 done
    std::function<bool(const QualifiedName&)> visit = [&](const QualifiedName& n) {
      if (state[n] == 2) return false;
      if (state[n] == 1) return true;
      state[n] = 1;
      for (const auto& p : parts[n])
        if (p != n && visit(p)) {
          state[n] = 2;
          return true;
        }
      state[n] = 2;
      return false;
    };
    for (const auto& [n, o] : where)
      if (state[n] == 0 && visit(n))
        diags_.error(loc(o), "type '" + n.display() + "' is made of itself through other domains or composite types");
  }

  // PostgreSQL's rules for constraint triggers and transition tables, at the trigger.
  void check_trigger_form(const ast::Trigger& tr) {
    auto has = [&](const char* kind) {
      return std::any_of(tr.events.begin(), tr.events.end(), [&](const auto& e) { return e.kind == kind; });
    };
    if (tr.constraint) {
      if (tr.timing != "after") diags_.error(at(tr), "a constraint trigger fires 'after'");
      if (tr.level == "statement") diags_.error(at(tr), "a constraint trigger fires 'for each row'");
      if (has("truncate")) diags_.error(at(tr), "a constraint trigger cannot fire on truncate");
      if (tr.old_table || tr.new_table) diags_.error(at(tr), "a constraint trigger cannot have transition tables");
    } else if (tr.deferrable) {
      diags_.error(at(tr), "only a constraint trigger can be deferred: write 'constraint trigger'");
    }
    if (!tr.old_table && !tr.new_table) return;
    if (tr.timing != "after") diags_.error(at(tr), "transition tables ('referencing') are for 'after' triggers");
    if (tr.events.size() > 1)
      diags_.error(at(tr), "a trigger with transition tables fires on one event (insert, update or delete)");
    for (const auto& e : tr.events)
      if (e.kind == "update" && !e.columns.empty())
        diags_.error(at(e), "a trigger with transition tables cannot name the columns of an update");
    if (tr.old_table && !has("update") && !has("delete"))
      diags_.error(at(*tr.old_table), "'old table' is for a trigger that fires on update or delete");
    if (tr.new_table && !has("update") && !has("insert"))
      diags_.error(at(*tr.new_table), "'new table' is for a trigger that fires on insert or update");
    if (tr.old_table && tr.new_table && tr.old_table->text == tr.new_table->text)
      diags_.error(at(*tr.new_table), "the old and new transition tables need different names");
  }

  // Grants of privileges to roles, merged per role (the roles are checked later).
  void add_grant(std::vector<Grant>& grants, const std::vector<ast::Ident>& roles,
                 const std::vector<std::string>& privileges) {
    for (const auto& role : roles) {
      std::string r = name_of(role);
      grant_role_spans_.push_back({&role, file_});
      auto it = std::find_if(grants.begin(), grants.end(), [&](const Grant& x) { return x.role == r; });
      if (it == grants.end()) {
        grants.push_back({r, {}});
        it = grants.end() - 1;
      }
      for (const auto& p : privileges) {
        std::string up = upper(p);
        if (std::find(it->privileges.begin(), it->privileges.end(), up) == it->privileges.end())
          it->privileges.push_back(up);
      }
    }
  }

  // Each grant's privileges in PostgreSQL's order (ALL alone when given), by role.
  static void order_grants(std::vector<Grant>& grants, const std::vector<std::string>& order) {
    for (auto& g : grants) {
      std::vector<std::string> ordered;
      if (std::find(g.privileges.begin(), g.privileges.end(), "ALL") != g.privileges.end()) {
        ordered = {"ALL"};
      } else {
        for (const auto& p : order)
          if (std::find(g.privileges.begin(), g.privileges.end(), p) != g.privileges.end()) ordered.push_back(p);
      }
      g.privileges = std::move(ordered);
    }
    std::sort(grants.begin(), grants.end(), [](const Grant& a, const Grant& b) { return a.role < b.role; });
  }

  void build(const ast::View& v) {
    View out;
    out.name = qualified(v.name);
    require_schema(out.name, at(v.name), false);
    out.security_invoker = v.security_invoker;
    out.query = v.query.text;
    out.query_tag = v.query.tag;
    for (const auto& g : v.grants) add_grant(out.grants, g.roles, g.privileges);
    order_grants(out.grants, relation_privileges());
    out.doc = v.doc;
    out.origin = origin(v.name);
    schema_.views.push_back(std::move(out));
  }

  void build(const ast::MaterializedView& v) {
    MaterializedView out;
    out.name = qualified(v.name);
    require_schema(out.name, at(v.name), false);
    out.query = v.query.text;
    out.query_tag = v.query.tag;
    for (const auto& ix : v.indexes) out.indexes.push_back(build_index(ix));
    for (const auto& g : v.grants) add_grant(out.grants, g.roles, g.privileges);
    order_grants(out.grants, relation_privileges());
    out.doc = v.doc;
    out.origin = origin(v.name);
    schema_.materialized_views.push_back(std::move(out));
  }

  void build(const ast::Archive& a) { archives_list_.push_back({&a, file_}); }
  void build(const ast::ObjectPrivilege& p) { object_privileges_.push_back({&p, file_}); }

  void declare(const ast::DefaultPrivilege&) {}
  void declare(const ast::Partition& p) {
    auto n = qualified(p.name);
    register_name(relations_, key(n), "a partition", n.display(), at(p.name.name));
  }
  void build(const ast::Partition& p) {
    Partition out;
    out.name = qualified(p.name);
    out.parent = qualified(p.parent);
    out.is_default = p.is_default;
    if (p.from) out.from = p.from->text;
    if (p.to) out.to = p.to->text;
    if (p.in) out.in = p.in->text;
    auto number = [&](const std::optional<std::string>& text) -> std::optional<int> {
      if (!text) return std::nullopt;
      if (text->size() > 9) {
        diags_.error(at(p), "a hash partition's modulus and remainder are at most 999999999");
        return 0;
      }
      return std::stoi(*text);
    };
    require_schema(out.name, at(p.name), false);
    out.modulus = number(p.modulus);
    out.remainder = number(p.remainder);
    if (out.modulus && (*out.modulus < 1 || out.remainder.value_or(0) >= *out.modulus))
      diags_.error(at(p), "a hash partition's modulus is positive and its remainder less than the modulus");
    out.doc = p.doc;
    out.origin = origin(p.name.name);
    partition_asts_.push_back({&p, file_});
    schema_.partitions.push_back(std::move(out));
  }

  // A data step's `retain` names tables of the state it runs in: declared ones (an
  // archived table by its declared or its archived name) or ones this schema drops.
  // Each gets a trigger while the step runs, which rules out extern and Citus tables
  // (the planner checks a dropped one against the previous state).
  void check_retained_rows() {
    for (const auto& d : schema_.data_steps) {
      std::set<QualifiedName> seen;
      for (std::size_t i = 0; i < d.retain.size(); ++i) {
        const QualifiedName& n = d.retain[i];
        Location where = loc(d.retain_origins[i]);
        std::string lead = "data step " + d.name + " retains the rows it deletes from " + n.display() + ", ";
        if (!seen.insert(n).second) {
          diags_.error(where, lead + "which it names twice");
          continue;
        }
        bool dropped = std::any_of(schema_.dropped_tables.begin(), schema_.dropped_tables.end(),
                                   [&](const DropTable& x) { return x.name == n; });
        auto it = relations_.find(key(n));
        bool archived = std::any_of(schema_.tables.begin(), schema_.tables.end(),
                                    [&](const Table& t) { return t.archived_as && t.live_name() == n; });
        if (it == relations_.end()) {
          if (!dropped && !archived)
            diags_.error(where, lead + "which is not a table of the schema (nor one that 'drop table' confirms)");
          continue;
        }
        if (it->second.kind != "a table") {
          auto& diag = diags_.error(
              where, lead + "which is " + it->second.kind +
                         (it->second.kind == "a partition" ? ": retain its table (the rows of every partition are kept)"
                                                           : ": only the rows of the schema's own tables can be kept"));
          Diagnostics::note(diag, it->second.where, "declared here");
          continue;
        }
        const Table* t = schema_.find_table(n);
        if (t && t->distribution)
          diags_.error(where, lead + "which is a " + (t->distribution->reference ? "reference" : "distributed") +
                                  " table: keeping deleted rows takes a trigger that schemac does not put on "
                                  "Citus tables (copy the rows with the step's own SQL)");
      }
    }
  }

  // A partition's parent is a partitioned table of its schema; its bound is the kind
  // the parent's method takes.
  void check_partitions() {
    std::stable_sort(schema_.partitions.begin(), schema_.partitions.end(),
                     [](const Partition& a, const Partition& b) { return a.name < b.name; });
    for (const auto& [p, file] : partition_asts_) {
      file_ = file;
      QualifiedName parent = qualified_silent(p->parent);
      const Table* t = schema_.find_table(parent);
      if (!t || t->is_extern) {
        diags_.error(at(p->parent), "'" + parent.display() + "' is not a table of the schema");
        continue;
      }
      if (!t->partition_by) {
        diags_.error(at(p->parent), "table '" + parent.display() +
                                        "' is not partitioned: declare it 'partition by range|list|hash (...)'");
        continue;
      }
      const std::string& method = t->partition_by->method;
      bool fits = p->is_default       ? method != "hash"
                  : method == "range" ? p->from.has_value()
                  : method == "list"  ? p->in.has_value()
                                      : p->modulus.has_value();
      if (!fits)
        diags_.error(at(*p), "table '" + parent.display() + "' is partitioned by " + method + ": a partition takes " +
                                 (method == "range"  ? "'for values from (..) to (..)' or 'default'"
                                  : method == "list" ? "'for values in (..)' or 'default'"
                                                     : "'for values with (modulus N, remainder M)'"));
      if (qualified_silent(p->name).schema != parent.schema)
        diags_.error(at(p->name), "a partition lives in the schema of its table ('" + parent.schema + "')");
    }
    // Hash partitions: PostgreSQL wants each modulus a factor of the next larger one,
    // and no two partitions on the same remainder of the same modulus.
    std::map<QualifiedName, std::vector<const Partition*>> hashed;
    for (const auto& p : schema_.partitions)
      if (p.modulus && *p.modulus >= 1) hashed[p.parent].push_back(&p);
    for (auto& [parent, list] : hashed) {
      std::stable_sort(list.begin(), list.end(),
                       [](const Partition* a, const Partition* b) { return *a->modulus < *b->modulus; });
      for (std::size_t i = 1; i < list.size(); ++i) {
        const Partition& a = *list[i - 1];
        const Partition& b = *list[i];
        if (*b.modulus % *a.modulus != 0)
          diags_.error(loc(b.origin), "hash partitions of '" + parent.display() + "': modulus " +
                                          std::to_string(*b.modulus) + " is not a multiple of modulus " +
                                          std::to_string(*a.modulus) + " (of " + a.name.display() + ")");
        for (std::size_t j = 0; j < i; ++j) {
          const Partition& c = *list[j];
          if (*b.modulus % *c.modulus == 0 && b.remainder.value_or(0) % *c.modulus == c.remainder.value_or(0)) {
            diags_.error(loc(b.origin), "hash partition " + b.name.display() + " takes rows partition " +
                                            c.name.display() + " already takes");
            break;
          }
        }
      }
    }
    std::map<QualifiedName, std::vector<const Partition*>> defaults;
    for (const auto& p : schema_.partitions)
      if (p.is_default) defaults[p.parent].push_back(&p);
    for (const auto& [parent, list] : defaults)
      if (list.size() > 1)
        diags_.error(loc(list[1]->origin), "table '" + parent.display() + "' has more than one default partition");
    // A key of a partitioned table holds in each partition only: it must include the
    // partition key's columns.
    for (const auto& t : schema_.tables) {
      if (!t.partition_by) continue;
      for (const auto& c : t.constraints)
        if (c.kind == ConstraintKind::exclusion)
          diags_.error(loc(c.origin),
                       "PostgreSQL 15 cannot enforce an exclusion constraint on the partitioned table '" +
                           t.name.display() + "'");
      for (const auto& ix : t.indexes)
        if (ix.unique)
          for (const auto& k : t.partition_by->keys)
            if (k.column.empty() || std::none_of(ix.elements.begin(), ix.elements.end(),
                                                 [&](const auto& e) { return e.column == k.column; })) {
              diags_.error(loc(ix.origin), "a unique index of the partitioned table '" + t.name.display() +
                                               "' must include its partition key column" +
                                               (k.column.empty() ? std::string("s") : " '" + k.column + "'"));
              break;
            }
      for (const auto& k : t.partition_by->keys) {
        const Column* col = k.column.empty() ? nullptr : t.find_column(k.column);
        if (!k.column.empty() && !col)
          diags_.error(loc(t.origin), "table '" + t.name.display() + "' is partitioned by '" + k.column +
                                          "', which is not one of its columns");
        if (col && col->generated_sql)
          diags_.error(loc(t.origin), "table '" + t.name.display() +
                                          "' cannot be partitioned by the generated column '" + k.column + "'");
      }
      for (const auto& c : t.constraints) {
        if (c.kind != ConstraintKind::primary_key && c.kind != ConstraintKind::unique) continue;
        for (const auto& k : t.partition_by->keys) {
          if (k.column.empty()) {
            diags_.error(loc(c.origin), "table '" + t.name.display() +
                                            "' is partitioned by an expression: it cannot have a primary or unique "
                                            "key");
            break;
          }
          if (std::find(c.columns.begin(), c.columns.end(), k.column) == c.columns.end()) {
            diags_.error(loc(c.origin), "a primary or unique key of the partitioned table '" + t.name.display() +
                                            "' must include its partition key column '" + k.column + "'");
            break;
          }
        }
      }
    }
  }
  void build(const ast::DefaultPrivilege& d) {
    const auto& all = privileges_of_kind(d.kind);
    std::vector<std::string> privileges;
    for (const auto& p : d.privileges) {
      std::string up = upper(p);
      if (up != "ALL" && std::find(all.begin(), all.end(), up) == all.end()) {
        std::string list;
        for (const auto& a : all) list += (list.empty() ? "" : ", ") + std::string(a);
        diags_.error(at(d), "privilege '" + p + "' does not apply to " + d.kind + " (they take " + list + " or all)");
        return;
      }
      privileges.push_back(up);
    }
    DefaultPrivilege out;
    if (d.schema) {
      out.schema = name_of(*d.schema);
      require_schema({out.schema, ""}, at(*d.schema), false);
      if (d.revoke) {
        diags_.error(at(*d.schema),
                     "default privileges in a schema only add to the global ones: a revoke is "
                     "global (write 'default privileges revoke ...' without 'in schema')");
        return;
      }
    }
    if (d.revoke) {
      bool execute = d.kind == "functions" && std::all_of(privileges.begin(), privileges.end(),
                                                          [](const auto& p) { return p == "EXECUTE" || p == "ALL"; });
      bool from_public =
          std::all_of(d.roles.begin(), d.roles.end(), [](const auto& r) { return r.text == "public" && !r.quoted; });
      if (!execute || !from_public) {
        diags_.error(at(d),
                     "a default revoke takes back what PostgreSQL gives every role by default: 'default "
                     "privileges revoke execute on functions from public'");
        return;
      }
    }
    out.kind = d.kind;
    out.revoke = d.revoke;
    out.origin = origin(d);
    for (const auto& role : d.roles) {
      grant_role_spans_.push_back({&role, file_});
      DefaultPrivilege x = out;
      x.role = role.quoted || role.text != "public" ? name_of(role) : "public";
      std::vector<Grant> merged = {{x.role, privileges}};
      order_grants(merged, all);
      x.privileges = merged.front().privileges;
      auto same = std::find_if(schema_.default_privileges.begin(), schema_.default_privileges.end(),
                               [&](const DefaultPrivilege& y) { return y.key() == x.key(); });
      if (same != schema_.default_privileges.end()) {
        std::vector<Grant> both = {{x.role, same->privileges}};
        both.front().privileges.insert(both.front().privileges.end(), x.privileges.begin(), x.privileges.end());
        order_grants(both, all);
        same->privileges = both.front().privileges;
      } else {
        schema_.default_privileges.push_back(std::move(x));
      }
    }
  }

  // Default privileges hold for the declared objects they cover too: their grants
  // (and a function's revokes) say what the database holds.
  void apply_default_privileges() {
    std::sort(schema_.default_privileges.begin(), schema_.default_privileges.end(),
              [](const DefaultPrivilege& a, const DefaultPrivilege& b) { return a.key() < b.key(); });
    for (const auto& d : schema_.default_privileges) {
      auto covers = [&](const QualifiedName& n) { return d.schema.empty() || n.schema == d.schema; };
      auto merge = [&](std::vector<Grant>& grants, const std::vector<std::string>& all) {
        auto it = std::find_if(grants.begin(), grants.end(), [&](const Grant& g) { return g.role == d.role; });
        if (it == grants.end()) {
          grants.push_back({d.role, d.privileges});
        } else {
          it->privileges.insert(it->privileges.end(), d.privileges.begin(), d.privileges.end());
          std::sort(it->privileges.begin(), it->privileges.end());
          it->privileges.erase(std::unique(it->privileges.begin(), it->privileges.end()), it->privileges.end());
        }
        order_grants(grants, all);
      };
      if (d.kind == "tables") {
        for (auto& t : schema_.tables)
          if (!t.is_extern && covers(t.name)) merge(t.grants, relation_privileges());
        for (auto& v : schema_.views)
          if (covers(v.name)) merge(v.grants, relation_privileges());
        for (auto& v : schema_.materialized_views)
          if (covers(v.name)) merge(v.grants, relation_privileges());
      } else if (d.kind == "sequences") {
        for (auto& s : schema_.sequences)
          if (covers(s.name)) merge(s.grants, sequence_privileges());
      } else {
        for (auto& f : schema_.functions) {
          if (f.is_extern || !covers(f.name)) continue;
          if (!d.revoke) {
            merge(f.grants, function_privileges());
          } else if (std::find(f.revoked.begin(), f.revoked.end(), d.role) == f.revoked.end()) {
            f.revoked.push_back(d.role);
            std::sort(f.revoked.begin(), f.revoked.end());
          }
        }
      }
    }
  }

  // A number of a sequence option, or an error at the declaration.
  std::optional<std::int64_t> sequence_number(const std::optional<std::string>& text, const ast::Sequence& s,
                                              const char* option) {
    if (!text) return std::nullopt;
    try {
      std::size_t used = 0;
      long long v = std::stoll(*text, &used);
      if (used == text->size()) return v;
    } catch (const std::exception&) {
    }
    diags_.error(at(s), std::string(option) + " " + *text + " is out of range for a sequence (a 64-bit integer)");
    return std::nullopt;
  }

  void build(const ast::Sequence& s) {
    Sequence out;
    out.name = qualified(s.name);
    require_schema(out.name, at(s.name), false);
    if (s.type) {
      auto t = resolve_type(*s.type);
      const BuiltinType* b = t && !t->named_type && t->array_dims == 0 ? builtin_by_name(t->builtin) : nullptr;
      if (!b || b->integer_rank == 0)
        diags_.error(at(*s.type), "a sequence is smallint, integer or bigint");
      else
        out.type = t->builtin;
    }
    out.increment = sequence_number(s.increment, s, "increment");
    out.minvalue = sequence_number(s.minvalue, s, "minvalue");
    out.maxvalue = sequence_number(s.maxvalue, s, "maxvalue");
    out.start = sequence_number(s.start, s, "start");
    out.cache = sequence_number(s.cache, s, "cache");
    out.cycle = s.cycle;
    // PostgreSQL's rules, checked here rather than at apply.
    std::int64_t type_max = out.type == "smallint" ? 32767 : out.type == "integer" ? 2147483647 : INT64_MAX;
    std::int64_t type_min = out.type == "smallint" ? -32768 : out.type == "integer" ? -2147483648LL : INT64_MIN;
    auto o = out.effective();
    std::int64_t increment = o.increment, min = o.minvalue, max = o.maxvalue, start = o.start;
    if (increment == 0) diags_.error(at(s), "a sequence's increment cannot be zero");
    if (min < type_min || max > type_max)
      diags_.error(at(s), "minvalue and maxvalue must be within the range of " + out.type);
    else if (min >= max)
      diags_.error(at(s),
                   "minvalue (" + std::to_string(min) + ") must be less than maxvalue (" + std::to_string(max) + ")");
    else if (start < min || start > max)
      diags_.error(at(s), "start value " + std::to_string(start) + " is outside minvalue " + std::to_string(min) +
                              " and maxvalue " + std::to_string(max));
    if (out.cache && *out.cache < 1) diags_.error(at(s), "a sequence's cache must be at least 1");
    if (!s.owned_by.empty()) {
      if (s.owned_by.size() < 2 || s.owned_by.size() > 3) {
        diags_.error(at(s.owned_by.front()), "'owned by' names a column: TABLE.COLUMN or SCHEMA.TABLE.COLUMN");
      } else {
        QualifiedName table;
        if (s.owned_by.size() == 3) table.schema = s.owned_by[0].text;
        table.name = s.owned_by[s.owned_by.size() - 2].text;
        out.owned_by = std::make_pair(table, s.owned_by.back().text);
        if (table.schema != out.name.schema)
          diags_.error(at(s.owned_by.front()), "a sequence must be in the schema of the table that owns it");
        sequence_owners_.push_back({schema_.sequences.size(), origin(s.owned_by.front())});
      }
    }
    out.doc = s.doc;
    out.origin = origin(s.name.name);
    schema_.sequences.push_back(std::move(out));
  }

  // `grant`/`revoke ... on function|schema`: attached to the object they name, once
  // every object is built.
  void apply_object_privileges() {
    for (const auto& entry : object_privileges_) {
      const ast::ObjectPrivilege* p = entry.first;  // not a structured binding: lambdas below use it
      file_ = entry.second;
      std::string what = p->revoke ? "revoke" : "grant";
      bool is_function = p->kind == "function" || p->kind == "procedure", is_sequence = p->kind == "sequence";
      const auto& allowed = is_function   ? function_privileges()
                            : is_sequence ? sequence_privileges()
                                          : schema_privileges();
      bool ok = true;
      if (p->revoke && is_sequence) {
        diags_.error(at(*p),
                     "a sequence grants nothing to other roles until a 'grant' says so: there is nothing to "
                     "revoke (leave the grant out)");
        continue;
      }
      if (p->revoke)
        for (const auto& priv : p->privileges)
          if (upper(priv) != "ALL" && !(is_function && upper(priv) == "EXECUTE")) {
            diags_.error(at(*p), "a revoke takes all of a role's privileges on the " + p->kind + ": write 'revoke " +
                                     (is_function ? "execute" : "all") + "'");
            ok = false;
          }
      for (const auto& priv : p->privileges)
        if (upper(priv) != "ALL" && std::find(allowed.begin(), allowed.end(), upper(priv)) == allowed.end()) {
          diags_.error(at(*p), "privilege '" + priv + "' does not apply to a " + p->kind + ": a " + p->kind +
                                   " takes " +
                                   (is_function   ? "execute"
                                    : is_sequence ? "usage, select, update"
                                                  : "usage, create") +
                                   " or all");
          ok = false;
        }
      if (!ok) continue;
      std::vector<Grant>* grants = nullptr;
      std::vector<std::string>* revoked = nullptr;
      std::vector<std::string> no_revokes;
      std::string object;
      if (is_function) {
        QualifiedName n = qualified_silent(p->object);
        auto overloads = schema_.overloads(n);
        if (overloads.empty()) {
          diags_.error(at(p->object), "unknown function '" + n.display() + "': declare it with 'function'");
          continue;
        }
        // The parameter types say which overload.
        std::string given;
        bool resolved = true;
        for (const auto& t : p->argument_types) {
          in_signature_ = true;
          auto r = resolve_type(t);  // an unknown type is reported
          in_signature_ = false;
          resolved &= r.has_value();
          if (r) given += (given.empty() ? "" : ", ") + r->base();  // modifiers do not tell overloads apart
        }
        if (!resolved) continue;
        auto it = std::find_if(schema_.functions.begin(), schema_.functions.end(), [&](const Function& f) {
          return f.id() == FunctionId{n, given};
        });
        if (it == schema_.functions.end()) {
          std::string declared;
          for (const auto* f : overloads) declared += (declared.empty() ? "" : ", ") + f->id().display();
          auto& d = diags_.error(at(p->object), "no function '" + n.display() + "(" + given + ")': '" + n.display() +
                                                    "' is declared as " + declared +
                                                    "; name its parameter types as declared");
          for (const auto* f : overloads) Diagnostics::note(d, loc(f->origin), "declared here");
          continue;
        }
        if (it->procedure != (p->kind == "procedure")) {
          diags_.error(at(p->object), "'" + n.display() + "' is a " + (it->procedure ? "procedure" : "function") +
                                          ": write 'on " + (it->procedure ? "procedure" : "function") + " " +
                                          n.display() + "(...)'");
          continue;
        }
        if (it->is_extern) {
          auto& d = diags_.error(at(p->object), "function '" + n.display() +
                                                    "' is extern: schemac does not create it, so it does not "
                                                    "manage its privileges either");
          Diagnostics::note(d, loc(it->origin), "declared here");
          continue;
        }
        grants = &it->grants;
        revoked = &it->revoked;
        object = "function '" + it->id().display() + "'";
      } else if (is_sequence) {
        QualifiedName n = qualified_silent(p->object);
        auto it = std::find_if(schema_.sequences.begin(), schema_.sequences.end(),
                               [&](const Sequence& s) { return s.name == n; });
        if (it == schema_.sequences.end()) {
          diags_.error(at(p->object), "unknown sequence '" + n.display() + "': declare it with 'sequence'");
          continue;
        }
        grants = &it->grants;
        revoked = &no_revokes;
        object = "sequence '" + n.display() + "'";
      } else {
        if (p->object.schema) {
          diags_.error(at(p->object), "a schema's name has no schema: write 'schema " + p->object.name.text + "'");
          continue;
        }
        auto it = std::find_if(schema_.schemas.begin(), schema_.schemas.end(),
                               [&](const NamedObject& x) { return x.name == p->object.name.text; });
        if (it == schema_.schemas.end()) {
          diags_.error(at(p->object), "schema '" + p->object.name.text + "' is not declared: add 'schema " +
                                          p->object.name.text + "'");
          continue;
        }
        grants = &it->grants;
        revoked = &it->revoked;
        object = "schema '" + it->name + "'";
      }
      if (!p->revoke) {
        add_grant(*grants, p->roles, p->privileges);
        order_grants(*grants, allowed);
      } else {
        for (const auto& role : p->roles) {
          grant_role_spans_.push_back({&role, file_});
          std::string r = role.quoted || role.text != "public" ? role.text : "public";
          if (std::find(revoked->begin(), revoked->end(), r) == revoked->end()) revoked->push_back(r);
        }
        std::sort(revoked->begin(), revoked->end());
      }
      for (const auto& g : *grants)
        if (std::find(revoked->begin(), revoked->end(), g.role) != revoked->end())
          diags_.error(at(*p), "role '" + g.role + "' is both granted and revoked privileges on " + object +
                                   ": keep one of the two");
    }
  }

  void build(const ast::DropTable& d) {
    DropTable out;
    out.name = qualified(d.name);
    out.origin = origin(d.name);
    if (auto it = relations_.find(key(out.name)); it != relations_.end()) {
      auto& diag = diags_.error(at(d.name), "'drop table " + out.name.display() +
                                                "' confirms removing a table, but the schema still declares it");
      Diagnostics::note(diag, it->second.where, "declared here; remove the declaration or the drop");
    }
    schema_.dropped_tables.push_back(std::move(out));
  }

  void build(const ast::DataStep& d) {
    DataStep out;
    out.name = d.name.text;
    for (const auto& n : d.retain) {
      out.retain.push_back(qualified(n));
      out.retain_origins.push_back(origin(n));
    }
    out.up = d.up.text;
    out.up_tag = d.up.tag;
    if (d.down) {
      out.down = d.down->text;
      out.down_tag = d.down->tag;
    }
    out.doc = d.doc;
    out.origin = origin(d.name);
    schema_.data_steps.push_back(std::move(out));
  }

  void build(const ast::Assertion& a) {
    Assertion out;
    out.name = a.name.text;
    out.query = a.query.text;
    out.query_tag = a.query.tag;
    out.doc = a.doc;
    out.origin = origin(a.name);
    schema_.assertions.push_back(std::move(out));
  }

  // A named query: its parameters are typed as a function's; they have no defaults
  // (the C++ function takes every one).
  void build(const ast::Query& q) {
    Query out;
    out.name = q.name.text;
    out.returns = q.returns;
    std::map<std::string, Location> seen;
    for (const auto& p : q.parameters) {
      unique_member(seen, p.name.text, at(p.name), "parameter");
      if (p.default_value)
        diags_.error(at(*p.default_value),
                     "a query's parameter has no default: the C++ function takes every parameter (pass a "
                     "std::optional and write coalesce($n, ...) in the SQL instead)");
      Parameter param;
      param.name = name_of(p.name);
      if (auto t = resolve_type(p.type)) param.type = *t;
      out.parameters.push_back(std::move(param));
    }
    out.query = q.query.text;
    out.query_tag = q.query.tag;
    out.doc = q.doc;
    out.origin = origin(q.name);
    schema_.queries.push_back(std::move(out));
  }

  // ---- archives, ordering ------------------------------------------------------

  void apply_archives() {
    // Members are built now that every table exists (pointers into schema_.tables
    // stay valid from here on: nothing is added to it any more).
    for (auto& t : schema_.tables) tables_by_name_.emplace(t.name, &t);  // first declaration wins
    for (std::size_t i = 0; i < table_asts_.size(); ++i) {
      file_ = table_files_[i];
      Table* t = find_mutable_table(qualified_silent(table_asts_[i]->name), false);
      if (t) build_table_members(*t, *table_asts_[i]);
    }
    for (auto [t, file] : extern_asts_) {
      file_ = file;
      if (Table* table = find_mutable_table(qualified_silent(t->name), false)) build_extern_columns(*table, *t);
    }
    for (auto [a, file] : archives_list_) {
      file_ = file;
      auto old_name = qualified_silent(a->old_name);
      Table* t = find_mutable_table(old_name, false);
      if (!t) {
        diags_.error(at(a->old_name), "'archive table " + old_name.display() +
                                          "' needs the table's block: keep 'table " + old_name.display() +
                                          " { ... }' in the schema to describe the archived table");
        continue;
      }
      QualifiedName new_name{old_name.schema, a->new_name.text};
      if (auto it = relations_.find(key(new_name)); it != relations_.end()) {
        auto& d = diags_.error(
            at(a->new_name), "cannot archive as '" + new_name.display() + "': the name is taken by " + it->second.kind);
        Diagnostics::note(d, it->second.where, "declared here");
        continue;
      }
      t->archived_as = a->new_name.text;
      archived_names_[key(new_name)] = t->name;
    }
  }

  QualifiedName qualified_silent(const ast::QName& q) const {
    QualifiedName n;
    if (q.schema) n.schema = q.schema->text;
    n.name = q.name.text;
    return n;
  }

  Table* find_mutable_table(const QualifiedName& n, bool follow_archive) {
    QualifiedName target = n;
    if (follow_archive) {
      if (auto it = archived_names_.find(key(n)); it != archived_names_.end()) target = it->second;
    }
    auto it = tables_by_name_.find(target);
    return it == tables_by_name_.end() ? nullptr : it->second;
  }

  void sort_objects() {
    // Stable: duplicates (already reported) keep their order.
    auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    std::stable_sort(schema_.extensions.begin(), schema_.extensions.end(), by_name);
    std::stable_sort(schema_.schemas.begin(), schema_.schemas.end(), by_name);
    std::stable_sort(schema_.roles.begin(), schema_.roles.end(), by_name);
    std::stable_sort(schema_.enums.begin(), schema_.enums.end(), by_name);
    std::stable_sort(schema_.domains.begin(), schema_.domains.end(), by_name);
    std::stable_sort(schema_.composite_types.begin(), schema_.composite_types.end(), by_name);
    std::stable_sort(schema_.extern_types.begin(), schema_.extern_types.end(), by_name);
    // Sequences are sorted after their owners are checked (check_references).
    std::stable_sort(schema_.functions.begin(), schema_.functions.end(),
                     [](const Function& a, const Function& b) { return a.id() < b.id(); });
    std::stable_sort(schema_.views.begin(), schema_.views.end(), by_name);
    std::stable_sort(schema_.materialized_views.begin(), schema_.materialized_views.end(), by_name);
    std::stable_sort(schema_.dropped_tables.begin(), schema_.dropped_tables.end(), by_name);
    std::stable_sort(schema_.assertions.begin(), schema_.assertions.end(), by_name);
    std::stable_sort(schema_.queries.begin(), schema_.queries.end(), by_name);
    // Data steps keep declaration order (files in name order): a later step may
    // depend on rows an earlier one wrote.
    // Tables are sorted last, in name_constraints_and_indexes, since checks below
    // still use the table pointers recorded while building.
  }

  // ---- references -------------------------------------------------------------

  void check_references() {
    for (const auto& [index, where] : sequence_owners_) {
      const Sequence& s = schema_.sequences[index];
      const auto& [table, column] = *s.owned_by;
      const Table* t = schema_.find_table(table);
      if (!t || t->is_extern)
        diags_.error(loc(where), "sequence '" + s.name.display() + "' is owned by a column of '" + table.display() +
                                     "', which is not a table of the schema");
      else if (!t->find_column(column))
        diags_.error(loc(where),
                     "unknown column '" + column + "' in table '" + table.display() + "'" + column_hint(*t, column));
    }
    std::stable_sort(schema_.sequences.begin(), schema_.sequences.end(),
                     [](const Sequence& a, const Sequence& b) { return a.name < b.name; });
    for (const auto& [schema, where] : pending_schema_checks_)
      if (!schemas_.count(schema))
        diags_.error(where, "schema '" + schema + "' is not declared: add 'schema " + schema + "'");

    for (auto& t : schema_.tables) {
      if (t.is_extern) continue;
      auto locs = constraint_locations_[&t];
      for (std::size_t i = 0; i < t.constraints.size(); ++i) check_constraint(t, t.constraints[i], locs[i]);
      for (const auto& ix : t.indexes) check_index_columns(t, ix);
      for (const auto& p : t.policies) {
        if (!t.row_level_security) {
          diags_.error(loc(p.origin), "policy '" + p.name + "' on table '" + t.name.display() +
                                          "' has no effect: the table does not enable 'row level security'");
        }
      }
      for (const auto& tr : t.triggers) {
        for (const auto& e : tr.events)
          for (std::size_t i = 0; i < e.columns.size(); ++i)
            if (!t.find_column(e.columns[i])) unknown_column(t, e.columns[i], loc(e.column_origins[i]));
      }
      for (const auto& d : t.dropped_columns)
        if (t.find_column(d)) {
          Location where = location_of_drop(d);
          auto& diag = diags_.error(
              where, "'drop column " + d + "' confirms removing a column, but the table still declares it");
          Diagnostics::note(diag, loc(t.find_column(d)->origin), "declared here");
        }
    }
    for (auto [fn, file] : trigger_function_spans_) {
      file_ = file;
      auto n = qualified_silent(*fn);
      // A trigger calls the overload without parameters (its arguments are TG_ARGV).
      auto overloads = schema_.overloads(n);
      const Function* f = schema_.find_function({n, ""});
      if (!f && !overloads.empty()) {
        auto& d =
            diags_.error(at(*fn), "function '" + n.display() + "' takes (" + overloads.front()->argument_types_sql() +
                                      "): a trigger calls a function without parameters (its arguments "
                                      "reach the function as TG_ARGV)");
        Diagnostics::note(d, loc(overloads.front()->origin), "declared here");
      } else if (!f) {
        std::string hint = name_hint(functions_, n);
        diags_.error(at(*fn), "unknown function '" + n.display() + "'" +
                                  (hint.empty() ? ": declare it with 'function' or 'extern function'" : hint));
      } else if (!f->returns_trigger) {
        auto& d = diags_.error(at(*fn), "function '" + n.display() + "' cannot be used by a trigger: it returns " +
                                            (f->returns.empty() ? std::string("nothing declared") : f->returns) +
                                            ", not trigger");
        Diagnostics::note(d, loc(f->origin), "declared here");
      }
    }
    auto check_role = [&](const ast::Ident& role, int file) {
      file_ = file;
      if (role.text == "public" && !role.quoted) return;
      if (!roles_.count(role.text)) {
        std::vector<std::string> names;
        for (const auto& [name, d] : roles_) names.push_back(name);
        std::string hint = did_you_mean(role.text, names);
        diags_.error(at(role), "unknown role '" + role.text + "'" +
                                   (hint.empty() ? ": declare it with 'role " + role.text + "'" : hint));
      }
    };
    for (auto [role, file] : grant_role_spans_) check_role(*role, file);
    for (std::size_t i = 0; i < table_asts_.size(); ++i)
      for (const auto& m : table_asts_[i]->members)
        if (auto* p = std::get_if<ast::Policy>(&m))
          for (const auto& r : p->roles) check_role(r, table_files_[i]);
  }

  Location location_of_drop(const std::string& column) const {
    for (auto [id, file] : drop_column_spans_)
      if (id->text == column) return {file, id->span.begin, id->span.end};
    return {};
  }

  void unknown_column(const Table& t, const std::string& column, Location where) {
    diags_.error(where, "unknown column '" + column + "' in table '" + t.name.display() + "'" + column_hint(t, column));
  }
  static std::string column_hint(const Table& t, const std::string& column) {
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    return did_you_mean(column, names);
  }
  // "; did you mean 'x'?" for a name of `space` (keys "schema.name") close to `n`.
  static std::string name_hint(const std::map<std::string, Declared>& space, const QualifiedName& n,
                               const char* kind = nullptr) {
    std::vector<std::string> names;
    for (const auto& [k, d] : space) {
      if (kind && d.kind.find(kind) == std::string::npos) continue;
      std::string name = k.substr(0, k.find('('));  // a function's key ends with its argument types
      names.push_back(name.rfind("public.", 0) == 0 ? name.substr(7) : name);
    }
    return did_you_mean(n.schema == "public" ? n.name : n.display(), names);
  }

  void check_index_columns(const Table& t, const Index& ix) {
    for (std::size_t i = 0; i < ix.elements.size(); ++i)
      if (!ix.elements[i].column.empty() && !t.find_column(ix.elements[i].column))
        unknown_column(t, ix.elements[i].column, loc(ix.element_origins[i]));
    for (std::size_t i = 0; i < ix.include.size(); ++i)
      if (!t.find_column(ix.include[i])) unknown_column(t, ix.include[i], loc(ix.include_origins[i]));
  }

  void check_constraint(Table& t, Constraint& c, Location where) {
    for (std::size_t i = 0; i < c.columns.size(); ++i)
      if (!t.find_column(c.columns[i])) unknown_column(t, c.columns[i], loc(c.column_origins[i]));
    if (c.kind != ConstraintKind::foreign_key) return;
    // Foreign keys may point at an archived table by its new name.
    QualifiedName target_name = c.ref_table;
    if (auto it = archived_names_.find(key(c.ref_table)); it != archived_names_.end()) target_name = it->second;
    const Table* target = find_mutable_table(target_name, false);
    if (target) c.ref_table = target->name;  // the declared name: PostgreSQL follows the archive's rename
    if (!target) {
      std::string hint = name_hint(relations_, c.ref_table, "table");
      std::string what = relations_.count(key(c.ref_table)) ? " is not a table"
                         : hint.empty() ? " is not declared (declare it, or 'extern table' if it exists already)"
                                        : " is not declared" + hint;
      diags_.error(where, "foreign key references '" + c.ref_table.display() + "', which" + what);
      return;
    }
    if (c.ref_columns.empty()) {
      const Constraint* pk = target->primary_key();
      if (!pk) {
        diags_.error(where, "foreign key references '" + c.ref_table.display() +
                                "' without columns, but that table has no primary key: name the referenced columns");
        return;
      }
      c.ref_columns = pk->columns;
    }
    if (c.ref_columns.size() != c.columns.size()) {
      diags_.error(where, "foreign key has " + std::to_string(c.columns.size()) + " column(s) but references " +
                              std::to_string(c.ref_columns.size()));
      return;
    }
    for (std::size_t i = 0; i < c.columns.size(); ++i) {
      const Column* mine = t.find_column(c.columns[i]);
      const Column* theirs = target->find_column(c.ref_columns[i]);
      if (!theirs) {
        unknown_column(*target, c.ref_columns[i],
                       i < c.ref_column_origins.size() ? loc(c.ref_column_origins[i]) : where);
        continue;
      }
      if (mine && mine->type.base() != theirs->type.base()) {
        auto& d = diags_.error(where, "foreign key column '" + mine->name + "' is " + mine->type.sql() + " but '" +
                                          target->name.display() + "." + theirs->name + "' is " + theirs->type.sql());
        Diagnostics::note(d, loc(theirs->origin), "referenced column declared here");
      }
    }
    if (!t.unlogged && target->unlogged && !target->is_extern)
      diags_.error(where, "table '" + t.name.display() + "' is logged but references the unlogged table '" +
                              target->name.display() +
                              "': PostgreSQL lets only unlogged tables reference unlogged ones");
    // PostgreSQL needs a key on exactly the referenced columns, and not a deferrable one
    // (an extern table declares only its columns: its keys are not known).
    if (target->is_extern) return;
    for (const auto& r : c.ref_columns)
      if (!target->find_column(r)) return;
    std::set<std::string> wanted(c.ref_columns.begin(), c.ref_columns.end());
    bool any = false, usable = false;
    for (const auto& k : target->constraints)
      if ((k.kind == ConstraintKind::primary_key || k.kind == ConstraintKind::unique) &&
          std::set<std::string>(k.columns.begin(), k.columns.end()) == wanted && k.columns.size() == wanted.size()) {
        any = true;
        usable |= !k.deferrable;
      }
    for (const auto& ix : target->indexes) {
      if (!ix.unique || ix.where_sql) continue;
      std::set<std::string> cols;
      bool plain = true;
      for (const auto& e : ix.elements) plain &= !e.column.empty(), cols.insert(e.column);
      if (plain && cols == wanted && ix.elements.size() == wanted.size()) any = usable = true;
    }
    std::string list;
    for (const auto& r : c.ref_columns) list += (list.empty() ? "" : ", ") + r;
    if (!any)
      diags_.error(where, "foreign key references '" + target->name.display() + "' (" + list +
                              "), which is not its primary key or a unique key: PostgreSQL needs one on exactly "
                              "these columns");
    else if (!usable)
      diags_.error(where, "foreign key references '" + target->name.display() + "' (" + list +
                              "), whose key is deferrable: PostgreSQL cannot use a deferrable key for a foreign key");
  }

  // ---- default names --------------------------------------------------------------

  void name_constraints_and_indexes() {
    std::stable_sort(schema_.tables.begin(), schema_.tables.end(),
                     [](const Table& a, const Table& b) { return a.name < b.name; });
    // Per schema: relation names (tables, views, indexes, sequences) and constraint names.
    std::map<std::string, std::set<std::string>> relations, constraints;
    for (const auto& t : schema_.tables) {
      relations[t.name.schema].insert(t.name.name);
      if (t.archived_as) relations[t.name.schema].insert(*t.archived_as);
      for (const auto& c : t.constraints) {
        if (c.name.empty()) continue;
        constraints[t.name.schema].insert(c.name);
        if (c.kind == ConstraintKind::primary_key || c.kind == ConstraintKind::unique ||
            c.kind == ConstraintKind::exclusion)
          relations[t.name.schema].insert(c.name);
      }
      for (const auto& ix : t.indexes)
        if (!ix.name.empty()) relations[t.name.schema].insert(ix.name);
    }
    for (const auto& v : schema_.views) relations[v.name.schema].insert(v.name.name);
    for (const auto& s : schema_.sequences) relations[s.name.schema].insert(s.name.name);
    for (const auto& p : schema_.partitions) relations[p.name.schema].insert(p.name.name);
    for (const auto& v : schema_.materialized_views) {
      relations[v.name.schema].insert(v.name.name);
      for (const auto& ix : v.indexes)
        if (!ix.name.empty()) relations[v.name.schema].insert(ix.name);
    }

    for (auto& t : schema_.tables) {
      auto& rel = relations[t.name.schema];
      auto& con = constraints[t.name.schema];
      for (auto& c : t.columns)
        if (c.identity || c.serial) {
          std::string chosen = names::choose_name(t.name.name, c.name, "seq", rel);
          if (chosen != names::make_object_name(t.name.name, c.name, "seq"))
            diags_.error(loc(c.origin), "the sequence of " + t.name.display() + "." + c.name + " would be named '" +
                                            chosen + "': '" + names::make_object_name(t.name.name, c.name, "seq") +
                                            "' is taken by another relation; rename one of them");
        }
      for (auto kind : {ConstraintKind::primary_key, ConstraintKind::unique, ConstraintKind::exclusion,
                        ConstraintKind::check, ConstraintKind::foreign_key}) {
        for (auto& c : t.constraints) {
          if (c.kind != kind || !c.name.empty()) continue;
          switch (kind) {
            case ConstraintKind::primary_key:
              c.name = names::choose_name(t.name.name, "", "pkey", rel);
              con.insert(c.name);
              break;
            case ConstraintKind::unique:
              c.name = names::choose_name(t.name.name, names::join_column_names(c.columns), "key", rel);
              con.insert(c.name);
              break;
            case ConstraintKind::check:
              c.name = names::choose_name(t.name.name, single_column_in(t, c.check_sql), "check", con);
              break;
            case ConstraintKind::foreign_key:
              c.name = names::choose_name(t.name.name, names::join_column_names(c.columns), "fkey", con);
              break;
            case ConstraintKind::exclusion:  // named as an index is
              c.name = names::choose_name(t.name.name, names::join_column_names(index_column_names(c.elements, {})),
                                          "excl", rel);
              con.insert(c.name);
              break;
          }
        }
      }
      name_indexes(t.name.name, t.indexes, rel);
      check_unique_names(t);
    }
    for (auto& v : schema_.materialized_views) name_indexes(v.name.name, v.indexes, relations[v.name.schema]);
  }

  // ChooseIndexColumnNames: expressions are "expr"; a repeated name gets a number
  // (expr, expr1, ...).
  static std::vector<std::string> index_column_names(const std::vector<IndexElement>& elements,
                                                     const std::vector<std::string>& include) {
    std::vector<std::string> cols;
    for (const auto& e : elements)
      cols.push_back(e.column.empty() ? check::index_expression_name(e.expression) : e.column);
    for (const auto& c : include) cols.push_back(c);
    std::vector<std::string> unique_cols;
    for (const auto& c : cols) {
      std::string cur = c;
      for (int i = 1; std::find(unique_cols.begin(), unique_cols.end(), cur) != unique_cols.end(); ++i)
        cur = c + std::to_string(i);
      unique_cols.push_back(cur);
    }
    return unique_cols;
  }

  void name_indexes(const std::string& relation, std::vector<Index>& indexes, std::set<std::string>& rel) {
    for (auto& ix : indexes) {
      if (!ix.name.empty()) continue;
      ix.name = names::choose_name(relation, names::join_column_names(index_column_names(ix.elements, ix.include)),
                                   "idx", rel);
    }
  }

  // ---- Citus: the rules a distributed schema must keep, before any cluster sees it ----

  static std::string distribution_kind(const Table* t) {
    if (!t || !t->distribution) return "local";
    return t->distribution->reference ? "reference" : "distributed";
  }

  // The distribution column's type as Citus compares it: a domain is a type of its
  // own, modifiers do not count (tables of one type share a colocation group).
  std::string distribution_type(const Table& t) const {
    const Column* c = t.find_column(t.distribution->column);
    return c ? c->type.base() : "";
  }

  void check_distribution() {
    for (auto& t : schema_.tables) {
      if (!t.distribution) continue;
      const Distribution& d = *t.distribution;
      if (t.is_extern) continue;
      if (d.distributed()) {
        const Column* c = t.find_column(d.column);
        if (!c) {
          unknown_column(t, d.column, loc(d.column_origin));
          continue;
        }
        Type base = without_domains(c->type, schema_);
        // An array hashes when its elements do.
        const BuiltinType* b = base.kind == TypeKind::builtin ? builtin_by_name(base.builtin) : nullptr;
        bool hashable = !b || !(b->family == TypeFamily::xml || b->family == TypeFamily::geometric ||
                                b->family == TypeFamily::text_search || b->family == TypeFamily::bit ||
                                b->family == TypeFamily::money || b->name == "json");
        if (!hashable)
          diags_.error(loc(d.column_origin), "the distribution column '" + d.column + "' has type " + base.sql() +
                                                 ", which has no hash function: Citus cannot shard by it");
        if (d.colocate_with) {
          const Table* u = schema_.find_table(*d.colocate_with);
          if (!u || u->is_extern) {
            diags_.error(loc(d.colocate_origin),
                         "'" + d.colocate_with->display() + "' is not a table of the schema to colocate with");
          } else if (u == &t) {
            diags_.error(loc(d.colocate_origin), "a table cannot be colocated with itself");
          } else if (!u->distribution || u->distribution->reference) {
            diags_.error(loc(d.colocate_origin), "'" + u->name.display() + "' is a " + distribution_kind(u) +
                                                     " table: a table is colocated only with a distributed table");
          } else if (u->find_column(u->distribution->column) && distribution_type(*u) != distribution_type(t)) {
            auto& e =
                diags_.error(loc(d.colocate_origin),
                             "'" + t.name.display() + "' is distributed by " + d.column + " (" + distribution_type(t) +
                                 ") but '" + u->name.display() + "' by " + u->distribution->column + " (" +
                                 distribution_type(*u) + "): colocated tables need the same type");
            Diagnostics::note(e, loc(u->distribution->column_origin), "distributed here");
          }
        }
        auto lacks = [&](const std::vector<std::string>& cols) {
          return std::find(cols.begin(), cols.end(), d.column) == cols.end();
        };
        for (const auto& k : t.constraints) {
          std::vector<std::string> cols = k.columns;
          if (k.kind == ConstraintKind::exclusion)
            for (const auto& el : k.elements) cols.push_back(el.column);
          bool keyed = k.kind == ConstraintKind::primary_key || k.kind == ConstraintKind::unique ||
                       k.kind == ConstraintKind::exclusion;
          if (keyed && lacks(cols)) {
            auto& e = diags_.error(
                loc(k.origin),
                std::string(k.kind == ConstraintKind::primary_key ? "the primary key"
                            : k.kind == ConstraintKind::unique    ? "unique key"
                                                                  : "exclusion constraint") +
                    (k.name.empty() || k.kind == ConstraintKind::primary_key ? "" : " '" + k.name + "'") +
                    " of distributed table '" + t.name.display() + "' does not include its distribution column '" +
                    d.column + "': each shard can enforce only keys that contain it");
            Diagnostics::note(e, loc(d.column_origin), "distributed by this column");
          }
        }
        for (const auto& ix : t.indexes) {
          std::vector<std::string> cols;
          for (const auto& el : ix.elements) cols.push_back(el.column);
          if (ix.unique && lacks(cols)) {
            auto& e =
                diags_.error(loc(ix.origin), "unique index '" + ix.name + "' of distributed table '" +
                                                 t.name.display() + "' does not include its distribution column '" +
                                                 d.column + "': each shard can enforce only keys that contain it");
            Diagnostics::note(e, loc(d.column_origin), "distributed by this column");
          }
        }
      }
      if (d.reference && t.partition_by)
        diags_.error(loc(d.origin), "partitioned table '" + t.name.display() +
                                        "' cannot be a reference table: Citus distributes partitioned tables by hash "
                                        "only ('distributed by (COLUMN)')");
      for (const auto& tr : t.triggers)
        if (!tr.for_each_row)
          diags_.error(loc(tr.origin), "statement-level trigger '" + tr.name + "' on " + distribution_kind(&t) +
                                           " table '" + t.name.display() +
                                           "': Citus fires it once per shard on the workers, not once per statement; "
                                           "make it 'for each row' or keep the table local");
      for (const auto& c : t.columns)
        if (c.identity && d.distributed() && !(c.type.builtin == "bigint"))
          diags_.error(loc(c.origin), "identity column '" + c.name + "' of distributed table '" + t.name.display() +
                                          "' must be bigint: Citus gives each node its own range of values");
    }
    // Foreign keys: which kinds of table may reference which.
    for (const auto& t : schema_.tables) {
      if (t.is_extern) continue;
      for (const auto& fk : t.constraints) {
        if (fk.kind != ConstraintKind::foreign_key) continue;
        const Table* u = schema_.find_table(fk.ref_table);
        if (!u) continue;  // reported already
        std::string from = distribution_kind(&t), to = distribution_kind(u);
        if (from == "local" && to == "local") continue;
        std::string what = "foreign key from " + from + " table '" + t.name.display() + "' to " + to + " table '" +
                           u->name.display() + "'";
        // The distribution column of a row never changes: no action may set or cascade it.
        if (from == "distributed" &&
            std::find(fk.columns.begin(), fk.columns.end(), t.distribution->column) != fk.columns.end()) {
          bool sets = fk.on_delete == "set null" || fk.on_delete == "set default";
          bool updates = fk.on_update == "cascade" || fk.on_update == "set null" || fk.on_update == "set default";
          if (sets || updates) {
            diags_.error(loc(fk.origin), what + ": 'on " +
                                             (sets ? "delete " + fk.on_delete : "update " + fk.on_update) +
                                             "' would change the distribution column " + t.distribution->column +
                                             ", which Citus refuses (on delete: cascade, restrict or no action; on "
                                             "update: restrict or no action)");
            continue;
          }
        }
        if (to == "reference") continue;  // every node has the rows it references
        if (from == "distributed" && to == "distributed") {
          const Distribution& a = *t.distribution;
          const Distribution& b = *u->distribution;
          if (!t.find_column(a.column) || !u->find_column(b.column)) continue;  // reported already
          if (distribution_type(t) != distribution_type(*u)) {
            auto& e = diags_.error(loc(fk.origin), what + ": the tables are not colocated (distributed by " +
                                                       distribution_type(t) + " and by " + distribution_type(*u) + ")");
            Diagnostics::note(e, loc(b.column_origin), "'" + u->name.display() + "' is distributed here");
            continue;
          }
          bool pairs = false;
          for (std::size_t i = 0; i < fk.columns.size() && i < fk.ref_columns.size(); ++i)
            pairs = pairs || (fk.columns[i] == a.column && fk.ref_columns[i] == b.column);
          if (!pairs) {
            auto& e = diags_.error(loc(fk.origin), what + " does not include the distribution columns (" + a.column +
                                                       " referencing " + b.column +
                                                       "): rows and the rows they reference must be on one shard");
            Diagnostics::note(e, loc(b.column_origin), "'" + u->name.display() + "' is distributed here");
            continue;
          }
          continue;
        }
        std::string why =
            to == "distributed"
                ? (from == "reference" ? ": a reference table is on every node, the rows it would reference on one"
                                       : ": a local table cannot reference rows spread over the workers")
            : from == "reference" ? ": a reference table may reference only reference tables"
                                  : ": a distributed table may reference only colocated distributed tables and "
                                    "reference tables";
        auto& e = diags_.error(loc(fk.origin), what + why);
        if (u->distribution)
          Diagnostics::note(e, loc(u->distribution->origin), "'" + u->name.display() + "' is " + to + " here");
      }
    }
    // Colocation chains end: no table is colocated with itself through others.
    for (const auto& t : schema_.tables) {
      std::set<QualifiedName> seen{t.name};
      const Table* cur = &t;
      while (cur && cur->distribution && cur->distribution->colocate_with) {
        if (!seen.insert(*cur->distribution->colocate_with).second) {
          if (*cur->distribution->colocate_with == t.name && cur != &t)
            diags_.error(loc(t.distribution->colocate_origin),
                         "colocation of '" + t.name.display() +
                             "' goes round in a circle: one table of the group must "
                             "be distributed without 'colocate with'");
          break;
        }
        cur = schema_.find_table(*cur->distribution->colocate_with);
      }
    }
  }

  void check_unique_names(const Table& t) {
    std::map<std::string, Location> seen;
    for (const auto& c : t.constraints) unique_member(seen, c.name, loc(c.origin), "constraint or index name");
    for (const auto& ix : t.indexes) unique_member(seen, ix.name, loc(ix.origin), "constraint or index name");
  }

  // The one column a check expression mentions, as PostgreSQL names the constraint
  // after it (several or none: no column part). A word counts when it is a column
  // name outside string literals.
  static std::string single_column_in(const Table& t, const std::string& sql) {
    std::set<std::string> found;
    for (std::size_t i = 0; i < sql.size();) {
      char c = sql[i];
      if (c == '\'') {
        for (++i; i < sql.size(); ++i)
          if (sql[i] == '\'') {
            if (i + 1 < sql.size() && sql[i + 1] == '\'')
              ++i;
            else
              break;
          }
        ++i;
      } else if (c == '"') {
        std::string id;
        for (++i; i < sql.size(); ++i) {
          if (sql[i] == '"') {
            if (i + 1 < sql.size() && sql[i + 1] == '"') {
              id += '"';
              ++i;
              continue;
            }
            break;
          }
          id += sql[i];
        }
        ++i;
        if (t.find_column(id)) found.insert(id);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t j = i;
        while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_' || sql[j] == '$'))
          ++j;
        std::string word = sql.substr(i, j - i);
        std::string lower;
        for (char ch : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        bool is_call = j < sql.size() && sql[j] == '(';
        bool qualified = i > 0 && sql[i - 1] == '.';
        if (!is_call && !qualified && t.find_column(lower)) found.insert(lower);
        i = j;
      } else {
        ++i;
      }
    }
    return found.size() == 1 ? *found.begin() : std::string();
  }

  const std::vector<syntax::ParsedFile>& files_;
  Diagnostics& diags_;
  int file_ = -1;
  Schema schema_;
  std::map<std::string, std::string> extension_schemas_;  // extension -> its declared schema (not public)
  std::map<std::string, Declared> extensions_, schemas_, roles_, types_, relations_, functions_, archives_, drops_,
      data_steps_, assertions_, queries_;
  std::vector<std::pair<std::size_t, Origin>> sequence_owners_;  // sequences with `owned by`, by index
  std::vector<std::pair<const ast::Partition*, int>> partition_asts_;
  bool in_signature_ = false;                                  // resolving a function's parameter and result types
  std::map<std::string, TypeKind> type_kinds_;                 // declared enums, domains, composite types
  std::map<std::string, QualifiedName> extern_types_by_name_;  // by their name alone
  std::vector<std::pair<std::string, Location>> pending_schema_checks_;
  std::map<const Table*, std::vector<Location>> constraint_locations_;
  std::vector<const ast::Table*> table_asts_;
  std::vector<int> table_files_;
  std::vector<std::pair<const ast::Archive*, int>> archives_list_;
  std::vector<std::pair<const ast::ExternTable*, int>> extern_asts_;
  std::map<std::string, QualifiedName> archived_names_;
  std::map<QualifiedName, Table*> tables_by_name_;  // valid until tables are sorted
  std::vector<std::pair<const ast::QName*, int>> trigger_function_spans_;
  std::vector<std::pair<const ast::Ident*, int>> grant_role_spans_;
  std::vector<std::pair<const ast::Ident*, int>> drop_column_spans_;
  std::vector<std::pair<const ast::ObjectPrivilege*, int>> object_privileges_;
};

}  // namespace

Schema resolve(const std::vector<syntax::ParsedFile>& files, Diagnostics& diags) {
  return Resolver(files, diags).run();
}

}  // namespace schemac::model
